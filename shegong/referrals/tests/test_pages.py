"""Every page and endpoint × every named user, in and out of scope; the forms through the pages; the export."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from shegong.refdata.models import DictionaryItem
from shegong.referrals.models import Referral
from shegong.referrals.tests.factories import SHARING, refer, setup
from shegong.testing.matrix import ViewCase, assert_matrix, visible_ids

pytestmark = pytest.mark.django_db

LISTS = {
    "city_admin": 200,
    "district_a_admin": 200,
    "district_b_admin": 200,
    "station_head_a": 200,
    "agency_admin_a": 200,
    "outsider": 200,
    "head_b": 200,
}
# r_ab: from 北京街道 (district A) to a station of district B. Sender's side: A; receiving side: B.
SEES_AB = {
    "city_admin": 200,
    "district_a_admin": 200,
    "station_head_a": 200,
    "district_b_admin": 200,
    "worker_b": 404,
    "agency_admin_a": 404,
    "outsider": 404,
    "head_b": 200,
}
ANSWERS_AB = {"city_admin": 200, "district_b_admin": 200, "head_b": 200, "district_a_admin": 403, "station_head_a": 403}
EXTRA = {"head_b": 200}


def _ab(w):
    return [w.r_ab.pk]


def _b(w):
    return [w.r_b.pk]


CASES = [
    ViewCase("referrals:list", {"anonymous": 302, **LISTS, "worker_b": 200}, default=403),
    ViewCase("referrals:export", {"anonymous": 302, **LISTS, "worker_b": 200}, default=403, method="post"),
    ViewCase("referrals:incoming", {"anonymous": 302, **LISTS}, default=403),
    ViewCase("referrals:incoming_export", {"anonymous": 302, **LISTS}, default=403, method="post"),
    ViewCase(
        "referrals:create",
        {"anonymous": 302, "station_head_a": 200, "agency_admin_a": 200, "worker_b": 200, "head_b": 200},
        default=403,
    ),
    ViewCase(
        "referrals:detail",
        {"anonymous": 302, **SEES_AB},
        default=403,
        args=_ab,
        out_of_scope=_b,
        out_of_scope_users=["district_a_admin", "station_head_a"],
    ),
    ViewCase(
        "referrals:move",
        {"anonymous": 302, **ANSWERS_AB, "worker_b": 404, "agency_admin_a": 404, "outsider": 404},
        default=403,
        args=lambda w: [w.r_ab.pk, "accepted"],
        out_of_scope=lambda w: [w.r_b.pk, "accepted"],
        out_of_scope_users=["station_head_a", "district_a_admin"],
        label="GET referrals:move accepted",
    ),
    ViewCase(
        "referrals:move",
        {
            "anonymous": 302,
            "station_head_a": 200,
            "district_b_admin": 403,
            "city_admin": 403,
            "outsider": 404,
            "head_b": 403,
            "worker_b": 404,
            "agency_admin_a": 404,
        },
        default=403,
        args=lambda w: [w.r_ab.pk, "revoked"],
        label="GET referrals:move revoked",
    ),
]


@pytest.fixture
def placed(world):
    setup(world)
    world.r_ab = refer(world, actor=world.station_head_a)
    department = DictionaryItem.objects.get(dictionary__code="referral_department", name="法律援助")
    world.r_b = refer(
        world,
        recipient=world.recipient_b,
        from_station=world.station_b,
        to_department=department,
        to_contact="张律师 13800138000",
    )
    return world


@pytest.mark.parametrize("case", CASES, ids=str)
def test_permission_matrix(client, placed, case):
    case.check(client, placed, users={"head_b": placed.head_b})


def test_the_receiving_head_sees_and_answers(client, placed):
    extra = {"head_b": placed.head_b}
    url = reverse("referrals:move", args=[placed.r_ab.pk, "accepted"])
    assert_matrix(client, placed, url, {"head_b": 200}, users=extra)
    client.force_login(placed.head_b)
    assert [row.pk for row in client.get(reverse("referrals:incoming")).context["page"]] == [placed.r_ab.pk]
    response = client.post(url, {"note": "收到"})
    assert response.status_code == 302
    placed.r_ab.refresh_from_db()
    assert placed.r_ab.state == Referral.State.ACCEPTED


def test_lists_by_side(client, placed):
    client.force_login(placed.station_head_a)
    assert [r.pk for r in client.get(reverse("referrals:list")).context["page"]] == [placed.r_ab.pk]
    assert list(client.get(reverse("referrals:incoming")).context["page"]) == []
    client.force_login(placed.district_b_admin)
    assert [r.pk for r in client.get(reverse("referrals:list")).context["page"]] == [placed.r_b.pk]
    assert [r.pk for r in client.get(reverse("referrals:incoming")).context["page"]] == [placed.r_ab.pk]
    page = client.get(reverse("referrals:list"), {"state": "done"}).context["page"]
    assert list(page) == []
    page = client.get(reverse("referrals:list"), {"target_kind": "department", "q": "黄"}).context["page"]
    assert [r.pk for r in page] == [placed.r_b.pk]


def test_reject_needs_a_reason_on_the_page(client, placed):
    client.force_login(placed.district_b_admin)
    url = reverse("referrals:move", args=[placed.r_ab.pk, "rejected"])
    response = client.post(url, {"note": ""})
    assert response.status_code == 200 and response.context["form"].errors
    placed.r_ab.refresh_from_db()
    assert placed.r_ab.state == Referral.State.IN_PROGRESS


def test_detail_shows_timeline_and_actions(client, placed):
    client.force_login(placed.station_head_a)
    page = client.get(reverse("referrals:detail", args=[placed.r_ab.pk])).content.decode()
    assert 'data-testid="move-revoked"' in page and 'data-testid="move-accepted"' not in page
    assert "转介中" in page
    assert 'data-testid="recipient-link"' in page  # the sender's side may open the recipient
    client.force_login(placed.head_b)
    page = client.get(reverse("referrals:detail", args=[placed.r_ab.pk])).content.decode()
    assert 'data-testid="recipient-link"' not in page and "陈大文" in page  # the receiver sees the referral only


def test_create_through_the_form(client, placed):
    client.force_login(placed.station_head_a)
    data = {
        "recipient": placed.recipient_a.pk,
        "from_station": placed.station_a.pk,
        "target_kind": "agency",
        "to_agency": placed.agency_b.pk,
        "to_station": placed.station_b.pk,  # ignored: the target kind is the agency
        "reason": "需要长期陪伴",
        "needs_summary": "独居老人，需要上门探访",
    }
    response = client.post(reverse("referrals:create"), data)
    assert response.status_code == 302
    created = Referral.objects.exclude(pk__in=[placed.r_ab.pk, placed.r_b.pk]).get()
    assert created.to_agency == placed.agency_b and created.to_station is None
    data["recipient"] = placed.recipient_b.pk
    response = client.post(reverse("referrals:create"), data)
    assert response.status_code == 200 and "recipient" in response.context["form"].errors


def test_export_is_the_filtered_list(client, placed):
    client.force_login(placed.district_b_admin)
    response = client.post(reverse("referrals:incoming_export"))
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert any("陈大文" in [str(v) for v in row] for row in rows)
    assert not any("黄海珠" in [str(v) for v in row] for row in rows)
    response = client.post(reverse("referrals:export"))
    cells = [
        str(v) for row in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True) for v in row
    ]
    assert "黄海珠" in cells and not any("13800138000" in cell for cell in cells)
    assert any(cell.startswith("张*") for cell in cells)


def test_api_matrix(client, placed):
    extra = {"head_b": placed.head_b}
    assert_matrix(
        client, placed, "/api/v1/referrals/", {"anonymous": 401, **LISTS, "worker_b": 200}, default=403, users=extra
    )
    assert_matrix(
        client,
        placed,
        "/api/v1/referrals/?direction=incoming",
        {"anonymous": 401, **LISTS},
        default=403,
        users=extra,
    )
    url = f"/api/v1/referrals/{placed.r_ab.pk}"
    assert_matrix(client, placed, url, {"anonymous": 401, **SEES_AB}, default=403, users=extra)
    assert_matrix(
        client,
        placed,
        f"/api/v1/referrals/{placed.r_b.pk}",
        {"district_a_admin": 404, "station_head_a": 404, "district_b_admin": 200, "head_b": 200},
        users=extra,
    )
    assert visible_ids(client, placed.head_b, "/api/v1/referrals/?direction=incoming") == {placed.r_ab.pk}
    assert visible_ids(client, placed.station_head_a, "/api/v1/referrals/") == {placed.r_ab.pk}


def test_api_create_and_move(client, placed):
    client.force_login(placed.station_head_a)
    payload = {
        "recipient_id": placed.recipient_a.pk,
        "from_station": placed.station_a.code,
        "to_station": placed.station_b.code,
        "reason": "需要心理辅导",
        "needs_summary": "青少年情绪问题",
    }
    response = client.post("/api/v1/referrals/", payload, content_type="application/json")
    assert response.status_code == 201, response.content
    new_id = response.json()["id"]
    bad = client.post(
        "/api/v1/referrals/", {**payload, "recipient_id": placed.recipient_b.pk}, content_type="application/json"
    )
    assert bad.status_code == 404
    move = f"/api/v1/referrals/{new_id}/move"
    assert client.post(move, {"to_state": "accepted"}, content_type="application/json").status_code == 403
    assert client.post(move, {"to_state": "revoked"}, content_type="application/json").status_code == 400
    response = client.post(move, {"to_state": "revoked", "note": "重复转介"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["state"] == "revoked"
    client.force_login(placed.outsider)
    assert client.post(move, {"to_state": "done"}, content_type="application/json").status_code == 404
    client.force_login(placed.evaluator)
    assert client.post("/api/v1/referrals/", payload, content_type="application/json").status_code == 403
    client.logout()
    assert client.post("/api/v1/referrals/", payload, content_type="application/json").status_code == 401


def test_create_from_a_case(client, world):
    from shegong.casework.tests.factories import open_case, setting_a, setting_b

    setup(world)
    setting = setting_a(world)
    setting.recipient.consent_scopes = SHARING
    setting.recipient.save(update_fields=["consent_scopes"])
    case = open_case(setting)
    other = open_case(setting_b(world))
    client.force_login(world.station_head_a)
    url = reverse("referrals:create") + f"?case={case.pk}"
    form = client.get(url).context["form"]
    assert form["recipient"].value() == setting.recipient.pk and form.fields["recipient"].disabled
    assert form["from_station"].value() == setting.station.pk
    data = {
        "from_station": setting.station.pk,
        "target_kind": "station",
        "to_station": world.station_b.pk,
        "reason": "跨区随迁",
        "needs_summary": "已迁居海珠区",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    assert Referral.objects.get(case=case).recipient == setting.recipient
    detail = client.get(response["Location"]).content.decode()
    assert f'href="{reverse("casework:detail", args=[case.pk])}"' in detail
    assert client.get(reverse("referrals:create") + f"?case={other.pk}").status_code == 404
    assert client.get(reverse("referrals:create") + "?case=x").status_code == 404
