"""Reads of volunteer needs and sign-ups. Staff read through the data scope (out of scope = 404); a volunteer reads the
open needs near them (their region and preferred regions, by street) and their own sign-ups."""

import datetime

from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce
from django.http import Http404
from django.utils import timezone

from shegong.core.scope import get_scoped_or_404, region_q, scoped
from shegong.stations.models import StaffAssignment, Station
from shegong.volunteering.models import NeedShift, SignUp, VolunteerNeed
from shegong.volunteers.models import ServiceRecord, Volunteer, VolunteerTeam

VIEW = "volunteering.view_volunteerneed"
STREET_LEVEL = 4


def needs_for(user, *, q: str = "", status: str = "", region=None, station=None) -> QuerySet:
    rows = scoped(VolunteerNeed, user, VIEW).select_related("region", "station", "organiser")
    if q:
        rows = rows.filter(Q(title__icontains=q) | Q(roles__icontains=q) | Q(code=q.upper()))
    if status:
        rows = rows.filter(status=status)
    if region is not None:
        rows = rows.filter(region_q("region", region.pk, region.level))
    if station is not None:
        rows = rows.filter(station=station)
    return rows.annotate(
        shift_count=Count("shifts", distinct=True),
        needed_total=Coalesce(Sum("shifts__needed"), 0),
    ).order_by("-created_at", "-id")


def need_or_404(user, pk, perm: str = VIEW) -> VolunteerNeed:
    return get_scoped_or_404(
        VolunteerNeed.objects.select_related("region", "station", "organiser", "activity", "group", "project"),
        user,
        perm,
        pk=pk,
    )


