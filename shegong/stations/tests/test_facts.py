"""The station network read through the indicator catalogue: operating stations by kind as the status history stood
on a date, township-station and community-room coverage (regions with an operating station over all regions of the
level), stations meeting the staffing standard and rooms meeting 一社区一社工 (the stations app's own judgement)."""

import datetime

import pytest
from django.utils import timezone

from shegong.analytics import maintenance
from shegong.analytics.catalogue import indicator
from shegong.analytics.figures import Node, breakdown, evaluate
from shegong.analytics.periods import Period
from shegong.regions.models import Region
from shegong.stations import rules, selectors, services
from shegong.stations.models import StaffAssignment, Station
from shegong.stations.tests.factories import LONG_AGO, add_region, make_station, make_worker, staff
from shegong.testing.world import COMMUNITY_A, DISTRICT_A, STREET_A

pytestmark = pytest.mark.django_db

Kind = Station.Kind
Status = Station.Status


def today() -> datetime.date:
    return timezone.localdate()


def value(code: str, region: str, day: datetime.date | None = None):
    day = day or today()
    node = Node.of(Region.objects.get(pk=region))
    return evaluate([indicator(code)], [node], Period(day, day))[(code, node)].value


def split(code: str, region: str) -> dict:
    node = Node.of(Region.objects.get(pk=region))
    return {item: count for item, _label, count in breakdown(indicator(code), node, Period(today(), today()))}


def test_operating_stations_and_coverage_follow_the_status_history(world):
    streets = Region.objects.filter(level=4, code__startswith=DISTRICT_A[:6]).count()
    communities = Region.objects.filter(level=5, code__startswith=STREET_A[:9]).count()
    make_station(Kind.STATION, STREET_A)
    make_station(Kind.ROOM, COMMUNITY_A)
    other_street = Region.objects.filter(level=4, code__startswith=DISTRICT_A[:6]).exclude(pk=STREET_A).first()
    second = make_station(Kind.STATION, other_street, status=Status.PREPARING, opened_on=None)

    assert value("stations", DISTRICT_A) == 2
    assert split("stations", DISTRICT_A) == {"station": 1, "room": 1}
    assert value("township_station_coverage", DISTRICT_A) == pytest.approx(100 / streets)
    assert value("township_station_coverage", STREET_A) == 100
    assert value("community_room_coverage", STREET_A) == pytest.approx(100 / communities)
    assert value("stations", DISTRICT_A, LONG_AGO - datetime.timedelta(days=1)) == 0

    services.station_set_status(actor=None, station=second, status=Status.OPERATING)
    assert value("township_station_coverage", DISTRICT_A) == pytest.approx(200 / streets)
    yesterday = today() - datetime.timedelta(days=1)
    assert value("township_station_coverage", DISTRICT_A, yesterday) == pytest.approx(100 / streets)

    services.station_set_status(actor=None, station=second, status=Status.REVOKED, reason="合并")
    assert value("township_station_coverage", DISTRICT_A) == pytest.approx(100 / streets)
    assert split("stations", DISTRICT_A) == {"station": 1, "room": 1}
    assert value("stations", DISTRICT_A) == 2
    assert maintenance.verify() == (0, [])


def test_staffing_compliance_is_the_stations_own_judgement(db):
    add_region("500103", "渝中区")
    street = add_region("500103001", "七星岗街道", Region.AreaClass.URBAN)
    station = make_station(Kind.STATION, street)  # 重庆: a street station needs 2 full-time social workers
    first, *_rest = staff(station, 1)
    assert value("stations_staffing_compliance", "500103000000") == 0
    staff(station, 1)
    assert value("stations_staffing_compliance", "500103000000") == 100

    assignment = StaffAssignment.objects.get(station=station, worker=first)
    services.staff_assignment_end(actor=None, assignment=assignment, end_date=today() - datetime.timedelta(days=1))
    assert value("stations_staffing_compliance", "500103000000") == 0
    judged = rules.judge_station(station, today()).verdict(rules.STAFFING)
    assert judged.passed is False

    services.station_set_status(actor=None, station=station, status=Status.SUSPENDED, reason="整改")
    assert value("stations_staffing_compliance", "500103000000") is None  # nothing judged: no operating station
    assert maintenance.verify() == (0, [])


def test_presence_compliance_follows_check_ins_of_the_last_complete_week(world):
    room = make_station(Kind.ROOM, COMMUNITY_A)
    worker = make_worker(name="驻点乙")
    services.staff_assign(
        actor=None, station=room, worker=worker, role=StaffAssignment.Role.RESIDENT, start_date=LONG_AGO
    )
    monday, sunday = rules.last_complete_week(today())
    for day in (monday, monday + datetime.timedelta(days=1)):
        services.presence_check_in(actor=None, station=room, worker=worker, date=day, method="qr")
    assert value("rooms_presence_compliance", DISTRICT_A) == 0
    services.presence_check_in(actor=None, station=room, worker=worker, date=sunday, method="qr")
    assert value("rooms_presence_compliance", DISTRICT_A) == 100
    # The same verdict as the room's presence page (the last complete week).
    assert selectors.room_presence(room)[1].verdict.passed is True
    assert maintenance.verify() == (0, [])
