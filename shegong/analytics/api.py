"""Indicator values for other government systems, mounted at /api/v1/analytics/: the catalogue's definitions, the
values of indicators for a region (and its children) over a period, and targets with their progress. Regions outside
the caller's dashboards answer 404, as on the pages."""

import datetime

from django.http import Http404
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from shegong.analytics import catalogue, figures, report, selectors
from shegong.analytics.periods import Period, parse_period
from shegong.core.api_helpers import require
from shegong.regions.codes import InvalidCode, canonical
from shegong.regions.selectors import within_q

router = Router(tags=["analytics"])


class IndicatorOut(Schema):
    code: str
    name: str
    section: str
    unit: str
    decimals: int
    factor: float
    time_aggregation: str
    higher_is_better: bool
    key: bool
    numerator: str
    denominator: str
    description: str
    source: str


def _indicator_out(indicator: catalogue.Indicator) -> dict:
    return {
        "code": indicator.code,
        "name": str(indicator.name),
        "section": str(indicator.section),
        "unit": str(indicator.unit),
        "decimals": indicator.decimals,
        "factor": indicator.factor,
        "time_aggregation": indicator.time_aggregation,
        "higher_is_better": indicator.higher_is_better,
        "key": indicator.key,
        "numerator": report.describe_measure(indicator.numerator),
        "denominator": report.describe_measure(indicator.denominator),
        "description": str(indicator.description),
        "source": str(indicator.source),
    }


@router.get("/indicators", response=list[IndicatorOut], summary="The indicator catalogue (definitions)")
def indicators(request):
    require(request, selectors.VIEW)
    return [_indicator_out(item) for item in catalogue.indicators()]


class ValuesQuery(Schema):
    indicator: str = Field("", description="indicator codes, comma-separated (default: every indicator)")
    region: str = Field("", description="division code (2 to 12 digits; default: the caller's first region)")
    period: str = Field("", description='"2026", "2026-03" or "2026-01-01..2026-06-30" (default: this year to date)')
    children: bool = Field(False, description="also the values of each child region")


class ValueOut(Schema):
    indicator: str
    region: str
    region_name: str
    value: float | None
    numerator: float | None
    denominator: float | None


class PeriodOut(Schema):
    start: datetime.date
    end: datetime.date


class ValuesOut(Schema):
    region: str
    region_name: str
    period: PeriodOut
    values: list[ValueOut]


def _region(request, code: str):
    """The region asked for, in the caller's scope (404 otherwise); the first root when none is asked."""
    if not code:
        return selectors.region_for(request.user, None)
    try:
        code = canonical(code)
    except InvalidCode:
        raise Http404 from None
    return selectors.region_for(request.user, code)


def _period(text: str) -> Period:
    try:
        return parse_period(text, timezone.localdate())
    except ValueError:
        raise HttpError(422, "period: 2026, 2026-03 or 2026-01-01..2026-06-30") from None


def _indicators(text: str) -> list[catalogue.Indicator]:
    codes = [code.strip() for code in text.split(",") if code.strip()]
    if not codes:
        return catalogue.indicators()
    unknown = [code for code in codes if code not in catalogue.CATALOGUE.indicators]
    if unknown:
        raise HttpError(422, f"unknown indicator: {', '.join(unknown)}")
    return [catalogue.indicator(code) for code in codes]


def _value_out(figure: figures.Figure) -> dict:
    return {
        "indicator": figure.indicator.code,
        "region": figure.node.code,
        "region_name": figure.node.name,
        "value": report.rounded(figure.value, figure.indicator.decimals),
        "numerator": figure.numerator,
        "denominator": figure.denominator,
    }


@router.get("/values", response=ValuesOut, summary="Indicator values for a region (and its children) over a period")
def values(request, query: Query[ValuesQuery]):
    require(request, selectors.VIEW)
    region = _region(request, query.region)
    period = _period(query.period)
    wanted = _indicators(query.indicator)
    node = report.node_of(region)
    nodes = [node, *(figures.child_nodes(region) if query.children else [])]
    found = figures.evaluate(wanted, nodes, period)
    return {
        "region": node.code,
        "region_name": report.region_name_of(region),
        "period": {"start": period.start, "end": period.end},
        "values": [_value_out(found[(item.code, each)]) for each in nodes for item in wanted],
    }


class TargetsQuery(Schema):
    region: str = Field("", description="division code: targets of the region and the regions below it")
    indicator: str = Field("", description="indicator code")


class TargetOut(Schema):
    id: int
    indicator: str
    region: str
    region_name: str
    period_start: datetime.date
    period_end: datetime.date
    value: float
    comparison: str
    source: str
    current: float | None
    projected: float | None
    share: float | None
    status: str


@router.get("/targets", response=list[TargetOut], summary="Targets in the caller's scope, with progress")
def targets(request, query: Query[TargetsQuery]):
    require(request, "analytics.view_target")
    rows = selectors.targets(request.user)
    if query.region:
        region = _region(request, query.region)
        if region is not None:
            rows = rows.filter(within_q([region], "region_id"))
    if query.indicator:
        rows = rows.filter(indicator=query.indicator)
    today = timezone.localdate()
    out = []
    for target in rows.order_by("region_id", "indicator", "period_end")[:500]:
        if target.indicator not in catalogue.CATALOGUE.indicators:
            continue
        progress = figures.progress(target, today)
        out.append(
            {
                "id": target.pk,
                "indicator": target.indicator,
                "region": target.region_id,
                "region_name": target.region.name,
                "period_start": target.period_start,
                "period_end": target.period_end,
                "value": float(target.value),
                "comparison": target.comparison,
                "source": target.source,
                "current": progress.current,
                "projected": progress.projected,
                "share": progress.share,
                "status": progress.status,
            }
        )
    return out
