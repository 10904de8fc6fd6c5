"""A keeper links a sign-in account to a volunteer record (so the volunteer signs in and sees their own hours) and
unlinks it: the scope matrix of the page, Chinese messages for a bad user name, an audit row for every change."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from shegong.audit.models import AuditEntry
from shegong.testing.matrix import ViewCase
from shegong.volunteers import services
from shegong.volunteers.tests.factories import COMMUNITY_A, COMMUNITY_B, make_user, make_volunteer, make_worker

pytestmark = pytest.mark.django_db

CASES = [
    ViewCase(
        "volunteers:account",
        {"anonymous": 302, "station_head_a": 200, "agency_admin_a": 404},
        default=403,
        args=lambda w: [w.volunteer_a.pk],
        out_of_scope=lambda w: [w.volunteer_b.pk],
    ),
    ViewCase(
        "volunteers:account",
        {"anonymous": 302, "station_head_a": 200, "agency_admin_a": 404},
        default=403,
        args=lambda w: [w.volunteer_a.pk],
        method="post",
        out_of_scope=lambda w: [w.volunteer_b.pk],
        label="volunteers:account post",
    ),
]


@pytest.fixture
def placed(world):
    world.volunteer_a = make_volunteer("陈越秀", COMMUNITY_A)
    world.volunteer_b = make_volunteer("黄海珠", COMMUNITY_B)
    world.login = make_user("vol_chen", "volunteer", region=COMMUNITY_A)
    return world


@pytest.mark.parametrize("case", CASES, ids=str)
def test_permission_matrix(client, placed, case):
    case.check(client, placed)


def audits(volunteer):
    return AuditEntry.objects.filter(object_type="volunteers.volunteer", object_id=str(volunteer.pk), action="update")


def test_link_then_the_volunteer_sees_their_own_hours_then_unlink(client, placed):
    w = placed
    worker = make_worker(region="440104000000", account=w.station_head_a)
    assert worker
    services.service_record_create(
        actor=w.station_head_a,
        volunteer=w.volunteer_a,
        service_date=datetime.date(2026, 3, 1),
        hours="2.5",
        content="探访",
    )
    url = reverse("volunteers:account", args=[w.volunteer_a.pk])
    client.force_login(w.station_head_a)
    before = audits(w.volunteer_a).count()
    response = client.post(url, {"action": "link", "username": "vol_chen"})
    assert response.status_code == 302
    w.volunteer_a.refresh_from_db()
    assert w.volunteer_a.account == w.login and audits(w.volunteer_a).count() == before + 1
    assert "vol_chen" in client.get(url).content.decode()
    client.force_login(w.login)
    page = client.get(reverse("volunteers:me"))
    assert page.status_code == 200 and page.context["volunteer"] == w.volunteer_a
    assert Decimal(str(page.context["totals"]["pending_hours"])) == Decimal("2.5")
    client.force_login(w.station_head_a)
    assert client.post(url, {"action": "unlink"}).status_code == 302
    w.volunteer_a.refresh_from_db()
    assert w.volunteer_a.account is None and audits(w.volunteer_a).count() == before + 2
    client.force_login(w.login)
    assert client.get(reverse("volunteers:me")).status_code == 404


def test_bad_user_names_are_refused_in_chinese(client, placed):
    w = placed
    url = reverse("volunteers:account", args=[w.volunteer_a.pk])
    client.force_login(w.station_head_a)
    cases = [
        ({"action": "link", "username": ""}, "请填写要关联的登录账户名"),
        ({"action": "link", "username": "nobody"}, "没有这个登录账户"),
        ({"action": "link", "username": "worker_b"}, "没有这个登录账户，或该账户没有“志愿者”角色"),
        ({"action": "unlink"}, "该志愿者没有关联账户"),
    ]
    for data, message in cases:
        response = client.post(url, data)
        assert response.status_code == 200 and message in response.content.decode(), data
    services.volunteer_link_account(actor=None, volunteer=w.volunteer_b, account=w.login)
    response = client.post(url, {"action": "link", "username": "vol_chen"})
    assert "该账户已关联其他志愿者" in response.content.decode()
    w.volunteer_a.refresh_from_db()
    assert w.volunteer_a.account is None and not audits(w.volunteer_a).exists()
