"""Scope on every page and endpoint: 200 (or the action's redirect) in scope, 404 out of scope, 403 without the
permission, 302/401 signed out; and what the pages do."""

import json
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.urls import reverse

from shegong.recipients.tests.factories import withdraw
from shegong.testing.matrix import assert_matrix
from shegong.timebank import services
from shegong.timebank.models import Account, Movement, Offer, Transfer
from shegong.timebank.tests.factories import (
    COMMUNITY_A,
    COMMUNITY_B,
    funded,
    make_user,
    resident_account,
    station_a,
    volunteer_account,
)

pytestmark = pytest.mark.django_db

OVERSEE_A = {"city_admin": 200, "district_a_admin": 200, "station_head_a": 200}
OUT_OF_A = {"district_b_admin": 404, "worker_b": 404, "outsider": 404, "agency_admin_a": 404}
VIEWERS = [
    "city_admin",
    "district_a_admin",
    "district_b_admin",
    "station_head_a",
    "agency_admin_a",
    "worker_b",
    "outsider",
]


@pytest.fixture
def placed(world):
    vol = make_user("tb_vol", "volunteer", region=COMMUNITY_A)
    acc_a = funded(volunteer_account("志愿甲", COMMUNITY_A, user=vol), 10)
    acc_b = funded(volunteer_account("志愿乙", COMMUNITY_B), 10)
    donation = services.donate_to_pool(account=acc_a, station=station_a(), hours=1, actor=None)
    offer_a = services.offer_post(account=acc_a, kind="offer", category="repair", title="修水龙头", hours=1, actor=vol)
    offer_b = services.offer_post(
        account=acc_b, kind="request", category="escort", title="陪同复诊（海珠）", hours=2, actor=None
    )
    return SimpleNamespace(
        world=world, vol=vol, acc_a=acc_a, acc_b=acc_b, donation=donation, offer_a=offer_a, offer_b=offer_b
    )


def check(client, placed, url, expected, default=403, **kwargs):
    assert_matrix(client, placed.world, url, expected, default=default, users={"vol": placed.vol}, **kwargs)


def test_account_pages(client, placed):
    everyone_viewing = {name: 200 for name in VIEWERS}
    check(client, placed, reverse("timebank:accounts"), {"anonymous": 302, **everyone_viewing, "vol": 403})
    check(
        client,
        placed,
        reverse("timebank:export"),
        {"anonymous": 302, **everyone_viewing, "vol": 403},
        method="post",
    )
    url = reverse("timebank:account", args=[placed.acc_a.pk])
    check(client, placed, url, {"anonymous": 302, **OVERSEE_A, **OUT_OF_A, "vol": 403})
    url_b = reverse("timebank:account", args=[placed.acc_b.pk])
    check(
        client,
        placed,
        url_b,
        {
            "anonymous": 302,
            "city_admin": 200,
            "district_b_admin": 200,
            "worker_b": 200,
            "district_a_admin": 404,
            "station_head_a": 404,
            "outsider": 404,
            "agency_admin_a": 404,
            "vol": 403,
        },
    )
    pool = reverse("timebank:pool", args=[station_a().pk])
    check(client, placed, pool, {"anonymous": 302, **OVERSEE_A, **OUT_OF_A, "vol": 403})
    export = reverse("timebank:statement_export", args=[placed.acc_a.pk])
    check(client, placed, export, {"anonymous": 302, **OVERSEE_A, **OUT_OF_A, "vol": 200}, method="post")


def test_my_timebank_and_offer_pages(client, placed):
    offer_viewers = {name: 200 for name in VIEWERS}
    check(client, placed, reverse("timebank:my"), {"anonymous": 302, **offer_viewers, "vol": 200})
    check(client, placed, reverse("timebank:offers"), {"anonymous": 302, **offer_viewers, "vol": 200})
    check(
        client,
        placed,
        reverse("timebank:offer_create"),
        {"anonymous": 302, "station_head_a": 200, "agency_admin_a": 200, "vol": 200},
    )
    url = reverse("timebank:offer", args=[placed.offer_a.pk])
    check(client, placed, url, {"anonymous": 302, **OVERSEE_A, **OUT_OF_A, "vol": 200})
    client.force_login(placed.vol)
    page = client.get(reverse("timebank:my")).content.decode()
    assert "余额 9.00 小时" in page and "捐入互助池" in page
    board = client.get(reverse("timebank:offers")).content.decode()
    assert "修水龙头" in board and "陪同复诊（海珠）" not in board  # offer_b lies in district B


