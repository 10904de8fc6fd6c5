"""The region browser (/regions/), the detail page with drill-down, search, and the picker's options endpoint."""

import re

import pytest
from django.urls import reverse

from shegong.regions import loading
from shegong.regions.models import Region
from shegong.regions.tests.helpers import csv_codes
from shegong.testing.matrix import assert_matrix

pytestmark = pytest.mark.django_db


def page(client, user, url, **params):
    client.force_login(user)
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def links(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<a href="([^"]+)" data-testid="region-link">([^<]+)</a>', html)


def test_permission_matrix(client, world):
    assert_matrix(client, world, reverse("regions:browser"), {"anonymous": 302}, default=200)
    assert_matrix(client, world, reverse("regions:browser") + "?q=越秀", {"anonymous": 302}, default=200)
    # Public reference data: every user with a role reads any region; a user without one reads none.
    for code in ("440104", "440104000000", "4403", "440104003104"):
        url = reverse("regions:detail", args=[code])
        assert_matrix(client, world, url, {"anonymous": 302, "no_role": 404}, default=200)


@pytest.mark.parametrize("code", ["99", "990100", "4", "abc", "44010400310"])
def test_unknown_or_malformed_code_is_404(client, world, code):
    client.force_login(world.city_admin)
    assert client.get(reverse("regions:detail", args=[code])).status_code == 404


def test_start_page_shows_the_users_own_areas(client, world):
    html = page(client, world.district_a_admin, reverse("regions:browser"))
    assert links(html) == [("/regions/440104/", "越秀区")]
    html = page(client, world.city_admin, reverse("regions:browser"))
    assert links(html) == [("/regions/4401/", "广州市")]
    assert 'data-testid="region-breadcrumb"' in html
    assert 'name="q"' in html


def test_start_page_of_a_nationwide_user_lists_provinces(client, world):
    from shegong.accounts.models import Role, RoleAssignment

    RoleAssignment.objects.create(user=world.no_role, role=Role.objects.get(code="civil_affairs_admin"))
    html = page(client, world.no_role, reverse("regions:browser"))
    assert len(links(html)) == 31
    assert ("/regions/44/", "广东省") in links(html)


def test_start_page_without_any_role_says_so(client, world):
    html = page(client, world.no_role, reverse("regions:browser"))
    assert links(html) == []
    assert "您还没有任何授权" in html


def test_detail_page_breadcrumb_facts_and_children_with_counts(client, world, django_assert_max_num_queries):
    client.force_login(world.station_head_a)
    url = reverse("regions:detail", args=["440104"])
    with django_assert_max_num_queries(12):
        response = client.get(url)
    html = response.content.decode()
    assert re.search(r"<h1[^>]*>越秀区", html)
    breadcrumb = html.split('data-testid="region-breadcrumb"')[1].split("</ol>")[0]
    assert "广东省" in breadcrumb and "广州市" in breadcrumb and "越秀区" in breadcrumb
    children = links(html)
    assert [name for _href, name in children][:1] == ["洪桥街道"]
    assert len(children) == len(csv_codes(4, "440104"))
    assert all(href.startswith("/regions/440104") for href, _name in children)
    assert "440104000000" in html and "县级" in html
    # Community counts per child: one grouped query, equal to the villages in the file.
    beijing = csv_codes(5, "440104003")
    row = html.split('href="/regions/440104003/"')[1].split("</tr>")[0]
    assert f">{len(beijing)}</td>" in row
    assert f"{len(csv_codes(5, '440104'))}" in html  # the district's total


def test_detail_query_count_does_not_grow_with_children(client, world, django_assert_max_num_queries):
    client.force_login(world.city_admin)
    with django_assert_max_num_queries(12):
        client.get(reverse("regions:detail", args=["4401"]))  # 11 districts
    with django_assert_max_num_queries(12):
        client.get(reverse("regions:detail", args=["440104003"]))  # dozens of communities


