"""The demo: a point at each operating street station, a year of donations and allocations within the balances,
receipts sequential per point; loading twice changes nothing."""

import io

import pytest
from django.db.models import Sum

from shegong.charity import demo, selectors
from shegong.charity.models import Allocation, CharityPoint, Donation
from shegong.stations.tests.factories import Kind, make_station
from shegong.testing.world import STREET_A

pytestmark = pytest.mark.django_db


def test_demo_points_donations_and_allocations_within_balance():
    make_station(Kind.STATION, STREET_A, name="北京街社工站")
    make_station(Kind.STATION, "440105001000", name="海珠测试社工站")
    make_station(Kind.STATION, "440104004000", status="preparing", opened_on=None)
    out = io.StringIO()
    demo.load({"stdout": out})
    assert CharityPoint.objects.count() == 2
    assert "慈善捐赠站点：2 个" in out.getvalue()
    for point in CharityPoint.objects.all():
        sequences = list(Donation.objects.filter(point=point).order_by("sequence").values_list("sequence", flat=True))
        assert sequences == list(range(1, len(sequences) + 1)) and point.last_receipt_number == len(sequences)
        assert Allocation.objects.filter(point=point).exists()
        for line in selectors.ledger(point)["by_purpose"]:
            assert line["balance"] >= 0, line
    counts = (Donation.objects.count(), Allocation.objects.count(), Donation.objects.aggregate(s=Sum("amount"))["s"])
    demo.load({"stdout": io.StringIO()})
    assert (
        Donation.objects.count(),
        Allocation.objects.count(),
        Donation.objects.aggregate(s=Sum("amount"))["s"],
    ) == counts
