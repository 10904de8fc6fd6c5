"""REST endpoint of 服务人次, mounted at /api/v1/persontimes/: the totals for the same filters as the page, summed over
the rows in the caller's scope only."""

import datetime

from ninja import Field, Query, Router, Schema

from shegong.core.api_helpers import check_filters, query_dict, require
from shegong.persontimes import selectors
from shegong.persontimes.forms import PersonTimeFilterForm

router = Router(tags=["persontimes"])


class TotalsQuery(Schema):
    start: datetime.date | None = Field(None, description="first day (default: 1 January of this year)")
    end: datetime.date | None = Field(None, description="last day (default: today)")
    region: str = Field("", description="division code: services in its subtree")
    station: int | None = Field(None, description="station id")
    project: int | None = Field(None, description="project id")
    domain: str = Field("", description="code of the service_domain dictionary")


class MonthOut(Schema):
    month: str
    by_kind: dict[str, int]
    total: int


class TotalsOut(Schema):
    start: datetime.date
    end: datetime.date
    total: int
    events: int
    by_kind: dict[str, int]
    by_domain: dict[str, int]
    by_month: list[MonthOut]


@router.get("/totals", response=TotalsOut, summary="服务人次 totals in the caller's scope")
def totals(request, query: Query[TotalsQuery]):
    require(request, selectors.VIEW)
    form = PersonTimeFilterForm(
        query_dict(
            start=query.start,
            end=query.end,
            region=query.region,
            station=query.station,
            project=query.project,
            domain=query.domain,
        ),
        actor=request.user,
    )
    check_filters(form)
    rows = selectors.person_times(request.user, **form.selector_kwargs())
    if form.domain_code():
        rows = rows.filter(domain=form.domain_code())
    sums = selectors.totals(rows)
    start, end = form.period()
    return {
        "start": start,
        "end": end,
        "total": sums.total,
        "events": sums.events,
        "by_kind": sums.by_kind,
        "by_domain": selectors.by_domain(rows),
        "by_month": [
            {"month": f"{row['month']:%Y-%m}", "by_kind": row["by_kind"], "total": row["total"]}
            for row in selectors.by_month(rows)
        ],
    }
