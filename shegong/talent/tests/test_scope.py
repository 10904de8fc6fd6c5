"""Every page and endpoint of the talent pool against every named user: signed out, without the permission (403),
out of scope (404), in scope (200)."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from shegong.talent import services
from shegong.talent.models import Honour, LeadingTalent
from shegong.talent.tests.factories import make_worker
from shegong.testing.matrix import assert_matrix, visible_ids
from shegong.testing.world import STREET_A

pytestmark = pytest.mark.django_db

VIEWERS = ["city_admin", "district_a_admin", "district_b_admin", "station_head_a", "agency_admin_a", "outsider"]
IN_SCOPE = ["city_admin", "district_a_admin", "station_head_a", "agency_admin_a"]
KEEPERS = ["city_admin", "district_a_admin", "agency_admin_a"]
OUT_OF_SCOPE = ["district_b_admin", "outsider"]
TODAY = timezone.localdate()


def expect(**groups) -> dict:
    expected = {}
    for status, names in groups.items():
        for name in names:
            expected[name] = int(status.lstrip("s"))
    return expected


@pytest.fixture
def pool(world):
    worker = make_worker("范围督导", region=STREET_A, agency=world.agency_a)
    profile = services.supervisor_appoint(
        worker=worker,
        grade="junior",
        grade_since=datetime.date(2023, 1, 1),
        approving_authority="协会",
        actor=world.city_admin,
    )
    supervisee = make_worker("被督导人", region=STREET_A, agency=world.agency_a)
    session = services.session_create(
        supervisor=profile,
        supervisees=[supervisee],
        held_on=TODAY,
        hours=Decimal("1"),
        topic="t",
        mode="individual",
        actor=world.city_admin,
    )
    talent = LeadingTalent.objects.create(
        worker=worker, level="municipal", selected_year=2022, field="社区", recorded_by=world.city_admin
    )
    honour = Honour.objects.create(
        worker=worker,
        title="优秀督导",
        level="municipal",
        awarded_on=datetime.date(2023, 1, 1),
        awarding_body="市民政局",
        recorded_by=world.city_admin,
    )
    return {"profile": profile, "session": session, "talent": talent, "honour": honour}


@pytest.mark.parametrize(
    "url_name", ["talent:supervisor_list", "talent:session_list", "talent:leading_list", "talent:honour_list"]
)
def test_lists(client, world, pool, url_name):
    assert_matrix(client, world, reverse(url_name), expect(s302=["anonymous"], s200=VIEWERS), default=403)


@pytest.mark.parametrize(
    "url_name", ["talent:supervisor_export", "talent:session_export", "talent:leading_export", "talent:honour_export"]
)
def test_exports(client, world, pool, url_name):
    assert_matrix(
        client, world, reverse(url_name), expect(s302=["anonymous"], s200=VIEWERS), default=403, method="post"
    )


def test_supervisor_page(client, world, pool):
    url = reverse("talent:supervisor_detail", args=[pool["profile"].pk])
    assert_matrix(client, world, url, expect(s302=["anonymous"], s200=IN_SCOPE, s404=OUT_OF_SCOPE), default=403)


def test_the_supervisor_sees_their_own_page(client, world, pool):
    from shegong.talent.tests.factories import make_user

    account = make_user("own_supervisor", "supervisor", region="440105000000")
    worker = pool["profile"].worker
    worker.account = account
    worker.save()
    client.force_login(account)
    assert client.get(reverse("talent:supervisor_detail", args=[pool["profile"].pk])).status_code == 200
    assert client.get(reverse("talent:session_create", args=[pool["profile"].pk])).status_code == 200


@pytest.mark.parametrize("url_name", ["talent:supervisor_change_grade", "talent:session_create"])
def test_write_pages_of_one_supervisor(client, world, pool, url_name):
    url = reverse(url_name, args=[pool["profile"].pk])
    assert_matrix(client, world, url, expect(s302=["anonymous"], s200=KEEPERS, s404=OUT_OF_SCOPE), default=403)


@pytest.mark.parametrize("url_name", ["talent:supervisor_create", "talent:leading_create", "talent:honour_create"])
def test_create_pages(client, world, url_name):
    keepers = [*KEEPERS, *OUT_OF_SCOPE]
    assert_matrix(client, world, reverse(url_name), expect(s302=["anonymous"], s200=keepers), default=403)


@pytest.mark.parametrize(
    ("url_name", "key"),
    [("talent:session_delete", "session"), ("talent:leading_delete", "talent"), ("talent:honour_delete", "honour")],
)
def test_deletes_answer_404_out_of_scope_before_anyone_deletes(client, world, pool, url_name, key):
    url = reverse(url_name, args=[pool[key].pk])
    others = ["worker_b", "system_admin", "security_admin", "audit_admin", "no_role", "station_head_a"]
    assert_matrix(client, world, url, expect(s302=["anonymous"], s404=OUT_OF_SCOPE, s403=others), method="post")
    type(pool[key]).objects.get(pk=pool[key].pk)  # still there
    client.force_login(world.district_a_admin)
    assert client.post(url).status_code == 302
    assert not type(pool[key]).objects.filter(pk=pool[key].pk).exists()


@pytest.mark.parametrize("path", ["supervisors", "sessions", "leading-talents", "honours"])
def test_api_lists(client, world, pool, path):
    url = f"/api/v1/talent/{path}"
    assert_matrix(client, world, url, expect(s401=["anonymous"], s200=VIEWERS), default=403)
    for name in IN_SCOPE:
        assert len(visible_ids(client, world.users[name], url)) == 1, name
    for name in OUT_OF_SCOPE:
        assert visible_ids(client, world.users[name], url) == set(), name


def test_api_supervisor(client, world, pool):
    url = f"/api/v1/talent/supervisors/{pool['profile'].pk}"
    assert_matrix(client, world, url, expect(s401=["anonymous"], s200=IN_SCOPE, s404=OUT_OF_SCOPE), default=403)
    client.force_login(world.city_admin)
    body = client.get(url).json()
    assert body["ratio"]["supervisees"] == 1 and body["ratio"]["is_default"] is True
    assert [change["kind"] for change in body["history"]] == ["appointment"]


def test_api_writes(client, world, pool):
    url = f"/api/v1/talent/supervisors/{pool['profile'].pk}/grade"
    payload = {"changed_on": TODAY.isoformat(), "approving_authority": "协会"}
    for name, status in (("district_b_admin", 404), ("worker_b", 403), ("station_head_a", 403)):
        client.force_login(world.users[name])
        assert client.post(url, payload, content_type="application/json").status_code == status, name
    client.force_login(world.district_a_admin)
    skip = client.post(url, {**payload, "to_grade": "senior"}, content_type="application/json")
    assert skip.status_code == 400 and "越级须写明理由" in skip.json()["detail"]
    response = client.post(url, payload, content_type="application/json")
    assert response.status_code == 201 and response.json()["to_grade"] == "intermediate"
    supervisee = make_worker("接口被督导", region=STREET_A)
    sessions = f"/api/v1/talent/supervisors/{pool['profile'].pk}/sessions"
    body = {"held_on": TODAY.isoformat(), "hours": "1.5", "topic": "接口", "mode": "individual"}
    response = client.post(sessions, {**body, "supervisee_ids": [supervisee.pk]}, content_type="application/json")
    assert response.status_code == 201 and response.json()["supervisee_ids"] == [supervisee.pk]
    stranger = make_worker("外区", region="440105001000")
    response = client.post(sessions, {**body, "supervisee_ids": [stranger.pk]}, content_type="application/json")
    assert response.status_code == 400
