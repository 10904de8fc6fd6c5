"""The volunteering demo on a small world: needs on the activities (the organiser login's among them), sign-ups in
every status, attendance, hours confirmed by the organiser who signs in; a second load changes nothing."""

import datetime
import io

import pytest
from django.utils import timezone

from shegong.groupwork.tests.factories import make_activity
from shegong.volunteering import demo
from shegong.volunteering.models import SignUp, VolunteerNeed
from shegong.volunteering.tests.factories import make_volunteer, place
from shegong.volunteers.models import ServiceRecord

pytestmark = pytest.mark.django_db


def test_demo_loads_once(monkeypatch, world):
    w = place(world)
    VolunteerNeed.objects.all().delete()  # the demo starts from activities without needs
    monkeypatch.setattr(demo, "NEEDS", 8)
    today = timezone.localdate()
    for days in range(1, 9):
        make_activity(
            w.station_a, w.organiser, "440104003104", title=f"活动{days}", held_on=today - datetime.timedelta(days=days)
        )
    for index in range(10):
        make_volunteer(f"志愿者{index}")
    out = io.StringIO()
    demo.load({"stdout": out, "demo_worker": w.organiser})
    needs = VolunteerNeed.objects.all()
    assert needs.count() >= 8 and needs.filter(organiser=w.organiser).exists()
    statuses = set(SignUp.objects.values_list("status", flat=True))
    assert statuses == set(SignUp.Status.values)
    assert SignUp.objects.filter(checked_out_at__isnull=False).exists()
    confirmed = ServiceRecord.objects.filter(status="confirmed", source__startswith="need:")
    assert confirmed.exists() and not confirmed.exclude(confirmed_by=w.organiser_user).exists()
    assert needs.filter(status="open").exists() and needs.filter(status="closed").exists()
    assert "志愿需求" in out.getvalue()
    demo.load({"stdout": io.StringIO(), "demo_worker": w.organiser})
    assert VolunteerNeed.objects.count() == needs.count()


def test_the_demo_volunteer_finds_needs_near_them(monkeypatch, world):
    from shegong.volunteering.selectors import needs_near
    from shegong.volunteering.tests.factories import make_user

    w = place(world)
    VolunteerNeed.objects.all().delete()
    monkeypatch.setattr(demo, "NEEDS", 2)
    today = timezone.localdate()
    for days in range(1, 4):  # past activities only: the random needs would all be closed
        make_activity(
            w.station_a, w.organiser, "440104003104", title=f"活动{days}", held_on=today - datetime.timedelta(days=days)
        )
    login = make_user(demo.DEMO_VOLUNTEER, "volunteer", "440104003104")
    volunteer = make_volunteer("演示志愿者", region="440104003104", account=login)
    monkeypatch.setattr(demo, "_shifts", lambda rng, activity: [_past_shift(activity)])
    demo.load({"stdout": io.StringIO()})
    near = needs_near(volunteer)
    assert near.exists() and all(shift.day > today for need in near for shift in need.shifts.all())


def _past_shift(activity):
    return {"day": activity.held_on, "starts_at": datetime.time(9, 0), "ends_at": datetime.time(11, 0), "needed": 3}
