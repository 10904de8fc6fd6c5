"""The demo loader makes referrals in every state, to every kind of target, and adds nothing when loaded twice."""

import io

import pytest

from shegong.recipients.tests.factories import COMMUNITY_A, COMMUNITY_B, make_recipient
from shegong.referrals import demo
from shegong.referrals.models import Referral
from shegong.referrals.tests.factories import SHARING, setup

pytestmark = pytest.mark.django_db


def test_demo_covers_every_state_and_is_idempotent(world, monkeypatch):
    setup(world)
    for index in range(4):
        make_recipient(f"演示{index}", COMMUNITY_A, consent_scopes=SHARING, station=world.station_a)
        make_recipient(f"演示乙{index}", COMMUNITY_B, consent_scopes=SHARING, station=world.station_b)
    monkeypatch.setattr(demo, "COUNT", 25)
    out = io.StringIO()
    demo.load({"stdout": out})
    assert Referral.objects.count() == 25
    assert set(Referral.objects.values_list("state", flat=True)) == set(Referral.State.values)
    assert Referral.objects.filter(to_station__isnull=False).exists()
    assert Referral.objects.filter(to_department__isnull=False).exists()
    assert all(r.events.count() >= 1 for r in Referral.objects.all())
    demo.load({"stdout": out})
    assert Referral.objects.count() == 25
