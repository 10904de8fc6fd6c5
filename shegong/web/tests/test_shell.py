"""The UI shell: home page with the user's scope, a menu that follows the roles, error pages, language switch."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from shegong.accounts.models import Role, RoleAssignment

pytestmark = pytest.mark.django_db


def menu(client, user) -> set[str]:
    client.force_login(user)
    return set(re.findall(r'data-nav="([^"]+)"', client.get(reverse("web:home")).content.decode()))


def test_home_shows_each_assignment_with_its_region_path(client, world):
    RoleAssignment.objects.create(user=world.district_a_admin, role=Role.objects.get(code="volunteer"))
    client.force_login(world.district_a_admin)
    page = client.get(reverse("web:home")).content.decode()
    lines = re.findall(r'data-testid="scope-line">(.*?)</li>', page, re.S)
    texts = [re.sub(r"<[^>]+>|\s+", " ", line).split() for line in lines]
    assert ["民政部门管理员", "广东省", "›", "广州市", "›", "越秀区", "440104"] in texts
    assert ["志愿者", "全国"] in texts


def test_home_shows_an_agency_assignment_and_no_assignment(client, world):
    client.force_login(world.agency_admin_a)
    assert world.agency_a.name in client.get(reverse("web:home")).content.decode()
    client.force_login(world.no_role)
    assert "您还没有任何授权" in client.get(reverse("web:home")).content.decode()


def test_home_needs_sign_in(client, world):
    response = client.get(reverse("web:home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_the_menu_shows_only_what_the_roles_allow(client, world):
    assert {"accounts:user_list"} <= menu(client, world.system_admin)
    assert "accounts:role_list" not in menu(client, world.system_admin)
    assert "accounts:role_list" in menu(client, world.security_admin)
    assert "accounts:user_list" not in menu(client, world.security_admin)
    for name in ("audit_admin", "worker_b", "no_role"):
        assert not {"accounts:user_list", "accounts:role_list"} & menu(client, world.users[name]), name


def test_the_current_section_is_marked_in_the_menu(client, world):
    client.force_login(world.system_admin)
    page = client.get(reverse("accounts:user_detail", args=[world.worker_b.pk])).content.decode()
    assert re.search(r'class="dropdown-item active" href="/accounts/users/" aria-current="page"', page)
    assert re.search(r'class="nav-link dropdown-toggle active"[^>]*data-nav-section="system"', page)


def test_the_menu_groups_entries_in_sections_and_shows_a_lone_entry_as_a_link(client, world):
    client.force_login(world.city_admin)
    page = client.get(reverse("web:home")).content.decode()
    sections = re.findall(r'data-nav-section="([a-z]+)"', page)
    assert sections == ["stations", "registry", "projects", "services", "volunteers", "analytics", "system"]
    # The worker's one entry of the registry section (招聘) is a plain link; their reference pages form a section.
    client.force_login(world.worker_b)
    page = client.get(reverse("web:home")).content.decode()
    assert re.findall(r'data-nav-section="([a-z]+)"', page) == ["services", "volunteers", "system"]
    assert re.search(r'class="nav-link" href="[^"]+"\s+data-nav="recruitment:opening_list"', page)


def test_the_menu_collapses_on_a_phone(client, world):
    client.force_login(world.system_admin)
    page = client.get(reverse("web:home")).content.decode()
    assert 'name="viewport"' in page and 'class="navbar-toggler"' in page and 'data-bs-target="#main-nav"' in page


def test_login_page_has_no_menu_and_a_language_switch(client, world):
    page = client.get(reverse("accounts:login")).content.decode()
    assert "data-nav=" not in page and 'data-testid="language-switch"' in page


@pytest.mark.urls("shegong.web.tests.error_urls")
@pytest.mark.parametrize(
    ("url", "status", "text"),
    [
        ("/__fail__/400/", 400, "请求有误"),
        ("/__fail__/403/", 403, "没有权限"),
        ("/no/such/page/", 404, "页面不存在"),
        ("/__fail__/500/", 500, "系统出错了"),
    ],
)
def test_error_pages_in_chinese_with_the_right_status(world, settings, url, status, text):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    client.force_login(world.worker_b)
    response = client.get(url)
    assert response.status_code == status
    page = response.content.decode()
    assert text in page and f'data-testid="error-{status}"' in page and 'lang="zh-hans"' in page


@pytest.mark.urls("shegong.web.tests.error_urls")
def test_error_pages_follow_the_chosen_language(world, settings):
    settings.DEBUG = False
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="en")
    assert "Page not found" in client.get("/no/such/page/").content.decode()
    assert "Something went wrong" in client.get("/__fail__/500/").content.decode()


def test_out_of_scope_answers_the_404_page(client, world):
    client.force_login(world.system_admin)
    response = client.get(reverse("accounts:user_detail", args=[world.outsider.pk]))
    assert response.status_code == 404 and "页面不存在" in response.content.decode()


def test_language_switch_to_english_and_back(client, world):
    client.force_login(world.district_a_admin)
    home = reverse("web:home")
    assert "我的数据权限" in client.get(home).content.decode()

    response = client.post(reverse("set_language"), {"language": "en", "next": home})
    assert response.status_code == 302 and response["Location"] == home
    page = client.get(home).content.decode()
    assert 'lang="en"' in page and "My data scope" in page and "Hello, district_a_admin" in page
    assert "我的数据权限" not in page
    assert "Civil affairs administrator" in page  # role names come from the accounts catalogue

    client.post(reverse("set_language"), {"language": "zh-hans", "next": home})
    assert "我的数据权限" in client.get(home).content.decode()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_menu_opens_from_the_toggler_on_a_phone(live_server, phone_page, world):
    from shegong.testing.browser import login, open_menu_entry
    from shegong.testing.world import PASSWORD

    login(phone_page, live_server.url, "system_admin", PASSWORD)
    assert phone_page.locator("[data-nav='accounts:user_list']").is_hidden()
    open_menu_entry(phone_page, "accounts:user_list")
    assert phone_page.get_by_test_id("user-count").is_visible()
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    assert not phone_page.js_errors, phone_page.js_errors
