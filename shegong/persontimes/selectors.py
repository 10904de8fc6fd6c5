"""Reads of 服务人次, scoped to the actor. Sums only; the rows behind them are the services' own records."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet, Sum
from django.utils import timezone

from shegong.core.scope import region_q, scoped
from shegong.persontimes.models import PersonTime

VIEW = "persontimes.view_persontime"


@dataclass
class PersonTimeTotals:
    by_kind: dict[str, int] = field(default_factory=dict)
    events: int = 0

    @property
    def total(self) -> int:
        return sum(self.by_kind.values())

    def rows(self) -> list[tuple[str, int]]:
        return [(label, self.by_kind.get(kind, 0)) for kind, label in PersonTime.Kind.choices]


def person_times(
    actor=None,
    *,
    station=None,
    project=None,
    region=None,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> QuerySet[PersonTime]:
    """The rows in the actor's scope (every row when actor is None: internal callers that scoped their own object)."""
    rows = PersonTime.objects.all() if actor is None else scoped(PersonTime, actor, VIEW)
    if station is not None:
        rows = rows.filter(station=station)
    if project is not None:
        rows = rows.filter(project=project)
    if region is not None:
        rows = rows.filter(region_q("region", region.code, region.level))
    if start is not None:
        rows = rows.filter(occurred_on__gte=start)
    if end is not None:
        rows = rows.filter(occurred_on__lte=end)
    return rows


def totals(rows: QuerySet[PersonTime]) -> PersonTimeTotals:
    result = PersonTimeTotals()
    for row in rows.order_by().values("kind").annotate(people=Sum("count"), events=Count("id")):
        result.by_kind[row["kind"]] = row["people"] or 0
        result.events += row["events"]
    return result


def by_domain(rows: QuerySet[PersonTime]) -> dict[str, int]:
    return {row["domain"]: row["people"] or 0 for row in rows.order_by().values("domain").annotate(people=Sum("count"))}


def by_month(rows: QuerySet[PersonTime]) -> list[dict]:
    """One row per month: {"month": date of the 1st, "by_kind": {kind: people}, "total": people}, oldest first."""
    from django.db.models.functions import TruncMonth

    months: dict = {}
    grouped = (
        rows.order_by()
        .annotate(month=TruncMonth("occurred_on"))
        .values("month", "kind")
        .annotate(people=Sum("count"))
        .order_by("month", "kind")
    )
    for row in grouped:
        month = row["month"].date() if isinstance(row["month"], datetime.datetime) else row["month"]
        entry = months.setdefault(month, {"month": month, "by_kind": {}, "total": 0})
        entry["by_kind"][row["kind"]] = row["people"] or 0
        entry["total"] += row["people"] or 0
    return list(months.values())


def breakdown(rows: QuerySet[PersonTime]) -> list[dict]:
    """Month × kind × domain sums (the Excel export)."""
    from django.db.models.functions import TruncMonth

    return list(
        rows.order_by()
        .annotate(month=TruncMonth("occurred_on"))
        .values("month", "kind", "domain")
        .annotate(people=Sum("count"), events=Count("id"))
        .order_by("month", "kind", "domain")
    )


def domain_names() -> dict[str, str]:
    from shegong.refdata.models import DictionaryItem

    return dict(DictionaryItem.objects.filter(dictionary__code="service_domain").values_list("code", "name"))


def station_this_year(station, on: datetime.date | None = None) -> PersonTimeTotals:
    """This year's person-times of a station, by kind (the station page's panel)."""
    on = on or timezone.localdate()
    return totals(person_times(station=station, start=on.replace(month=1, day=1), end=on))


@dataclass
class OutputLine:
    measure: str
    label: str
    domain: str
    domain_name: str
    planned: int | None
    actual: int

    @property
    def percent(self) -> int | None:
        if not self.planned:
            return None
        return round(100 * self.actual / self.planned)


def project_outputs(project) -> list[OutputLine]:
    """实际产出: the project's planned outputs (服务人次 / 个案 / 小组 / 活动, by domain or overall) beside the actual
    figures: person-times from the 服务人次 rows of the project, and the number of cases, groups and community
    activities delivered under it. A measure without a plan is shown when something was delivered."""
    from django.apps import apps

    from shegong.projects.models import PlannedOutput

    Measure = PlannedOutput.Measure
    actual: dict[str, dict[str, int]] = {m: {} for m in Measure.values}
    for row in PersonTime.objects.filter(project=project).values("domain").annotate(n=Sum("count")).order_by():
        actual[Measure.PERSON_TIMES][row["domain"]] = row["n"] or 0
    sources = {
        Measure.CASES: ("casework", "Case"),
        Measure.GROUPS: ("groupwork", "GroupWork"),
        Measure.ACTIVITIES: ("groupwork", "CommunityActivity"),
    }
    for measure, (app_label, model_name) in sources.items():
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            continue
        for row in model._default_manager.filter(project=project).values("domain").annotate(n=Count("id")).order_by():
            actual[measure][row["domain"]] = row["n"]
    names = domain_names()
    labels = dict(Measure.choices)
    lines = []
    planned_keys = set()
    for output in PlannedOutput.objects.filter(project=project).order_by("measure", "domain"):
        planned_keys.add((output.measure, output.domain))
        by_domain = actual[output.measure]
        figure = by_domain.get(output.domain, 0) if output.domain else sum(by_domain.values())
        lines.append(
            OutputLine(
                output.measure,
                str(labels[output.measure]),
                output.domain,
                names.get(output.domain, output.domain),
                output.planned,
                figure,
            )
        )
    for measure in Measure.values:
        total = sum(actual[measure].values())
        if total and not any(key[0] == measure for key in planned_keys):
            lines.append(OutputLine(measure, str(labels[measure]), "", "", None, total))
    order = {m: i for i, m in enumerate(Measure.values)}
    return sorted(lines, key=lambda line: (order[line.measure], line.domain))
