"""Charity points, donations and allocations in the indicator catalogue (money in 元, goods at their estimated value),
in the region of the point's station."""

import datetime

import pytest

from shegong.analytics import maintenance
from shegong.analytics.catalogue import indicator
from shegong.analytics.figures import Node, breakdown, evaluate
from shegong.analytics.periods import Period
from shegong.charity import services
from shegong.charity.models import Allocation, Kind
from shegong.charity.tests.factories import STREET_B, allocate, give, make_point
from shegong.regions.models import Region
from shegong.testing.world import DISTRICT_A, DISTRICT_B

pytestmark = pytest.mark.django_db

MARCH = Period(datetime.date(2025, 3, 1), datetime.date(2025, 3, 31))
YEAR = Period(datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))


def value(code: str, region: str, period: Period):
    node = Node.of(Region.objects.get(pk=region))
    return evaluate([indicator(code)], [node], period)[(code, node)].value


def test_donations_allocations_and_points(world):
    here, there = make_point(name="北京街社工站"), make_point(STREET_B, name="沙园街社工站")
    give(here, "100.50")
    give(here, "300", kind=Kind.GOODS)
    give(here, "20", anonymous=True, on=datetime.date(2025, 5, 2))
    give(there, "1000")
    assert value("charity_money_received", DISTRICT_A, MARCH) == 100.5
    assert value("charity_money_received", DISTRICT_A, YEAR) == 120.5
    assert value("charity_goods_received", DISTRICT_A, YEAR) == 300
    assert value("charity_donations", DISTRICT_A, YEAR) == 3
    assert value("charity_money_received", DISTRICT_B, YEAR) == 1000

    allocate(here, "50.25")
    allocate(here, "60", target=Allocation.Target.POINT, to_point=there)  # received there as a donation
    assert value("charity_money_allocated", DISTRICT_A, YEAR) == 110.25
    assert value("charity_money_received", DISTRICT_B, YEAR) == 1060
    node = Node.of(Region.objects.get(pk=DISTRICT_A))
    targets = {code: total for code, _label, total in breakdown(indicator("charity_allocations"), node, YEAR)}
    assert targets == {"group": 1, "point": 1}

    assert value("charity_points", DISTRICT_A, YEAR) == 1
    assert value("charity_points", DISTRICT_A, Period(datetime.date(2023, 1, 1), datetime.date(2023, 12, 31))) == 0
    services.point_set_status(actor=None, point=here, status="suspended")
    assert value("charity_points", DISTRICT_A, YEAR) == 0
    assert value("charity_points", DISTRICT_B, YEAR) == 1
    assert maintenance.verify() == (0, [])
