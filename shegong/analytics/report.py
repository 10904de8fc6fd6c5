"""The statistical content of one region over one period, and the statistical report (统计报表) built from it.

`build()` gathers what the dashboard, the print view, the Excel workbook and the API show: every indicator's figure
with its target and progress, the same indicators for each child region (plus the remainder recorded on the region
itself, not on any child), the key indicators month by month, and the breakdowns by dimension. Every figure comes from
`figures` (the aggregate tables); the region must already be in the user's scope (`selectors.region_for`), and only
its own children are listed, so nothing outside the scope can appear.
"""

import dataclasses
import datetime
import io
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from shegong.analytics import catalogue, figures, selectors
from shegong.analytics.figures import COUNTRY_NODE, Figure, Node
from shegong.analytics.periods import Period, month_start, parse_period, year_to_date
from shegong.audit.models import AuditEntry
from shegong.audit.services import record
from shegong.regions.models import Region

REMAINDER = "_"  # the code of the remainder row (records attached to the region itself)
NAME_LABEL = gettext_lazy("地区")
STATUS_LABELS = figures.PROGRESS_LABELS
# The division table's own names of its levels (省级 … 村级).
LEVEL_LABELS = dict(Region.Level.choices)


# --- periods ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodChoice:
    period: Period
    text: str  # the query value ("", "2026", "2026-03", "2026-01-01..2026-03-31")
    error: str = ""


def period_from_query(query, today: datetime.date) -> PeriodChoice:
    """The period a request asks for: ?period=2026 / 2026-03 / start..end, or ?start=…&end=… (custom), or ?month=
    (a month picker's YYYY-MM); this year to date when none. A bad value falls back to this year to date with a
    message the page shows."""
    text = (query.get("period") or "").strip()
    start, end, month = (query.get(name, "").strip() for name in ("start", "end", "month"))
    if start and end:
        text = f"{start}..{end}"
    elif month:
        text = month
    try:
        return PeriodChoice(parse_period(text, today), text)
    except ValueError as error:
        message = _("截止日期早于起始日期。") if str(error) == "order" else _("无法识别的统计期间，已显示本年至今。")
        return PeriodChoice(year_to_date(today), "", message)


def period_presets(today: datetime.date) -> list[tuple[str, str]]:
    """(query value, label) of the picker's ready-made periods."""
    last_month = month_start(month_start(today) - datetime.timedelta(days=1))
    return [
        ("", _("本年至今")),
        (f"{last_month:%Y-%m}", _("上月（%(month)s）") % {"month": f"{last_month:%Y-%m}"}),
        (f"{today.year}", _("%(year)d 年全年") % {"year": today.year}),
        (f"{today.year - 1}", _("%(year)d 年全年") % {"year": today.year - 1}),
    ]


def period_label(period: Period) -> str:
    return _("%(start)s 至 %(end)s") % {"start": f"{period.start:%Y-%m-%d}", "end": f"{period.end:%Y-%m-%d}"}


# --- figures with their targets ---------------------------------------------------------------------------------------


@dataclass
class Cell:
    """One indicator's figure for the region, with the target in force and its progress (when there is one)."""

    indicator: catalogue.Indicator
    figure: Figure
    target: object = None
    progress: figures.Progress | None = None

    @property
    def gauge_percent(self) -> float | None:
        if self.progress is None or self.progress.share is None:
            return None
        return round(self.progress.share * 100, 1)

    @property
    def detail(self) -> str:
        """Numerator and denominator in words (shown on hover)."""
        figure = self.figure
        parts = []
        if figure.numerator is not None:
            parts.append(_("分子 %(value)s") % {"value": f"{figure.numerator:,.{_places(figure.numerator)}f}"})
        if figure.denominator is not None:
            parts.append(_("分母 %(value)s") % {"value": f"{figure.denominator:,.{_places(figure.denominator)}f}"})
        return "；".join(parts)

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS.get(self.progress.status, "")) if self.progress else ""


def _places(value: float) -> int:
    return 0 if float(value).is_integer() else 2


def node_of(region) -> Node:
    return COUNTRY_NODE if region is None else Node.of(region)


