"""Reads of 服务人次, scoped to the actor. Sums only; the rows behind them are the services' own records."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet, Sum

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
