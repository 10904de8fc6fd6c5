"""Every page and endpoint × every named user, in and out of scope (200 / 404 / 403 / 302 or 401), plus the list's
filters and masked export, the worker's pages and the consent rule (a request that became a case of a recipient
who withdrew consent vanishes from lists, exports and the API)."""

import io

import openpyxl
import pytest
from django.urls import reverse

from shegong.servicerequests import services
from shegong.servicerequests.models import ServiceRequest, Status
from shegong.servicerequests.tests.factories import COMMUNITY_B, Network, submit
from shegong.testing.matrix import ViewCase, assert_matrix

pytestmark = pytest.mark.django_db

VIEWERS = {
    "city_admin": 200,
    "district_a_admin": 200,
    "district_b_admin": 200,
    "station_head_a": 200,
    "agency_admin_a": 200,
    "outsider": 200,
}
DISPATCHERS = {
    "city_admin": 200,
    "district_a_admin": 200,
    "district_b_admin": 200,
    "station_head_a": 200,
    "outsider": 200,
}
SERVERS = {"station_head_a": 200, "agency_admin_a": 200, "worker_b": 200, "worker_a": 200}
SEES_A = {
    "city_admin": 200,
    "district_a_admin": 200,
    "station_head_a": 200,
    "district_b_admin": 404,
    "outsider": 404,
    "agency_admin_a": 404,
    "worker_b": 404,
    "worker_a": 404,
}
DISPATCH_A = {
    "city_admin": 200,
    "district_a_admin": 200,
    "station_head_a": 200,
    "district_b_admin": 404,
    "outsider": 404,
}
OWN = {"worker_a": 200, "station_head_a": 404, "agency_admin_a": 404, "worker_b": 404}


@pytest.fixture
def placed(world):
    net = Network(world)
    world.net = net
    world.request_a = submit(phone="13800138000", contact_consent=True)
    world.request_b = submit(COMMUNITY_B)
    world.held = services.request_assign(request=submit(), worker=net.colleague, actor=world.station_head_a)
    return world


def users(world):
    return {"worker_a": world.net.colleague_user}


def _a(w):
    return [w.request_a.pk]


def _b(w):
    return [w.request_b.pk]


def _held(w):
    return [w.held.pk]


