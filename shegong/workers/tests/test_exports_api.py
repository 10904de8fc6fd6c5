"""Excel export of the filtered list (masked unless the user may see full values, always audited) and the REST
endpoints (same scope as the pages, identifiers always masked)."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from shegong.accounts.models import Role
from shegong.audit.models import AuditEntry
from shegong.testing.matrix import assert_matrix, visible_ids
from shegong.workers import services

pytestmark = pytest.mark.django_db

COMMUNITY_A = "440104003104"
DISTRICT_B = "440105000000"
NO_VIEW = {
    "worker_b": 403,
    "evaluator": 403,
    "system_admin": 403,
    "security_admin": 403,
    "audit_admin": 403,
    "no_role": 403,
}


@pytest.fixture
def people(world, make_worker, domains):
    in_a = make_worker(name="张三", region=COMMUNITY_A, phone="13800001111", service_domains=[domains[0]])
    of_agency = make_worker(name="李四", region=None, agency=world.agency_a)
    own_b = make_worker(name="王五", region=DISTRICT_B)
    services.worker_link_account(actor=None, worker=own_b, account=world.worker_b)
    return {"a": in_a, "agency": of_agency, "b": own_b}


def export(client, user, **filters):
    client.force_login(user)
    query = "&".join(f"{key}={value}" for key, value in filters.items())
    response = client.post(f"{reverse('workers:export')}?{query}")
    assert response.status_code == 200, response.status_code
    rows = list(load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True))
    return rows[0], rows[1:]


def test_export_matrix(client, world, people):
    assert_matrix(client, world, reverse("workers:export"), {"anonymous": 302, **NO_VIEW}, default=200, method="post")


def test_export_is_filtered_scoped_masked_and_audited(client, world, people):
    headers, rows = export(client, world.district_a_admin)
    assert sorted(row[0] for row in rows) == ["张三", "李四"]
    id_col, phone_col = headers.index("身份证号"), headers.index("手机号")
    by_name = {row[0]: row for row in rows}
    # The district admin may reveal personal data in their scope: full values, and the audit entry says so.
    assert by_name["张三"][id_col] == people["a"].id_number and by_name["张三"][phone_col] == "13800001111"
    entry = AuditEntry.objects.filter(action="export", object_type="workers.socialworker").latest("sequence")
    assert entry.actor_username == "district_a_admin"
    assert entry.changes["rows"] == [None, 2] and "unmasked" in entry.changes["filters"][1]
    # Filters travel to the export; a searched ID number is not repeated in the audit log.
    _headers, rows = export(client, world.city_admin, q=people["b"].id_number)
    assert [row[0] for row in rows] == ["王五"]
    entry = AuditEntry.objects.filter(action="export", object_type="workers.socialworker").latest("sequence")
    assert people["b"].id_number not in str(entry.changes)


def test_export_is_masked_without_the_reveal_permission(client, world, people):
    role = Role.objects.get(code="civil_affairs_admin")
    role.permissions.remove(role.permissions.get(codename="reveal_personal_data"))
    headers, rows = export(client, world.district_a_admin)
    by_name = {row[0]: row for row in rows}
    number = people["a"].id_number
    assert by_name["张三"][headers.index("身份证号")] == number[:6] + "********" + number[-4:]
    assert by_name["张三"][headers.index("手机号")] == "138****1111"
    entry = AuditEntry.objects.filter(action="export", object_type="workers.socialworker").latest("sequence")
    assert "unmasked" not in entry.changes["filters"][1]


def test_api_matrix_and_visibility(client, world, people):
    url = "/api/v1/workers/"
    assert_matrix(client, world, url, {"anonymous": 401, **NO_VIEW}, default=200)
    assert visible_ids(client, world.city_admin, url) == {people["a"].pk, people["agency"].pk, people["b"].pk}
    assert visible_ids(client, world.district_a_admin, url) == {people["a"].pk, people["agency"].pk}
    assert visible_ids(client, world.district_b_admin, url) == {people["b"].pk}
    assert visible_ids(client, world.agency_admin_a, url) == {people["agency"].pk}
    assert visible_ids(client, world.station_head_a, url) == {people["a"].pk}
    assert visible_ids(client, world.outsider, url) == set()
    assert visible_ids(client, world.city_admin, f"{url}?q=zs") == {people["a"].pk}
    assert visible_ids(client, world.city_admin, f"{url}?q={people['b'].id_number}") == {people["b"].pk}
    assert visible_ids(client, world.city_admin, f"{url}?region=440105") == {people["b"].pk}


def test_api_detail_certificates_and_credit_follow_scope(client, world, people):
    worker = people["a"]
    services.certificate_add(actor=None, worker=worker, level="assistant", number="API-1", year_passed=2020)
    not_found = {name: 404 for name in world.users}
    for suffix in ("", "/certificates", "/credit-events"):
        assert_matrix(
            client,
            world,
            f"/api/v1/workers/{worker.pk}{suffix}",
            {**not_found, "anonymous": 401, "city_admin": 200, "district_a_admin": 200, "station_head_a": 200},
        )
    own = f"/api/v1/workers/{people['b'].pk}"
    assert_matrix(
        client,
        world,
        own,
        {**not_found, "anonymous": 401, "city_admin": 200, "district_b_admin": 200, "worker_b": 200},
    )
    client.force_login(world.city_admin)
    body = client.get(f"/api/v1/workers/{worker.pk}").json()
    assert body["id_number"] == worker.id_number[:6] + "********" + worker.id_number[-4:]
    assert body["phone"] == "138****1111" and body["highest_certificate"] == "assistant"
    assert body["sex"] in ("M", "F") and body["blacklisted"] is False
    assert [item["number"] for item in client.get(f"/api/v1/workers/{worker.pk}/certificates").json()] == ["API-1"]


def test_api_me_and_paging(client, world, people, make_worker):
    client.force_login(world.worker_b)
    assert client.get("/api/v1/workers/me").json()["id"] == people["b"].pk
    client.force_login(world.city_admin)
    assert client.get("/api/v1/workers/me").status_code == 404
    first = client.get("/api/v1/workers/", {"page_size": 2}).json()
    assert len(first["items"]) == 2 and first["next_cursor"] and first["count"] == 3
    second = client.get("/api/v1/workers/", {"page_size": 2, "after": first["next_cursor"]}).json()
    assert len(second["items"]) == 1 and second["previous_cursor"]
    assert {item["id"] for item in first["items"] + second["items"]} == {worker.pk for worker in people.values()}
    assert client.get("/api/v1/workers/", {"certificate": "bogus"}).status_code == 422


def test_endpoints_are_in_the_openapi_document(client, world):
    client.force_login(world.city_admin)
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in ("/", "/me", "/{worker_id}", "/{worker_id}/certificates", "/{worker_id}/credit-events"):
        assert f"/api/v1/workers{path}" in paths