def test_drill_down_to_a_community(client, world):
    html = page(client, world.city_admin, reverse("regions:detail", args=["440104003"]))
    assert re.search(r"<h1[^>]*>北京街道", html)
    community_links = links(html)
    assert len(community_links) == len(csv_codes(5, "440104003"))
    href, name = community_links[0]
    html = page(client, world.city_admin, href)
    assert re.search(rf"<h1[^>]*>{name}", html)
    assert "没有下级区划" in html
    assert "北京街道" in html.split('data-testid="region-breadcrumb"')[1].split("</ol>")[0]


def test_dongguan_towns_hang_under_the_city(client, world):
    loading.load_shipped(city="4419")
    html = page(client, world.city_admin, reverse("regions:detail", args=["4419"]))
    assert re.search(r"<h1[^>]*>东莞市", html)
    children = links(html)
    assert len(children) == len(csv_codes(4, "4419"))
    assert all(len(href.strip("/").split("/")[-1]) == 9 for href, _name in children)
    town_href = children[0][0]
    breadcrumb = page(client, world.city_admin, town_href).split('data-testid="region-breadcrumb"')[1]
    assert "广东省" in breadcrumb.split("</ol>")[0] and "东莞市" in breadcrumb.split("</ol>")[0]


def test_search_box_lists_matches_with_their_path(client, world):
    html = page(client, world.city_admin, reverse("regions:browser"), q="北京街道")
    assert links(html) == []  # results are list items, not table links
    assert 'href="/regions/440104003/" data-testid="region-link"' in html
    assert "广东省 / 广州市 / 越秀区" in html


def test_search_within_a_region(client, world):
    html = page(client, world.city_admin, reverse("regions:browser"), q="街道", within="440105")
    assert "海珠区" in html
    hrefs = re.findall(r'href="(/regions/\d+/)" data-testid="region-link"', html)
    assert hrefs and all(href.startswith("/regions/440105") for href in hrefs)


def test_search_with_no_result(client, world):
    html = page(client, world.city_admin, reverse("regions:browser"), q="不存在的地名")
    assert "没有名称包含该文字的行政区划" in html


def test_menu_entry_for_users_with_the_permission(client, world):
    html = page(client, world.city_admin, reverse("web:home"))
    assert 'data-nav="regions:browser"' in html
    html = page(client, world.no_role, reverse("web:home"))
    assert 'data-nav="regions:browser"' not in html


def test_page_has_no_inline_script_or_style(client, world):
    html = page(client, world.city_admin, reverse("regions:detail", args=["4401"]))
    assert "<script>" not in html and "style=" not in html and "<style" not in html


def test_picker_options_endpoint(client, world):
    client.force_login(world.district_a_admin)
    url = reverse("regions:picker_options")
    provinces = client.get(url).json()["options"]
    assert len(provinces) == 31 and provinces[0] == {"code": "110000000000", "name": "北京市", "level": 1}
    districts = client.get(url, {"parent": "4401"}).json()["options"]
    assert [row["code"][:6] for row in districts] == sorted(code for code in csv_codes(3, "4401"))
    limited = client.get(url, {"parent": "4401", "within": "440104,440105"}).json()["options"]
    assert [row["name"] for row in limited] == ["越秀区", "海珠区"]
    assert [row["name"] for row in client.get(url, {"within": "440104"}).json()["options"]] == ["广东省"]
    assert client.get(url, {"parent": "440104", "within": "440105"}).json()["options"] == []
    assert client.get(url, {"parent": "9901"}).status_code == 404
    assert client.get(url, {"parent": "x"}).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_region_model_helpers():
    region = Region.objects.get(code="440104003000")
    assert (str(region), region.short_code, region.province_code) == ("北京街道", "440104003", "44")
    assert region.subtree_bounds == ("440104003000", "440104003999")


def test_pages_in_english(client, world):
    client.force_login(world.city_admin)
    html = client.get(reverse("regions:detail", args=["440104"]), headers={"accept-language": "en"}).content.decode()
    assert "Divisions below" in html and "Communities/villages" in html and "County level" in html
    client.cookies.load({"django_language": "en"})
    html = client.get(reverse("regions:browser"), {"q": "越秀"}).content.decode()
    assert "Search for “越秀”" in html
