"""The aggregates follow every write of a counted record (create, edit, move, delete), a rebuild gives the same rows,
and verify reports a tampered row."""

import datetime

import pytest

from shegong.analytics import maintenance
from shegong.analytics.catalogue import indicator
from shegong.analytics.figures import Node, evaluate
from shegong.analytics.models import Aggregate
from shegong.analytics.periods import Period
from shegong.persontimes import services
from shegong.persontimes.models import PersonTime
from shegong.regions.models import Region
from shegong.stations.tests.factories import Kind, make_station
from shegong.testing.world import COMMUNITY_A, DISTRICT_A, STREET_A

pytestmark = pytest.mark.django_db

COMMUNITY_B = "440105001101"
STREET_B = "440105001000"
DAY = datetime.date(2026, 3, 14)


def total(code: str, region_code: str, period: Period) -> float | None:
    node = Node.of(Region.objects.get(pk=region_code))
    return evaluate([indicator(code)], [node], period)[(code, node)].value


@pytest.fixture
def stations(world):
    return make_station(Kind.STATION, STREET_A), make_station(Kind.STATION, STREET_B)


def test_create_edit_move_delete_keep_the_aggregates_equal_to_the_records(stations):
    station_a, station_b = stations
    year = Period(datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))
    community_a = Region.objects.get(pk=COMMUNITY_A)
    services.record(kind="activity", source_id=1, occurred_on=DAY, count=30, station=station_a, region=community_a)
    services.record(kind="case_session", source_id=2, occurred_on=DAY, count=1, station=station_a, domain="x")
    assert total("person_times", DISTRICT_A, year) == 31
    assert total("person_times", COMMUNITY_A, year) == 30
    assert total("person_times_casework", STREET_A, year) == 1

    services.record(kind="activity", source_id=1, occurred_on=DAY, count=12, station=station_b)
    assert total("person_times", DISTRICT_A, year) == 1
    assert total("person_times", STREET_B, year) == 12
    assert total("person_times", STREET_B, Period(DAY, DAY)) == 12
    assert total("person_times", STREET_B, Period(DAY + datetime.timedelta(days=1), year.end)) == 0

    services.erase(kind="activity", source_id=1)
    assert total("person_times", STREET_B, year) == 0
    assert maintenance.verify() == (0, [])


def test_rebuild_gives_the_rows_live_maintenance_wrote_and_verify_catches_tampering(stations):
    station_a, _station_b = stations
    for number in range(5):
        services.record(
            kind="group_session",
            source_id=number,
            occurred_on=DAY + datetime.timedelta(days=40 * number),
            count=number + 1,
            station=station_a,
            domain="social_assistance" if number % 2 else "",
        )
    maintenance.drain()
    live = sorted(Aggregate.objects.exclude(value=0).values_list(*Aggregate.KEY, "value"))
    maintenance.rebuild()
    assert sorted(Aggregate.objects.values_list(*Aggregate.KEY, "value")) == live
    assert maintenance.verify() == (0, [])

    row = Aggregate.objects.filter(level=3, grain="Y").first()
    Aggregate.objects.filter(pk=row.pk).update(value=row.value + 7)
    count, differences = maintenance.verify()
    assert count == 1
    assert differences[0]["prefix"] == row.prefix and differences[0]["stored"] == row.value + 7
    assert differences[0]["expected"] == row.value
    assert PersonTime.objects.count() == 5


@pytest.mark.django_db(transaction=True)
def test_a_write_queues_its_change_and_the_commit_applies_it(world):
    from django.db import transaction

    from shegong.analytics.models import PendingContribution

    station = make_station(Kind.STATION, STREET_A)
    queued = PendingContribution.objects.filter(fact="person_times")
    with transaction.atomic():
        services.record(kind="activity", source_id=9, occurred_on=DAY, count=4, station=station)
        assert queued.count() == 1
    assert not PendingContribution.objects.exists()
    assert Aggregate.objects.get(fact="person_times", level=1, grain="Y", dim="", dim2="").value == 4


def test_figures_apply_the_queue_before_reading(stations):
    station_a, _station_b = stations
    services.record(kind="activity", source_id=9, occurred_on=DAY, count=4, station=station_a)
    assert not Aggregate.objects.filter(fact="person_times").exists()
    assert total("person_times", DISTRICT_A, Period(DAY, DAY)) == 4


def test_an_edit_read_from_memory_equals_the_database_reading(stations):
    from django.db.models import Q

    from shegong.analytics.maintenance import _sources_of, instance_contributions, row_contributions

    station_a, _station_b = stations
    row = services.record(kind="activity", source_id=9, occurred_on=DAY, count=4, station=station_a, domain="x")
    source = _sources_of("persontimes.PersonTime")[0]
    assert instance_contributions(source, row) == row_contributions(source, Q(pk=row.pk))
