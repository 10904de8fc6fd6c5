"""The time-bank demo on a small run: the ledger balances, the demo login has a balance and a history, the demo
limits are in the 广州 profile, and a second load changes nothing."""

import io
from decimal import Decimal

import pytest
from django.db.models import Sum

from shegong.policies.models import PolicyRule
from shegong.timebank import demo
from shegong.timebank.models import Account, Movement, Offer, Transfer
from shegong.timebank.tests.factories import make_user, station_a, station_b
from shegong.volunteers.tests.factories import make_volunteer

pytestmark = pytest.mark.django_db


def test_demo_loads_once(monkeypatch, world):
    monkeypatch.setattr(demo, "EXCHANGES", 60)
    monkeypatch.setattr(demo, "DONATIONS", 20)
    station_a(), station_b()
    make_user("gz_admin", "civil_affairs_admin", region="440100000000")
    login = make_user("volunteer", "volunteer", region="440105000000")
    # Volunteers as the volunteers demo leaves them (the demo login linked); their accounts are the demo's to open.
    for name in "甲乙丙丁":
        make_volunteer(name, "440104003104")
    mine = make_volunteer("戊", "440105001101")
    for name in "己庚":
        make_volunteer(name, "440105001101")
    mine.account = login
    mine.save(update_fields=["account"])
    demo.load({"stdout": io.StringIO()})
    assert Transfer.objects.count() > 40
    for transfer in Transfer.objects.prefetch_related("movements"):
        assert sum(m.amount for m in transfer.movements.all()) == 0
    for account in Account.objects.all():
        total = Movement.objects.filter(account=account).aggregate(t=Sum("amount"))["t"] or 0
        assert account.balance == Decimal(total).quantize(Decimal("0.01"))
        if account.is_personal:
            assert 0 <= account.balance <= 200
        last = Movement.objects.filter(account=account).order_by("-pk").first()
        assert last is None or last.balance_after == account.balance
    star = Account.objects.get(volunteer__account=login)
    assert star.movements.count() >= 2
    assert Offer.objects.filter(status="open").exists()
    assert PolicyRule.objects.filter(kind__startswith="timebank_", source_text="演示设定").count() == 3
    counts = (Account.objects.count(), Transfer.objects.count(), Movement.objects.count())
    demo.load({"stdout": io.StringIO()})
    assert (Account.objects.count(), Transfer.objects.count(), Movement.objects.count()) == counts
