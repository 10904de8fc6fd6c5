"""Reference data API (/api/v1/refdata/): the dictionaries and their items, for every user who may read them."""

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from shegong.refdata import selectors

router = Router(tags=["refdata"])


class DictionaryOut(Schema):
    code: str
    name: str
    description: str
    source: str
    item_count: int
    active_count: int


class ItemOut(Schema):
    code: str = Field(description="stable code stored by other records")
    name: str
    description: str
    source: str
    sort_order: int
    is_active: bool


def _require_view(request) -> None:
    if not request.user.has_perm(selectors.VIEW):
        raise HttpError(403, _("您没有查看字典的权限。"))


@router.get("/", response=list[DictionaryOut], summary="Dictionaries")
def dictionary_list(request):
    _require_view(request)
    return list(selectors.dictionary_list())


@router.get("/{dictionary_code}/items", response=list[ItemOut], summary="Items of a dictionary, in display order")
def item_list(request, dictionary_code: str, include_inactive: bool = False):
    _require_view(request)
    selectors.get_dictionary_or_404(dictionary_code)
    return list(selectors.items(dictionary_code, active_only=not include_inactive))
