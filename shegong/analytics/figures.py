"""Evaluating indicators for regions and periods from the aggregate tables.

A node is a region seen as a code prefix (or the whole country). Every figure is read from aggregate rows: a
measure for a list of sibling nodes is one GROUP BY over an index range, whatever the number of records below.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy as _

from shegong.analytics import catalogue, maintenance
from shegong.analytics.models import Aggregate
from shegong.analytics.periods import EPOCH, Period, pieces_q
from shegong.regions.codes import PREFIX_LENGTHS, subtree_bounds

COUNTRY = 0


@dataclass(frozen=True)
class Node:
    level: int  # 0 for the whole country
    prefix: str  # the region's significant code prefix ("" for the country)
    code: str = ""
    name: str = ""

    @classmethod
    def of(cls, region) -> "Node":
        if region is None:
            return COUNTRY_NODE
        return cls(region.level, region.code[: PREFIX_LENGTHS[region.level]], region.code, region.name)

    def contains(self, prefix: str) -> bool:
        return prefix.startswith(self.prefix)


COUNTRY_NODE = Node(COUNTRY, "", "", "全国")


@dataclass
class Figure:
    indicator: catalogue.Indicator
    node: Node
    numerator: float | None
    denominator: float | None
    value: float | None

    @property
    def display(self) -> str:
        if self.value is None:
            return "—"
        return f"{self.value:,.{self.indicator.decimals}f}"


@dataclass
class Evaluation:
    """A memo of measure values for one request: a measure used by several indicators is read once."""

    period: Period
    memo: dict = field(default_factory=dict)


def _dimension_q(measure: catalogue.Measure) -> Q:
    if not measure.dim and not measure.dim2:
        return Q(dim="", dim2="")
    if not measure.dim:
        # The totals over the first dimension for these values of the second: a few rows, not every combination.
        return Q(dim="", dim2__in=list(measure.dim2))
    q = Q()
    if measure.dim:
        q &= Q(dim__in=list(measure.dim))
    else:
        q &= ~Q(dim="")
    if measure.dim2:
        q &= Q(dim2__in=list(measure.dim2))
    else:
        q &= Q(dim2="")
    return q


def _time_q(fact: catalogue.Fact, period: Period) -> Q:
    if fact.stock:
        return pieces_q(EPOCH, period.end)
    return pieces_q(period.start, period.end)


def _by_level(nodes: list[Node]) -> dict[int, list[Node]]:
    out = defaultdict(list)
    for node in nodes:
        out[node.level].append(node)
    return out


def _rows(fact_code: str, level: int, nodes: list[Node]):
    """Aggregate rows of a fact at `level` restricted to the nodes (a prefix list, or everything for the country)."""
    queryset = Aggregate.objects.filter(fact=fact_code)
    if level == COUNTRY:
        return queryset.filter(level=1)
    prefixes = [node.prefix for node in nodes]
    return queryset.filter(level=level, prefix__in=prefixes)


def _sum(measure: catalogue.Measure, nodes: list[Node], period: Period) -> dict[Node, float]:
    fact = catalogue.fact(measure.fact)
    out = {}
    for level, members in _by_level(nodes).items():
        rows = _rows(fact.code, level, members).filter(_dimension_q(measure)).filter(_time_q(fact, period))
        if level == COUNTRY:
            total = rows.aggregate(total=Sum("value"))["total"] or 0
            out[members[0]] = total / fact.scale
            continue
        sums = dict(rows.values("prefix").order_by().annotate(total=Sum("value")).values_list("prefix", "total"))
        for node in members:
            out[node] = (sums.get(node.prefix) or 0) / fact.scale
    return out


def _bounds(node: Node) -> tuple[str, str] | None:
    if node.level == COUNTRY:
        return None
    return subtree_bounds(node.code, node.level)


def region_counts(level: int, nodes: list[Node]) -> dict[Node, int]:
    """How many regions of `level` each node holds (reference data: cached for an hour)."""
    from shegong.regions.models import Region

    out = {}
    for node in nodes:
        key = f"analytics:regions:{level}:{node.level}:{node.prefix}"
        count = cache.get(key)
        if count is None:
            queryset = Region.objects.filter(level=level)
            bounds = _bounds(node)
            if bounds:
                queryset = queryset.filter(code__gte=bounds[0], code__lte=bounds[1])
            count = queryset.count()
            cache.set(key, count, 3600)
        out[node] = count
    return out


def _regions_meeting(measure: catalogue.Measure, nodes: list[Node], period: Period) -> dict[Node, int]:
    fact = catalogue.fact(measure.fact)
    length = PREFIX_LENGTHS[measure.level]
    queryset = Aggregate.objects.filter(fact=fact.code, level=measure.level).filter(_dimension_q(measure))
    queryset = queryset.filter(_time_q(fact, period))
    ranges = Q(pk__in=[])
    for node in nodes:
        bounds = _bounds(node)
        if bounds is None:
            ranges = Q()
            break
        ranges |= Q(prefix__gte=bounds[0][:length], prefix__lte=bounds[1][:length])
    meeting = (
        queryset.filter(ranges)
        .values("prefix")
        .order_by()
        .annotate(total=Sum("value"))
        .filter(total__gte=measure.threshold * fact.scale)
        .values_list("prefix", flat=True)
    )
    counts = dict.fromkeys(nodes, 0)
    for prefix in meeting:
        for node in nodes:
            if node.contains(prefix):
                counts[node] += 1
    return counts


def _median(measure: catalogue.Measure, nodes: list[Node], period: Period) -> dict[Node, float | None]:
    fact = catalogue.fact(measure.fact)
    out = {}
    for level, members in _by_level(nodes).items():
        rows = _rows(fact.code, level, members).exclude(dim="").filter(dim2="").filter(_time_q(fact, period))
        histograms: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        for prefix, bucket, total in (
            rows.values("prefix", "dim").order_by().annotate(total=Sum("value")).values_list("prefix", "dim", "total")
        ):
            if bucket.isdigit():
                histograms["" if level == COUNTRY else prefix][int(bucket)] += total
        for node in members:
            out[node] = median_of(histograms.get("" if level == COUNTRY else node.prefix, {}))
    return out


def median_of(histogram: dict[int, int]) -> float | None:
    """The median of a histogram {bucket upper bound: count}: the bound of the bucket holding the middle value."""
    total = sum(histogram.values())
    if total <= 0:
        return None
    middle, running = (total + 1) / 2, 0
    for bound in sorted(histogram):
        running += histogram[bound]
        if running >= middle:
            return float(bound)
    return float(max(histogram))


def measure_values(measure: catalogue.Measure, nodes: list[Node], evaluation: Evaluation) -> dict[Node, float | None]:
    key = (measure, tuple(nodes), evaluation.period)
    if key in evaluation.memo:
        return evaluation.memo[key]
    if measure.kind == "sum":
        values = _sum(measure, nodes, evaluation.period)
    elif measure.kind == "regions":
        values = region_counts(measure.level, nodes)
    elif measure.kind == "regions_meeting":
        values = _regions_meeting(measure, nodes, evaluation.period)
    elif measure.kind == "median":
        values = _median(measure, nodes, evaluation.period)
    else:
        raise ValueError(f"unknown measure kind {measure.kind!r}")
    evaluation.memo[key] = values
    return values


def _direct(indicator: catalogue.Indicator, nodes: list[Node], period: Period, memo: dict) -> dict[Node, Figure]:
    evaluation = Evaluation(period, memo)
    numerators = measure_values(indicator.numerator, nodes, evaluation)
    denominators = measure_values(indicator.denominator, nodes, evaluation) if indicator.denominator else None
    out = {}
    for node in nodes:
        numerator = numerators.get(node)
        denominator = denominators.get(node) if denominators is not None else None
        if numerator is None:
            value = None
        elif denominators is None:
            value = numerator * indicator.factor
        elif not denominator:
            value = None
        else:
            value = numerator / denominator * indicator.factor
        out[node] = Figure(indicator, node, numerator, denominator, value)
    return out


def evaluate(indicators, nodes: list[Node], period: Period, memo: dict | None = None) -> dict[tuple[str, Node], Figure]:
    """Every indicator for every node over the period: {(indicator code, node): Figure}."""
    if memo is None:
        memo = {}
        maintenance.drain()
    out = {}
    for indicator in indicators:
        if indicator.time_aggregation == "average":
            monthly = [_direct(indicator, nodes, month, memo) for month in period.months()]
            for node in nodes:
                values = [figures[node].value for figures in monthly if figures[node].value is not None]
                average = sum(values) / len(values) if values else None
                out[(indicator.code, node)] = Figure(indicator, node, average, None, average)
            continue
        for node, figure in _direct(indicator, nodes, period, memo).items():
            out[(indicator.code, node)] = figure
    return out


def trend(indicator: catalogue.Indicator, node: Node, period: Period) -> list[tuple[datetime.date, float | None]]:
    """The indicator month by month over the period (each month clipped to the period)."""
    maintenance.drain()
    memo: dict = {}
    return [
        (month.start, evaluate([indicator], [node], month, memo)[(indicator.code, node)].value)
        for month in period.months()
    ]


def breakdown(indicator: catalogue.Indicator, node: Node, period: Period) -> list[tuple[str, str, float]]:
    """The numerator split by the indicator's breakdown dimension: [(code, label, value)], largest first."""
    measure = indicator.numerator
    if indicator.breakdown is None or measure.kind != "sum":
        return []
    fact = catalogue.fact(measure.fact)
    maintenance.drain()
    column = "dim" if indicator.breakdown == 0 else "dim2"
    rows = Aggregate.objects.filter(fact=fact.code)
    rows = rows.filter(level=1) if node.level == COUNTRY else rows.filter(level=node.level, prefix=node.prefix)
    if column == "dim":
        # Split by the first dimension, within the second's values when the measure restricts them.
        rows = rows.exclude(dim="")
        rows = rows.filter(dim2__in=list(measure.dim2)) if measure.dim2 else rows.filter(dim2="")
        if measure.dim:
            rows = rows.filter(dim__in=list(measure.dim))
    else:
        rows = rows.exclude(dim2="")
        if measure.dim2:
            rows = rows.filter(dim2__in=list(measure.dim2))
        # Within the first dimension's values when the measure restricts them, else its totals ('').
        rows = rows.filter(dim__in=list(measure.dim)) if measure.dim else rows.filter(dim="")
    rows = rows.filter(_time_q(fact, period))
    totals = rows.values(column).order_by().annotate(total=Sum("value")).values_list(column, "total")
    labels = fact.dim_labels(indicator.breakdown) if fact.dim_labels else {}
    out = [(code, str(labels.get(code, code)), total / fact.scale) for code, total in totals if total]
    return sorted(out, key=lambda item: -item[2])


