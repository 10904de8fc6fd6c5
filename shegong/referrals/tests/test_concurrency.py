"""Two people answering the same referral at the same moment (the station head accepts, the district bureau rejects):
the row lock makes one wait for the other, so exactly one answer is recorded and the other is told the referral has
moved on."""

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from shegong.referrals import selectors, services
from shegong.referrals.models import Referral
from shegong.referrals.tests.factories import refer, setup
from shegong.testing.baseline import ensure_baseline
from shegong.testing.world import build_world

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks (SELECT … FOR UPDATE) exist on PostgreSQL only; on SQLite a write locks the whole database, so "
    "two requests cannot interleave there",
)


@pytest.fixture
def transactional_world(transactional_db):
    ensure_baseline()
    return build_world()


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_accept_and_reject_at_once_exactly_one_wins(transactional_world, monkeypatch):
    w = setup(transactional_world)
    referral = refer(w, actor=w.station_head_a)
    original = selectors.allowed_moves

    def slow(actor, referral):
        time.sleep(0.5)  # after the lock: the other request surely arrives meanwhile
        return original(actor, referral)

    monkeypatch.setattr(selectors, "allowed_moves", slow)
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def request(actor, to_state, note):
        try:
            barrier.wait(timeout=10)
            services.referral_move(actor=actor, referral=referral, to_state=to_state, note=note)
            outcomes[to_state] = "ok"
        except ValidationError as exc:
            outcomes[to_state] = exc.error_dict["to_state"][0].code
        finally:
            connection.close()

    threads = [
        threading.Thread(target=request, args=(w.head_b, Referral.State.ACCEPTED, "")),
        threading.Thread(target=request, args=(w.district_b_admin, Referral.State.REJECTED, "超出服务范围")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes.values()) == ["invalid_move", "ok"], outcomes
    referral.refresh_from_db()
    winner = next(state for state, outcome in outcomes.items() if outcome == "ok")
    assert referral.state == winner
    assert referral.events.count() == 2
