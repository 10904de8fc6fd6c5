"""/api/v1/accounts and the API's own documents (OpenAPI, interactive docs)."""

import pytest
from django.test import Client

from shegong.accounts import services
from shegong.accounts.models import Role, RoleAssignment
from shegong.testing.matrix import assert_matrix, visible_ids
from shegong.testing.world import DISTRICT_A

pytestmark = pytest.mark.django_db

API = "/api/v1/accounts"


def test_me_shows_roles_permissions_and_scope_with_region_path(client, world):
    client.force_login(world.district_a_admin)
    payload = client.get(f"{API}/me").json()
    assert payload["username"] == "district_a_admin"
    assert payload["roles"] == ["civil_affairs_admin"]
    assert "agencies.view_agency" in payload["permissions"]
    [scope] = payload["scope"]
    assert scope["region_code"] == DISTRICT_A and scope["region_path"] == ["广东省", "广州市", "越秀区"]
    assert scope["nationwide"] is False and scope["role_name"] == "民政部门管理员"


def test_me_for_an_agency_and_for_nobody(client, world):
    client.force_login(world.agency_admin_a)
    [scope] = client.get(f"{API}/me").json()["scope"]
    assert scope["agency_id"] == world.agency_a.pk and scope["agency_name"] == world.agency_a.name
    client.force_login(world.no_role)
    assert client.get(f"{API}/me").json()["scope"] == []


def test_me_answers_401_without_credentials(client, world):
    assert client.get(f"{API}/me").status_code == 401


def test_user_list_needs_the_permission(client, world):
    assert_matrix(
        client, world, f"{API}/users", {"anonymous": 401, "system_admin": 200, "security_admin": 200}, default=403
    )


def test_user_list_is_scoped_and_paged(client, world):
    seen = visible_ids(client, world.system_admin, f"{API}/users", key="username")
    assert "outsider" not in seen and "worker_b" in seen and len(seen) == 9

    client.force_login(world.system_admin)
    page = client.get(f"{API}/users", {"page_size": 3, "page": 2}).json()
    assert page["count"] == 9 and len(page["items"]) == 3
    filtered = client.get(f"{API}/users", {"region": "440105"}).json()
    assert {item["username"] for item in filtered["items"]} == {"district_b_admin", "worker_b"}
    by_role = client.get(f"{API}/users", {"role": "civil_affairs_admin"}).json()
    assert by_role["count"] == 3
    assert client.get(f"{API}/users", {"region": "999"}).status_code == 422
    assert client.get(f"{API}/users", {"role": "nope"}).status_code == 422


def test_user_detail_masks_the_phone_and_hides_other_places(client, world):
    user = services.user_create(
        actor=None,
        username="phone_owner",
        password="Qz7#mLp2vR",
        phone="13812345678",
        home_region=world.worker_b.home_region,
    )
    RoleAssignment.objects.create(user=user, role=Role.objects.get(code="volunteer"), region_id="440300000000")
    client.force_login(world.system_admin)
    payload = client.get(f"{API}/users/{user.pk}").json()
    assert payload["phone"] == "138****5678"
    assert payload["assignments"] == []  # the 深圳 assignment lies outside a 广州 admin's scope
    assert client.get(f"{API}/users/{world.outsider.pk}").status_code == 404
    assert client.get(f"{API}/users/999999").status_code == 404


def test_a_token_sees_the_same_scope_as_the_session(world):
    _token, secret = services.token_create(actor=world.system_admin, name="同步", days=1)
    api = Client()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    assert api.get(f"{API}/users/{world.outsider.pk}", **headers).status_code == 404
    assert api.get(f"{API}/users/{world.worker_b.pk}", **headers).status_code == 200


def test_openapi_document_and_interactive_docs_for_a_signed_in_user(client, world):
    client.force_login(world.worker_b)
    document = client.get("/api/v1/openapi.json")
    assert document.status_code == 200
    paths = document.json()["paths"]
    assert {f"{API}/me", f"{API}/users", f"{API}/users/{{user_id}}"} <= set(paths)
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200 and b"swagger" in docs.content.lower()
