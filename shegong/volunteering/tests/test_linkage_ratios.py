"""The per-station ratio list of the linkage pages: counted like a station's own linkage page, the stations that need
attention (no active volunteers or no social worker in post) first, then the lowest ratio first; scoped."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from shegong.stations.models import StaffAssignment
from shegong.stations.tests.factories import Kind, make_station, make_worker
from shegong.testing.world import COMMUNITY_A, DISTRICT_A, STREET_A
from shegong.volunteering import selectors
from shegong.volunteering.tests.factories import make_volunteer, place
from shegong.volunteers.models import ServiceRecord

pytestmark = pytest.mark.django_db


def served(station, volunteers: int, confirmer, *, days_ago: int = 3) -> None:
    for index in range(volunteers):
        ServiceRecord.objects.create(
            volunteer=make_volunteer(f"{station.name}{index}"),
            service_date=timezone.localdate() - datetime.timedelta(days=days_ago),
            hours=Decimal("2.0"),
            content="探访",
            region_id=COMMUNITY_A,
            province_code="44",
            station=station,
            status=ServiceRecord.Status.CONFIRMED,
            recorded_by=confirmer,
            confirmed_by=confirmer,
            confirmed_at=timezone.now(),
        )


def in_post(station, count: int) -> None:
    for index in range(count):
        StaffAssignment.objects.create(
            station=station,
            worker=make_worker(name=f"社工{station.pk}-{index}", region=DISTRICT_A),
            role=StaffAssignment.Role.FULL_TIME,
            start_date=datetime.date(2024, 1, 1),
        )


@pytest.fixture
def stations(world):
    w = place(world)
    # station_a: its organiser in post; 3 active volunteers -> 3.0
    served(w.station_a, 3, w.organiser_user)
    room = make_station(Kind.ROOM, COMMUNITY_A, name="流水井社工室")  # 2 workers, 1 volunteer -> 0.5
    in_post(room, 2)
    served(room, 1, w.organiser_user)
    centre = make_station(Kind.CENTRE, DISTRICT_A, name="越秀区指导中心")  # a worker, no volunteers: attention
    in_post(centre, 1)
    served(centre, 1, w.organiser_user, days_ago=400)  # too long ago to count
    school = make_station(
        Kind.SCHOOL, STREET_A, name="北京街学校社工站", host_institution="北京街小学"
    )  # volunteers, no worker: attention
    served(school, 2, w.organiser_user)
    w.room, w.centre, w.school = room, centre, school
    return w


def test_stations_needing_attention_come_first_then_lowest_ratio(stations):
    w = stations
    rows = list(selectors.station_ratios(w.city_admin))
    mine = [row for row in rows if row.pk in {w.station_a.pk, w.room.pk, w.centre.pk, w.school.pk}]
    figures = {row.pk: (row.active_volunteers, row.social_workers, row.attention) for row in mine}
    assert figures == {w.school.pk: (2, 0, 0), w.centre.pk: (0, 1, 0), w.room.pk: (1, 2, 1), w.station_a.pk: (3, 1, 1)}
    assert [row.pk for row in mine] == [w.school.pk, w.centre.pk, w.room.pk, w.station_a.pk]
    assert [row.ratio for row in mine] == [None, 0.0, 0.5, 3.0]
    b = next(row for row in rows if row.pk == w.station_b.pk)  # nobody in post, nobody served
    assert (b.active_volunteers, b.social_workers, b.attention, b.ratio) == (0, 0, 0, None)
    assert rows.index(b) < rows.index(mine[2])
    # The same figures as the station's own linkage page.
    own = selectors.linkage(w.room)
    assert (own["active_volunteers"], own["social_workers"], own["ratio"]) == (1, 2, 0.5)


def test_the_list_page_shows_the_ratios_in_that_order_and_in_scope(client, stations):
    w = stations
    client.force_login(w.district_a_admin)
    page = client.get(reverse("volunteering:linkage_list")).content.decode()
    names = [w.school.name, w.centre.name, w.room.name, w.station_a.name]
    positions = [page.index(name) for name in names]
    assert positions == sorted(positions)
    assert w.station_b.name not in page  # district B: out of scope
    assert "0.50" in page and "3.00" in page and "无在岗社工" in page and "无志愿者" in page
