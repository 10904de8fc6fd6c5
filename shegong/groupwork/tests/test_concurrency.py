"""Two people at once on PostgreSQL (real threads): two keepers moving the same group's stage — exactly one wins, the
other is told the group is already there; two sessions recorded at once get numbers 1 and 2, never the same."""

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from shegong.groupwork import services
from shegong.groupwork.models import GroupStageEvent, GroupWork
from shegong.groupwork.tests.factories import DAY, STREET_A, Kind, make_group, make_station, make_worker
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


def _race(calls) -> list[str]:
    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = []

    def run(call):
        try:
            barrier.wait(timeout=10)
            call()
            outcomes.append("ok")
        except ValidationError as exc:
            outcomes.append("；".join(exc.messages))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_stage_moves_at_once_exactly_one_wins(transactional_world, monkeypatch):
    world = transactional_world
    group = make_group(make_station(Kind.STATION, STREET_A, agency=world.agency_a), make_worker("李带领"))
    original = services.allowed_moves

    def slow(group):
        time.sleep(0.5)  # each holds the lock a moment, so the other surely arrives meanwhile
        return original(group)

    monkeypatch.setattr(services, "allowed_moves", slow)
    outcomes = _race(
        [
            lambda user=user: services.group_move(
                actor=user, group=group, to_stage=GroupWork.Stage.FORMATION, effective_on=DAY
            )
            for user in (world.station_head_a, world.agency_admin_a)
        ]
    )
    assert sorted(outcomes)[0] == "ok" and outcomes.count("ok") == 1, outcomes
    assert "小组已处于形成期" in next(o for o in outcomes if o != "ok")
    assert GroupStageEvent.objects.filter(group=group).count() == 1


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_sessions_at_once_get_different_numbers(transactional_world, monkeypatch):
    world = transactional_world
    station = make_station(Kind.STATION, STREET_A, agency=world.agency_a)
    group = make_group(station, make_worker("李带领"), stage=GroupWork.Stage.FORMATION)
    original = services._session_errors

    def slow(*args):
        time.sleep(0.5)
        return original(*args)

    monkeypatch.setattr(services, "_session_errors", slow)
    outcomes = _race(
        [
            lambda user=user: services.session_record(actor=user, group=group, held_on=DAY, theme="并发")
            for user in (world.station_head_a, world.agency_admin_a)
        ]
    )
    assert outcomes == ["ok", "ok"]
    assert sorted(group.sessions.values_list("number", flat=True)) == [1, 2]
