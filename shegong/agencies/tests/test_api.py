"""The REST endpoints answer exactly what the pages show: the same scope (out of scope = 404), the same filters."""

import pytest

from shegong.agencies import services
from shegong.agencies.models import AgencyStatus
from shegong.agencies.tests.conftest import days_ago
from shegong.testing.matrix import assert_matrix, visible_ids

pytestmark = pytest.mark.django_db

BASE = "/api/v1/agencies/"
NO_VIEW = {
    "worker_b": 403,
    "evaluator": 403,
    "system_admin": 403,
    "security_admin": 403,
    "audit_admin": 403,
    "no_role": 403,
}
SEES_A = {"city_admin": 200, "district_a_admin": 200, "agency_admin_a": 200}


def test_list_matrix_and_visible_agencies(client, world):
    assert_matrix(client, world, BASE, {"anonymous": 401, **NO_VIEW}, default=200)
    a, b = world.agency_a.pk, world.agency_b.pk
    assert visible_ids(client, world.city_admin, BASE) == {a, b}
    assert visible_ids(client, world.district_a_admin, BASE) == {a}
    assert visible_ids(client, world.district_b_admin, BASE) == {b}
    assert visible_ids(client, world.agency_admin_a, BASE) == {a}
    assert visible_ids(client, world.station_head_a, BASE) == set()
    assert visible_ids(client, world.outsider, BASE) == set()


@pytest.mark.parametrize("suffix", ["", "/ratings", "/status-history"])
def test_detail_endpoints_matrix(client, world, suffix):
    url = f"{BASE}{world.agency_a.pk}{suffix}"
    assert_matrix(client, world, url, {"anonymous": 401, **NO_VIEW, **SEES_A}, default=404)


def test_list_filters_count_paging_and_masked_phone(client, world, domains):
    services.agency_update(
        actor=world.city_admin, agency=world.agency_a, contact_phone="13800138000", service_domains=[domains[0]]
    )
    services.agency_rate(
        actor=world.city_admin, agency=world.agency_a, level=3, score=705, rated_on=days_ago(9), source_document="甲"
    )
    client.force_login(world.city_admin)
    payload = client.get(BASE, {"q": "yxcs"}).json()
    assert payload["count"] == 1 and not payload["count_more"] and not payload["has_next"]
    item = payload["items"][0]
    assert item["name"] == "越秀测试社工中心" and item["contact_phone"] == "138****8000"
    assert item["rating_level"] == 3 and item["service_domains"] == [domains[0].code]
    assert item["status"] == "normal" and item["province_code"] == "44" and item["region"] == "440104000000"
    assert [row["name"] for row in client.get(BASE, {"region": "440105"}).json()["items"]] == ["海珠测试社工中心"]
    assert client.get(BASE, {"rating": "3"}).json()["count"] == 1
    assert client.get(BASE, {"domain": domains[0].code}).json()["count"] == 1
    page = client.get(BASE, {"page_size": 1, "sort": "-name"}).json()
    assert len(page["items"]) == 1 and page["has_next"] and page["count"] == 2
    assert client.get(BASE, {"rating": "9"}).status_code == 422
    assert client.get(BASE, {"page_size": 1000}).status_code == 422


def test_histories(client, world):
    services.agency_rate(
        actor=world.city_admin,
        agency=world.agency_a,
        level=4,
        score="812.5",
        rated_on=days_ago(20),
        source_document="甲",
    )
    services.agency_change_status(
        actor=world.city_admin,
        agency=world.agency_a,
        status=AgencyStatus.ABNORMAL,
        reason="年报逾期",
        source_document="乙",
        valid_from=days_ago(10),
    )
    client.force_login(world.agency_admin_a)
    ratings = client.get(f"{BASE}{world.agency_a.pk}/ratings").json()
    assert ratings[0]["level"] == 4 and ratings[0]["score"] == "812.50" and ratings[0]["in_force"]
    events = client.get(f"{BASE}{world.agency_a.pk}/status-history").json()
    assert events[0]["status"] == "abnormal" and events[0]["in_force"] and events[0]["reason"] == "年报逾期"
    detail = client.get(f"{BASE}{world.agency_a.pk}").json()
    assert (
        detail["status"] == "abnormal" and detail["status_since"] == str(days_ago(10)) and detail["workers_count"] == 0
    )


def test_the_endpoints_are_in_the_openapi_document(client, world):
    client.force_login(world.city_admin)
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/agencies/", "/api/v1/agencies/{agency_id}", "/api/v1/agencies/{agency_id}/ratings"} <= set(paths)