def volunteer_of(user) -> Volunteer | None:
    """The signed-in user's own volunteer record (the 志愿者 role owns one through `account`)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Volunteer.objects.filter(account=user, status=Volunteer.Status.ACTIVE).select_related("region").first()


def volunteer_or_404(user) -> Volunteer:
    volunteer = volunteer_of(user)
    if volunteer is None:
        raise Http404
    return volunteer


def _near_q(volunteer: Volunteer) -> Q:
    q = Q(pk__in=[])
    for region in [volunteer.region, *volunteer.preferred_regions.all()]:
        level = min(region.level, STREET_LEVEL)
        q |= region_q("region", region.pk, level)
    return q


def needs_near(volunteer: Volunteer, today: datetime.date | None = None) -> QuerySet:
    """Open needs with a shift today or later, in the street (or wider area) of the volunteer's region or preferred
    regions."""
    today = today or timezone.localdate()
    return (
        VolunteerNeed.objects.filter(_near_q(volunteer), status=VolunteerNeed.Status.OPEN, shifts__day__gte=today)
        .select_related("region", "station")
        .distinct()
        .order_by("-created_at", "-id")
    )


def need_for_volunteer_or_404(volunteer: Volunteer, pk) -> VolunteerNeed:
    """A need the volunteer may open: near them and open, or one they signed up for."""
    mine = Q(shifts__signups__volunteer=volunteer)
    near = Q(_near_q(volunteer), status=VolunteerNeed.Status.OPEN)
    need = VolunteerNeed.objects.filter(near | mine, pk=pk).select_related("region", "station", "organiser").first()
    if need is None:
        raise Http404
    return need


def need_by_code_for_volunteer_or_404(volunteer: Volunteer, code: str) -> VolunteerNeed:
    need = VolunteerNeed.objects.filter(code=str(code).upper()).first()
    if need is None:
        raise Http404
    return need_for_volunteer_or_404(volunteer, need.pk)


def shifts_with_places(need: VolunteerNeed) -> list[NeedShift]:
    shifts = list(
        need.shifts.annotate(taken=Count("signups", filter=Q(signups__status__in=SignUp.TAKING_PLACES))).order_by(
            "day", "starts_at", "id"
        )
    )
    for shift in shifts:
        shift.places_left = max(shift.needed - shift.taken, 0)
    return shifts


def signups_of_volunteer(volunteer: Volunteer) -> QuerySet:
    return (
        SignUp.objects.filter(volunteer=volunteer)
        .select_related("shift__need", "record")
        .order_by("-shift__day", "-shift__starts_at", "-id")
    )


def signup_of_volunteer_or_404(volunteer: Volunteer, pk) -> SignUp:
    signup = SignUp.objects.filter(volunteer=volunteer, pk=pk).select_related("shift__need").first()
    if signup is None:
        raise Http404
    return signup


def signups_of_need(need: VolunteerNeed) -> QuerySet:
    return (
        SignUp.objects.filter(shift__need=need)
        .select_related("shift", "volunteer", "record")
        .order_by("shift__day", "shift__starts_at", "created_at", "id")
    )


def signup_of_need_or_404(need: VolunteerNeed, pk) -> SignUp:
    signup = signups_of_need(need).filter(pk=pk).first()
    if signup is None:
        raise Http404
    return signup


# The 社会工作者+志愿者 linkage (信息联动): who served with whom, hours per team, volunteers per social worker.


def stations_for(user) -> QuerySet:
    return scoped(Station, user).order_by("region_id", "name")


def _in_post(today: datetime.date) -> QuerySet:
    return StaffAssignment.objects.filter(start_date__lte=today).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=today)
    )


def station_ratios(user, *, today: datetime.date | None = None) -> QuerySet:
    """The stations in the user's scope with the same figures as `linkage` (active volunteers: confirmed hours at the
    station over the year to `today`; social workers in post today) and their ratio, counted in SQL. The ones that need
    attention come first: no active volunteers or no social worker in post (`attention` 0); then by ratio, lowest
    first, then by region and name."""
    today = today or timezone.localdate()
    since = today - datetime.timedelta(days=365)
    volunteers = (
        ServiceRecord.objects.filter(
            station=OuterRef("pk"), status=ServiceRecord.Status.CONFIRMED, service_date__gte=since
        )
        .order_by()
        .values("station")
        .annotate(n=Count("volunteer", distinct=True))
        .values("n")
    )
    workers = (
        _in_post(today)
        .filter(station=OuterRef("pk"))
        .order_by()
        .values("station")
        .annotate(n=Count("worker", distinct=True))
        .values("n")
    )
    return (
        stations_for(user)
        .select_related("region")
        .annotate(
            active_volunteers=Coalesce(Subquery(volunteers, output_field=IntegerField()), Value(0)),
            social_workers=Coalesce(Subquery(workers, output_field=IntegerField()), Value(0)),
        )
        .annotate(
            attention=Case(When(Q(active_volunteers=0) | Q(social_workers=0), then=Value(0)), default=Value(1)),
            ratio=Case(
                When(
                    social_workers__gt=0,
                    then=Cast("active_volunteers", FloatField()) / Cast("social_workers", FloatField()),
                ),
                default=None,
                output_field=FloatField(),
            ),
        )
        .order_by("attention", F("ratio").asc(nulls_first=True), "region_id", "name", "pk")
    )


def station_or_404(user, pk) -> Station:
    return get_scoped_or_404(Station.objects.select_related("region"), user, pk=pk)


def _confirmed_at(station: Station, since: datetime.date) -> QuerySet:
    return ServiceRecord.objects.filter(station=station, status=ServiceRecord.Status.CONFIRMED, service_date__gte=since)


def linkage(station: Station, *, since: datetime.date | None = None, today: datetime.date | None = None) -> dict:
    """A station's linkage figures over the year to `today`: per social worker the volunteers who served in the needs
    they organised (confirmed hours); per team of the station its members' confirmed hours at the station; and the
    ratio of active volunteers (confirmed hours in the period) to the social workers currently in post."""
    today = today or timezone.localdate()
    since = since or today - datetime.timedelta(days=365)
    records = _confirmed_at(station, since)
    hours = Coalesce(Sum("hours"), Value(0), output_field=DecimalField(max_digits=9, decimal_places=1))
    workers = list(
        records.filter(source__startswith="need:", organiser__isnull=False)
        .values("organiser_id", "organiser__name")
        .annotate(volunteers=Count("volunteer", distinct=True), hours=hours)
        .order_by("-hours", "organiser__name")
    )
    teams = []
    for team in VolunteerTeam.objects.filter(station=station, is_active=True).order_by("name", "id"):
        figures = records.filter(volunteer__teams=team).aggregate(
            volunteers=Count("volunteer", distinct=True), hours=hours
        )
        teams.append({"team": team, "members": team.members.count(), **figures})
    active = records.values("volunteer").distinct().count()
    in_post = _in_post(today).filter(station=station).values("worker").distinct().count()
    return {
        "since": since,
        "today": today,
        "workers": workers,
        "teams": teams,
        "active_volunteers": active,
        "social_workers": in_post,
        "ratio": round(active / in_post, 2) if in_post else None,
        "hours": records.aggregate(total=hours)["total"],
    }
