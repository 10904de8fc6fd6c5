"""持证社会工作者 and 人才库在库社工 read through the indicator catalogue follow the certificates and the register: a
worker counts once at the highest level held, from the year it was passed, and stops counting when they leave."""

import datetime

import pytest

from shegong.analytics import maintenance
from shegong.analytics.catalogue import indicator
from shegong.analytics.figures import Node, evaluate
from shegong.analytics.periods import Period
from shegong.regions.models import Region
from shegong.talent.tests.factories import make_worker
from shegong.testing.world import CITY, DISTRICT_A, DISTRICT_B
from shegong.workers import services
from shegong.workers.models import Certificate

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()
_numbers = iter(range(1, 10_000))


def value(code: str, region: str, day: datetime.date = TODAY):
    node = Node.of(Region.objects.get(pk=region))
    return evaluate([indicator(code)], [node], Period(day, day))[(code, node)].value


def breakdown(code: str, region: str, day: datetime.date = TODAY) -> dict:
    from shegong.analytics.figures import breakdown as split

    node = Node.of(Region.objects.get(pk=region))
    return {level: count for level, _label, count in split(indicator(code), node, Period(day, day))}


def certify(actor, worker, level: str, year: int) -> Certificate:
    return services.certificate_add(
        actor=actor, worker=worker, level=level, number=f"FACT{next(_numbers):06d}", year_passed=year
    )


def test_a_worker_counts_once_at_the_highest_level_from_the_year_passed(world):
    admin = world.city_admin
    worker = make_worker(region=DISTRICT_A)
    certify(admin, worker, "assistant", 2015)
    certify(admin, worker, "intermediate", 2019)
    other = make_worker(region=DISTRICT_B)
    certify(admin, other, "senior", 2020)

    assert value("certified_workers", CITY) == 2
    assert value("certified_workers", DISTRICT_A) == 1
    assert breakdown("certified_workers", CITY) == {"intermediate": 1, "senior": 1}
    assert value("certified_workers_intermediate_up", CITY) == 2
    # History: in 2016 the district-A worker was an 助理, and nobody was certified in 2014.
    assert breakdown("certified_workers", DISTRICT_A, datetime.date(2016, 6, 1)) == {"assistant": 1}
    assert value("certified_workers_intermediate_up", CITY, datetime.date(2016, 6, 1)) == 0
    assert value("certified_workers", CITY, datetime.date(2014, 12, 31)) == 0
    assert maintenance.verify() == (0, [])


def test_removing_a_certificate_moving_and_leaving_change_the_count(world):
    admin = world.city_admin
    worker = make_worker(region=DISTRICT_A)
    certify(admin, worker, "assistant", 2015)
    higher = certify(admin, worker, "intermediate", 2019)

    services.certificate_remove(actor=admin, certificate=higher)
    assert breakdown("certified_workers", CITY) == {"assistant": 1}

    services.worker_update(actor=admin, worker=worker, region=Region.objects.get(pk=DISTRICT_B))
    assert value("certified_workers", DISTRICT_A) == 0
    assert value("certified_workers", DISTRICT_B) == 1
    assert value("workers", DISTRICT_B) == 1

    services.worker_update(actor=admin, worker=worker, status="left")
    assert value("certified_workers", CITY) == 0
    assert value("workers", CITY) == 0
    assert maintenance.verify() == (0, [])


def test_workers_in_the_pool_count_from_their_entry(world):
    make_worker(region=DISTRICT_A)
    make_worker(region=DISTRICT_A, status="retired")
    assert value("workers", DISTRICT_A) == 1
    assert value("workers", DISTRICT_A, TODAY - datetime.timedelta(days=1)) == 0
    assert value("certified_workers", DISTRICT_A) == 0
