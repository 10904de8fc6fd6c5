"""REST endpoints of the volunteer register, mounted at /api/v1/volunteers/. They read through the same selectors and
filter forms as the pages, so a row is visible here exactly when it is visible there (out of scope: 404). ID numbers
and phones are always masked. Writes: record a service (pending) and confirm it (谁记录谁证明)."""

import datetime
from decimal import Decimal

from ninja import Field, Query, Router, Schema, Status

from shegong.core.api_helpers import Paging, check_filters, query_dict, require, run_service
from shegong.core.masking import mask_id_number, mask_phone
from shegong.core.scope import get_scoped_or_404
from shegong.volunteers import permissions, selectors, services
from shegong.volunteers.forms import RecordFilterForm, TeamFilterForm, VolunteerFilterForm
from shegong.volunteers.models import ServiceRecord, Volunteer

router = Router(tags=["volunteers"])


class VolunteerQuery(Paging):
    q: str = Field("", description="name start, volunteer number, or an exact ID number")
    status: str = ""
    region: str = Field("", description="division code: volunteers living in its subtree")


class VolunteerOut(Schema):
    id: int
    number: str
    name: str
    id_type: str = "居民身份证"
    id_number: str = Field(description="masked")
    sex: str
    birth_date: datetime.date
    phone: str = Field(description="masked")
    region: str
    station: str | None = Field(description="station code")
    agency: int | None
    skills: list[str]
    availability: str
    status: str
    registered_on: datetime.date
    teams: list[int]


class TeamOut(Schema):
    id: int
    name: str
    region: str
    station: str | None
    leader: int | None
    members: list[int]
    is_active: bool


class RecordQuery(Paging):
    q: str = ""
    status: str = ""
    region: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None


class RecordOut(Schema):
    id: int
    volunteer: int
    volunteer_number: str
    service_date: datetime.date
    hours: Decimal
    content: str
    place: str
    region: str
    station: str | None
    status: str
    confirmed_at: datetime.datetime | None
    source: str


class RecordIn(Schema):
    volunteer: int
    service_date: datetime.date
    hours: Decimal
    content: str
    place: str = ""


def _volunteer(row: Volunteer) -> dict:
    return {
        "id": row.pk,
        "number": row.number,
        "name": row.name,
        "id_number": mask_id_number(row.id_number),
        "sex": row.sex,
        "birth_date": row.birth_date,
        "phone": mask_phone(row.phone) if row.phone else "",
        "region": row.region_id,
        "station": row.station.code if row.station else None,
        "agency": row.agency_id,
        "skills": [item.code for item in row.skills.all()],
        "availability": row.availability,
        "status": row.status,
        "registered_on": row.registered_on,
        "teams": [team.pk for team in row.teams.all()],
    }


def _record(row: ServiceRecord) -> dict:
    return {
        "id": row.pk,
        "volunteer": row.volunteer_id,
        "volunteer_number": row.volunteer.number,
        "service_date": row.service_date,
        "hours": row.hours,
        "content": row.content,
        "place": row.place,
        "region": row.region_id,
        "station": row.station.code if row.station else None,
        "status": row.status,
        "confirmed_at": row.confirmed_at,
        "source": row.source,
    }


@router.get("/", response=list[VolunteerOut], summary="Volunteers in the caller's scope")
def volunteer_list(request, query: Query[VolunteerQuery]):
    require(request, permissions.VIEW)
    form = VolunteerFilterForm(query_dict(q=query.q, status=query.status, region=query.region), actor=request.user)
    check_filters(form)
    rows = form.apply(selectors.volunteer_search(actor=request.user, **form.search_kwargs()))
    return [_volunteer(row) for row in query.window(rows.prefetch_related("skills", "teams"))]


@router.get("/teams/", response=list[TeamOut], summary="Volunteer teams in the caller's scope")
def team_list(request, query: Query[Paging]):
    require(request, permissions.VIEW_TEAM)
    form = TeamFilterForm(query_dict(), actor=request.user)
    check_filters(form)
    rows = form.apply(selectors.team_search(actor=request.user)).prefetch_related("members")
    return [
        {
            "id": team.pk,
            "name": team.name,
            "region": team.region_id,
            "station": team.station.code if team.station else None,
            "leader": team.leader_id,
            "members": [member.pk for member in team.members.all()],
            "is_active": team.is_active,
        }
        for team in query.window(rows)
    ]


@router.get("/records/", response=list[RecordOut], summary="Service records in the caller's scope")
def record_list(request, query: Query[RecordQuery]):
    require(request, permissions.VIEW_RECORD)
    form = RecordFilterForm(
        query_dict(
            q=query.q, status=query.status, region=query.region, date_from=query.date_from, date_to=query.date_to
        ),
        actor=request.user,
    )
    check_filters(form)
    rows = form.apply(selectors.record_search(actor=request.user, **form.search_kwargs()))
    return [_record(row) for row in query.window(rows)]


@router.post("/records/", response={201: RecordOut}, summary="Record a volunteer's service (pending)")
def record_create(request, payload: RecordIn):
    require(request, permissions.ADD_RECORD)
    volunteer = get_scoped_or_404(Volunteer, request.user, permissions.VIEW, pk=payload.volunteer)
    values = payload.dict()
    values.pop("volunteer")
    entry = run_service(lambda: services.service_record_create(actor=request.user, volunteer=volunteer, **values))
    return Status(201, _record(entry))


@router.post("/records/{record_id}/confirm", response=RecordOut, summary="Confirm a service record (谁记录谁证明)")
def record_confirm(request, record_id: int):
    require(request, permissions.VIEW_RECORD)
    entry = selectors.record_detail(request.user, record_id)
    entry = run_service(lambda: services.service_record_confirm(actor=request.user, record_=entry))
    return _record(entry)


@router.get("/{volunteer_id}", response=VolunteerOut, summary="One volunteer in the caller's scope")
def volunteer_detail(request, volunteer_id: int):
    require(request, permissions.VIEW)
    return _volunteer(selectors.volunteer_detail(request.user, volunteer_id))


# --- Volunteer service certificates (志愿服务记录证明, helper V1b: shegong/volunteers/certificates.py) ---------------
from shegong.volunteers import certificates as certs  # noqa: E402

router.add_router("/certificates/", certs.api_router)
