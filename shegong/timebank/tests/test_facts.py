"""Time-bank accounts and hours through the ledger in the indicator catalogue: grants, exchanges, reversals and pool
donations counted by direction and kind, in each account's region."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from shegong.analytics import maintenance
from shegong.analytics.catalogue import indicator
from shegong.analytics.figures import Node, breakdown, evaluate
from shegong.analytics.periods import Period
from shegong.regions.models import Region
from shegong.testing.world import DISTRICT_A, DISTRICT_B
from shegong.timebank import services
from shegong.timebank.models import Movement
from shegong.timebank.tests.factories import (
    COMMUNITY_A,
    COMMUNITY_B,
    funded,
    resident_account,
    station_a,
    volunteer_account,
)

pytestmark = pytest.mark.django_db


def value(code: str, region: str, period: Period):
    node = Node.of(Region.objects.get(pk=region))
    return evaluate([indicator(code)], [node], period)[(code, node)].value


def test_accounts_and_hours_follow_the_ledger(world):
    today = timezone.localdate()
    day = Period(today, today)
    before = Period(today - datetime.timedelta(days=7), today - datetime.timedelta(days=1))
    helper, neighbour = volunteer_account("甲", COMMUNITY_A), resident_account("乙", COMMUNITY_A)
    volunteer_account("丙", COMMUNITY_B)
    funded(neighbour, 5)  # a grant from the street station's account: 5 in, 5 out
    offer = services.offer_post(
        account=helper, kind="offer", category="company", title="陪伴聊天", hours=Decimal(2), actor=None
    )
    services.offer_respond(offer=offer, account=neighbour, actor=None)
    services.offer_confirm(offer=offer, actor=None)  # the installation confirms for both sides: 2 hours move
    assert value("timebank_hours_exchanged", DISTRICT_A, day) == 2
    assert Movement.objects.count() == 4

    exchange = offer.transfer
    services.reverse(transfer=exchange, reason="误操作", actor=None)
    services.donate_to_pool(account=neighbour, station=station_a(), hours=Decimal(1), actor=None)

    assert value("timebank_hours_deposited", DISTRICT_A, day) == 10  # 5 grant + 2 exchange + 2 reversal + 1 donation
    assert value("timebank_hours_spent", DISTRICT_A, day) == 10
    assert value("timebank_hours_exchanged", DISTRICT_A, day) == 2  # the reversal is shown as such
    assert value("timebank_hours_donated", DISTRICT_A, day) == 1
    assert value("timebank_hours_deposited", DISTRICT_B, day) == 0
    assert value("timebank_hours_deposited", DISTRICT_A, before) == 0
    node = Node.of(Region.objects.get(pk=DISTRICT_A))
    kinds = {code: total for code, _label, total in breakdown(indicator("timebank_hours_spent"), node, day)}
    assert kinds == {"grant": 5, "exchange": 2, "reversal": 2, "donation": 1}

    # Personal accounts only: the station's account and its pool are not members.
    assert value("timebank_member_accounts", DISTRICT_A, day) == 2
    assert value("timebank_member_accounts", DISTRICT_B, day) == 1
    assert value("timebank_member_accounts", DISTRICT_A, before) == 0
    assert maintenance.verify() == (0, [])
