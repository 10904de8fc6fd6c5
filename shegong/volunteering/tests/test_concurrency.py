"""Two volunteers take the last place of a shift at the same moment (real threads on PostgreSQL): exactly one gets
it, the other is told the shift is full, and the shift never holds more sign-ups than it needs."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from shegong.testing.baseline import ensure_baseline
from shegong.testing.concurrency import at_once
from shegong.testing.world import build_world
from shegong.volunteering import services
from shegong.volunteering.models import SignUp
from shegong.volunteering.tests.factories import place, volunteer_user

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks (SELECT … FOR UPDATE) exist on PostgreSQL only; on SQLite a write locks the whole database, so "
    "two sign-ups cannot interleave there",
)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_volunteers_take_the_last_place_one_wins():
    ensure_baseline()
    w = place(build_world())
    services.signup_create(actor=w.vol_user, shift=w.shift_a, volunteer=w.volunteer)  # 1 of 2 places taken
    user_2, second = w.vol_user_2, w.volunteer_2
    user_3, third = volunteer_user("vol_a3")
    outcomes = at_once(
        {
            "乙": lambda: services.signup_create(actor=user_2, shift=w.shift_a, volunteer=second),
            "丙": lambda: services.signup_create(actor=user_3, shift=w.shift_a, volunteer=third),
        }
    )
    refused = [outcome for outcome in outcomes.values() if isinstance(outcome, ValidationError)]
    assert len(refused) == 1 and refused[0].code == "full"
    assert SignUp.objects.filter(shift=w.shift_a, status__in=SignUp.TAKING_PLACES).count() == 2