CASES = [
    ViewCase("servicerequests:list", {"anonymous": 302, **VIEWERS}, default=403),
    ViewCase("servicerequests:export", {"anonymous": 302, **VIEWERS}, default=403, method="post"),
    ViewCase("servicerequests:queue", {"anonymous": 302, **DISPATCHERS}, default=403),
    ViewCase("servicerequests:capacities", {"anonymous": 302, **DISPATCHERS}, default=403),
    ViewCase(
        "servicerequests:capacity_edit",
        {"anonymous": 302, **DISPATCH_A},
        default=403,
        args=lambda w: [w.net.colleague.pk],
        out_of_scope=lambda w: [w.net.worker_b.pk],
        out_of_scope_users=["district_a_admin", "station_head_a"],
    ),
    ViewCase("servicerequests:mine", {"anonymous": 302, **SERVERS}, default=403),
    ViewCase(
        "servicerequests:detail",
        {"anonymous": 302, **SEES_A},
        default=403,
        args=_a,
        out_of_scope=_b,
        out_of_scope_users=["district_a_admin", "station_head_a"],
    ),
    ViewCase(
        "servicerequests:detail",
        {"anonymous": 302, **SEES_A, "worker_a": 200},
        default=403,
        args=_held,
        label="detail of a request assigned to worker_a",
    ),
    *[
        ViewCase(
            name,
            {"anonymous": 302, **DISPATCH_A},
            default=403,
            args=_a,
            out_of_scope=_b,
            out_of_scope_users=["district_a_admin", "station_head_a"],
        )
        for name in ("servicerequests:assign", "servicerequests:dismiss")
    ],
    *[
        ViewCase(name, {"anonymous": 302, **OWN}, default=403, args=_held)
        for name in ("servicerequests:decline", "servicerequests:close", "servicerequests:open_case")
    ],
    ViewCase(
        "servicerequests:match",
        {"anonymous": 302, **{name: 302 if code == 200 else code for name, code in DISPATCH_A.items()}},
        default=403,
        method="post",
        data=lambda w: {"station": w.net.street.pk},
        label="POST servicerequests:match (street of district A)",
    ),
    ViewCase(
        "servicerequests:match",
        {"anonymous": 302, "station_head_a": 404, "district_a_admin": 404, "district_b_admin": 302},
        method="post",
        data=lambda w: {"station": w.net.street_b.pk},
        label="POST servicerequests:match (street of district B)",
    ),
    ViewCase(
        "servicerequests:accept",
        {"anonymous": 302, **OWN, "worker_a": 302},
        default=403,
        args=_held,
        method="post",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_permission_matrix(client, placed, case):
    case.check(client, placed, users=users(placed))


def test_public_pages_answer_everyone(client, placed):
    for url in (
        reverse("servicerequests:new", args=["440104003104"]),
        reverse("servicerequests:track_lookup"),
        reverse("servicerequests:track", args=[placed.request_a.tracking_code]),
    ):
        assert_matrix(client, placed, url, {"anonymous": 200}, default=200, users=users(placed))


def test_api_matrix(client, placed):
    extra = users(placed)
    base = "/api/v1/servicerequests"
    assert_matrix(client, placed, f"{base}/", {"anonymous": 401, **VIEWERS}, default=403, users=extra)
    assert_matrix(client, placed, f"{base}/mine", {"anonymous": 401, **SERVERS}, default=403, users=extra)
    assert_matrix(
        client, placed, f"{base}/{placed.request_a.pk}", {"anonymous": 401, **SEES_A}, default=403, users=extra
    )
    assert_matrix(
        client,
        placed,
        f"{base}/{placed.held.pk}",
        {"anonymous": 401, **SEES_A, "worker_a": 200},
        default=403,
        users=extra,
    )
    assert_matrix(
        client,
        placed,
        f"{base}/{placed.request_b.pk}",
        {"district_a_admin": 404, "station_head_a": 404, "district_b_admin": 200},
        users=extra,
    )
    # Writes: out of scope 404, without permission 403; the in-scope answers are checked below.
    bad_reason = {"reason": ""}
    assert_matrix(
        client,
        placed,
        f"{base}/{placed.request_b.pk}/dismiss",
        {"anonymous": 401, "station_head_a": 404, "district_a_admin": 404, "agency_admin_a": 403, "worker_b": 403},
        method="post",
        data=bad_reason,
        content_type="application/json",
        users=extra,
    )
    assert_matrix(
        client,
        placed,
        f"{base}/{placed.request_a.pk}/assign",
        {"anonymous": 401, "district_b_admin": 404, "outsider": 404, "agency_admin_a": 403, "worker_b": 403},
        method="post",
        data={"worker_id": placed.net.worker_b.pk},
        content_type="application/json",
        users=extra,
    )
    for action in ("accept", "decline"):
        assert_matrix(
            client,
            placed,
            f"{base}/{placed.held.pk}/{action}",
            {"anonymous": 401, "station_head_a": 404, "worker_b": 404, "city_admin": 403, "no_role": 403},
            method="post",
            data={"reason": "x"},
            content_type="application/json",
            users=extra,
        )
    assert_matrix(
        client,
        placed,
        f"{base}/match",
        {"anonymous": 401, "agency_admin_a": 403, "worker_b": 403, "no_role": 403},
        method="post",
        data={"station": placed.net.street.code},
        content_type="application/json",
        users=extra,
    )


def test_api_writes_in_scope(client, placed):
    base = "/api/v1/servicerequests"
    client.force_login(placed.station_head_a)
    request = placed.request_a
    answer = client.post(
        f"{base}/{request.pk}/assign",
        {"worker_id": placed.net.resident.pk, "version": request.version},
        content_type="application/json",
    )
    assert answer.status_code == 200 and answer.json()["status"] == Status.ASSIGNED
    stale = client.post(
        f"{base}/{request.pk}/assign",
        {"worker_id": placed.net.colleague.pk, "version": request.version},
        content_type="application/json",
    )
    assert stale.status_code == 409 and "该需求已被他人派单" in stale.json()["detail"]
    client.force_login(placed.net.resident.account)
    assert (
        client.post(f"{base}/{request.pk}/decline", {"reason": ""}, content_type="application/json").status_code == 400
    )
    declined = client.post(f"{base}/{request.pk}/decline", {"reason": "外出"}, content_type="application/json")
    assert declined.status_code == 200 and declined.json()["status"] == Status.PENDING
    client.force_login(placed.station_head_a)
    matched = client.post(f"{base}/match", {"station": placed.net.street.code}, content_type="application/json")
    assert matched.status_code == 200
    assert {row["request_id"] for row in matched.json()["assigned"]} == {request.pk}
    assert all(row["worker_id"] != placed.net.resident.pk for row in matched.json()["assigned"])
    detail = client.get(f"{base}/{request.pk}").json()
    assert [event["action"] for event in detail["events"]][-1] == "matched" and detail["events"][-1]["explanation"]
    dismissed = client.post(
        f"{base}/{placed.request_a.pk}/dismiss", {"reason": "重复"}, content_type="application/json"
    )
    assert dismissed.status_code == 200 and dismissed.json()["status"] == Status.DISMISSED  # 已派单 may be dismissed
    again = client.post(f"{base}/{placed.request_a.pk}/dismiss", {"reason": "重复"}, content_type="application/json")
    assert again.status_code == 400 and "不予受理" in again.json()["detail"]
    listing = client.get(f"{base}/", {"status": "dismissed"}).json()
    assert {item["id"] for item in listing["items"]} >= {request.pk}
    assert all("*" in item["phone"] for item in listing["items"] if item["phone"])


def test_list_filters_and_masked_export(client, placed):
    client.force_login(placed.district_a_admin)
    rows = client.get(reverse("servicerequests:list")).context["items"]
    assert {row.pk for row in rows} == {placed.request_a.pk, placed.held.pk}
    rows = client.get(reverse("servicerequests:list"), {"status": "assigned"}).context["items"]
    assert [row.pk for row in rows] == [placed.held.pk]
    rows = client.get(reverse("servicerequests:list"), {"q": placed.request_a.tracking_code.lower()}).context["items"]
    assert [row.pk for row in rows] == [placed.request_a.pk]
    page = client.get(reverse("servicerequests:list")).content.decode()
    assert "13800138000" not in page and "138****8000" in page
    response = client.post(reverse("servicerequests:export"))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row if cell]
    assert "138****8000" in values and "13800138000" not in values
    assert placed.request_a.tracking_code in values and placed.request_b.tracking_code not in values


def test_a_request_that_became_a_case_of_a_withdrawn_recipient_vanishes(client, placed):
    from shegong.recipients.tests.factories import make_recipient, withdraw

    recipient = make_recipient("陈大文", "440104003104")
    case = _case_for(placed, recipient)
    ServiceRequest.all_records.filter(pk=placed.held.pk).update(case=case, status=Status.IN_SERVICE)
    client.force_login(placed.district_a_admin)
    assert placed.held.pk in {row.pk for row in client.get(reverse("servicerequests:list")).context["items"]}
    withdraw(recipient)
    assert placed.held.pk not in {row.pk for row in client.get(reverse("servicerequests:list")).context["items"]}
    assert client.get(reverse("servicerequests:detail", args=[placed.held.pk])).status_code == 404
    assert client.get(f"/api/v1/servicerequests/{placed.held.pk}").status_code == 404
    assert ServiceRequest.all_records.filter(pk=placed.held.pk).exists()


def _case_for(world, recipient):
    """A case row written directly (the casework services are another app's): only its link matters here."""
    import datetime

    from shegong.casework.models import Case

    return Case.objects.create(
        code="GZ-T-0001",
        recipient=recipient,
        region_id=recipient.community_id,
        province_code="44",
        station=world.net.street,
        worker=world.net.colleague,
        domain="social_assistance",
        opened_on=datetime.date(2026, 1, 10),
    )


def test_capacities_through_the_pages(client, placed):
    client.force_login(placed.station_head_a)
    rows = client.get(reverse("servicerequests:capacities")).context["rows"]
    by_name = {worker.name: (capacity.accepting, capacity.max_open, load) for worker, capacity, load in rows}
    assert by_name["赵同事"] == (True, 5, 1) and "海珠社工" not in by_name
    url = reverse("servicerequests:capacity_edit", args=[placed.net.colleague.pk])
    assert client.post(url, {"max_open": 99}).status_code == 200  # out of range: the form says so
    assert client.post(url, {"accepting": "on", "max_open": 2}).status_code == 302
    rows = client.get(reverse("servicerequests:capacities")).context["rows"]
    assert {worker.name: capacity.max_open for worker, capacity, _load in rows}["赵同事"] == 2


def test_the_assigned_worker_may_see_the_phone_in_full_to_call_the_resident(client, placed):
    from shegong.audit.models import AuditEntry

    request = services.request_assign(
        request=placed.request_a, worker=placed.net.colleague, actor=placed.station_head_a
    )
    reveal = reverse("core:reveal", args=["servicerequests.servicerequest", request.pk, "phone"])
    detail = reverse("servicerequests:detail", args=[request.pk])
    client.force_login(placed.net.colleague_user)  # a social worker: no reveal permission, but the request is theirs
    assert reveal in client.get(detail).content.decode()
    answer = client.post(reveal)
    assert answer.status_code == 200 and "13800138000" in answer.content.decode()
    assert AuditEntry.objects.filter(action=AuditEntry.Action.REVEAL, object_id=str(request.pk)).count() == 1
    # Another worker of the station, and the owner asking for a field the model does not open, are refused.
    client.force_login(placed.net.resident_user)
    assert client.post(reveal).status_code == 403
    client.force_login(placed.net.colleague_user)
    other_field = reverse("core:reveal", args=["servicerequests.servicerequest", request.pk, "description"])
    assert client.post(other_field).status_code == 403
