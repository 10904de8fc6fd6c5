"""REST endpoints of the station network, mounted at /api/v1/stations/. They read through the stations selectors, the
same ones the pages use, so a station is visible here exactly when it is visible on the network page: a station, a
region or a week outside the caller's scope answers 404 (never 403, which would confirm it exists); a caller without
stations.view_station at all gets 403.

- GET /                             stations (the list page's filters: region, kind, status, agency, q, noncompliant;
                                    its sorts; limit/offset paging)
- GET /coverage/{region}            township and community coverage of a region and of each child region, with counts
                                    of stations by kind, compliance and the coverage rules' verdicts
- GET /non-compliant/{region}       operating stations under a region that fail a rule, with the failing verdicts
- GET /{code}                       one station: services, current staff, the rules' verdicts
- GET /{code}/check-ins?week=…      the presence check-ins at a station during one ISO week

Staff are given by name, role and worker id; ID numbers and phones never leave through this API.
"""

import datetime
import re

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from shegong.core.api_helpers import Paging, check_filters, query_dict, require
from shegong.policies.registry import Verdict
from shegong.regions.codes import InvalidCode, canonical
from shegong.regions.models import Region
from shegong.stations import rules, selectors
from shegong.stations.forms import StationFilterForm
from shegong.stations.models import PresenceCheckIn, Station

router = Router(tags=["stations"])

WEEK = re.compile(r"(\d{4})-?W(\d{1,2})")
FILTERS = {"region", "kind", "status", "agency", "q", "sort"}


# --- Schemas ---------------------------------------------------------------------------------------------------------


class VerdictOut(Schema):
    kind: str = Field(description="rule kind, e.g. staffing_minimum, presence_days_per_week")
    label: str
    passed: bool | None = Field(description="true, false, or null when it cannot be judged")
    status: str = Field(description="pass, fail or unknown")
    figures: dict = Field(description="the figures the rule used (Decimal values as exact text)")
    message: str
    source_text: str = Field(description="the rule's source (policy document)")
    profile_id: int | None
    profile_name: str


class StationOut(Schema):
    id: int
    code: str = Field(description="the station's code (QR codes, public page, this API)")
    name: str
    kind: str = Field(description="centre, station, room, school or minor_protection")
    kind_label: str
    region: str = Field(description="12-digit division code")
    region_name: str
    status: str = Field(description="preparing, operating, suspended or revoked")
    status_label: str
    agency: int | None
    agency_name: str
    host_institution: str
    opened_on: datetime.date | None
    address: str
    latitude: str | None = Field(description="decimal degrees as exact text")
    longitude: str | None
    phone: str
    service_hours: str
    counts_in_coverage: bool = Field(description="false for specialised stations (学校社工站, 两站合一)")


class StationPageOut(Schema):
    items: list[StationOut]
    count: int
    limit: int
    offset: int


class ServiceOut(Schema):
    id: int
    domain: str = Field(description="code of the service_domain dictionary")
    domain_label: str
    title: str
    description: str
    is_active: bool


class StaffOut(Schema):
    worker: int = Field(description="id of the social worker (/api/v1/workers/{id}, within the caller's scope)")
    name: str
    role: str = Field(description="head, deputy, full_time, assistant, resident or supervisor")
    role_label: str
    full_time: bool
    start_date: datetime.date
    end_date: datetime.date | None


class JudgementOut(Schema):
    judged: bool = Field(description="only operating stations count towards compliance")
    compliant: bool
    full_time_staff: int
    certified_staff: int
    resident_worker: int | None = Field(description="a room's 驻点社工 (一社区一社工)")
    resident_name: str | None
    presence_week: str | None = Field(description="ISO week the presence verdict is about (the last complete one)")
    presence_days: int | None
    flags: list[str]
    verdicts: list[VerdictOut]


class StationDetailOut(StationOut):
    services: list[ServiceOut]
    staff: list[StaffOut] = Field(description="assignments in force today")
    judgement: JudgementOut | None = Field(description="null for a revoked station")


class RegionRef(Schema):
    code: str
    name: str
    level: int


class CoverageOut(Schema):
    region: RegionRef | None
    stations: dict[str, int] = Field(description="live stations by kind")
    townships: int = Field(description="townships and streets (level 4) in the subtree")
    townships_with_station: int = Field(description="of them, with an operating 镇街社工站")
    township_share: float | None
    communities: int = Field(description="communities and villages (level 5) in the subtree")
    communities_with_room: int = Field(description="of them, with an operating 村社社工室")
    community_share: float | None
    judged: int = Field(description="operating stations judged by the rules")
    noncompliant: int
    verdicts: list[VerdictOut] = Field(description="coverage rules in force for the region")


class NetworkOut(Schema):
    on: datetime.date
    summary: CoverageOut
    children: list[CoverageOut]


class FailingOut(Schema):
    station: StationOut
    failing: list[VerdictOut]
    flags: list[str]


class NonCompliantOut(Schema):
    region: RegionRef
    on: datetime.date
    items: list[FailingOut]


