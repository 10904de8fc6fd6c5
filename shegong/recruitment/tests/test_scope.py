"""Every page and endpoint of recruitment and pay against every named user: signed out, without the permission
(403), out of scope (404), in scope (200)."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from shegong.recruitment import services
from shegong.recruitment.models import JobApplication
from shegong.talent.tests.factories import make_user, make_worker
from shegong.testing.matrix import assert_matrix, visible_ids
from shegong.testing.world import STREET_A

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()

BOARD = [
    "city_admin",
    "district_a_admin",
    "district_b_admin",
    "station_head_a",
    "worker_b",
    "agency_admin_a",
    "outsider",
]
OVERSEERS = ["city_admin", "district_a_admin", "district_b_admin", "agency_admin_a", "outsider"]
IN_SCOPE = ["city_admin", "district_a_admin", "agency_admin_a"]
NO_ROLE = ["system_admin", "security_admin", "audit_admin", "no_role"]


def expect(**groups) -> dict:
    return {name: int(status.lstrip("s")) for status, names in groups.items() for name in names}


def others(*groups) -> list[str]:
    named = {name for group in groups for name in group}
    from shegong.testing.world import USERS

    return [name for name in USERS if name not in named]


@pytest.fixture
def market(world, make_opening, applicant):
    opening = make_opening(title="范围岗位")
    draft = make_opening(title="草稿岗位", publish=False)
    application = services.application_submit(opening=opening, worker=applicant, actor=applicant.account)
    services.application_transition(
        application=application, to_state=JobApplication.State.SHORTLISTED, actor=world.agency_admin_a
    )
    staff = make_worker("机构员工", region=STREET_A, agency=world.agency_a, job_grade="assistant_1")
    pay = services.pay_record(
        worker=staff, effective_from=TODAY, monthly_pay=Decimal("6000"), actor=world.agency_admin_a
    )
    hired_worker = make_worker("已聘员工", region=STREET_A, agency=world.agency_a)
    from shegong.recruitment.models import Employment

    Employment.objects.create(
        worker=hired_worker,
        agency=world.agency_a,
        post_type="professional",
        started_on=TODAY,
        recorded_by=world.city_admin,
    )
    return {"opening": opening, "draft": draft, "application": application, "staff": staff, "pay": pay}


def test_board(client, world, market):
    assert_matrix(
        client, world, reverse("recruitment:opening_list"), expect(s302=["anonymous"], s200=BOARD), default=403
    )


def test_an_open_opening_is_public_a_draft_is_not(client, world, market):
    url = reverse("recruitment:opening_detail", args=[market["opening"].pk])
    assert_matrix(client, world, url, expect(s302=["anonymous"], s200=BOARD), default=404)
    url = reverse("recruitment:opening_detail", args=[market["draft"].pk])
    assert_matrix(client, world, url, expect(s302=["anonymous"], s200=IN_SCOPE), default=404)


def test_the_applicant_still_sees_a_closed_opening(client, world, market, applicant):
    services.opening_close(opening=market["opening"], actor=world.agency_admin_a)
    client.force_login(applicant.account)
    assert client.get(reverse("recruitment:opening_detail", args=[market["opening"].pk])).status_code == 200
    client.force_login(world.worker_b)
    assert client.get(reverse("recruitment:opening_detail", args=[market["opening"].pk])).status_code == 404


def test_applying_and_my_job_search(client, world, market):
    url = reverse("recruitment:opening_apply", args=[market["opening"].pk])
    # worker_b may apply but has no record in the talent pool: sent back with the reason.
    assert_matrix(client, world, url, expect(s302=["anonymous", "worker_b"]), default=403, method="post")
    assert_matrix(
        client, world, reverse("recruitment:mine"), expect(s302=["anonymous"], s200=["worker_b"]), default=403
    )


@pytest.mark.parametrize(
    "url_name",
    ["recruitment:manage_list", "recruitment:application_list", "recruitment:employment_list", "recruitment:pay_list"],
)
def test_overseeing_lists(client, world, market, url_name):
    assert_matrix(client, world, reverse(url_name), expect(s302=["anonymous"], s200=OVERSEERS), default=403)


@pytest.mark.parametrize(
    "url_name",
    [
        "recruitment:manage_export",
        "recruitment:application_export",
        "recruitment:employment_export",
        "recruitment:pay_export",
    ],
)
def test_exports(client, world, market, url_name):
    assert_matrix(
        client, world, reverse(url_name), expect(s302=["anonymous"], s200=OVERSEERS), default=403, method="post"
    )


def test_posting_and_deciding_belong_to_the_agency(client, world, market):
    extra = {"agency_b_admin": make_user("agency_b_admin", "agency_admin", agency=world.agency_b)}
    assert_matrix(
        client,
        world,
        reverse("recruitment:opening_create"),
        expect(s302=["anonymous"], s200=["agency_admin_a", "agency_b_admin"]),
        default=403,
        users=extra,
    )
    for url_name, key in (("recruitment:opening_edit", "opening"), ("recruitment:application_hire", "application")):
        url = reverse(url_name, args=[market[key].pk])
        expected = expect(s302=["anonymous"], s200=["agency_admin_a"], s404=["agency_b_admin"])
        assert_matrix(client, world, url, expected, default=403, users=extra)
    url = reverse("recruitment:opening_status", args=[market["opening"].pk])
    expected = expect(s302=["anonymous", "agency_admin_a"], s404=["agency_b_admin"])
    assert_matrix(client, world, url, expected, default=403, method="post", users=extra)


def test_moving_an_application_answers_404_outside(client, world, market):
    url = reverse("recruitment:application_transition", args=[market["application"].pk])
    # No `to`: refused after the lookup, so the status says only whether the application was reachable.
    assert_matrix(client, world, url, expect(s302=["anonymous", *IN_SCOPE]), default=404, method="post")


def test_pay_page_and_deletion(client, world, market):
    extra = {
        "agency_b_admin": make_user("agency_b_admin", "agency_admin", agency=world.agency_b),
        "peer": make_worker(
            "同事", region=STREET_A, agency=world.agency_a, account=make_user("peer", "social_worker")
        ).account,
    }
    url = reverse("recruitment:pay_worker", args=[market["staff"].pk])
    assert_matrix(client, world, url, expect(s302=["anonymous"], s200=IN_SCOPE), default=404, users=extra)
    delete = reverse("recruitment:pay_delete", args=[market["pay"].pk])
    # Everyone who may not see the pay gets 404 (never 403: it would confirm a record exists); those who may are
    # checked last, since the first of them deletes it.
    skip_keepers = dict.fromkeys(IN_SCOPE)
    assert_matrix(client, world, delete, {**expect(s302=["anonymous"]), **skip_keepers}, default=404, method="post")
    client.force_login(world.agency_admin_a)
    assert client.post(delete).status_code == 302
    assert not market["staff"].pay_records.exists()


@pytest.mark.parametrize(
    ("path", "allowed", "rows"),
    [
        ("openings", BOARD, 1),
        ("managed-openings", OVERSEERS, 2),
        ("applications", [*OVERSEERS, "worker_b"], 1),
        ("employments", OVERSEERS, 1),
        ("pay", OVERSEERS, 1),
    ],
)
def test_api_lists(client, world, market, path, allowed, rows):
    url = f"/api/v1/recruitment/{path}"
    assert_matrix(client, world, url, expect(s401=["anonymous"], s200=allowed), default=403)
    in_scope = BOARD if path == "openings" else IN_SCOPE
    for name in in_scope:
        assert len(visible_ids(client, world.users[name], url)) == rows, name
    if path != "openings":
        for name in ("district_b_admin", "outsider"):
            assert visible_ids(client, world.users[name], url) == set(), name


def test_api_objects(client, world, market):
    url = f"/api/v1/recruitment/openings/{market['draft'].pk}"
    assert_matrix(client, world, url, expect(s401=["anonymous"], s200=IN_SCOPE), default=404)
    url = f"/api/v1/recruitment/pay/workers/{market['staff'].pk}"
    assert_matrix(client, world, url, expect(s401=["anonymous"], s200=IN_SCOPE), default=404)


def test_api_writes(client, world, market, make_opening, make_applicant):
    second = make_applicant("api_applicant")
    opening = make_opening(title="接口岗位")
    client.force_login(second.account)
    url = f"/api/v1/recruitment/openings/{opening.pk}/applications"
    response = client.post(url, {"cover_note": "接口报名"}, content_type="application/json")
    assert response.status_code == 201 and response.json()["allowed_moves"] == ["withdrawn"]
    again = client.post(url, {"cover_note": "再报"}, content_type="application/json")
    assert again.status_code == 400 and "不能重复报名" in again.json()["detail"]
    application_id = response.json()["id"]
    transition = f"/api/v1/recruitment/applications/{application_id}/transition"
    assert client.post(transition, {"to": "shortlisted"}, content_type="application/json").status_code == 403
    client.force_login(world.district_b_admin)
    assert client.post(transition, {"to": "shortlisted"}, content_type="application/json").status_code == 404
    client.force_login(world.agency_admin_a)
    assert client.post(transition, {"to": "shortlisted"}, content_type="application/json").status_code == 200
    hired = client.post(transition, {"to": "hired", "started_on": TODAY.isoformat()}, content_type="application/json")
    assert hired.status_code == 200 and hired.json()["state"] == "hired"
    pay = f"/api/v1/recruitment/pay/workers/{second.pk}"
    response = client.post(
        pay, {"effective_from": TODAY.isoformat(), "monthly_pay": "7000"}, content_type="application/json"
    )
    assert response.status_code == 201 and response.json()["history"][0]["monthly_pay"] == "7000.00"
    client.force_login(world.district_b_admin)
    assert (
        client.post(
            pay, {"effective_from": "2024-01-01", "monthly_pay": "1"}, content_type="application/json"
        ).status_code
        == 404
    )
    assert datetime.date.today()


def test_the_endpoints_are_in_the_openapi_document(client, world):
    client.force_login(world.city_admin)
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/recruitment/openings",
        "/api/v1/recruitment/applications/{pk}/transition",
        "/api/v1/recruitment/pay/workers/{pk}",
        "/api/v1/talent/supervisors",
        "/api/v1/talent/supervisors/{pk}/sessions",
        "/api/v1/talent/honours",
    ):
        assert path in paths, path
