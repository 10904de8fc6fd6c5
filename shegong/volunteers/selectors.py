"""Reading the volunteer register and service records, always through the data scope (out of scope = 404).

`volunteer_totals` is issue 7's live aggregate for volunteers: ServiceRecord is the fact table (region, province,
station, date, hours), confirmed rows only.
"""

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from shegong.core.fields import blind_index_for
from shegong.core.scope import get_scoped_or_404, region_q, scoped
from shegong.volunteers import permissions
from shegong.volunteers.models import ServiceRecord, Volunteer, VolunteerTeam

ID_NUMBER_SHAPE = re.compile(r"\d{17}[\dX]")
NUMBER_SHAPE = re.compile(r"V\d{6,}")
ACTIVE_WINDOW_DAYS = 365


def search_q(q: str) -> Q:
    """An exact ID number (keyed hash), a volunteer number (or its start) or the start of a name."""
    text = (q or "").strip()
    if not text:
        return Q()
    upper = text.upper().replace(" ", "")
    if ID_NUMBER_SHAPE.fullmatch(upper):
        return Q(id_number_index=blind_index_for(Volunteer, "id_number", upper))
    if NUMBER_SHAPE.fullmatch(upper):
        return Q(number__startswith=upper)
    return Q(name__startswith=text)


def volunteer_search(
    *, actor, q: str = "", status: str = "", team=None, skill=None, station=None, region=None
) -> QuerySet:
    rows = scoped(Volunteer, actor, permissions.VIEW).select_related("region", "station", "agency")
    if q:
        rows = rows.filter(search_q(q))
    if status:
        rows = rows.filter(status=status)
    if team is not None:
        rows = rows.filter(
            Exists(VolunteerTeam.members.through.objects.filter(volunteer_id=OuterRef("pk"), volunteerteam=team))
        )
    if skill is not None:
        rows = rows.filter(
            Exists(Volunteer.skills.through.objects.filter(volunteer_id=OuterRef("pk"), dictionaryitem=skill))
        )
    if station is not None:
        rows = rows.filter(station=station)
    if region is not None:
        rows = rows.filter(region_q("region", region.code, region.level))
    return rows


def volunteer_detail(actor, pk) -> Volunteer:
    return get_scoped_or_404(
        Volunteer.objects.select_related("region", "station", "agency", "account"), actor, permissions.VIEW, pk=pk
    )


def own_volunteer(user) -> Volunteer | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Volunteer.objects.select_related("region", "station", "agency").filter(account=user).first()


def hours_of(volunteer: Volunteer) -> dict:
    """Confirmed and pending hours and the number of confirmed services."""
    rows = volunteer.service_records.values("status").annotate(hours=Sum("hours"), n=Count("id"))
    totals = {row["status"]: row for row in rows}
    confirmed = totals.get(ServiceRecord.Status.CONFIRMED, {})
    pending = totals.get(ServiceRecord.Status.PENDING, {})
    return {
        "confirmed_hours": confirmed.get("hours") or Decimal("0"),
        "confirmed_count": confirmed.get("n") or 0,
        "pending_hours": pending.get("hours") or Decimal("0"),
    }


def team_search(*, actor, q: str = "", station=None, region=None, active=None) -> QuerySet:
    rows = (
        scoped(VolunteerTeam, actor, permissions.VIEW_TEAM)
        .select_related("region", "station", "agency", "leader")
        .annotate(member_count=Count("members", distinct=True))
    )
    if q:
        rows = rows.filter(name__contains=q.strip())
    if station is not None:
        rows = rows.filter(station=station)
    if region is not None:
        rows = rows.filter(region_q("region", region.code, region.level))
    if active is not None:
        rows = rows.filter(is_active=active)
    return rows


def team_detail(actor, pk) -> VolunteerTeam:
    return get_scoped_or_404(
        VolunteerTeam.objects.select_related("region", "station", "agency", "leader"),
        actor,
        permissions.VIEW_TEAM,
        pk=pk,
    )


def record_search(
    *, actor, q: str = "", status: str = "", station=None, region=None, date_from=None, date_to=None, volunteer=None
) -> QuerySet:
    rows = scoped(ServiceRecord, actor, permissions.VIEW_RECORD).select_related(
        "volunteer", "station", "agency", "organiser", "recorded_by", "confirmed_by", "region"
    )
    if q:
        rows = rows.filter(
            Q(volunteer__name__startswith=q.strip()) | Q(volunteer__number__startswith=q.strip().upper())
        )
    if status:
        rows = rows.filter(status=status)
    if station is not None:
        rows = rows.filter(station=station)
    if region is not None:
        rows = rows.filter(region_q("region", region.code, region.level))
    if date_from:
        rows = rows.filter(service_date__gte=date_from)
    if date_to:
        rows = rows.filter(service_date__lte=date_to)
    if volunteer is not None:
        rows = rows.filter(volunteer=volunteer)
    return rows


def record_detail(actor, pk) -> ServiceRecord:
    return get_scoped_or_404(
        ServiceRecord.objects.select_related("volunteer", "station", "agency", "organiser", "region"),
        actor,
        permissions.VIEW_RECORD,
        pk=pk,
    )


@dataclass(frozen=True)
class VolunteerTotals:
    registered: int  # volunteers on the register (status 在册) in the area
    active: int  # of them, those with a confirmed service in the last 12 months (to the period's end)
    confirmed_hours: Decimal  # confirmed hours served in the period in the area
    services: int  # confirmed service records in the period


def volunteer_totals(
    actor, *, region=None, station=None, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> VolunteerTotals:
    """Issue 7's volunteer indicators inside the actor's scope: registered volunteers (where they live or the station
    that manages them), active volunteers (a confirmed service in the 12 months before `date_to`) and confirmed hours
    of services in [date_from, date_to] where the service took place."""
    end = date_to or timezone.localdate()
    volunteers = scoped(Volunteer, actor, permissions.VIEW).filter(status=Volunteer.Status.ACTIVE)
    records = scoped(ServiceRecord, actor, permissions.VIEW_RECORD).filter(status=ServiceRecord.Status.CONFIRMED)
    if region is not None:
        volunteers = volunteers.filter(region_q("region", region.code, region.level))
        records = records.filter(region_q("region", region.code, region.level))
    if station is not None:
        volunteers = volunteers.filter(station=station)
        records = records.filter(station=station)
    period = records.filter(service_date__lte=end)
    if date_from:
        period = period.filter(service_date__gte=date_from)
    totals = period.aggregate(hours=Sum("hours"), n=Count("id"))
    recent = records.filter(service_date__gt=end - dt.timedelta(days=ACTIVE_WINDOW_DAYS), service_date__lte=end)
    active = volunteers.filter(Exists(recent.filter(volunteer_id=OuterRef("pk")))).count()
    return VolunteerTotals(
        registered=volunteers.count(),
        active=active,
        confirmed_hours=totals["hours"] or Decimal("0"),
        services=totals["n"] or 0,
    )


def team_confirmed_hours(team) -> Decimal:
    """The confirmed service hours of the team's members (every record of theirs, wherever they served)."""
    total = ServiceRecord.objects.filter(volunteer__teams=team, status=ServiceRecord.Status.CONFIRMED).aggregate(
        hours=Sum("hours")
    )["hours"]
    return total or Decimal("0")


def volunteer_login(username: str):
    """The active sign-in account named `username` that holds the 志愿者 role (what a volunteer record may be linked
    to), or None."""
    from shegong.accounts.models import User

    return (
        User.objects.filter(username=(username or "").strip(), is_active=True, assignments__role__code="volunteer")
        .distinct()
        .first()
    )