def targets_for(actor, region, period: Period, codes) -> dict:
    """The target in force for each indicator of the region over the period: the one whose period holds the
    period's end, else the latest one overlapping it."""
    if region is None:
        return {}
    rows = (
        selectors.targets(actor)
        .filter(region=region, indicator__in=list(codes), period_start__lte=period.end, period_end__gte=period.start)
        .order_by("indicator", "period_end")
    )
    out = {}
    for target in rows:
        current = out.get(target.indicator)
        holds = target.period_start <= period.end <= target.period_end
        if current is None or holds or not (current.period_start <= period.end <= current.period_end):
            out[target.indicator] = target
    return out


def cells(actor, region, period: Period, indicators, today: datetime.date) -> list[Cell]:
    node = node_of(region)
    values = figures.evaluate(indicators, [node], period)
    targets = targets_for(actor, region, period, [item.code for item in indicators])
    out = []
    for indicator in indicators:
        target = targets.get(indicator.code)
        progress = figures.progress(target, today) if target is not None else None
        out.append(Cell(indicator, values[(indicator.code, node)], target, progress))
    return out


def by_section(items: list[Cell]) -> list[tuple[str, list[Cell]]]:
    sections: dict[str, list[Cell]] = {}
    for item in items:
        sections.setdefault(str(item.indicator.section), []).append(item)
    return list(sections.items())


# --- the drill-down ---------------------------------------------------------------------------------------------------


@dataclass
class ChildRow:
    node: Node
    figures: dict  # indicator code -> Figure
    remainder: bool = False

    @property
    def code(self) -> str:
        return REMAINDER if self.remainder else self.node.code

    @property
    def name(self) -> str:
        return _("未落到下级地区") if self.remainder else self.node.name


def _remainder(indicator, parent: Figure, children: list[Figure]) -> Figure | None:
    """What the region holds beyond its children (records attached to the region itself): numerator and
    denominator each less the children's sums; None when the indicator is not additive (an average, a median)."""
    if indicator.time_aggregation == "average" or indicator.numerator.kind == "median":
        return None
    if parent.numerator is None or any(child.numerator is None for child in children):
        return None
    numerator = parent.numerator - sum(child.numerator for child in children)
    denominator = None
    if indicator.denominator is not None:
        if parent.denominator is None or any(child.denominator is None for child in children):
            return None
        denominator = parent.denominator - sum(child.denominator for child in children)
        value = numerator / denominator * indicator.factor if denominator else None
    else:
        value = numerator * indicator.factor
    return Figure(indicator, parent.node, numerator, denominator, value)


SORT_KEYS = ("code", "name")


def child_rows(region, period: Period, indicators, sort: str = "code", descending: bool = False) -> list[ChildRow]:
    """Each child region (provinces for the whole country) with the indicators, sorted by code, name or an
    indicator's value (empty values last), and a last row for the remainder when the region's own total exceeds its
    children's sum."""
    node = node_of(region)
    children = figures.child_nodes(region)
    values = figures.evaluate(indicators, [node, *children], period)
    rows = [ChildRow(child, {item.code: values[(item.code, child)] for item in indicators}) for child in children]
    if sort in {item.code for item in indicators}:
        present = [row for row in rows if row.figures[sort].value is not None]
        missing = [row for row in rows if row.figures[sort].value is None]
        present.sort(key=lambda row: row.figures[sort].value, reverse=descending)
        rows = present + missing
    elif sort == "name":
        rows.sort(key=lambda row: row.node.name, reverse=descending)
    else:
        rows.sort(key=lambda row: row.node.code, reverse=descending)
    remainder = {}
    for item in indicators:
        figure = _remainder(item, values[(item.code, node)], [row.figures[item.code] for row in rows])
        if figure is not None:
            remainder[item.code] = figure
    if any((figure.numerator or 0) > 1e-9 for figure in remainder.values()):
        blank = {item.code: Figure(item, node, None, None, None) for item in indicators}
        rows.append(ChildRow(node, blank | remainder, remainder=True))
    return rows


# --- trends and breakdowns --------------------------------------------------------------------------------------------


def rounded(value: float | None, decimals: int) -> float | None:
    if value is None:
        return None
    return round(value, decimals) if decimals else round(value)


def trends(indicators, node: Node, period: Period) -> dict:
    """The indicators month by month: {"months": ["2026-01", …], "series": [{"code", "name", "values"}]}."""
    months = [f"{month.start:%Y-%m}" for month in period.months()]
    series = []
    for indicator in indicators:
        points = figures.trend(indicator, node, period)
        values = [rounded(value, indicator.decimals) for _month, value in points]
        series.append(
            {"code": indicator.code, "name": str(indicator.name), "unit": str(indicator.unit)} | {"values": values}
        )
    return {"months": months, "series": series}


