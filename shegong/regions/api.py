"""Regions API (/api/v1/regions/): provinces, one region with its ancestors, a region's children, search by name.

Regions are public reference data for every signed-in user with a role; anonymous callers get 401 from the API's
authentication. Codes may be written short (44, 4401, 440104, 440104003) or in full (12 digits).
"""

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from shegong.regions import selectors
from shegong.regions.codes import InvalidCode
from shegong.regions.models import Region

router = Router(tags=["regions"])


class RegionOut(Schema):
    code: str = Field(description="12-digit statistical code (统计用区划代码)")
    short_code: str = Field(description="the code at its own length: 44, 4401, 440104, 440104003, 440104003001")
    name: str
    level: int = Field(description="1 省级, 2 地级, 3 县级, 4 乡级, 5 村级")
    level_label: str
    parent: str | None = Field(None, description="12-digit code of the parent; null for a province")
    area_class: str = Field(description="urban, rural, or empty when unknown (城乡属性)")
    area_class_label: str
    urban_rural_code: str = Field(description="NBS urban-rural class code (城乡分类代码, 111..220) when known")

    @staticmethod
    def resolve_level_label(obj: Region) -> str:
        return str(obj.get_level_display())

    @staticmethod
    def resolve_parent(obj: Region) -> str | None:
        return obj.parent_id

    @staticmethod
    def resolve_area_class_label(obj: Region) -> str:
        return str(obj.get_area_class_display())


class RegionDetailOut(RegionOut):
    ancestors: list[RegionOut] = Field(description="the regions above, province first")


class RegionSearchOut(RegionOut):
    path: str = Field(description="names of the regions above, province first, separated by ' / '")


class SearchQuery(Schema):
    q: str = Field(min_length=1, max_length=50, description="part of the name, e.g. 越秀")
    level: int | None = Field(None, ge=1, le=5, description="only this level")
    within: str | None = Field(None, description="only under this region (code)")
    limit: int = Field(selectors.SEARCH_LIMIT, ge=1, le=selectors.SEARCH_LIMIT)


def _region_or_error(request, code: str) -> Region:
    try:
        return selectors.get(code, user=request.user)
    except InvalidCode:
        raise HttpError(422, _("区划代码“%(code)s”格式不对：应为 2、4、6、9 或 12 位数字。") % {"code": code}) from None
    except Region.DoesNotExist:
        raise HttpError(404, _("区划代码 %(code)s 不存在。") % {"code": code}) from None


@router.get("/", response=list[RegionOut], summary="Provinces")
def province_list(request):
    return list(selectors.provinces(user=request.user))


@router.get("/search", response=list[RegionSearchOut], summary="Search regions by name")
def region_search(request, filters: Query[SearchQuery]):
    within = _region_or_error(request, filters.within) if filters.within else None
    rows = selectors.search(filters.q, filters.limit, level=filters.level, within=within, user=request.user)
    paths = selectors.ancestors_of_many(rows)
    for row in rows:
        row.path = " / ".join(ancestor.name for ancestor in paths[row.code])
    return rows


@router.get("/{code}", response=RegionDetailOut, summary="One region with its ancestors")
def region_detail(request, code: str):
    region = _region_or_error(request, code)
    region.ancestors = selectors.ancestors(region)
    return region


@router.get("/{code}/children", response=list[RegionOut], summary="Children of a region")
def region_children(request, code: str):
    region = _region_or_error(request, code)
    return list(selectors.children(region, user=request.user))
