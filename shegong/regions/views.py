from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from shegong.core.scope import get_scoped_or_404
from shegong.regions import selectors
from shegong.regions.codes import InvalidCode, canonical
from shegong.regions.models import Region


def _region_or_404(request, code: str) -> Region:
    try:
        full = canonical(code)
    except InvalidCode:
        raise Http404 from None
    return get_scoped_or_404(Region, request.user, selectors.VIEW_PERMISSION, code=full)


def _rows(regions: list[Region]) -> list[dict]:
    """Table rows with the number of villages below each region (one grouped query for the whole table)."""
    counts = selectors.community_counts(regions)
    return [{"region": region, "communities": counts.get(region.code)} for region in regions]


@login_required
@require_GET
def browser(request):
    """The start page (the user's own areas; nationwide users see the provinces) and the search by name."""
    query = request.GET.get("q", "").strip()[:50]
    within = None
    if request.GET.get("within"):
        within = _region_or_404(request, request.GET["within"])
    context = {"query": query, "within": within}
    if query:
        results = selectors.search(query, user=request.user, within=within)
        paths = selectors.ancestors_of_many(results)
        context["results"] = [{"region": row, "path": paths[row.code]} for row in results]
        context["limit"] = selectors.SEARCH_LIMIT
    else:
        context["rows"] = _rows(selectors.scope_roots(request.user))
    return render(request, "regions/browser.html", context)


@login_required
@require_GET
def detail(request, code: str):
    """One region: its path, its facts and its children, each with the villages below it; drill down by clicking."""
    region = _region_or_404(request, code)
    children = list(selectors.children(region, user=request.user))
    rows = _rows(children)
    if region.level == Region.Level.VILLAGE:
        communities = None
    elif children and children[0].level == Region.Level.VILLAGE:
        communities = len(children)
    else:
        communities = sum(row["communities"] or 0 for row in rows)
    return render(
        request,
        "regions/detail.html",
        {
            "region": region,
            "ancestors": selectors.ancestors(region),
            "rows": rows,
            "communities": communities,
            "child_level": children[0].get_level_display() if children else None,
        },
    )


@login_required
@require_GET
def picker_options(request):
    """The region picker's next level: JSON {"options": [{"code", "name", "level"}]} under `parent` (provinces when
    empty), limited to the comma-separated `within` codes when given."""
    parent = _region_or_404(request, request.GET["parent"]) if request.GET.get("parent") else None
    within = None
    if "within" in request.GET:
        codes = [code for code in request.GET["within"].split(",") if code]
        try:
            within = list(Region.objects.filter(code__in=[canonical(code) for code in codes]))
        except InvalidCode:
            raise Http404 from None
    options = selectors.picker_options(parent, within, user=request.user)
    return JsonResponse(
        {"options": [{"code": row.code, "name": row.name, "level": row.level} for row in options]},
        headers={"Cache-Control": "private, max-age=3600"},
    )