def test_actions_are_scoped(client, placed):
    donate = reverse("timebank:donate", args=[placed.acc_a.pk])
    check(
        client,
        placed,
        donate,
        {"anonymous": 302, "station_head_a": 302, "vol": 302, "city_admin": 404, "district_a_admin": 404, **OUT_OF_A},
        method="post",
        data={"hours": "0.5"},
    )
    assert Account.objects.get(pk=placed.acc_a.pk).balance == Decimal("8.00")  # two donations of 0.5 h
    family = reverse("timebank:family", args=[placed.acc_a.pk])
    check(
        client,
        placed,
        family,
        {"anonymous": 302, "station_head_a": 302, "vol": 302, "city_admin": 404, "district_a_admin": 404, **OUT_OF_A},
        method="post",
        data={"target": placed.acc_b.pk, "relation": "母子", "hours": "1"},
    )
    reverse_url = reverse("timebank:reverse", args=[placed.donation.pk])
    check(
        client,
        placed,
        reverse_url,
        {"anonymous": 302, "station_head_a": 302, "agency_admin_a": 404},
        method="post",
        data={"reason": "录错"},
    )
    assert Transfer.objects.filter(reversal_of=placed.donation).count() == 1
    respond = reverse("timebank:offer_respond", args=[placed.offer_a.pk])
    check(
        client,
        placed,
        respond,
        {"anonymous": 302, "station_head_a": 302, "vol": 302, "agency_admin_a": 404},
        method="post",
        data={"account": placed.acc_a.pk},
    )
    confirm = reverse("timebank:offer_confirm", args=[placed.offer_a.pk])
    check(
        client,
        placed,
        confirm,
        {"anonymous": 302, **{n: 302 for n in VIEWERS}, "vol": 302, **OUT_OF_A},
        method="post",
    )


def test_api_is_scoped(client, placed):
    a = placed.acc_a.pk
    in_a = {"anonymous": 401, **OVERSEE_A, **OUT_OF_A, "vol": 200}
    check(client, placed, f"/api/v1/timebank/accounts/{a}/balance", in_a)
    check(client, placed, f"/api/v1/timebank/accounts/{a}/statement", in_a)
    viewers = {name: 200 for name in VIEWERS}
    check(client, placed, "/api/v1/timebank/offers/", {"anonymous": 401, **viewers, "vol": 200})
    check(
        client,
        placed,
        f"/api/v1/timebank/offers/{placed.offer_a.pk}/confirm",
        {"anonymous": 401, **{n: 422 for n in VIEWERS}, **OUT_OF_A, "vol": 422},
        method="post",
    )
    check(
        client,
        placed,
        "/api/v1/timebank/offers/",
        {"anonymous": 401, "station_head_a": 201, "vol": 201, "agency_admin_a": 404},
        method="post",
        data=json.dumps({"account": a, "kind": "request", "category": "tutoring", "title": "作业辅导", "hours": "1.5"}),
        content_type="application/json",
    )
    client.force_login(placed.vol)
    body = client.get(f"/api/v1/timebank/accounts/{a}/balance").json()
    assert Decimal(str(body["balance"])) == Decimal(9)
    assert Offer.objects.filter(title="作业辅导").count() == 2


def test_the_exchange_through_the_pages_moves_hours_once(client, placed):
    keeper = placed.world.station_head_a
    resident = funded(resident_account("陈婆婆"), 3)
    client.force_login(keeper)
    client.post(reverse("timebank:offer_respond", args=[placed.offer_a.pk]), {"account": resident.pk})
    client.post(reverse("timebank:offer_confirm", args=[placed.offer_a.pk]))
    client.force_login(placed.vol)
    client.post(reverse("timebank:offer_confirm", args=[placed.offer_a.pk]))
    client.post(reverse("timebank:offer_confirm", args=[placed.offer_a.pk]))
    assert Account.objects.get(pk=resident.pk).balance == 2
    assert Account.objects.get(pk=placed.acc_a.pk).balance == 10
    assert Movement.objects.filter(transfer__exchange=placed.offer_a).count() == 2


def test_a_withdrawn_resident_vanishes_from_lists_and_api(client, placed):
    resident = funded(resident_account("撤回者"), 2)
    client.force_login(placed.world.city_admin)
    assert "撤回者" in client.get(reverse("timebank:accounts")).content.decode()
    withdraw(resident.recipient)
    assert "撤回者" not in client.get(reverse("timebank:accounts")).content.decode()
    assert client.get(reverse("timebank:account", args=[resident.pk])).status_code == 404
    assert client.get(f"/api/v1/timebank/accounts/{resident.pk}/balance").status_code == 404
    assert Movement.objects.filter(account=resident).exists()  # the ledger keeps them


def test_the_menu_entries(client, placed):
    client.force_login(placed.world.station_head_a)
    page = client.get(reverse("timebank:offers")).content.decode()
    assert reverse("timebank:accounts") in page and reverse("timebank:my") in page
    client.force_login(placed.vol)
    page = client.get(reverse("timebank:my")).content.decode()
    assert reverse("timebank:offers") in page and f'href="{reverse("timebank:accounts")}"' not in page
