"""Every page and endpoint × every named user, in and out of scope (need A in 北京街道 of district A, need B in
district B); then the pages driven through: post a need, sign up, accept, check in and out, confirm hours; exports."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from shegong.testing.matrix import ViewCase, assert_matrix
from shegong.volunteering import services
from shegong.volunteering.models import SignUp, VolunteerNeed
from shegong.volunteering.tests.factories import place

pytestmark = pytest.mark.django_db

STAFF_LIST = {
    "anonymous": 302,
    "city_admin": 200,
    "district_a_admin": 200,
    "district_b_admin": 200,
    "station_head_a": 200,
    "worker_b": 200,
    "agency_admin_a": 200,
    "outsider": 200,
    "organiser_a": 200,
}
SEES_A = {
    "anonymous": 302,
    "city_admin": 200,
    "district_a_admin": 200,
    "station_head_a": 200,
    "agency_admin_a": 200,
    "organiser_a": 200,
    "district_b_admin": 404,
    "worker_b": 404,
    "outsider": 404,
}
OUT_A = ["district_a_admin", "station_head_a", "agency_admin_a", "organiser_a"]
KEEPS_A = {"anonymous": 302, "station_head_a": 200, "agency_admin_a": 200, "organiser_a": 200, "worker_b": 404}
KEEPERS = ["station_head_a", "agency_admin_a", "organiser_a"]
VOLUNTEER_A = {"anonymous": 302, "vol_a": 200, "vol_b": 404}


@pytest.fixture
def w(world):
    w = place(world)
    w.signup_a = services.signup_create(actor=w.vol_user, shift=w.shift_a, volunteer=w.volunteer)
    w.signup_b = services.signup_create(actor=w.vol_user_b, shift=w.shift_b, volunteer=w.volunteer_b)
    return w


def _need_a(w):
    return [w.need_a.pk]


def _need_b(w):
    return [w.need_b.pk]


def _posted(expected: dict) -> dict:
    return {name: 302 if status == 200 else status for name, status in expected.items()}


CASES = [
    ViewCase("volunteering:need_list", STAFF_LIST, default=403),
    ViewCase("volunteering:need_export", STAFF_LIST, default=403, method="post"),
    ViewCase("volunteering:linkage_list", STAFF_LIST, default=403),
    ViewCase(
        "volunteering:linkage_station",
        SEES_A,
        default=403,
        args=lambda w: [w.station_a.pk],
        out_of_scope=lambda w: [w.station_b.pk],
        out_of_scope_users=OUT_A,
    ),
    ViewCase(
        "volunteering:linkage_export",
        SEES_A,
        default=403,
        method="post",
        args=lambda w: [w.station_a.pk],
        out_of_scope=lambda w: [w.station_b.pk],
        out_of_scope_users=OUT_A,
    ),
    ViewCase(
        "volunteering:need_detail",
        SEES_A,
        default=403,
        args=_need_a,
        out_of_scope=_need_b,
        out_of_scope_users=OUT_A,
    ),
    ViewCase(
        "volunteering:need_create",
        KEEPS_A,
        default=403,
        args=lambda w: ["activity", w.activity_a.pk],
        out_of_scope=lambda w: ["activity", w.activity_b.pk],
        out_of_scope_users=KEEPERS,
    ),
    ViewCase(
        "volunteering:need_edit", KEEPS_A, default=403, args=_need_a, out_of_scope=_need_b, out_of_scope_users=KEEPERS
    ),
    ViewCase(
        "volunteering:need_status",
        _posted(KEEPS_A),
        default=403,
        method="post",
        data={"status": "closed"},
        args=_need_a,
        out_of_scope=_need_b,
        out_of_scope_users=KEEPERS,
    ),
    ViewCase(
        "volunteering:shift_add",
        _posted(KEEPS_A),
        default=403,
        method="post",
        data={"day": "2030-01-01", "starts_at": "09:00", "ends_at": "10:00", "needed": "1"},
        args=_need_a,
        out_of_scope=_need_b,
        out_of_scope_users=KEEPERS,
    ),
    ViewCase(
        "volunteering:signup_decide",
        _posted(KEEPS_A),
        default=403,
        method="post",
        data={"decision": "accept"},
        args=lambda w: [w.need_a.pk, w.signup_a.pk],
        out_of_scope=lambda w: [w.need_b.pk, w.signup_b.pk],
        out_of_scope_users=KEEPERS,
    ),
    ViewCase(
        "volunteering:hours_confirm",
        KEEPS_A,
        default=403,
        args=lambda w: [w.need_a.pk, w.signup_a.pk],
        out_of_scope=lambda w: [w.need_b.pk, w.signup_b.pk],
        out_of_scope_users=KEEPERS,
    ),
    ViewCase("volunteering:near_list", {"anonymous": 302, "vol_a": 200, "vol_b": 200}, default=403),
    ViewCase("volunteering:my_signups", {"anonymous": 302, "vol_a": 200, "vol_b": 200}, default=403),
    ViewCase(
        "volunteering:near_detail",
        VOLUNTEER_A,
        default=403,
        args=_need_a,
        out_of_scope=_need_b,
        out_of_scope_users=["vol_a"],
    ),
    ViewCase(
        "volunteering:checkin",
        VOLUNTEER_A,
        default=403,
        args=lambda w: [w.need_a.code],
        out_of_scope=lambda w: [w.need_b.code],
        out_of_scope_users=["vol_a"],
    ),
    ViewCase(
        "volunteering:signup_create",
        _posted(VOLUNTEER_A),
        default=403,
        method="post",
        args=lambda w: [w.need_a.pk, w.shift_a.pk],
        out_of_scope=lambda w: [w.need_b.pk, w.shift_b.pk],
        out_of_scope_users=["vol_a"],
    ),
    ViewCase(
        "volunteering:signup_withdraw",
        _posted(VOLUNTEER_A),
        default=403,
        method="post",
        args=lambda w: [w.signup_a.pk],
        out_of_scope=lambda w: [w.signup_b.pk],
        out_of_scope_users=["vol_a"],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_permission_matrix(client, w, case):
    case.check(client, w)


API = "/api/v1/volunteering"
API_STAFF_A = {**SEES_A, "anonymous": 401}
API_KEEPS_A = {**KEEPS_A, "anonymous": 401}


def test_api_matrix(client, w):
    volunteer_only = {"anonymous": 401, "vol_a": 200, "vol_b": 200}
    assert_matrix(client, w, f"{API}/near", volunteer_only, default=403)
    assert_matrix(client, w, f"{API}/mine", volunteer_only, default=403)
    assert_matrix(client, w, f"{API}/needs/{w.need_a.pk}", API_STAFF_A, default=403)
    assert_matrix(client, w, f"{API}/needs/{w.need_b.pk}", {name: 404 for name in OUT_A})
    assert_matrix(client, w, f"{API}/needs/{w.need_a.pk}/signups", API_STAFF_A, default=403)
    json = {"content_type": "application/json"}
    decide = f"{API}/needs/{w.need_a.pk}/signups/{w.signup_a.pk}/decide"
    # The first keeper accepts; the others are then refused (400: no longer applied) — still not 403/404.
    statuses = assert_matrix(
        client,
        w,
        decide,
        {"anonymous": 401, "worker_b": 404, "city_admin": 403, "vol_a": 403},
        method="post",
        data={"accept": True},
        **json,
    )
    assert statuses
    for name in KEEPERS:
        assert client.force_login(w.users[name]) is None
        status = client.post(decide, {"accept": True}, **json).status_code
        assert status in (200, 400)
    other = f"{API}/needs/{w.need_b.pk}/signups/{w.signup_b.pk}/decide"
    assert_matrix(client, w, other, {name: 404 for name in KEEPERS}, method="post", data={"accept": True}, **json)
    hours = f"{API}/needs/{w.need_a.pk}/signups/{w.signup_a.pk}/hours"
    assert_matrix(
        client,
        w,
        hours,
        {"anonymous": 401, "worker_b": 404, "vol_a": 403, "station_head_a": 403},
        method="post",
        data={"hours": "2", "reason": "现场核实"},
        **json,
    )
    client.force_login(w.organiser_user)
    answer = client.post(hours, {"hours": "2", "reason": "现场核实"}, **json)
    assert answer.status_code == 200 and answer.json()["hours"] == "2.0"
    signup_url = f"{API}/shifts/{w.shift_b.pk}/signup"
    assert_matrix(client, w, signup_url, {"anonymous": 401, "vol_a": 404, "city_admin": 403}, method="post", **json)
    attendance = f"{API}/signups/{w.signup_a.pk}/attendance"
    assert_matrix(
        client,
        w,
        attendance,
        {"anonymous": 401, "vol_b": 404, "organiser_a": 403},
        method="post",
        data={"action": "in"},
        **json,
    )


def test_the_api_flow(client, w):
    client.force_login(w.vol_user_2)
    near = client.get(f"{API}/near").json()
    assert [need["code"] for need in near] == [w.need_a.code]
    assert near[0]["shifts"][0]["places_left"] == 1
    made = client.post(f"{API}/shifts/{w.shift_a.pk}/signup", content_type="application/json")
    assert made.status_code == 201 and made.json()["status"] == "applied"
    full = client.post(f"{API}/shifts/{w.shift_a.pk}/signup", content_type="application/json")
    assert full.status_code == 400
    client.force_login(w.organiser_user)
    decided = client.post(
        f"{API}/needs/{w.need_a.pk}/signups/{made.json()['id']}/decide",
        {"accept": True},
        content_type="application/json",
    )
    assert decided.json()["status"] == "accepted"
    client.force_login(w.vol_user_2)
    checked = client.post(
        f"{API}/signups/{made.json()['id']}/attendance", {"action": "in"}, content_type="application/json"
    )
    assert checked.status_code == 200 and checked.json()["checked_in_at"]


def test_the_pages_flow(client, w):
    client.force_login(w.organiser_user)
    answer = client.post(
        reverse("volunteering:need_create", args=["activity", w.activity_a.pk]),
        {
            "title": "长者义剪",
            "roles": "理发",
            "place": "社区活动室",
            "description": "",
            "day": timezone.localdate().isoformat(),
            "starts_at": "09:00",
            "ends_at": "11:00",
            "needed": "1",
        },
    )
    need = VolunteerNeed.objects.get(title="长者义剪")
    assert answer.status_code == 302 and need.organiser == w.organiser
    page = client.get(reverse("volunteering:need_detail", args=[need.pk]))
    assert need.code in page.content.decode()
    client.force_login(w.vol_user)
    assert "长者义剪" in client.get(reverse("volunteering:near_list")).content.decode()
    shift = need.shifts.get()
    client.post(reverse("volunteering:signup_create", args=[need.pk, shift.pk]))
    signup = SignUp.objects.get(shift=shift)
    client.force_login(w.organiser_user)
    client.post(reverse("volunteering:signup_decide", args=[need.pk, signup.pk]), {"decision": "accept"})
    client.force_login(w.vol_user)
    client.post(reverse("volunteering:checkin", args=[need.code]), {"signup": signup.pk, "action": "in"})
    SignUp.objects.filter(pk=signup.pk).update(checked_in_at=timezone.now() - datetime.timedelta(minutes=100))
    client.post(reverse("volunteering:checkin", args=[need.code]), {"signup": signup.pk, "action": "out"})
    signup.refresh_from_db()
    assert signup.checked_out_at and services.computed_hours(signup) == Decimal("1.5")
    client.force_login(w.organiser_user)
    url = reverse("volunteering:hours_confirm", args=[need.pk, signup.pk])
    assert client.post(url, {"hours": "1.5", "reason": ""}).status_code == 302
    signup.refresh_from_db()
    assert signup.record.hours == Decimal("1.5")
    # A correction without a reason is refused on the form.
    refused = client.post(url, {"hours": "2", "reason": ""})
    assert refused.status_code == 200 and "更正时长须填写原因" in refused.content.decode()
    # The station head keeps the need but did not organise it: refused.
    client.force_login(w.station_head_a)
    assert "谁记录谁证明" in client.post(url, {"hours": "2", "reason": "改"}).content.decode()


def test_need_export(client, w):
    client.force_login(w.station_head_a)
    answer = client.post(reverse("volunteering:need_export"))
    sheet = openpyxl.load_workbook(io.BytesIO(answer.content)).active
    codes = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert w.need_a.code in codes and w.need_b.code not in codes


def test_the_activity_page_links_to_its_needs(client, w):
    client.force_login(w.organiser_user)
    page = client.get(reverse("groupwork:activity_detail", args=[w.activity_a.pk])).content.decode()
    assert reverse("volunteering:need_create", args=["activity", w.activity_a.pk]) in page
    assert reverse("volunteering:need_detail", args=[w.need_a.pk]) in page


def test_the_group_and_project_pages_link_to_posting_a_need(client, w):
    from shegong.groupwork.tests.factories import make_group
    from shegong.projects.tests.factories import make_project

    group = make_group(w.station_a, w.organiser)
    project = make_project(stations=[w.station_a])
    client.force_login(w.organiser_user)
    page = client.get(reverse("groupwork:group_detail", args=[group.pk])).content.decode()
    assert reverse("volunteering:need_create", args=["group", group.pk]) in page
    client.force_login(w.station_head_a)
    page = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert 'data-testid="project-volunteer-needs"' in page
