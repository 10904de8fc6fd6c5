"""Data scope end to end: a district's administrator never sees another district's accounts, through any page, count
or API answer; agency assignments, nationwide assignments and unions behave as the scope helper says."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from shegong.accounts.models import Role, RoleAssignment, User
from shegong.core.scope import scoped
from shegong.testing.matrix import visible_ids
from shegong.testing.world import DISTRICT_A, DISTRICT_B

pytestmark = pytest.mark.django_db

A_USERS = {"district_a_admin", "station_head_a"}
B_USERS = {"district_b_admin", "worker_b"}


def system_admin_of(username: str, region: str | None = None, agency=None) -> User:
    user = User.objects.create(username=username, home_region_id=region, home_agency=agency)
    RoleAssignment.objects.create(
        user=user, role=Role.objects.get(code="system_admin"), region_id=region, agency=agency
    )
    return user


def listed(client: Client, user: User, **params) -> tuple[set[str], int]:
    client.force_login(user)
    page = client.get(reverse("accounts:user_list"), params).content.decode()
    names = set(re.findall(r'data-username="([^"]+)"', page))
    count = int(re.search(r'data-testid="user-count">[^0-9]*(\d+)', page).group(1))
    return names, count


@pytest.fixture
def admin_a(world) -> User:
    return system_admin_of("sysadmin_a", DISTRICT_A)


def test_district_a_never_sees_district_b_on_the_list_or_in_its_count(client, world, admin_a):
    names, count = listed(client, admin_a)
    assert names == A_USERS | {"sysadmin_a"} and count == 3
    for params in ({"q": "district_b"}, {"region": "440105"}, {"role": Role.objects.get(code="social_worker").pk}):
        names, count = listed(client, admin_a, **params)
        assert not names & B_USERS and count == len(names)


def test_district_b_rows_answer_404_on_every_page(client, world, admin_a):
    client.force_login(admin_a)
    for name in ("user_detail", "user_edit", "user_reset_password"):
        assert client.get(reverse(f"accounts:{name}", args=[world.worker_b.pk])).status_code == 404, name
    for name in ("user_set_active", "user_unlock"):
        assert client.post(reverse(f"accounts:{name}", args=[world.worker_b.pk]), {"active": "0"}).status_code == 404
    world.worker_b.refresh_from_db()
    assert world.worker_b.is_active
    assert client.get(reverse("accounts:user_detail", args=[world.district_a_admin.pk])).status_code == 200


def test_district_b_never_appears_in_the_api(client, world, admin_a):
    assert visible_ids(client, admin_a, "/api/v1/accounts/users", key="username") == A_USERS | {"sysadmin_a"}
    client.force_login(admin_a)
    assert client.get("/api/v1/accounts/users").json()["count"] == 3
    assert client.get(f"/api/v1/accounts/users/{world.worker_b.pk}").status_code == 404
    assert client.get(f"/api/v1/accounts/users/{world.station_head_a.pk}").status_code == 200


def test_scoped_count_matches_what_the_pages_show(world, admin_a):
    assert scoped(User, admin_a, "accounts.view_user").count() == 3
    assert not scoped(User, admin_a, "accounts.view_user").filter(home_region_id=DISTRICT_B).exists()


def test_an_agency_assignment_sees_only_the_agencys_accounts(client, world):
    agency_sysadmin = system_admin_of("agency_sysadmin", agency=world.agency_a)
    names, count = listed(client, agency_sysadmin)
    assert names == {"agency_admin_a", "agency_sysadmin"} and count == 2
    client.force_login(agency_sysadmin)
    assert client.get(reverse("accounts:user_detail", args=[world.district_a_admin.pk])).status_code == 404


def test_nationwide_sees_every_account(client, world):
    national = system_admin_of("national_sysadmin")
    names, count = listed(client, national)
    assert count == User.objects.count() and {"outsider", "no_role", "agency_admin_a"} <= names


def test_two_assignments_see_the_union(client, world):
    both = system_admin_of("both_districts", DISTRICT_A)
    RoleAssignment.objects.create(user=both, role=Role.objects.get(code="system_admin"), region_id=DISTRICT_B)
    names, _count = listed(client, both)
    assert names >= A_USERS | B_USERS and "city_admin" not in names


def test_a_role_without_the_permission_does_not_widen_the_scope(client, world, admin_a):
    # A district-B volunteer role gives admin_a no right to read district B's accounts.
    RoleAssignment.objects.create(user=admin_a, role=Role.objects.get(code="volunteer"), region_id=DISTRICT_B)
    names, _count = listed(client, admin_a)
    assert not names & B_USERS


def test_assignments_outside_the_scope_stay_hidden_on_a_visible_user(client, world, admin_a):
    # station_head_a (越秀) also holds a role in 海珠: 越秀's admin sees the person, not the 海珠 assignment.
    RoleAssignment.objects.create(
        user=world.station_head_a, role=Role.objects.get(code="volunteer"), region_id=DISTRICT_B
    )
    client.force_login(admin_a)
    page = client.get(reverse("accounts:user_detail", args=[world.station_head_a.pk])).content.decode()
    assert "北京街道" in page and "海珠区" not in page
    payload = client.get(f"/api/v1/accounts/users/{world.station_head_a.pk}").json()
    assert [a["role"] for a in payload["assignments"]] == ["station_head"]