def breakdowns(indicator: catalogue.Indicator, node: Node, period: Period) -> list[dict]:
    """The indicator's numerator split by each dimension of its fact (服务领域, 服务类型 …):
    [{"dimension", "items": [{"code", "name", "value"}]}], empty dimensions left out."""
    if indicator.numerator.kind != "sum":
        return []
    fact = catalogue.fact(indicator.numerator.fact)
    out = []
    for index, dimension in enumerate(fact.dims[:2]):
        rows = figures.breakdown(dataclasses.replace(indicator, breakdown=index), node, period)
        if rows:
            items = [{"code": code, "name": label or _("未填"), "value": value} for code, label, value in rows]
            out.append({"dimension": str(dimension), "items": items})
    return out


def ranking(indicator: catalogue.Indicator, rows: list[ChildRow]) -> dict:
    """The child regions by the indicator's value, largest first (the remainder row left out)."""
    items = [
        {"name": row.node.name, "value": rounded(row.figures[indicator.code].value, indicator.decimals)}
        for row in rows
        if not row.remainder and row.figures[indicator.code].value is not None
    ]
    items.sort(key=lambda item: -item["value"])
    return {"indicator": str(indicator.name), "unit": str(indicator.unit), "items": items}


def gauges(items: list[Cell]) -> list[dict]:
    """The targets' gauges: how much of each target is reached (percent) and the projection's verdict."""
    return [
        {
            "code": item.indicator.code,
            "name": str(item.indicator.name),
            "percent": item.gauge_percent,
            "status": item.progress.status,
            "status_label": str(STATUS_LABELS.get(item.progress.status, "")),
        }
        for item in items
        if item.progress is not None and item.gauge_percent is not None
    ]


def chart_labels() -> dict:
    """The words the charts' script shows (it has no catalogue of its own)."""
    return {"empty": _("暂无数据"), "target": _("目标完成度"), "value": _("数值")}


def describe_measure(measure: catalogue.Measure | None) -> str:
    """A measure in words: the fact, the dimension values it is restricted to, the kind of count."""
    if measure is None:
        return ""
    fact = catalogue.fact(measure.fact) if measure.fact else None
    name = str(fact.name) if fact else ""
    if measure.kind == "regions":
        return _("%(level)s区划数") % {"level": LEVEL_LABELS.get(measure.level, "")}
    restrictions = []
    for index, values in enumerate((measure.dim, measure.dim2)):
        if values and fact is not None:
            labels = fact.dim_labels(index) if fact.dim_labels else {}
            dimension = str(fact.dims[index]) if index < len(fact.dims) else ""
            chosen = "、".join(str(labels.get(value, value)) for value in values)
            restrictions.append(f"{dimension}：{chosen}")
    text = name + (f"（{'；'.join(restrictions)}）" if restrictions else "")
    if measure.kind == "regions_meeting":
        return _("%(fact)s不少于 %(threshold)d 的%(level)s区划数") % {
            "fact": text,
            "threshold": measure.threshold,
            "level": LEVEL_LABELS.get(measure.level, ""),
        }
    if measure.kind == "median":
        return _("%(fact)s的中位数") % {"fact": text}
    return text


def definition(indicator: catalogue.Indicator) -> list[tuple[str, str]]:
    """The indicator's definition as (label, text) lines for its page."""
    aggregation = {"sum": _("期间合计"), "last": _("期末值"), "average": _("各月平均")}
    lines = [
        (_("分子"), describe_measure(indicator.numerator)),
        (_("分母"), describe_measure(indicator.denominator) or _("无（直接取分子）")),
        (_("系数"), f"{indicator.factor:g}"),
        (_("单位"), str(indicator.unit) or "—"),
        (_("时间汇总方式"), str(aggregation.get(indicator.time_aggregation, indicator.time_aggregation))),
        (_("方向"), _("越高越好") if indicator.higher_is_better else _("越低越好")),
    ]
    if indicator.description:
        lines.append((_("说明"), str(indicator.description)))
    lines.append((_("依据"), str(indicator.source) or "—"))
    return lines


