"""The sign-up's state moves, check-in only for accepted sign-ups of today, hours confirmed only by the organiser,
corrections with a reason and an audit row, the exactly-one-target constraint, and the linkage figures."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from shegong.accounts.models import Role, RoleAssignment
from shegong.audit.models import AuditEntry
from shegong.stations.models import StaffAssignment
from shegong.volunteering import selectors, services
from shegong.volunteering.models import SignUp, VolunteerNeed
from shegong.volunteering.tests.factories import COMMUNITY_A, make_volunteer, place, post, volunteer_user
from shegong.volunteers.models import ServiceRecord, VolunteerTeam

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(world):
    return place(world)


def _accepted(w, *, volunteer=None, user=None):
    signup = services.signup_create(actor=user or w.vol_user, shift=w.shift_a, volunteer=volunteer or w.volunteer)
    return services.signup_decide(actor=w.organiser_user, signup=signup, accept=True)


def _attended(w, signup, hours: float = 3.2):
    start = timezone.now() - datetime.timedelta(hours=hours)
    signup = services.signup_check_in(actor=w.vol_user, signup=signup, now=start)
    return services.signup_check_out(actor=w.vol_user, signup=signup, now=start + datetime.timedelta(hours=hours))


def test_a_need_has_exactly_one_target(w):
    need = w.need_a
    with pytest.raises(IntegrityError), transaction.atomic():
        VolunteerNeed.objects.filter(pk=need.pk).update(activity=None)
    assert need.code and len(need.code) == 8
    assert need.region_id == w.activity_a.community_id and need.station == w.station_a


def test_sign_up_moves(w):
    signup = services.signup_create(actor=w.vol_user, shift=w.shift_a, volunteer=w.volunteer)
    assert signup.status == SignUp.Status.APPLIED
    with pytest.raises(ValidationError) as caught:
        services.signup_create(actor=w.vol_user, shift=w.shift_a, volunteer=w.volunteer)
    assert caught.value.code == "duplicate"
    with pytest.raises(ValidationError) as caught:
        services.signup_decide(actor=w.organiser_user, signup=signup, accept=False, reason=" ")
    assert caught.value.error_dict["reason"][0].code == "reason_required"
    signup = services.signup_withdraw(actor=w.vol_user, signup=signup)
    assert signup.status == SignUp.Status.WITHDRAWN
    signup = services.signup_create(actor=w.vol_user, shift=w.shift_a, volunteer=w.volunteer)
    assert signup.status == SignUp.Status.APPLIED  # the same row, applied again
    signup = services.signup_decide(actor=w.organiser_user, signup=signup, accept=False, reason="人已够")
    assert (signup.status, signup.reason) == (SignUp.Status.DECLINED, "人已够")
    with pytest.raises(ValidationError):
        services.signup_decide(actor=w.organiser_user, signup=signup, accept=True)
    assert AuditEntry.objects.filter(object_type="volunteering.signup", object_id=str(signup.pk)).count() == 4


def test_only_the_volunteer_signs_up_for_themselves(w):
    with pytest.raises(PermissionDenied):
        services.signup_create(actor=w.vol_user, shift=w.shift_a, volunteer=w.volunteer_2)
    with pytest.raises(PermissionDenied):  # staff hold no sign-up permission
        services.signup_create(actor=w.organiser_user, shift=w.shift_a, volunteer=w.volunteer)


def test_capacity_is_never_exceeded(w):
    services.signup_create(actor=w.vol_user, shift=w.shift_a, volunteer=w.volunteer)
    services.signup_create(actor=w.vol_user_2, shift=w.shift_a, volunteer=w.volunteer_2)
    user, third = volunteer_user("vol_a3")
    with pytest.raises(ValidationError) as caught:
        services.signup_create(actor=user, shift=w.shift_a, volunteer=third)
    assert caught.value.code == "full"
    assert services.places_left(w.shift_a) == 0


def test_closed_needs_and_past_shifts_take_no_sign_ups(w):
    services.need_set_status(actor=w.organiser_user, need=w.need_a, status=VolunteerNeed.Status.CLOSED)
    with pytest.raises(ValidationError) as caught:
        services.signup_create(actor=w.vol_user, shift=w.shift_a, volunteer=w.volunteer)
    assert caught.value.code == "not_open"
    past = post(w.activity_a, w.organiser, day=timezone.localdate() - datetime.timedelta(days=1))
    with pytest.raises(ValidationError) as caught:
        services.signup_create(actor=w.vol_user, shift=past.shifts.get(), volunteer=w.volunteer)
    assert caught.value.code == "past"


def test_check_in_only_accepted_and_today(w):
    signup = services.signup_create(actor=w.vol_user, shift=w.shift_a, volunteer=w.volunteer)
    with pytest.raises(ValidationError) as caught:
        services.signup_check_in(actor=w.vol_user, signup=signup)
    assert caught.value.code == "not_accepted"
    signup = services.signup_decide(actor=w.organiser_user, signup=signup, accept=True)
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        services.signup_check_in(actor=w.vol_user, signup=signup, now=tomorrow)
    assert caught.value.code == "not_today"
    with pytest.raises(ValidationError) as caught:
        services.signup_check_out(actor=w.vol_user, signup=signup)
    assert caught.value.code == "not_checked_in"
    with pytest.raises(PermissionDenied):
        services.signup_check_in(actor=w.vol_user_2, signup=signup)
    first = services.signup_check_in(actor=w.vol_user, signup=signup).checked_in_at
    again = services.signup_check_in(actor=w.vol_user, signup=signup)
    assert again.checked_in_at == first  # a second check-in is idempotent


@pytest.mark.parametrize(("minutes", "hours"), [(190, "3.0"), (200, "3.5"), (14, "0.0"), (16, "0.5"), (135, "2.5")])
def test_hours_round_to_half_an_hour(minutes, hours):
    start = timezone.now()
    signup = SignUp(checked_in_at=start, checked_out_at=start + datetime.timedelta(minutes=minutes))
    assert services.computed_hours(signup) == Decimal(hours)


def test_only_the_organiser_confirms_hours(w):
    signup = _attended(w, _accepted(w))
    assert services.computed_hours(signup) == Decimal("3.0")
    with pytest.raises(PermissionDenied):  # the station head keeps the need but did not organise it
        services.hours_confirm(actor=w.station_head_a, signup=signup)
    with pytest.raises(PermissionDenied):
        services.hours_confirm(actor=w.vol_user, signup=signup)
    record = services.hours_confirm(actor=w.organiser_user, signup=signup)
    assert (record.hours, record.status, record.source) == (Decimal("3.0"), "confirmed", f"need:{w.need_a.pk}")
    assert record.confirmed_by == w.organiser_user and record.organiser == w.organiser
    assert record.volunteer == w.volunteer and record.station == w.station_a


def test_a_volunteer_of_another_district_who_served_gets_the_hours_confirmed(w):
    from shegong.testing.world import DISTRICT_B

    user, outsider = volunteer_user(
        "haizhu_vol", region=DISTRICT_B
    )  # registered in 海珠, outside the organiser's scope
    signup = services.signup_create(actor=user, shift=w.shift_a, volunteer=outsider)
    signup = services.signup_decide(actor=w.organiser_user, signup=signup, accept=True)
    start = timezone.now() - datetime.timedelta(hours=2)
    services.signup_check_in(actor=user, signup=signup, now=start)
    signup = services.signup_check_out(actor=user, signup=signup, now=start + datetime.timedelta(hours=2))
    record = services.hours_confirm(actor=w.organiser_user, signup=signup)
    assert (record.volunteer, record.hours, record.status) == (outsider, Decimal("2.0"), "confirmed")


def test_a_volunteer_cannot_confirm_their_own_hours(w):
    # The organiser is also registered as a volunteer and signed up for their own need.
    own = make_volunteer("李组织", account=w.organiser_user)
    RoleAssignment.objects.create(user=w.organiser_user, role=Role.objects.get(code="volunteer"), region_id=COMMUNITY_A)
    organiser = type(w.organiser_user).objects.get(pk=w.organiser_user.pk)  # permissions read afresh
    signup = services.signup_create(actor=organiser, shift=w.shift_a, volunteer=own)
    signup = services.signup_decide(actor=organiser, signup=signup, accept=True)
    with pytest.raises(PermissionDenied):
        services.hours_confirm(actor=organiser, signup=signup, hours="2", reason="补录")


def test_other_hours_and_corrections_need_a_reason_and_are_audited(w):
    signup = _attended(w, _accepted(w))
    with pytest.raises(ValidationError) as caught:
        services.hours_confirm(actor=w.organiser_user, signup=signup, hours="4")
    assert caught.value.error_dict["reason"][0].code == "reason_required"
    record = services.hours_confirm(actor=w.organiser_user, signup=signup)
    with pytest.raises(ValidationError) as caught:
        services.hours_confirm(actor=w.organiser_user, signup=signup, hours="2.5")
    assert caught.value.error_dict["reason"][0].code == "reason_required"
    with pytest.raises(ValidationError) as caught:
        services.hours_confirm(actor=w.organiser_user, signup=signup, hours="30", reason="录错")
    assert caught.value.error_dict["hours"][0].code == "hours_range"
    services.hours_confirm(actor=w.organiser_user, signup=signup, hours="2.5", reason="提前离场")
    record.refresh_from_db()
    assert record.hours == Decimal("2.5")
    entry = (
        AuditEntry.objects.filter(object_type="volunteers.servicerecord", object_id=str(record.pk))
        .order_by("sequence")
        .last()
    )
    assert "hours" in entry.changes and "提前离场" in entry.note
    assert record.corrections.get().reason == "提前离场"
    assert ServiceRecord.objects.filter(volunteer=w.volunteer).count() == 1


def test_no_attendance_needs_a_reason(w):
    signup = _accepted(w)
    with pytest.raises(ValidationError):
        services.hours_confirm(actor=w.organiser_user, signup=signup, hours="2")
    record = services.hours_confirm(actor=w.organiser_user, signup=signup, hours="2", reason="忘记签到，现场核实")
    assert record.hours == Decimal("2.0")


def test_linkage_figures(w):
    for volunteer, user in [(w.volunteer, w.vol_user), (w.volunteer_2, w.vol_user_2)]:
        signup = _accepted(w, volunteer=volunteer, user=user)
        services.hours_confirm(actor=w.organiser_user, signup=signup, hours="2", reason="现场核实")
    team = VolunteerTeam.objects.create(
        name="流水井志愿队",
        region_id=w.volunteer.region_id,
        province_code="44",
        station=w.station_a,
        leader=w.volunteer,
    )
    team.members.add(w.volunteer)
    second = StaffAssignment.objects.create(
        station=w.station_a,
        worker=w.worker_b_person,
        role=StaffAssignment.Role.ASSISTANT,
        full_time=False,
        start_date=datetime.date(2024, 1, 1),
        end_date=datetime.date(2024, 6, 30),  # left long ago: not counted
    )
    assert second.pk
    figures = selectors.linkage(w.station_a)
    assert figures["workers"] == [
        {"organiser_id": w.organiser.pk, "organiser__name": "李组织", "volunteers": 2, "hours": Decimal("4.0")}
    ]
    assert [(row["team"], row["members"], row["volunteers"], row["hours"]) for row in figures["teams"]] == [
        (team, 1, 1, Decimal("2.0"))
    ]
    assert (figures["active_volunteers"], figures["social_workers"], figures["ratio"]) == (2, 1, 2.0)


def test_needs_near_a_volunteer(w):
    assert list(selectors.needs_near(w.volunteer)) == [w.need_a]
    assert list(selectors.needs_near(w.volunteer_b)) == [w.need_b]
    w.volunteer_b.preferred_regions.add(w.volunteer.region)
    assert set(selectors.needs_near(w.volunteer_b)) == {w.need_a, w.need_b}
