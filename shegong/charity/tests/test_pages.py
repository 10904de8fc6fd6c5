"""Every page and endpoint × every named user, in and out of scope; the forms through the pages; the exports; the
public page (no personal data, cacheable)."""

import io
import json
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from shegong.charity.models import Allocation, Donation
from shegong.charity.tests.factories import STREET_B, allocate, give, make_point
from shegong.recipients.tests.factories import make_recipient
from shegong.testing.matrix import ViewCase, assert_matrix, response_for, visible_ids

pytestmark = pytest.mark.django_db

# Who holds the charity view permissions: the bureaus, station heads and agency admins (the outsider sees an empty
# list); social workers, evaluators and the three admins do not (403).
VIEWERS = {
    "city_admin": 200,
    "district_a_admin": 200,
    "district_b_admin": 200,
    "station_head_a": 200,
    "agency_admin_a": 200,
    "outsider": 200,
}
SEES_A = {"city_admin": 200, "district_a_admin": 200, "station_head_a": 200, "agency_admin_a": 200}
NOT_A = {"district_b_admin": 404, "outsider": 404}
KEEPS_A = {"station_head_a": 200, "agency_admin_a": 200}


@pytest.fixture
def charity(world):
    world.point_a = make_point(name="北京街社工站", agency=world.agency_a)
    world.point_b = make_point(STREET_B, name="海珠测试社工站")
    world.donation_a = give(world.point_a, "500", donor_phone="13912345678", donor_name="李善人")
    world.donation_b = give(world.point_b, "300", anonymous=True)
    world.person = make_recipient(name="陈困难", station=world.point_a.station)
    world.allocation_a = allocate(world.point_a, "100", target="recipient", recipient=world.person)
    world.allocation_b = allocate(world.point_b, "50")
    return world


def _point_a(w):
    return [w.point_a.pk]


def _point_b(w):
    return [w.point_b.pk]