class CheckInOut(Schema):
    id: int
    date: datetime.date
    worker: int
    worker_name: str
    community: str = Field(description="12-digit code of the community checked in")
    community_name: str
    method: str = Field(description="qr, location or manual")
    method_label: str
    note: str


class WorkerDaysOut(Schema):
    worker: int
    name: str
    days: int = Field(description="distinct days checked in during the week")


class CheckInWeekOut(Schema):
    station: str
    week: str = Field(description="ISO week, e.g. 2026-W05")
    monday: datetime.date
    sunday: datetime.date
    items: list[CheckInOut]
    days_by_worker: list[WorkerDaysOut]
    presence: VerdictOut | None = Field(
        description="for a room: the presence rule's verdict on its resident worker for a complete week"
    )


# --- Queries ---------------------------------------------------------------------------------------------------------


class StationQuery(Paging):
    region: str = Field("", description="division code (2 to 12 digits) inside the caller's scope: its subtree")
    kind: str = Field("", description="centre, station, room, school or minor_protection")
    status: str = Field("", description="preparing, operating, suspended or revoked")
    agency: str = Field("", description="id of the operating agency")
    q: str = Field("", description="part of the name, or the start of the code")
    noncompliant: bool = Field(False, description="only operating stations failing a rule today")
    sort: str = Field("", description="region (default), name, code or newest")


class WeekQuery(Schema):
    week: str = Field("", description="ISO week (2026-W05) or any date in it (2026-02-01); default: this week")


# --- Helpers ---------------------------------------------------------------------------------------------------------


def _require_view(request) -> None:
    require(request, selectors.VIEW)


def _region(code: str) -> Region:
    """A region by a code of any length; an unknown code answers 404 like a region outside the caller's scope."""
    try:
        full = canonical(code)
    except InvalidCode:
        raise HttpError(422, _("“%(code)s”不是有效的区划代码。") % {"code": code}) from None
    region = Region.objects.filter(pk=full).first()
    if region is None:
        raise Http404
    return region


def _visible_region(request, code: str) -> Region:
    """A region inside the caller's station scope (the network page's rule), else 404."""
    region = _region(code)
    roots = selectors.network_roots(request.user)
    if roots is not None and not any(root.subtree_bounds[0] <= region.code <= root.subtree_bounds[1] for root in roots):
        raise Http404
    return region


def _verdict_out(verdict: Verdict) -> dict:
    data = verdict.as_dict()
    return {key: data[key] for key in VerdictOut.model_fields}


def _station_out(station: Station) -> dict:
    return {
        "id": station.pk,
        "code": station.code,
        "name": station.name,
        "kind": station.kind,
        "kind_label": station.get_kind_display(),
        "region": station.region_id,
        "region_name": station.region.name,
        "status": station.status,
        "status_label": station.get_status_display(),
        "agency": station.agency_id,
        "agency_name": station.agency.name if station.agency else "",
        "host_institution": station.host_institution,
        "opened_on": station.opened_on,
        "address": station.address,
        "latitude": None if station.latitude is None else f"{station.latitude:f}",
        "longitude": None if station.longitude is None else f"{station.longitude:f}",
        "phone": station.phone,
        "service_hours": station.service_hours,
        "counts_in_coverage": station.counts_in_coverage,
    }


def _judgement_out(judgement: rules.Judgement | None) -> dict | None:
    if judgement is None:
        return None
    week = None
    if judgement.presence_week is not None:
        year, number, _day = judgement.presence_week[0].isocalendar()
        week = f"{year}-W{number:02d}"
    return {
        "judged": judgement.judged,
        "compliant": judgement.compliant,
        "full_time_staff": judgement.staff,
        "certified_staff": judgement.certified,
        "resident_worker": judgement.resident_id,
        "resident_name": judgement.resident_name,
        "presence_week": week,
        "presence_days": judgement.presence_days,
        "flags": [str(flag) for flag in judgement.flags],
        "verdicts": [_verdict_out(verdict) for verdict in judgement.verdicts],
    }


def _coverage_out(node: selectors.NetworkNode) -> dict:
    coverage = node.coverage
    region = node.region
    return {
        "region": {"code": region.code, "name": region.name, "level": region.level} if region else None,
        "stations": dict(sorted(node.counts.items())),
        "townships": coverage.townships,
        "townships_with_station": coverage.townships_with_station,
        "township_share": coverage.township_share,
        "communities": coverage.communities,
        "communities_with_room": coverage.communities_with_room,
        "community_share": coverage.community_share,
        "judged": node.judged,
        "noncompliant": node.noncompliant,
        "verdicts": [_verdict_out(verdict) for verdict in coverage.verdicts],
    }


def _week(text: str) -> tuple[datetime.date, datetime.date]:
    text = (text or "").strip()
    if not text:
        return rules.iso_week(timezone.localdate())
    match = WEEK.fullmatch(text.upper())
    try:
        if match:
            day = datetime.date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
        else:
            day = datetime.date.fromisoformat(text)
    except ValueError:
        raise HttpError(422, _("week：“%(value)s”不是有效的周（例如 2026-W05）或日期。") % {"value": text}) from None
    return rules.iso_week(day)


# --- Endpoints -------------------------------------------------------------------------------------------------------


