"""督导 and 领军人才 read through the indicator catalogue: supervisors by grade as the grade history stood on a date,
leading talents counted once per person at the highest level, following appointments, promotions, deletions and a
worker's move."""

import datetime

import pytest

from shegong.analytics import maintenance
from shegong.analytics.catalogue import indicator
from shegong.analytics.figures import Node, breakdown, evaluate
from shegong.analytics.periods import Period
from shegong.regions.models import Region
from shegong.talent import services
from shegong.talent.tests.factories import make_worker
from shegong.testing.world import CITY, DISTRICT_A, DISTRICT_B
from shegong.workers import services as worker_services

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()


def value(code: str, region: str, day: datetime.date = TODAY):
    node = Node.of(Region.objects.get(pk=region))
    return evaluate([indicator(code)], [node], Period(day, day))[(code, node)].value


def split(code: str, region: str, day: datetime.date = TODAY) -> dict:
    node = Node.of(Region.objects.get(pk=region))
    return {item: count for item, _label, count in breakdown(indicator(code), node, Period(day, day))}


def test_supervisors_by_grade_follow_the_grade_history(world):
    admin = world.city_admin
    first = services.supervisor_appoint(
        worker=make_worker(region=DISTRICT_A),
        grade="junior",
        grade_since=datetime.date(2023, 3, 1),
        approving_authority="越秀区民政局",
        actor=admin,
    )
    services.supervisor_appoint(
        worker=make_worker(region=DISTRICT_B),
        grade="trainee",
        grade_since=datetime.date(2024, 1, 1),
        approving_authority="海珠区民政局",
        actor=admin,
    )
    services.supervisor_change_grade(
        profile=first, changed_on=datetime.date(2025, 6, 1), approving_authority="广州市民政局", actor=admin
    )

    assert value("supervisors", CITY) == 2
    assert split("supervisors", CITY) == {"intermediate": 1, "trainee": 1}
    assert split("supervisors", DISTRICT_A, datetime.date(2025, 5, 31)) == {"junior": 1}
    assert value("supervisors", CITY, datetime.date(2023, 12, 31)) == 1
    assert value("supervisors", CITY, datetime.date(2023, 2, 28)) == 0

    worker_services.worker_update(actor=admin, worker=first.worker, region=Region.objects.get(pk=DISTRICT_B))
    assert value("supervisors", DISTRICT_A) == 0
    assert split("supervisors", DISTRICT_B) == {"intermediate": 1, "trainee": 1}
    assert maintenance.verify() == (0, [])


def test_a_leading_talent_counts_once_at_the_highest_level(world):
    admin = world.city_admin
    worker = make_worker(region=DISTRICT_A)
    services.leading_talent_create(worker=worker, level="municipal", selected_year=2019, field="社会救助", actor=admin)
    national = services.leading_talent_create(
        worker=worker, level="national", selected_year=2022, field="社会救助", actor=admin
    )
    services.leading_talent_create(
        worker=make_worker(region=DISTRICT_B), level="provincial", selected_year=2021, field="社区治理", actor=admin
    )

    assert value("leading_talents", CITY) == 2
    assert split("leading_talents", CITY) == {"national": 1, "provincial": 1}
    assert split("leading_talents", CITY, datetime.date(2020, 6, 1)) == {"municipal": 1}
    assert value("leading_talents", DISTRICT_A, datetime.date(2018, 12, 31)) == 0

    services.leading_talent_delete(talent=national, actor=admin)
    assert split("leading_talents", DISTRICT_A) == {"municipal": 1}
    assert value("leading_talents", CITY) == 2
    assert maintenance.verify() == (0, [])