def home_panel(actor, today: datetime.date) -> dict | None:
    """The compact key-indicator panel of the home page (this year to date, the first root), for dashboard users."""
    if not actor.has_perm(selectors.VIEW):
        return None
    tops = selectors.roots(actor)
    if not tops:
        return None
    region = tops[0]
    keys = catalogue.key_indicators() or catalogue.indicators()[:4]
    period = year_to_date(today)
    return {"region": region, "region_name": region_name_of(region), "period_label": period_label(period)} | {
        "cells": cells(actor, region, period, keys, today)
    }


# --- the whole content ------------------------------------------------------------------------------------------------


@dataclass
class Content:
    region: object  # Region, or None for the whole country
    node: Node
    period: Period
    cells: list[Cell]
    children: list[ChildRow]
    trend: dict
    breakdowns: list[tuple[catalogue.Indicator, list[dict]]] = field(default_factory=list)

    @property
    def indicators(self) -> list[catalogue.Indicator]:
        return [cell.indicator for cell in self.cells]

    @property
    def key_indicators(self) -> list[catalogue.Indicator]:
        return [item for item in self.indicators if item.key] or self.indicators[:4]

    @property
    def sections(self):
        return by_section(self.cells)


def build(actor, region, period: Period, today: datetime.date, indicators=None) -> Content:
    """Everything the report shows for a region (already in the actor's scope) over the period."""
    indicators = catalogue.indicators() if indicators is None else list(indicators)
    node = node_of(region)
    content = Content(
        region=region,
        node=node,
        period=period,
        cells=cells(actor, region, period, indicators, today),
        children=child_rows(region, period, indicators),
        trend={},
    )
    content.trend = trends(content.key_indicators, node, period)
    for indicator in indicators:
        parts = breakdowns(indicator, node, period)
        if parts and indicator.breakdown is not None:
            content.breakdowns.append((indicator, parts))
    return content


# --- the Excel workbook -----------------------------------------------------------------------------------------------

TITLE_FONT = Font(bold=True, size=14)
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
REMAINDER_FONT = Font(italic=True, color="595959")


def number_format(indicator: catalogue.Indicator) -> str:
    return "#,##0" if not indicator.decimals else "#,##0." + "0" * indicator.decimals


def region_name_of(region) -> str:
    return region.name if region is not None else _("全国")


def region_name(content: Content) -> str:
    return region_name_of(content.region)


def _header(sheet, content: Content, actor, generated: datetime.datetime, title: str) -> int:
    """The title block at the top of every sheet; returns the row of the table header."""
    sheet.cell(1, 1, f"{region_name(content)} · {title}").font = TITLE_FONT
    sheet.cell(2, 1, _("统计期间：%(period)s") % {"period": period_label(content.period)})
    sheet.cell(3, 1, _("区划代码：%(code)s") % {"code": content.node.code or "—"})
    when = timezone.localtime(generated).strftime("%Y-%m-%d %H:%M")
    sheet.cell(4, 1, _("生成时间：%(when)s　生成人：%(user)s") % {"when": when, "user": str(actor)})
    return 6


def _table(sheet, row: int, headers: list[str], widths: list[int]) -> None:
    for column, header in enumerate(headers, start=1):
        cell = sheet.cell(row, column, str(header))
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = sheet.cell(row + 1, 2)


def _put(sheet, row: int, column: int, value, fmt: str = ""):
    cell = sheet.cell(row, column, value)
    if fmt and value is not None:
        cell.number_format = fmt
    return cell


def _value(figure: Figure) -> float | None:
    return rounded(figure.value, figure.indicator.decimals)


def _summary_sheet(sheet, content: Content, actor, generated) -> None:
    row = _header(sheet, content, actor, generated, str(SHEETS[0][1]))
    headers = [
        _("分组"),
        _("指标"),
        _("单位"),
        _("数值"),
        _("分子"),
        _("分母"),
        _("目标值"),
        _("目标期间"),
        _("完成度"),
    ]
    headers += [_("进度判断")]
    _table(sheet, row, headers, [12, 28, 10, 14, 14, 14, 12, 24, 10, 12])
    for cell_data in content.cells:
        row += 1
        indicator, figure = cell_data.indicator, cell_data.figure
        fmt = number_format(indicator)
        sheet.cell(row, 1, str(indicator.section))
        sheet.cell(row, 2, str(indicator.name))
        sheet.cell(row, 3, str(indicator.unit))
        _put(sheet, row, 4, _value(figure), fmt)
        _put(sheet, row, 5, figure.numerator, "#,##0.##")
        _put(sheet, row, 6, figure.denominator, "#,##0.##")
        if cell_data.target is not None:
            target = cell_data.target
            _put(sheet, row, 7, float(target.value), fmt)
            sheet.cell(row, 8, f"{target.period_start:%Y-%m-%d} — {target.period_end:%Y-%m-%d}")
            progress = cell_data.progress
            _put(sheet, row, 9, progress.share if progress else None, "0.0%")
            sheet.cell(row, 10, str(STATUS_LABELS.get(progress.status, "")) if progress else "")