@router.get("/", response=StationPageOut, summary="Stations in the caller's scope")
def station_list(request, query: Query[StationQuery]):
    """Filtered and sorted by the list page's own filter form, so the page, its export and the API agree; a bad
    filter is a 422 naming it. Needs stations.view_station."""
    _require_view(request)
    params = query.dict(include=FILTERS)
    params["noncompliant"] = "on" if query.noncompliant else ""
    form = StationFilterForm(query_dict(**params), actor=request.user)
    check_filters(form)
    rows = form.apply(selectors.station_search(actor=request.user, filters=form.filters()))
    return {
        "items": [_station_out(station) for station in query.window(rows)],
        "count": rows.count(),
        "limit": query.limit,
        "offset": query.offset,
    }


@router.get("/coverage/{region}", response=NetworkOut, summary="Coverage of a region and of each child region")
def coverage(request, region: str):
    """The network page's figures: for the region and each child, stations by kind, township and community coverage
    (operating stations over all level-4 / level-5 regions), compliance counts and the coverage rules' verdicts.
    Counts include only the stations the caller may see; 404 for a region outside the caller's scope."""
    _require_view(request)
    page = selectors.network(request.user, _region(region))
    return {
        "on": page.on,
        "summary": _coverage_out(page.summary),
        "children": [_coverage_out(node) for node in page.children],
    }


@router.get("/non-compliant/{region}", response=NonCompliantOut, summary="Stations of a region failing a rule")
def non_compliant(request, region: str):
    """Operating stations under the region that fail a staffing or presence rule today, each with the failing
    verdicts (figures and source). 404 for a region outside the caller's scope."""
    _require_view(request)
    place = _visible_region(request, region)
    on = timezone.localdate()
    failing = selectors.noncompliant(actor=request.user, region=place, on=on)
    return {
        "region": {"code": place.code, "name": place.name, "level": place.level},
        "on": on,
        "items": [
            {
                "station": _station_out(row.station),
                "failing": [_verdict_out(verdict) for verdict in row.judgement.failing],
                "flags": [str(flag) for flag in row.judgement.flags],
            }
            for row in failing
        ],
    }


@router.get("/{code}", response=StationDetailOut, summary="One station: services, current staff, verdicts")
def station_detail(request, code: str):
    """404 when the station does not exist or lies outside the caller's scope (the two look the same)."""
    _require_view(request)
    station = selectors.station_get(actor=request.user, code=code)
    today = timezone.localdate()
    staff = [row for row in selectors.assignments(station, today) if row.is_current]
    return {
        **_station_out(station),
        "services": [
            {
                "id": item.pk,
                "domain": item.domain,
                "domain_label": item.domain_label,
                "title": item.title,
                "description": item.description,
                "is_active": item.is_active,
            }
            for item in selectors.service_items(station)
        ],
        "staff": [
            {
                "worker": row.worker_id,
                "name": row.worker.name,
                "role": row.role,
                "role_label": row.get_role_display(),
                "full_time": row.full_time,
                "start_date": row.start_date,
                "end_date": row.end_date,
            }
            for row in staff
        ],
        "judgement": _judgement_out(rules.judge_station(station, today)),
    }


@router.get("/{code}/check-ins", response=CheckInWeekOut, summary="Presence check-ins at a station in one week")
def station_check_ins(request, code: str, query: Query[WeekQuery]):
    """Every check-in recorded at the station during the ISO week, with the distinct days per worker; for a room and
    a complete week, the presence rule's verdict on the room's resident worker. 404 outside the caller's scope."""
    _require_view(request)
    station = selectors.station_get(actor=request.user, code=code)
    monday, sunday = _week(query.week)
    rows = list(
        PresenceCheckIn.objects.filter(station=station, date__gte=monday, date__lte=sunday)
        .select_related("worker", "community")
        .order_by("date", "worker_id", "community_id")
    )
    days: dict[int, set] = {}
    names: dict[int, str] = {}
    for row in rows:
        days.setdefault(row.worker_id, set()).add(row.date)
        names[row.worker_id] = row.worker.name
    presence = None
    if station.kind == Station.Kind.ROOM and sunday < timezone.localdate():
        # room_presence judges complete weeks before the one holding `on`: ask for the week after this one.
        weeks = selectors.room_presence(station, on=sunday + datetime.timedelta(days=1), weeks=1)
        verdict = weeks[1].verdict if len(weeks) > 1 else None
        presence = _verdict_out(verdict) if verdict is not None else None
    year, number, _day = monday.isocalendar()
    return {
        "station": station.code,
        "week": f"{year}-W{number:02d}",
        "monday": monday,
        "sunday": sunday,
        "items": [
            {
                "id": row.pk,
                "date": row.date,
                "worker": row.worker_id,
                "worker_name": row.worker.name,
                "community": row.community_id,
                "community_name": row.community.name,
                "method": row.method,
                "method_label": row.get_method_display(),
                "note": row.note,
            }
            for row in rows
        ],
        "days_by_worker": [
            {"worker": worker, "name": names[worker], "days": len(found)} for worker, found in sorted(days.items())
        ],
        "presence": presence,
    }
