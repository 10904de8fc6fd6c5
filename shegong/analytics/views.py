"""统计看板 and 统计报表: a region's indicators over a period, its children for the drill-down, an indicator's own page,
and the report (print view and Excel). Every region comes from selectors.region_for (404 outside the user's roots)."""

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from shegong.analytics import catalogue, report, selectors
from shegong.core.listing import permission
from shegong.regions.selectors import ancestors
from shegong.tabular.views import xlsx_response


def _region_url(name: str, region, *args) -> str:
    if region is None:
        return reverse({"dashboard": "analytics:home", "report": "analytics:report_home"}[name])
    return reverse(f"analytics:{name}", args=[region.code, *args])


def _query(request, **changes) -> str:
    """The request's period, sort and chart parameters with `changes`, as a query string starting with "?" (or "")."""
    names = ("period", "start", "end", "month", "sort", "dir", "chart")
    keep = {name: request.GET[name] for name in names if request.GET.get(name)}
    keep.update({name: value for name, value in changes.items() if value is not None})
    keep = {name: value for name, value in keep.items() if value != ""}
    return f"?{urlencode(keep)}" if keep else ""


def _frame(request, region, view: str) -> dict:
    """What every page of a region shows around its figures: period picker, breadcrumb, roots switcher."""
    today = timezone.localdate()
    choice = report.period_from_query(request.GET, today)
    period_query = _query(request, sort="", dir="", chart="")
    chain = [*ancestors(region), region] if region is not None else []
    crumbs = [(item, _region_url(view, item) + period_query) for item in chain if selectors.may_see(request.user, item)]
    tops = selectors.roots(request.user)
    return {
        "region": region,
        "node": report.node_of(region),
        "region_name": region.name if region is not None else report.region_name_of(None),
        "today": today,
        "choice": choice,
        "period": choice.period,
        "period_label": report.period_label(choice.period),
        "presets": [(value, label, value == choice.text) for value, label in report.period_presets(today)],
        "period_query": period_query,
        "crumbs": crumbs,
        "roots": [(top, _region_url(view, top) + period_query) for top in tops] if len(tops) > 1 else [],
        "dashboard_url": _region_url("dashboard", region),
        "report_url": _region_url("report", region),
        "chart_labels": report.chart_labels(),
    }


def _columns(request, indicators, sort: str, descending: bool) -> list[dict]:
    columns = [{"code": "name", "label": report.NAME_LABEL, "numeric": False}]
    columns += [{"code": item.code, "label": item.name, "unit": item.unit, "numeric": True} for item in indicators]
    for column in columns:
        column["active"] = column["code"] == sort
        flip = "asc" if column["active"] and descending else "desc" if column["numeric"] or column["active"] else "asc"
        column["url"] = _query(request, sort=column["code"], dir=flip)
        column["descending"] = descending
    return columns


def _sort(request, indicators) -> tuple[str, bool]:
    sort = request.GET.get("sort", "code")
    if sort not in report.SORT_KEYS and sort not in {item.code for item in indicators}:
        sort = "code"
    return sort, request.GET.get("dir") == "desc"


def _dashboard(request, region):
    context = _frame(request, region, "dashboard")
    period, node, today = context["period"], context["node"], context["today"]
    every = catalogue.indicators()
    cells = report.cells(request.user, region, period, every, today)
    for cell in cells:
        cell.url = _indicator_url(region, cell.indicator)
    keys = [cell.indicator for cell in cells if cell.indicator.key] or [cell.indicator for cell in cells][:4]
    sort, descending = _sort(request, keys)
    rows = report.child_rows(region, period, keys, sort, descending)
    links = {
        row.code: _region_url("dashboard", row.node) + context["period_query"] for row in rows if not row.remainder
    }
    # The indicator the ranking and breakdown charts show: ?chart=code among the key indicators, else the first one
    # with a breakdown.
    charted = {item.code: item for item in keys}
    first = charted.get(request.GET.get("chart", "")) or next(
        (item for item in keys if item.breakdown is not None), keys[0] if keys else None
    )
    context |= {
        "key_cells": [cell for cell in cells if cell.indicator in keys],
        "sections": report.by_section(cells),
        "keys": keys,
        "columns": _columns(request, keys, sort, descending),
        "rows": [(row, links.get(row.code), [row.figures[item.code] for item in keys]) for row in rows],
        "charts": {
            "trend": report.trends(_same_unit(first, keys), node, period) if first else {},
            "breakdown": report.breakdowns(first, node, period) if first else [],
            "ranking": report.ranking(first, rows) if first else {},
            "gauges": report.gauges(cells),
        },
        "first": first,
        "chart_choices": [(item, _query(request, chart=item.code), item == first) for item in keys],
    }
    return render(request, "analytics/dashboard.html", context)


