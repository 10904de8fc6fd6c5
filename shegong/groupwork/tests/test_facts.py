"""Group sessions and community activities held in the indicator catalogue follow recording, a domain change of the
group and deletion."""

import datetime

import pytest

from shegong.analytics import maintenance
from shegong.analytics.catalogue import indicator
from shegong.analytics.figures import Node, breakdown, evaluate
from shegong.analytics.periods import Period
from shegong.groupwork import services
from shegong.groupwork.models import GroupWork
from shegong.groupwork.tests.factories import (
    COMMUNITY_A,
    COMMUNITY_B,
    DAY,
    STREET_A,
    STREET_B,
    Kind,
    make_activity,
    make_group,
    make_station,
    make_worker,
)
from shegong.regions.models import Region
from shegong.talent.tests.factories import domain
from shegong.testing.world import DISTRICT_A, DISTRICT_B

pytestmark = pytest.mark.django_db

MARCH = Period(datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))


def value(code: str, region: str, period: Period):
    node = Node.of(Region.objects.get(pk=region))
    return evaluate([indicator(code)], [node], period)[(code, node)].value


def test_sessions_and_activities_held(world):
    station = make_station(Kind.STATION, STREET_A, agency=world.agency_a)
    leader = make_worker(region=STREET_A + "000")
    group = make_group(station, leader, stage=GroupWork.Stage.FORMATION, region=Region.objects.get(pk=COMMUNITY_A))
    member = services.member_add(actor=None, group=group, name="甲", joined_on=DAY)
    first = services.session_record(actor=None, group=group, held_on=DAY, theme="破冰", present=[member])
    services.session_record(actor=None, group=group, held_on=DAY + datetime.timedelta(days=7), theme="分享", present=[])
    make_activity(station, leader, COMMUNITY_A)
    make_activity(make_station(Kind.STATION, STREET_B), leader, COMMUNITY_B)
    assert value("group_sessions", DISTRICT_A, MARCH) == 2
    assert value("community_activities", DISTRICT_A, MARCH) == 1
    assert value("community_activities", DISTRICT_B, MARCH) == 1

    domain("elderly", "老年")
    services.group_update(actor=None, group=group, domain="elderly")
    node = Node.of(Region.objects.get(pk=DISTRICT_A))
    assert [(code, total) for code, _label, total in breakdown(indicator("group_sessions"), node, MARCH)] == [
        ("elderly", 2)
    ]
    services.session_delete(actor=None, session=first)
    assert value("group_sessions", DISTRICT_A, MARCH) == 1
    assert maintenance.verify() == (0, [])