def _children_sheet(sheet, content: Content, actor, generated) -> None:
    row = _header(sheet, content, actor, generated, str(SHEETS[1][1]))
    indicators = content.indicators
    headers = [_("区划代码"), _("地区")] + [
        f"{item.name}（{item.unit}）" if item.unit else str(item.name) for item in indicators
    ]
    _table(sheet, row, headers, [15, 22] + [14] * len(indicators))
    for child in content.children:
        row += 1
        sheet.cell(row, 1, "" if child.remainder else child.node.code)
        name = sheet.cell(row, 2, str(child.name))
        if child.remainder:
            name.font = REMAINDER_FONT
        for column, indicator in enumerate(indicators, start=3):
            _put(sheet, row, column, _value(child.figures[indicator.code]), number_format(indicator))


def _breakdown_sheet(sheet, content: Content, actor, generated) -> None:
    row = _header(sheet, content, actor, generated, str(SHEETS[2][1]))
    _table(sheet, row, [_("指标"), _("分类维度"), _("代码"), _("分类"), _("数值")], [24, 14, 18, 24, 14])
    for indicator, parts in content.breakdowns:
        for part in parts:
            for item in part["items"]:
                row += 1
                sheet.cell(row, 1, str(indicator.name))
                sheet.cell(row, 2, part["dimension"])
                sheet.cell(row, 3, item["code"])
                sheet.cell(row, 4, str(item["name"]))
                _put(sheet, row, 5, item["value"], number_format(indicator))


def _trend_sheet(sheet, content: Content, actor, generated) -> None:
    row = _header(sheet, content, actor, generated, str(SHEETS[3][1]))
    keys = content.key_indicators
    _table(sheet, row, [_("月份")] + [str(item.name) for item in keys], [12] + [16] * len(keys))
    series = {item["code"]: item["values"] for item in content.trend.get("series", [])}
    for index, month in enumerate(content.trend.get("months", [])):
        row += 1
        sheet.cell(row, 1, month)
        for column, indicator in enumerate(keys, start=2):
            values = series.get(indicator.code, [])
            _put(sheet, row, column, values[index] if index < len(values) else None, number_format(indicator))


SHEETS = (
    (_summary_sheet, gettext_lazy("概要")),
    (_children_sheet, gettext_lazy("下级地区")),
    (_breakdown_sheet, gettext_lazy("服务分类")),
    (_trend_sheet, gettext_lazy("月度趋势")),
)


def workbook(content: Content, actor, generated: datetime.datetime | None = None) -> bytes:
    """The report as a formatted workbook: 概要, 下级地区, 服务分类, 月度趋势 (sheet names translated)."""
    generated = generated or timezone.now()
    book = Workbook()
    book.remove(book.active)
    for writer, title in SHEETS:
        sheet = book.create_sheet(str(title))
        writer(sheet, content, actor, generated)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def filename(content: Content) -> str:
    return f"{_('统计报表')}-{region_name(content)}-{content.period.start:%Y%m%d}-{content.period.end:%Y%m%d}.xlsx"


@transaction.atomic
def export(*, actor, content: Content) -> bytes:
    """The workbook, with the export audited (who, which region and period) in the same transaction."""
    data = workbook(content, actor)
    record(
        actor=actor,
        action=AuditEntry.Action.EXPORT,
        object_type="analytics.report",
        object_id=content.node.code,
        object_repr=f"{_('统计报表')} {region_name(content)}"[:200],
        changes={
            "region": [None, content.node.code],
            "period": [None, f"{content.period.start}..{content.period.end}"],
            "children": [None, len(content.children)],
        },
    )
    return data
