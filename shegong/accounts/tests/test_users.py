"""User management by the system admin: list, create, edit, deactivate, reset password, unlock; must-change redirect."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from shegong.accounts import services
from shegong.accounts.models import PasswordHistory, Role, RoleAssignment, User
from shegong.audit.models import AuditEntry
from shegong.regions.models import Region
from shegong.testing.matrix import ViewCase
from shegong.testing.world import DISTRICT_A, DISTRICT_B, PASSWORD

pytestmark = pytest.mark.django_db

STRONG = "Qz7#mLp2vR"
MIDDLEWARE = "shegong.accounts.middleware.PasswordChangeRequiredMiddleware"

MATRIX = [
    ViewCase("accounts:user_list", {"anonymous": 302, "system_admin": 200, "security_admin": 200}, default=403),
    ViewCase("accounts:user_create", {"anonymous": 302, "system_admin": 200}, default=403),
    ViewCase(
        "accounts:user_detail",
        {"anonymous": 302, "system_admin": 200, "security_admin": 200},
        default=403,
        args=lambda w: [w.district_a_admin.pk],
        out_of_scope=lambda w: [w.outsider.pk],
    ),
    ViewCase(
        "accounts:user_edit",
        {"anonymous": 302, "system_admin": 200},
        default=403,
        args=lambda w: [w.district_a_admin.pk],
        out_of_scope=lambda w: [w.outsider.pk],
    ),
    ViewCase(
        "accounts:user_reset_password",
        {"anonymous": 302, "system_admin": 200},
        default=403,
        args=lambda w: [w.district_a_admin.pk],
        out_of_scope=lambda w: [w.outsider.pk],
    ),
    ViewCase(
        "accounts:user_set_active",
        {"anonymous": 302, "system_admin": 302},
        default=403,
        method="post",
        data={"active": "1"},  # reactivating an active account changes nothing, so every user may try it
        args=lambda w: [w.district_a_admin.pk],
        out_of_scope=lambda w: [w.outsider.pk],
    ),
    ViewCase(
        "accounts:user_unlock",
        {"anonymous": 302, "system_admin": 302},
        default=403,
        method="post",
        args=lambda w: [w.district_a_admin.pk],
        out_of_scope=lambda w: [w.outsider.pk],
    ),
    ViewCase("accounts:password_change", {"anonymous": 302}, default=200),
    ViewCase("accounts:profile", {"anonymous": 302}, default=200),
]


@pytest.mark.parametrize("case", MATRIX, ids=str)
def test_permission_matrix(client, world, case):
    case.check(client, world)


def rows(response) -> list[str]:
    return re.findall(r'data-username="([^"]+)"', response.content.decode())


def count_shown(response) -> int:
    match = re.search(r'data-testid="user-count">[^0-9]*(\d+)', response.content.decode())
    return int(match.group(1))


def create_user(username, region: str | None = None, agency=None, **kwargs) -> User:
    home = Region.objects.get(pk=region) if region else None
    return services.user_create(
        actor=None, username=username, password=STRONG, home_region=home, home_agency=agency, **kwargs
    )


# --- The list ------------------------------------------------------------------------------------------------------


def test_list_shows_the_scope_only_with_its_count(client, world):
    client.force_login(world.system_admin)
    response = client.get(reverse("accounts:user_list"))
    shown = set(rows(response))
    assert "district_b_admin" in shown and "station_head_a" in shown
    assert "outsider" not in shown  # 深圳市 lies outside 广州市
    assert count_shown(response) == len(shown) == 9


def test_list_filters_by_search_role_region_active_and_locked(client, world):
    client.force_login(world.system_admin)
    url = reverse("accounts:user_list")
    hero = create_user("zhang_san", DISTRICT_B, display_name="张三")
    services.user_update(actor=world.system_admin, user=hero, is_active=False)
    User.objects.filter(pk=world.worker_b.pk).update(locked_until=timezone.now() + timedelta(minutes=5))
    civil = Role.objects.get(code="civil_affairs_admin")

    assert rows(client.get(url, {"q": "张三"})) == ["zhang_san"]
    assert rows(client.get(url, {"q": "DISTRICT_A"})) == ["district_a_admin"]
    assert set(rows(client.get(url, {"role": civil.pk}))) == {"city_admin", "district_a_admin", "district_b_admin"}
    assert set(rows(client.get(url, {"region": "440105"}))) == {"district_b_admin", "worker_b", "zhang_san"}
    assert rows(client.get(url, {"active": "0"})) == ["zhang_san"]
    assert rows(client.get(url, {"locked": "1"})) == ["worker_b"]
    assert "worker_b" not in rows(client.get(url, {"locked": "0"}))
    # A filter never widens the scope: 深圳 is simply empty for a 广州 admin.
    response = client.get(url, {"region": "4403"})
    assert rows(response) == [] and count_shown(response) == 0
    # A bad code is reported next to the field, not silently ignored.
    assert "没有区划代码为 999999 的行政区划" in client.get(url, {"region": "999999"}).content.decode()


def test_list_pages_by_fifty_with_a_constant_number_of_queries(client, world, django_assert_max_num_queries):
    role = Role.objects.get(code="social_worker")
    for number in range(55):
        user = User.objects.create(username=f"worker{number:02d}", home_region_id=DISTRICT_A)
        RoleAssignment.objects.create(user=user, role=role, region_id=DISTRICT_A)
    client.force_login(world.system_admin)
    url = reverse("accounts:user_list")
    with django_assert_max_num_queries(14):
        first = client.get(url)
    assert len(rows(first)) == 50 and count_shown(first) == 64
    second = client.get(url, {"page": 2})
    assert len(rows(second)) == 14
    assert "page=2" in first.content.decode()


# --- Create --------------------------------------------------------------------------------------------------------


def form_data(**overrides):
    data = {
        "username": "li_si",
        "display_name": "李四",
        "phone": "138 1234 5678",
        "email": "lisi@example.cn",
        "home_region": "440104",
        "home_agency": "",
        "password1": STRONG,
        "password2": STRONG,
    }
    data.update(overrides)
    return data


def test_create_makes_an_account_with_no_role_that_must_change_its_password(client, world):
    client.force_login(world.system_admin)
    response = client.post(reverse("accounts:user_create"), form_data())
    user = User.objects.get(username="li_si")
    assert response.status_code == 302 and response["Location"] == reverse("accounts:user_detail", args=[user.pk])
    assert user.must_change_password and user.check_password(STRONG)
    assert user.home_region_id == DISTRICT_A and user.phone == "13812345678"
    assert not user.assignments.exists()  # granting is the security admin's work
    assert PasswordHistory.objects.filter(user=user).count() == 1  # stored once, not twice
    entry = AuditEntry.objects.get(object_type="accounts.user", object_id=str(user.pk), action="create")
    assert entry.actor_id == world.system_admin.pk
    assert "13812345678" not in str(entry.changes)

    detail = client.get(reverse("accounts:user_detail", args=[user.pk])).content.decode()
    assert "138****5678" in detail and "13812345678" not in detail
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM accounts_user WHERE id = %s", [user.pk])
        assert "13812345678" not in cursor.fetchone()[0]  # encrypted at rest


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"password1": "abcdefgh", "password2": "abcdefgh"}, "password1", "至少"),
        ({"password2": "Other#Pass2026"}, "password2", "两次输入的密码不一致"),
        ({"username": "WORKER_B"}, "username", "已被使用"),
        ({"phone": "12345"}, "phone", "11 位的手机号码"),
        ({"home_region": "440300"}, "home_region", "不在您的管辖范围内"),
        ({"home_region": "123"}, "home_region", "请选择有效的行政区划"),
        ({"home_region": "449999"}, "home_region", "请选择有效的行政区划"),
        ({"home_region": ""}, "home_region", "请指定所属区划或所属机构"),
    ],
)
def test_create_explains_bad_input_in_chinese(client, world, overrides, field, message):
    client.force_login(world.system_admin)
    response = client.post(reverse("accounts:user_create"), form_data(**overrides))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field]), errors
    assert not User.objects.filter(username="li_si").exists()


def test_create_for_an_agency_is_administered_under_the_agencys_region(client, world):
    client.force_login(world.system_admin)
    response = client.post(reverse("accounts:user_create"), form_data(home_region="", home_agency=world.agency_b.pk))
    assert response.status_code == 302
    assert User.objects.get(username="li_si").home_region_id == DISTRICT_B


def test_a_district_system_admin_cannot_place_an_account_in_another_district(world):
    sysadmin_a = User.objects.create(username="sys_a", home_region_id=DISTRICT_A)
    RoleAssignment.objects.create(user=sysadmin_a, role=Role.objects.get(code="system_admin"), region_id=DISTRICT_A)
    with pytest.raises(ValidationError) as caught:
        services.user_create(actor=sysadmin_a, username="x", password=STRONG, home_agency=world.agency_b)
    assert "home_region" in caught.value.error_dict
    with pytest.raises(ValidationError):
        services.user_create(actor=sysadmin_a, username="x", password=STRONG)  # nowhere = nationwide only


def test_only_the_system_admin_creates_accounts(world):
    for name in ("security_admin", "audit_admin", "city_admin"):
        with pytest.raises(PermissionDenied):
            services.user_create(
                actor=world.users[name], username="x", password=STRONG, home_region=world.district_a_admin.home_region
            )


# --- Edit, deactivate, reset, unlock ------------------------------------------------------------------------------


def test_edit_keeps_the_phone_unless_a_new_one_is_given(client, world):
    user = create_user("wang_wu", DISTRICT_A, phone="13900001111", display_name="王五")
    client.force_login(world.system_admin)
    url = reverse("accounts:user_edit", args=[user.pk])
    page = client.get(url).content.decode()
    assert "139****1111" in page and "13900001111" not in page  # the form never echoes the number

    base = {"display_name": "王五（社工）", "email": "", "home_region": "440104", "home_agency": ""}
    assert client.post(url, base).status_code == 302
    user.refresh_from_db()
    assert user.display_name == "王五（社工）" and user.phone == "13900001111"

    client.post(url, {**base, "phone": "13900002222"})
    user.refresh_from_db()
    assert user.phone == "13900002222"
    entry = AuditEntry.objects.filter(object_id=str(user.pk), action="update").order_by("-sequence").first()
    assert "phone" in entry.changes and "13900002222" not in str(entry.changes)

    client.post(url, {**base, "clear_phone": "on"})
    user.refresh_from_db()
    assert user.phone == ""


def test_edit_cannot_move_an_account_out_of_the_admins_scope(client, world):
    client.force_login(world.system_admin)
    url = reverse("accounts:user_edit", args=[world.worker_b.pk])
    response = client.post(url, {"display_name": "x", "home_region": "440300", "home_agency": ""})
    assert response.status_code == 200 and "home_region" in response.context["form"].errors
    world.worker_b.refresh_from_db()
    assert world.worker_b.home_region_id == DISTRICT_B


def test_username_is_fixed_after_creation(world):
    with pytest.raises(ValueError, match="username"):
        services.user_update(actor=world.system_admin, user=world.worker_b, username="renamed")


def test_deactivate_and_reactivate_never_delete(client, world):
    client.force_login(world.system_admin)
    url = reverse("accounts:user_set_active", args=[world.worker_b.pk])
    client.post(url, {"active": "0"})
    world.worker_b.refresh_from_db()
    assert world.worker_b.is_active is False
    notes = list(AuditEntry.objects.filter(object_id=str(world.worker_b.pk)).values_list("note", flat=True))
    assert "停用账户" in notes

    # A deactivated account cannot sign in, and its open sessions stop working.
    other = client_class_login(world.worker_b)
    assert other.get(reverse("web:home")).status_code == 302

    client.post(url, {"active": "1"})
    world.worker_b.refresh_from_db()
    assert world.worker_b.is_active is True
    assert User.objects.filter(pk=world.worker_b.pk).exists()


def client_class_login(user):
    from django.test import Client

    other = Client()
    other.force_login(user)
    return other


def test_a_system_admin_cannot_deactivate_themselves(client, world):
    client.force_login(world.system_admin)
    response = client.post(
        reverse("accounts:user_set_active", args=[world.system_admin.pk]), {"active": "0"}, follow=True
    )
    assert "不能停用自己的账户" in response.content.decode()
    world.system_admin.refresh_from_db()
    assert world.system_admin.is_active


def test_reset_password_forces_a_change_at_next_sign_in(client, world):
    client.force_login(world.system_admin)
    url = reverse("accounts:user_reset_password", args=[world.worker_b.pk])
    response = client.post(url, {"new_password1": STRONG, "new_password2": STRONG})
    assert response.status_code == 302
    world.worker_b.refresh_from_db()
    assert world.worker_b.check_password(STRONG) and world.worker_b.must_change_password
    entry = AuditEntry.objects.filter(object_id=str(world.worker_b.pk), action="update").order_by("-sequence").first()
    assert entry.actor_id == world.system_admin.pk and entry.note == "管理员重置密码"
    assert STRONG not in str(entry.changes)


def test_reset_password_applies_the_policy(client, world):
    client.force_login(world.system_admin)
    url = reverse("accounts:user_reset_password", args=[world.worker_b.pk])
    response = client.post(url, {"new_password1": "password", "new_password2": "password"})
    assert response.status_code == 200 and response.context["form"].errors
    world.worker_b.refresh_from_db()
    assert world.worker_b.check_password(PASSWORD)


def test_own_password_is_changed_not_reset(client, world):
    client.force_login(world.system_admin)
    response = client.get(reverse("accounts:user_reset_password", args=[world.system_admin.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:password_change")


def test_unlock_clears_the_lock(client, world):
    User.objects.filter(pk=world.worker_b.pk).update(
        locked_until=timezone.now() + timedelta(minutes=10), failed_login_count=3
    )
    client.force_login(world.system_admin)
    page = client.get(reverse("accounts:user_detail", args=[world.worker_b.pk])).content.decode()
    assert 'data-testid="status-locked"' in page
    client.post(reverse("accounts:user_unlock", args=[world.worker_b.pk]))
    world.worker_b.refresh_from_db()
    assert world.worker_b.locked_until is None and world.worker_b.failed_login_count == 0
    assert AuditEntry.objects.filter(object_id=str(world.worker_b.pk), note="解锁账户").exists()


# --- 三员分立 from the system admin's side ---------------------------------------------------------------------------


def test_the_system_admin_cannot_grant_roles_nor_read_the_audit_log(client, world):
    admin = world.system_admin
    assert not admin.has_perm("accounts.manage_roles")
    assert not admin.has_perm("audit.view_auditentry")
    with pytest.raises(PermissionDenied):
        services.assignment_create(
            actor=admin,
            user=world.worker_b,
            role=Role.objects.get(code="system_admin"),
            region=world.worker_b.home_region,
        )
    client.force_login(admin)
    assert client.get(reverse("accounts:user_assignments", args=[world.worker_b.pk])).status_code == 403
    page = client.get(reverse("accounts:user_detail", args=[world.worker_b.pk])).content.decode()
    assert 'data-testid="manage-assignments"' not in page and 'data-testid="user-actions"' in page


def test_the_security_admin_reads_users_but_cannot_manage_them(client, world):
    client.force_login(world.security_admin)
    page = client.get(reverse("accounts:user_detail", args=[world.worker_b.pk])).content.decode()
    assert 'data-testid="user-actions"' not in page and 'data-testid="manage-assignments"' in page
    assert 'data-testid="user-create"' not in client.get(reverse("accounts:user_list")).content.decode()
    with pytest.raises(PermissionDenied):
        services.user_set_password(actor=world.security_admin, user=world.worker_b, password=STRONG)


# --- Must change the password ---------------------------------------------------------------------------------------


@pytest.fixture
def password_middleware(settings):
    """The middleware as settings.MIDDLEWARE lists it (after authentication); added here if settings lack it."""
    if MIDDLEWARE not in settings.MIDDLEWARE:
        position = settings.MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1
        settings.MIDDLEWARE = [*settings.MIDDLEWARE[:position], MIDDLEWARE, *settings.MIDDLEWARE[position:]]


def test_sign_in_with_a_password_to_change_leads_to_the_change_page(client, world):
    user = create_user("newbie", DISTRICT_A)
    response = client.post(reverse("accounts:login"), {"username": "newbie", "password": STRONG})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:password_change"))
    assert user.must_change_password


def test_every_page_leads_to_the_change_page_until_the_password_is_changed(client, world, password_middleware):
    user = create_user("newbie", DISTRICT_A)
    client.force_login(user)
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_change") + "?next=%2Faccounts%2Fprofile%2F"
    assert client.get("/api/v1/accounts/me").status_code == 403
    page = client.get(reverse("accounts:password_change"))
    assert page.status_code == 200 and 'data-testid="must-change"' in page.content.decode()

    changed = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": STRONG,
            "new_password1": "Nw8$kTq4xZ",
            "new_password2": "Nw8$kTq4xZ",
            "next": "/accounts/profile/",
        },
    )
    assert changed.status_code == 302 and changed["Location"] == "/accounts/profile/"
    user.refresh_from_db()
    assert not user.must_change_password
    assert client.get(reverse("accounts:profile")).status_code == 200  # still signed in, no longer redirected


def test_the_change_page_refuses_to_redirect_elsewhere(client, world):
    client.force_login(world.worker_b)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": STRONG, "new_password2": STRONG, "next": "https://evil.example/"},
    )
    assert response.status_code == 302 and response["Location"] == reverse("web:home")


def test_other_users_are_not_redirected(client, world, password_middleware):
    client.force_login(world.worker_b)
    assert client.get(reverse("accounts:profile")).status_code == 200


# --- In a browser: the account's life, from creation to its owner's first sign-in -----------------------------------


def pick(page, name: str, codes: list[str], first_level: int) -> None:
    """Choose a region in the cascading picker, level by level (each level loads once the one above is set)."""
    for level, code in enumerate(codes, start=first_level):
        select = f"#id_{name}_{level}"
        page.wait_for_selector(f"{select}:not([disabled]) option[value='{code}']", state="attached")
        page.select_option(select, code)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_browser_create_grant_and_first_sign_in(live_server, chromium_browser, world, tmp_path):
    screenshots = tmp_path
    from shegong.testing.browser import _new_page, login

    def session(username, password=PASSWORD):
        context, page = _new_page(chromium_browser, viewport={"width": 1366, "height": 900})
        login(page, live_server.url, username, password)
        return context, page

    # The system admin creates the account, choosing the home region with the cascading picker.
    context, page = session("system_admin")
    page.goto(f"{live_server.url}{reverse('accounts:user_list')}")
    page.get_by_test_id("user-create").click()
    page.fill("#id_username", "zhao_liu")
    page.fill("#id_display_name", "赵六")
    page.fill("#id_phone", "13912345678")
    pick(page, "home_region", ["440100000000", "440104000000", "440104003000"], first_level=2)
    page.screenshot(path=str(screenshots / "user_create.png"), full_page=True)
    page.fill("#id_password1", STRONG)
    page.fill("#id_password2", STRONG)
    page.click("form button[type=submit].btn-primary")
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("phone").inner_text() == "139****5678"
    assert "北京街道" in page.inner_text("main")
    assert not page.js_errors, page.js_errors
    context.close()

    # The security admin grants a role; the agency field shows only when "agency" is the chosen scope.
    context, page = session("security_admin")
    user = User.objects.get(username="zhao_liu")
    page.goto(f"{live_server.url}{reverse('accounts:user_assignments', args=[user.pk])}")
    agency_box = page.locator("[data-show-when='where=agency']")
    assert agency_box.is_hidden()
    page.check("input[name=where][value=agency]")
    assert agency_box.is_visible() and page.locator("[data-show-when='where=region']").is_hidden()
    page.check("input[name=where][value=region]")
    page.select_option("#id_role", label="社工")
    pick(page, "region", ["440100000000", "440104000000"], first_level=2)
    page.screenshot(path=str(screenshots / "user_assignments.png"), full_page=True)
    page.click("[data-testid=grant-form] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "越秀区" in page.get_by_test_id("assignments").inner_text()
    assert not page.js_errors, page.js_errors
    context.close()

    # The owner signs in, must choose a password first, then sees their scope.
    context, page = session("zhao_liu", STRONG)
    assert "/accounts/password/" in page.url
    page.fill("#id_old_password", STRONG)
    page.fill("#id_new_password1", "Nw8$kTq4xZ")
    page.fill("#id_new_password2", "Nw8$kTq4xZ")
    page.click("form button[type=submit].btn-primary")
    page.wait_for_load_state("networkidle")
    assert "广东省 › 广州市 › 越秀区" in " ".join(page.get_by_test_id("my-scope").inner_text().split())
    assert not page.js_errors, page.js_errors
    context.close()
