"""stations.selectors.heads_of: who is alerted about a station's work (crisis flags, new and overdue requests)."""

import datetime

import pytest

from shegong.stations import services
from shegong.stations.selectors import heads_of
from shegong.stations.tests.factories import LONG_AGO, Kind, make_station, make_user, make_worker
from shegong.testing.world import COMMUNITY_A, DISTRICT_A, STREET_A

pytestmark = pytest.mark.django_db


def _head(station, username, role="head", start=LONG_AGO, end=None):
    account = make_user(username, "station_head", region=station.region_id)
    worker = make_worker(region=station.region_id, account=account)
    services.staff_assign(actor=None, station=station, worker=worker, role=role, start_date=start)
    if end is not None:
        assignment = worker.station_assignments.get()
        assignment.end_date = end
        assignment.save(update_fields=["end_date"])
    return account


def test_a_station_alerts_its_head_and_deputy():
    station = make_station(Kind.STATION, STREET_A)
    deputy = _head(station, "deputy_x", role="deputy")
    head = _head(station, "head_x")
    assert heads_of(station) == [head, deputy]


def test_a_room_without_a_head_passes_up_to_its_street_then_district():
    centre = make_station(Kind.CENTRE, DISTRICT_A)
    street = make_station(Kind.STATION, STREET_A)
    room = make_station(Kind.ROOM, COMMUNITY_A)
    district_head = _head(centre, "centre_head")
    assert heads_of(room) == [district_head]
    street_head = _head(street, "street_head")
    assert heads_of(room) == [street_head]
    assert heads_of(street) == [street_head]
    assert heads_of(centre) == [district_head]


def test_past_heads_and_inactive_accounts_are_not_alerted():
    street = make_station(Kind.STATION, STREET_A)
    today = datetime.date.today()
    _head(street, "former_head", end=today - datetime.timedelta(days=1))
    inactive = _head(street, "inactive_head")
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])
    assert heads_of(street) == []


def test_a_station_with_nobody_above_alerts_nobody():
    assert heads_of(make_station(Kind.ROOM, COMMUNITY_A)) == []