CASES = [
    ViewCase("charity:points", {"anonymous": 302, **VIEWERS}, default=403),
    ViewCase("charity:point_export", {"anonymous": 302, **VIEWERS}, default=403, method="post"),
    ViewCase("charity:point_create", {"anonymous": 302, **VIEWERS}, default=403),
    ViewCase("charity:donations", {"anonymous": 302, **VIEWERS}, default=403),
    ViewCase("charity:donation_export", {"anonymous": 302, **VIEWERS}, default=403, method="post"),
    ViewCase("charity:allocations", {"anonymous": 302, **VIEWERS}, default=403),
    ViewCase("charity:allocation_export", {"anonymous": 302, **VIEWERS}, default=403, method="post"),
    ViewCase(
        "charity:ledger",
        {"anonymous": 302, **SEES_A, **NOT_A},
        default=403,
        args=_point_a,
        out_of_scope=_point_b,
        out_of_scope_users=["district_a_admin", "station_head_a", "agency_admin_a", "outsider"],
    ),
    ViewCase(
        "charity:ledger_export",
        {"anonymous": 302, **SEES_A, **NOT_A},
        default=403,
        method="post",
        args=_point_a,
        out_of_scope=_point_b,
        out_of_scope_users=["district_a_admin", "station_head_a", "agency_admin_a"],
    ),
    ViewCase(
        "charity:point_status",
        {"anonymous": 302, **SEES_A, **NOT_A},
        default=403,
        args=_point_a,
        out_of_scope=_point_b,
        out_of_scope_users=["district_a_admin", "station_head_a", "agency_admin_a"],
    ),
    ViewCase(
        "charity:donation_create",
        {"anonymous": 302, **KEEPS_A},
        default=403,
        args=_point_a,
        out_of_scope=_point_b,
    ),
    ViewCase(
        "charity:allocation_create",
        {"anonymous": 302, **KEEPS_A},
        default=403,
        args=_point_a,
        out_of_scope=_point_b,
    ),
    ViewCase(
        "charity:receipt",
        {"anonymous": 302, **SEES_A, **NOT_A},
        default=403,
        args=lambda w: [w.donation_a.pk],
        out_of_scope=lambda w: [w.donation_b.pk],
        out_of_scope_users=["district_a_admin", "station_head_a", "agency_admin_a"],
    ),
    ViewCase(
        "charity:public",
        {"anonymous": 200},
        default=200,
        args=lambda w: [w.point_a.station.code],
        out_of_scope=lambda w: ["S999999"],
        out_of_scope_users=["anonymous", "station_head_a"],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_permission_matrix(client, charity, case):
    case.check(client, charity)


API = "/api/v1/charity/"
API_VIEWERS = {"anonymous": 401, **VIEWERS}


@pytest.mark.parametrize("path", ["points", "donations", "allocations"])
def test_api_matrix_and_scope(client, charity, path):
    assert_matrix(client, charity, f"{API}{path}", API_VIEWERS, default=403)
    a = {"points": charity.point_a, "donations": charity.donation_a, "allocations": charity.allocation_a}[path]
    b = {"points": charity.point_b, "donations": charity.donation_b, "allocations": charity.allocation_b}[path]
    assert visible_ids(client, charity.station_head_a, f"{API}{path}") == {a.pk}
    assert visible_ids(client, charity.district_b_admin, f"{API}{path}") == {b.pk}
    assert visible_ids(client, charity.city_admin, f"{API}{path}") == {a.pk, b.pk}
    assert visible_ids(client, charity.outsider, f"{API}{path}") == set()


def test_api_ledger_and_point_filter_scope(client, charity):
    url = f"{API}points/{charity.point_a.pk}/ledger"
    assert_matrix(client, charity, url, {"anonymous": 401, **SEES_A, **NOT_A}, default=403)
    body = response_for(client, charity.station_head_a, url).json()
    assert Decimal(body["money"]["balance"]) == Decimal("400")
    out = f"{API}donations?point={charity.point_b.pk}"
    assert response_for(client, charity.station_head_a, out).status_code == 404


def test_api_never_returns_a_phone_or_a_recipient_name(client, charity):
    client.force_login(charity.city_admin)
    answers = [client.get(f"{API}donations").json(), client.get(f"{API}allocations").json()]
    text = json.dumps(answers, ensure_ascii=False)
    assert "13912345678" not in text and "陈困难" not in text and "匿名" in text


def _sheet(response):
    book = openpyxl.load_workbook(
        io.BytesIO(b"".join(response.streaming_content)) if response.streaming else io.BytesIO(response.content)
    )
    return [[cell for cell in row] for row in book.active.iter_rows(values_only=True)]


def test_exports_never_show_phones_and_mask_anonymous_donors(client, charity):
    client.force_login(charity.city_admin)
    rows = _sheet(client.post(reverse("charity:donation_export")))
    flat = " ".join(str(cell) for row in rows for cell in row)
    assert "13912345678" not in flat and "李善人" in flat and "匿名" in flat
    rows = _sheet(client.post(reverse("charity:ledger_export", args=[charity.point_a.pk])))
    flat = " ".join(str(cell) for row in rows for cell in row)
    assert "13912345678" not in flat and "陈困难" not in flat and charity.donation_a.receipt_number in flat


def test_public_page_shows_sums_and_no_personal_data(client, charity):
    response = client.get(reverse("charity:public", args=[charity.point_a.station.code]))
    page = response.content.decode()
    assert "public" in response["Cache-Control"] and "max-age" in response["Cache-Control"]
    assert "500" in page and "100" in page and "困难群众个人" in page
    for secret in ("李善人", "13912345678", "陈困难", "王经办", "张站长", charity.donation_a.receipt_number):
        assert secret not in page


def test_donation_through_the_page_then_its_receipt(client, charity):
    client.force_login(charity.station_head_a)
    url = reverse("charity:donation_create", args=[charity.point_a.pk])
    response = client.post(
        url,
        {
            "received_on": "2025-05-01",
            "kind": "goods",
            "items": "食用油",
            "quantity": "20",
            "estimated_value": "1200",
            "purpose_kind": "directed",
            "purpose": "助老",
            "anonymous": "on",
            "handler": "王经办",
        },
    )
    donation = Donation.objects.get(items="食用油")
    assert response.status_code == 302 and response["Location"] == reverse("charity:receipt", args=[donation.pk])
    receipt = client.get(response["Location"]).content.decode()
    assert donation.receipt_number in receipt and "匿名" in receipt and "食用油" in receipt
    bad = client.post(
        url,
        {
            "received_on": "2025-05-01",
            "kind": "money",
            "amount": "5",
            "purpose_kind": "undirected",
            "anonymous": "on",
            "donor_name": "某人",
            "handler": "甲",
        },
    )
    assert bad.status_code == 200 and "匿名捐赠不登记捐赠人姓名" in bad.content.decode()


def test_allocation_over_the_balance_through_the_page(client, charity):
    client.force_login(charity.station_head_a)
    url = reverse("charity:allocation_create", args=[charity.point_a.pk])
    data = {
        "allocated_on": "2025-05-01",
        "kind": "money",
        "amount": "400.01",
        "purpose_kind": "undirected",
        "target": "group",
        "beneficiary_group": "独居老人",
        "approver": "张站长",
    }
    refused = client.post(url, data)
    assert refused.status_code == 200 and "拨付超过结余" in refused.content.decode()
    assert client.post(url, {**data, "amount": "400"}).status_code == 302
    assert Allocation.objects.filter(point=charity.point_a).count() == 2


def test_lists_filter(client, charity):
    client.force_login(charity.city_admin)
    page = client.get(reverse("charity:donations"), {"point": charity.point_b.pk}).content.decode()
    assert charity.donation_b.receipt_number in page and charity.donation_a.receipt_number not in page
    page = client.get(reverse("charity:allocations"), {"target": "group"}).content.decode()
    assert "海珠测试社工站" in page and "陈困难" not in page
    page = client.get(reverse("charity:ledger", args=[charity.point_a.pk])).content.decode()
    assert "400" in page and "2025-03" in page


def test_status_through_the_page(client, charity):
    client.force_login(charity.district_a_admin)
    url = reverse("charity:point_status", args=[charity.point_a.pk])
    response = client.post(url, {"status": "suspended", "public_note": "装修暂停"})
    assert response.status_code == 302
    public = client.get(reverse("charity:public", args=[charity.point_a.station.code])).content.decode()
    assert "暂停" in public and "装修暂停" in public


def test_menu_entries_and_openapi(client, world):
    client.force_login(world.station_head_a)
    page = client.get(reverse("web:home")).content.decode()
    for name in ("charity:points", "charity:donations", "charity:allocations"):
        assert f'data-nav="{name}"' in page
    client.force_login(world.worker_b)
    assert 'data-nav="charity:points"' not in client.get(reverse("web:home")).content.decode()
    paths = set(client.get("/api/v1/openapi.json").json()["paths"])
    assert {f"{API}points", f"{API}donations", f"{API}allocations", f"{API}points/{{point_id}}/ledger"} <= paths
