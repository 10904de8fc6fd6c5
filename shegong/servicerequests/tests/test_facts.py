"""Requests received, first-response times (median), the share answered within the deadline and the residents'
average rating in the indicator catalogue, on known requests with a controlled clock."""

import datetime

import pytest
from django.utils import timezone

from shegong.analytics import maintenance
from shegong.analytics.catalogue import indicator
from shegong.analytics.figures import Node, breakdown, evaluate
from shegong.analytics.periods import Period
from shegong.regions.models import Region
from shegong.servicerequests import services
from shegong.servicerequests.facts import bucket
from shegong.servicerequests.tests.factories import COMMUNITY_B, Network, submit
from shegong.servicerequests.tests.test_dispatch import sla
from shegong.testing.world import DISTRICT_A, DISTRICT_B

pytestmark = pytest.mark.django_db


class Clock:
    def __init__(self, start: datetime.datetime):
        self.now = start

    def __call__(self):
        return self.now

    def at(self, start: datetime.datetime, **delta):
        self.now = start + datetime.timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    # Yesterday 01:00 (local): every write of a test stays within that day and in the past.
    local = timezone.localtime(timezone.now()) - datetime.timedelta(days=1)
    clock = Clock(local.replace(hour=1, minute=0, second=0, microsecond=0))
    monkeypatch.setattr(timezone, "now", clock)
    return clock


def value(code: str, region: str, period: Period):
    node = Node.of(Region.objects.get(pk=region))
    return evaluate([indicator(code)], [node], period)[(code, node)].value


def test_buckets_are_upper_bounds_in_minutes():
    assert [bucket(minutes) for minutes in (0, 30, 31, 61, 1440, 10080, 10081)] == [
        "00030",
        "00030",
        "00060",
        "00120",
        "01440",
        "10080",
        "99999",
    ]


def respond(net, request, clock, start, accept=True, **delta):
    clock.at(start, **delta)
    head = net.world.station_head_a
    if not accept:
        return services.request_dismiss(request=request, actor=head, reason="重复提交")
    services.request_assign(request=request, worker=net.resident, actor=head)
    return services.request_accept(request=request, actor=net.resident_user)


def test_received_response_times_service_level_and_satisfaction(world, clock):
    net = Network(world)
    start = clock.now
    day = Period(start.date(), start.date())
    untimed = submit()  # no rule in force yet: no deadline
    sla(world, 2)
    quick, slow, waiting = submit(), submit(), submit()
    submit(COMMUNITY_B)
    assert quick.due_at is not None and untimed.due_at is None

    respond(net, untimed, clock, start, minutes=90)
    respond(net, quick, clock, start, minutes=20)
    respond(net, slow, clock, start, accept=False, hours=3)

    assert value("requests_received", DISTRICT_A, day) == 4
    assert value("requests_received", DISTRICT_B, day) == 1
    # Three responses: 20 min (00030), 90 min (00120), 180 min (00240): the median is the 2-hour bucket.
    assert value("request_response_median", DISTRICT_A, day) == 2
    assert value("request_response_median", DISTRICT_B, day) is None
    # Of the two with a deadline (2 hours), one came within it.
    assert value("request_within_sla", DISTRICT_A, day) == 50
    node = Node.of(Region.objects.get(pk=DISTRICT_A))
    domains = {code: total for code, _label, total in breakdown(indicator("requests_received"), node, day)}
    assert domains == {"social_assistance": 4}

    clock.at(start, hours=4)
    services.request_close(request=quick, actor=net.resident_user, note="已上门探访")
    services.request_rate(tracking_code=quick.tracking_code, rating=4)
    services.request_close(request=untimed, actor=net.resident_user, note="已上门探访")
    services.request_rate(tracking_code=untimed.tracking_code, rating=5)
    assert value("request_satisfaction", DISTRICT_A, day) == 4.5
    assert value("request_satisfaction", DISTRICT_B, day) is None
    waiting.refresh_from_db()
    assert waiting.first_response_at is None
    assert maintenance.verify() == (0, [])