# --- targets ----------------------------------------------------------------------------------------------------------


# What a target's progress status is called on every page, export and sheet.
PROGRESS_LABELS = {
    "met": _("已达成"),
    "on_track": _("按进度可达成"),
    "off_track": _("按进度难以达成"),
    "no_data": _("暂无数据"),
}


@dataclass
class Progress:
    target: object
    current: float | None
    projected: float | None
    share: float | None  # current / target value, for the gauge
    status: str  # "met", "on_track", "off_track", "no_data"


def progress(target, today: datetime.date) -> Progress:
    """Where a target stands today and whether it will be met at the current pace (a straight line from the period's
    start to today, carried to the period's end). A flow summed over the period is projected in proportion to the
    time elapsed; a stock or a ratio from its change since the period's start."""
    from shegong.regions.models import Region

    indicator = catalogue.indicator(target.indicator)
    node = Node.of(Region.objects.get(pk=target.region_id))
    goal = float(target.value)
    end = min(today, target.period_end)
    maintenance.drain()
    memo: dict = {}
    current = evaluate([indicator], [node], Period(target.period_start, end), memo)[(indicator.code, node)].value
    if current is None:
        return Progress(target, None, None, None, "no_data")
    elapsed = (end - target.period_start).days + 1
    total = (target.period_end - target.period_start).days + 1
    if _is_flow(indicator):
        projected = current * total / max(elapsed, 1)
    else:
        baseline = evaluate([indicator], [node], Period(target.period_start, target.period_start), memo)[
            (indicator.code, node)
        ].value
        baseline = current if baseline is None else baseline
        projected = current + (current - baseline) * (total - elapsed) / max(elapsed, 1)
    reached = _meets(current, goal, target.comparison)
    if today >= target.period_end:
        status = "met" if reached else "off_track"
    elif reached and not _is_flow(indicator):
        status = "met"
    else:
        status = "on_track" if _meets(projected, goal, target.comparison) else "off_track"
    share = current / goal if goal else None
    return Progress(target, current, projected, share, status)


def _is_flow(indicator: catalogue.Indicator) -> bool:
    measure = indicator.numerator
    return (
        indicator.denominator is None
        and measure.kind == "sum"
        and not catalogue.fact(measure.fact).stock
        and indicator.time_aggregation == "sum"
    )


def _meets(value: float, goal: float, comparison: str) -> bool:
    return value <= goal if comparison == "lte" else value >= goal


def child_nodes(region) -> list[Node]:
    """The region's children as nodes (provinces for the country)."""
    from shegong.regions.models import Region

    children = Region.objects.filter(level=1) if region is None else Region.objects.filter(parent=region)
    return [Node.of(child) for child in children.order_by("code")]
