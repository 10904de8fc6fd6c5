"""登记即将到期 and 有效登记 read through the indicator catalogue: expiries counted in the period they fall in, valid
registrations as of a date, through renewal (已再登记), expiry (已到期) and a worker moving district."""

import datetime

import pytest

from shegong.analytics import maintenance
from shegong.analytics.catalogue import indicator
from shegong.analytics.figures import Node, evaluate
from shegong.analytics.periods import Period
from shegong.regions.models import Region
from shegong.registration import services
from shegong.registration.models import Registration
from shegong.registration.tests.factories import make_certificate, make_training, make_worker, registered
from shegong.talent.tests.factories import make_worker as make_employed_worker
from shegong.testing.world import CITY, DISTRICT_A, DISTRICT_B
from shegong.workers import services as worker_services

pytestmark = pytest.mark.django_db

UNTIL = datetime.date(2026, 6, 30)
NEXT_90_DAYS = Period(datetime.date(2026, 4, 1), datetime.date(2026, 6, 29) + datetime.timedelta(days=1))


def value(code: str, region: str, period: Period):
    node = Node.of(Region.objects.get(pk=region))
    return evaluate([indicator(code)], [node], period)[(code, node)].value


def on(day: datetime.date) -> Period:
    return Period(day, day)


def test_expiring_counts_registrations_ending_in_the_period_and_valid_counts_them_until_their_last_day(world):
    first = registered(make_certificate(make_worker()), world, valid_until=UNTIL)
    registered(make_certificate(make_worker()), world, valid_until=datetime.date(2027, 3, 31))
    registered(make_certificate(make_worker(region=DISTRICT_B)), world, valid_until=UNTIL)

    assert value("registrations_expiring", CITY, NEXT_90_DAYS) == 2
    assert value("registrations_expiring", DISTRICT_A, NEXT_90_DAYS) == 1
    assert value("registrations_expiring", CITY, Period(datetime.date(2027, 1, 1), datetime.date(2027, 12, 31))) == 1
    assert value("registrations_valid", CITY, on(UNTIL)) == 3
    assert value("registrations_valid", CITY, on(UNTIL + datetime.timedelta(days=1))) == 1
    assert value("registrations_valid", CITY, on(first.valid_from - datetime.timedelta(days=1))) == 0

    # Expiry (已到期) ends the need to act, not the history of validity.
    services.registrations_expire(today=UNTIL + datetime.timedelta(days=1))
    assert value("registrations_expiring", CITY, NEXT_90_DAYS) == 0
    assert value("registrations_valid", CITY, on(UNTIL)) == 3
    assert maintenance.verify() == (0, [])


def test_a_renewal_leaves_the_expiring_count_and_keeps_the_worker_valid_throughout(world):
    worker = make_employed_worker()
    previous = registered(make_certificate(worker), world, valid_until=UNTIL)
    make_training(worker, hours="90", end=datetime.date(2025, 3, 1), days=10, verified_by=world.district_a_admin)
    assert value("registrations_expiring", DISTRICT_A, NEXT_90_DAYS) == 1

    renewal = services.registration_renew(previous=previous, actor=world.city_admin, today=datetime.date(2026, 4, 1))
    services.registration_first_approve(
        registration=renewal, actor=world.district_a_admin, today=datetime.date(2026, 4, 2)
    )
    services.registration_final_approve(registration=renewal, actor=world.city_admin, today=datetime.date(2026, 4, 3))
    assert value("registrations_valid", DISTRICT_A, on(datetime.date(2026, 7, 1))) == 0
    services.registration_register(registration=renewal, actor=world.city_admin, today=datetime.date(2026, 4, 5))

    assert Registration.objects.get(pk=previous.pk).state == Registration.State.SUPERSEDED
    assert value("registrations_expiring", DISTRICT_A, NEXT_90_DAYS) == 0
    assert value("registrations_expiring", DISTRICT_A, on(datetime.date(2029, 6, 30))) == 1
    for day in (UNTIL, UNTIL + datetime.timedelta(days=1), datetime.date(2029, 6, 30)):
        assert value("registrations_valid", DISTRICT_A, on(day)) == 1
    assert value("registrations_valid", DISTRICT_A, on(datetime.date(2029, 7, 1))) == 0

    # The worker moves to district B: their registrations move with them.
    worker_services.worker_update(actor=world.city_admin, worker=worker, region=Region.objects.get(pk=DISTRICT_B))
    assert value("registrations_valid", DISTRICT_A, on(UNTIL)) == 0
    assert value("registrations_valid", DISTRICT_B, on(UNTIL)) == 1
    assert maintenance.verify() == (0, [])
