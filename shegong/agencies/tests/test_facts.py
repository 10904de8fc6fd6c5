"""Agencies by rating read through the indicator catalogue: the rating in force on each date (a newer rating replaces
an older one, a rating lapses at its valid_until), 3A-or-above agencies, and the counties with at least two 民办
agencies rated 3A or above (seed 004 江苏)."""

import datetime

import pytest
from django.utils import timezone

from shegong.agencies import services
from shegong.agencies.facts import rating_timeline
from shegong.agencies.tests.conftest import code
from shegong.analytics import maintenance
from shegong.analytics.catalogue import indicator
from shegong.analytics.figures import Node, breakdown, evaluate
from shegong.analytics.periods import Period
from shegong.regions.models import Region
from shegong.testing.world import CITY, DISTRICT_A, DISTRICT_B

pytestmark = pytest.mark.django_db


def today() -> datetime.date:
    return timezone.localdate()


def days_ago(days: int) -> datetime.date:
    return today() - datetime.timedelta(days=days)


def value(code_: str, region: str, day: datetime.date | None = None):
    day = day or today()
    node = Node.of(Region.objects.get(pk=region))
    return evaluate([indicator(code_)], [node], Period(day, day))[(code_, node)].value


def split(region: str, day: datetime.date | None = None) -> dict:
    day = day or today()
    node = Node.of(Region.objects.get(pk=region))
    return {item: count for item, _label, count in breakdown(indicator("agencies"), node, Period(day, day))}


def new_agency(world, serial: int, region: str = DISTRICT_A, legal_form: str = "social_service"):
    return services.agency_create(
        actor=world.city_admin,
        name=f"测试机构{serial}",
        credit_code=code(serial, region[:6]),
        legal_form=legal_form,
        region=Region.objects.get(pk=region),
    )


def rate(world, agency, level: int, score: int, rated_on: datetime.date):
    return services.agency_rate(
        actor=world.city_admin, agency=agency, level=level, score=score, rated_on=rated_on, source_document="评估公告"
    )


def test_the_rating_in_force_moves_the_agency_between_levels():
    start = datetime.date(2015, 1, 1)
    ratings = [
        (datetime.date(2016, 3, 1), datetime.date(2021, 3, 1), 3),
        (datetime.date(2019, 5, 1), datetime.date(2024, 5, 1), 4),
    ]
    assert rating_timeline(start, ratings) == [
        (start, "0"),
        (datetime.date(2016, 3, 1), "3"),
        (datetime.date(2019, 5, 1), "4"),
        (datetime.date(2024, 5, 1), "0"),
    ]


def test_agencies_by_rating_3a_up_and_counties_with_two(world):
    counties = Region.objects.filter(level=3, code__startswith="4401").count()
    second = new_agency(world, 1001)
    public = new_agency(world, 1002, legal_form="public_institution")
    assert value("agencies", CITY) == 4  # the world's two and these two, all 未评级
    assert split(CITY) == {"0": 4}

    rate(world, world.agency_a, 3, 705, days_ago(9))
    rate(world, second, 4, 850, days_ago(30))
    rate(world, public, 5, 950, days_ago(30))
    assert value("agencies_3a_up", CITY) == 3
    assert split(DISTRICT_A) == {"3": 1, "4": 1, "5": 1}
    assert value("agencies_3a_up", DISTRICT_A, days_ago(20)) == 2  # agency A was not rated yet
    assert value("counties_2_agencies_3a", CITY) == pytest.approx(100 / counties)
    assert value("counties_2_agencies_3a", DISTRICT_A) == 100
    assert value("counties_2_agencies_3a", DISTRICT_B) == 0

    # A newer, lower rating replaces the 4A: district A keeps one 民办 3A+ agency only.
    rate(world, second, 2, 650, days_ago(2))
    assert split(DISTRICT_A) == {"2": 1, "3": 1, "5": 1}
    assert value("counties_2_agencies_3a", CITY) == 0
    assert value("counties_2_agencies_3a", CITY, days_ago(3)) == pytest.approx(100 / counties)

    # Moving an agency moves its rating with it.
    services.agency_update(actor=world.city_admin, agency=world.agency_a, region=Region.objects.get(pk=DISTRICT_B))
    assert split(DISTRICT_B) == {"0": 1, "3": 1}
    assert value("agencies", DISTRICT_A) == 2
    assert maintenance.verify() == (0, [])


def test_a_lapsed_rating_stops_counting(world):
    rated_on = days_ago(5 * 366 + 10)
    rating = rate(world, world.agency_b, 3, 720, rated_on)
    assert rating.valid_until <= today()
    assert value("agencies_3a_up", DISTRICT_B, rated_on) == 1
    assert value("agencies_3a_up", DISTRICT_B, rating.valid_until - datetime.timedelta(days=1)) == 1
    assert value("agencies_3a_up", DISTRICT_B, rating.valid_until) == 0
    assert split(DISTRICT_B) == {"0": 1}
    assert maintenance.verify() == (0, [])