def _same_unit(first, keys, most: int = 4) -> list:
    """The charted indicator and the other key indicators in its unit (one axis), at most `most` lines."""
    return [first, *[item for item in keys if item is not first and str(item.unit) == str(first.unit)]][:most]


def _indicator_url(region, indicator) -> str:
    if region is None:
        return reverse("analytics:country_indicator", args=[indicator.code])
    return reverse("analytics:indicator", args=[region.code, indicator.code])


@permission(selectors.VIEW)
def home(request):
    """The dashboard of the user's first root (统计看板)."""
    return _dashboard(request, selectors.region_for(request.user, None))


@permission(selectors.VIEW)
def dashboard(request, code: str):
    return _dashboard(request, selectors.region_for(request.user, code))


def _indicator(request, region, indicator_code: str):
    try:
        indicator = catalogue.indicator(indicator_code)
    except KeyError:
        raise Http404 from None
    context = _frame(request, region, "dashboard")
    period, node, today = context["period"], context["node"], context["today"]
    cell = report.cells(request.user, region, period, [indicator], today)[0]
    sort, descending = _sort(request, [indicator])
    if "sort" not in request.GET:
        sort, descending = indicator.code, indicator.higher_is_better
    rows = report.child_rows(region, period, [indicator], sort, descending)
    links = {
        row.code: _indicator_url(row.node, indicator) + context["period_query"] for row in rows if not row.remainder
    }
    context |= {
        "indicator": indicator,
        "cell": cell,
        "definition": report.definition(indicator),
        "columns": _columns(request, [indicator], sort, descending),
        "rows": [(row, links.get(row.code), [row.figures[indicator.code]]) for row in rows],
        "charts": {
            "trend": report.trends([indicator], node, period),
            "breakdown": report.breakdowns(indicator, node, period),
            "ranking": report.ranking(indicator, rows),
            "gauges": report.gauges([cell]),
        },
    }
    return render(request, "analytics/indicator.html", context)


@permission(selectors.VIEW)
def country_indicator(request, indicator: str):
    region = selectors.region_for(request.user, None)
    if region is not None:
        raise Http404
    return _indicator(request, None, indicator)


@permission(selectors.VIEW)
def indicator(request, code: str, indicator: str):
    return _indicator(request, selectors.region_for(request.user, code), indicator)


def _report(request, region):
    context = _frame(request, region, "report")
    content = report.build(request.user, region, context["period"], context["today"])
    download = reverse("analytics:report_download", args=[region.code]) if region else reverse("analytics:download")
    trend = content.trend
    rows = [
        (month, [series["values"][index] for series in trend["series"]]) for index, month in enumerate(trend["months"])
    ]
    context |= {"content": content, "download_url": download + context["period_query"], "trend_rows": rows}
    return render(request, "analytics/report.html", context)


@permission(selectors.VIEW)
def report_home(request):
    """The statistical report (统计报表) of the user's first root: the print view, with the Excel download."""
    return _report(request, selectors.region_for(request.user, None))


@permission(selectors.VIEW)
def report_page(request, code: str):
    return _report(request, selectors.region_for(request.user, code))


def _download(request, region):
    today = timezone.localdate()
    period = report.period_from_query(request.GET, today).period
    content = report.build(request.user, region, period, today)
    return xlsx_response(report.export(actor=request.user, content=content), report.filename(content))


@permission(selectors.VIEW)
@require_POST
def download(request):
    return _download(request, selectors.region_for(request.user, None))


@permission(selectors.VIEW)
@require_POST
def report_download(request, code: str):
    return _download(request, selectors.region_for(request.user, code))
