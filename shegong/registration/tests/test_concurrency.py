"""Two reviewers acting on the same registration at the same moment: exactly one succeeds (row lock, PostgreSQL)."""

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from shegong.audit.models import AuditEntry
from shegong.registration import services
from shegong.registration.models import Registration
from shegong.registration.tests.factories import make_certificate, make_registration

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks (SELECT … FOR UPDATE) need PostgreSQL"),
]


def test_two_first_reviewers_at_once_exactly_one_succeeds(world, worker, second_district_a_admin, monkeypatch):
    registration = make_registration(make_certificate(worker), submitted_by=world.district_a_admin)
    original_snapshot = services.snapshot

    def slow_snapshot(obj, *args, **kwargs):
        # Each reviewer holds the row a moment after checking its state, so the other surely arrives meanwhile:
        # without the lock both would see 待审核 and both would write.
        if isinstance(obj, Registration):
            time.sleep(0.5)
        return original_snapshot(obj, *args, **kwargs)

    monkeypatch.setattr(services, "snapshot", slow_snapshot)
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def act(user, approve: bool):
        try:
            barrier.wait(timeout=10)
            if approve:
                services.registration_first_approve(registration=registration, actor=user, note="同意")
            else:
                services.registration_first_reject(registration=registration, actor=user, note="材料不全")
            outcomes[user.username] = "ok"
        except ValidationError as exc:
            outcomes[user.username] = exc.messages[0]
        finally:
            connection.close()

    threads = [
        threading.Thread(target=act, args=(world.district_a_admin, True)),
        threading.Thread(target=act, args=(second_district_a_admin, False)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["district_a_admin", "district_a_admin_2"]
    winners = [name for name, outcome in outcomes.items() if outcome == "ok"]
    assert len(winners) == 1, outcomes
    [loser_message] = [outcome for outcome in outcomes.values() if outcome != "ok"]
    assert "当前状态为" in loser_message
    registration.refresh_from_db()
    assert registration.first_reviewed_by.username == winners[0]
    expected = Registration.State.FIRST_APPROVED if winners[0] == "district_a_admin" else "first_rejected"
    assert registration.state == expected
    transitions = AuditEntry.objects.filter(
        object_type="registration.registration", object_id=str(registration.pk), action="transition"
    )
    assert transitions.count() == 1
