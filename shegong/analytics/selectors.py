"""Reads for dashboards, reports and the API, scoped to the regions the user holds (数据权限).

A user sees the figures of the regions their dashboard grants cover and of everything below; asking for any other
region answers 404, like every other out-of-scope object. The figures themselves come from `figures`.
"""

from django.http import Http404

from shegong.analytics.models import Target
from shegong.core.scope import grants_of, scope_q
from shegong.regions.models import Region

VIEW = "analytics.view_dashboard"


def roots(actor) -> list[Region | None]:
    """The top regions of the user's dashboards (None = the whole country), outermost first, without nesting."""
    grants = [grant for grant in grants_of(actor) if VIEW in grant.permissions]
    if any(grant.region_code is None and grant.agency_id is None for grant in grants):
        return [None]
    codes = sorted({grant.region_code for grant in grants if grant.region_code})
    regions = {region.code: region for region in Region.objects.filter(code__in=codes)}
    out: list[Region] = []
    for region in sorted(regions.values(), key=lambda item: (item.level, item.code)):
        if not any(_inside(region, outer) for outer in out):
            out.append(region)
    return out


def _inside(region: Region, outer: Region) -> bool:
    from shegong.regions.codes import PREFIX_LENGTHS

    return region.code.startswith(outer.code[: PREFIX_LENGTHS[outer.level]])


def may_see(actor, region: Region | None) -> bool:
    tops = roots(actor)
    if None in tops:
        return True
    return region is not None and any(_inside(region, top) for top in tops)


def region_for(actor, code: str | None) -> Region | None:
    """The region a dashboard request asks for (its first root when none is asked); 404 when out of scope or when
    the user holds no dashboard at all."""
    tops = roots(actor)
    if not tops:
        raise Http404
    if not code:
        return tops[0]
    region = Region.objects.filter(pk=code).first()
    if region is None or not may_see(actor, region):
        raise Http404
    return region


def targets(actor, perm: str = "analytics.view_target"):
    return Target.objects.filter(scope_q(actor, Target, perm)).select_related("region")
