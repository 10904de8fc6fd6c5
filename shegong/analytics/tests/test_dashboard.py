"""统计看板: the key indicators of the user's region with targets, the drill-down over its children (sortable, with the
remainder recorded on the region itself), the indicator page, the period picker, and scope on every page (a district
user never sees a sibling district's figures, in the tables or in the charts' data)."""

import datetime
import json
import re

import pytest
from django.urls import reverse

from shegong.analytics.models import Target
from shegong.persontimes import services
from shegong.regions.models import Region
from shegong.stations.tests.factories import Kind, make_station
from shegong.testing.matrix import ViewCase, assert_matrix
from shegong.testing.world import CITY, DISTRICT_A, DISTRICT_B, OTHER_CITY, STREET_A

pytestmark = pytest.mark.django_db

STREET_A2 = "440104001000"  # 洪桥街道, 越秀区
STREET_B = "440105001000"  # 海珠区
YEAR = 2026


def day(month: int, number: int = 10) -> datetime.date:
    return datetime.date(YEAR, month, number)


@pytest.fixture
def figures_world(world):
    return build_figures(world)


def build_figures(world):
    """Person-times in two streets of district A, one street of district B, and some recorded on district A itself
    (no street); a 2026 target for district A."""
    station_a = make_station(Kind.STATION, STREET_A)
    station_a2 = make_station(Kind.STATION, STREET_A2)
    station_b = make_station(Kind.STATION, STREET_B)
    district_a = Region.objects.get(pk=DISTRICT_A)
    services.record(kind="activity", source_id=1, occurred_on=day(3), count=30, station=station_a, domain="charity")
    services.record(kind="case_session", source_id=2, occurred_on=day(4), count=5, station=station_a)
    services.record(
        kind="group_session", source_id=3, occurred_on=day(5), count=50, station=station_a2, domain="social_welfare"
    )
    services.record(kind="activity", source_id=4, occurred_on=day(3), count=7771, station=station_b)
    services.record(kind="activity", source_id=5, occurred_on=day(6), count=7, station=station_a, region=district_a)
    Target.objects.create(
        indicator="person_times",
        region=district_a,
        period_start=datetime.date(YEAR, 1, 1),
        period_end=datetime.date(YEAR, 12, 31),
        value=200,
        source="测试目标",
    )
    return world


def page(client, user, url: str) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def chart(html: str, name: str):
    found = re.search(rf'<script id="{name}" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(found.group(1))


def dashboard_url(code: str, query: str = "?period=2026") -> str:
    return reverse("analytics:dashboard", args=[code]) + query


# --- scope matrix -----------------------------------------------------------------------------------------------------

DENIED = 403
HOLDERS = {"anonymous": 302, "city_admin": 200, "district_a_admin": 200, "station_head_a": 200}
STREET_VIEW = {**HOLDERS, "district_b_admin": 404, "outsider": 404}

CASES = [
    ViewCase("analytics:home", {**HOLDERS, "district_b_admin": 200, "outsider": 200}, default=DENIED),
    ViewCase("analytics:report_home", {**HOLDERS, "district_b_admin": 200, "outsider": 200}, default=DENIED),
    ViewCase(
        "analytics:dashboard",
        STREET_VIEW,
        default=DENIED,
        args=lambda w: [STREET_A],
        out_of_scope=lambda w: [STREET_B],
        out_of_scope_users=["district_a_admin", "station_head_a"],
    ),
    ViewCase(
        "analytics:indicator",
        STREET_VIEW,
        default=DENIED,
        args=lambda w: [STREET_A, "person_times"],
        out_of_scope=lambda w: [STREET_B, "person_times"],
        out_of_scope_users=["district_a_admin", "station_head_a"],
    ),
    ViewCase(
        "analytics:report",
        STREET_VIEW,
        default=DENIED,
        args=lambda w: [STREET_A],
        out_of_scope=lambda w: [DISTRICT_B],
        out_of_scope_users=["district_a_admin", "station_head_a"],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_permission_matrix(client, figures_world, case):
    case.check(client, figures_world)


@pytest.mark.parametrize("name", ["analytics:dashboard", "analytics:report"])
def test_the_city_and_other_cities_are_out_of_a_district_users_scope(client, figures_world, name):
    for code, users in (
        (CITY, ["district_a_admin", "station_head_a"]),
        (DISTRICT_A, ["station_head_a", "district_b_admin", "outsider"]),
        (OTHER_CITY, ["city_admin", "district_a_admin"]),
        ("999999999999", ["city_admin"]),
    ):
        assert_matrix(client, figures_world, reverse(name, args=[code]), dict.fromkeys(users, 404))


def test_an_unknown_indicator_is_404(client, figures_world):
    url = reverse("analytics:indicator", args=[DISTRICT_A, "no_such_indicator"])
    assert_matrix(client, figures_world, url, {"city_admin": 404})


def test_the_country_indicator_page_is_only_for_nationwide_users(client, figures_world):
    url = reverse("analytics:country_indicator", args=["person_times"])
    assert_matrix(client, figures_world, url, {"city_admin": 404, "district_a_admin": 404, "worker_b": 403})


# --- the landing page -------------------------------------------------------------------------------------------------


def test_the_landing_page_is_the_users_own_region(client, figures_world):
    html = page(client, figures_world.district_a_admin, reverse("analytics:home") + "?period=2026")
    assert re.search(r'data-testid="region-name">越秀区<', html)
    html = page(client, figures_world.station_head_a, reverse("analytics:home") + "?period=2026")
    assert re.search(r'data-testid="region-name">北京街道<', html)


def test_key_panel_shows_value_numerator_and_target_progress(client, figures_world):
    html = page(client, figures_world.district_a_admin, reverse("analytics:home") + "?period=2026")
    panel = html.split('data-testid="key-panel"')[1].split('data-testid="chart-trend"')[0]
    cell = panel.split('data-indicator="person_times"')[1].split('data-testid="key-cell"')[0]
    assert re.search(r'data-testid="value">92\b', cell)  # 30 + 5 + 50 + 7
    assert 'title="分子 92"' in cell
    assert 'data-testid="target"' in cell and "200" in cell and "46.0%" in cell
    gauges = {item["code"]: item["percent"] for item in chart(html, "gauge-data")}
    assert gauges["person_times"] == 46.0


def cell_of(html: str, code: str, indicator: str = "person_times") -> str:
    row = html.split(f'data-testid="child-row" data-code="{code}"')[1].split("</tr>")[0]
    return re.search(rf'data-indicator="{indicator}"[^>]*>([^<]*)<', row).group(1)


def test_the_drill_down_lists_only_the_regions_children_with_a_remainder_row(client, figures_world):
    html = page(client, figures_world.district_a_admin, dashboard_url(DISTRICT_A))
    codes = re.findall(r'data-testid="child-row" data-code="(\w+)"', html)
    streets = set(Region.objects.filter(parent_id=DISTRICT_A).values_list("code", flat=True))
    assert set(codes[:-1]) == streets and codes[-1] == "_"
    assert "未落到下级地区" in html.split('data-code="_"')[1].split("</tr>")[0]
    assert cell_of(html, "_") == "7" and cell_of(html, STREET_A) == "35" and cell_of(html, STREET_A2) == "50"
    # Each child links to its own dashboard, keeping the period.
    assert f'href="{reverse("analytics:dashboard", args=[STREET_A])}?period=2026"' in html
    # No figure of district B anywhere, charts included.
    assert not any(code.startswith("440105") for code in codes) and "海珠" not in html
    for name in ("ranking-data", "trend-data", "breakdown-data", "gauge-data"):
        assert "7771" not in json.dumps(chart(html, name)), name


def test_no_remainder_when_the_children_hold_everything(client, figures_world):
    html = page(client, figures_world.city_admin, dashboard_url(CITY))
    assert cell_of(html, DISTRICT_A) == "92" and cell_of(html, DISTRICT_B) == "7,771"
    if 'data-code="_"' in html:  # other indicators may have records on the city itself; person-times have none
        assert cell_of(html, "_") in ("", "0")


def test_the_city_sees_both_districts_and_sorts_them(client, figures_world):
    html = page(client, figures_world.city_admin, dashboard_url(CITY, "?period=2026&sort=person_times&dir=desc"))
    codes = re.findall(r'data-testid="child-row" data-code="(\w+)"', html)
    assert codes[:2] == [DISTRICT_B, DISTRICT_A]
    html = page(client, figures_world.city_admin, dashboard_url(CITY, "?period=2026&sort=person_times&dir=asc"))
    codes = [code for code in re.findall(r'data-testid="child-row" data-code="(\w+)"', html) if code != "_"]
    assert codes[-2:] == [DISTRICT_A, DISTRICT_B]
    html = page(client, figures_world.city_admin, dashboard_url(CITY, "?period=2026&sort=name"))
    assert "dir=desc" in re.search(r'href="([^"]+)" data-sort="name"', html).group(1)


def test_the_sort_links_flip_direction(client, figures_world):
    html = page(client, figures_world.city_admin, dashboard_url(CITY, "?period=2026&sort=person_times&dir=desc"))
    link = re.search(r'href="([^"]+)" data-sort="person_times"', html).group(1)
    assert "dir=asc" in link and "period=2026" in link


def test_the_charts_carry_the_trend_ranking_and_breakdown(client, figures_world):
    url = reverse("analytics:indicator", args=[DISTRICT_A, "person_times"]) + "?period=2026"
    html = page(client, figures_world.district_a_admin, url)
    trend = chart(html, "trend-data")
    assert trend["months"][:6] == ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]
    assert trend["series"][0]["code"] == "person_times" and trend["series"][0]["values"][:6] == [0, 0, 30, 5, 50, 7]
    breakdown = chart(html, "breakdown-data")
    by_dimension = {part["dimension"]: {item["code"]: item["value"] for item in part["items"]} for part in breakdown}
    assert by_dimension["服务类型"] == {"activity": 37, "group_session": 50, "case_session": 5}
    assert by_dimension["服务领域"]["social_welfare"] == 50 and by_dimension["服务领域"]["charity"] == 30
    ranking = chart(html, "ranking-data")
    assert ranking["items"][:2] == [{"name": "洪桥街道", "value": 50}, {"name": "北京街道", "value": 35}]
    assert {item["value"] for item in ranking["items"][2:]} == {0}
    assert "7771" not in html and "7,771" not in html and "海珠" not in html
    assert [item["code"] for item in chart(html, "gauge-data")] == ["person_times"]
    assert 'src="/static/vendor/echarts/echarts.min.js"' in html and "analytics/dashboard.js" in html


def test_the_period_picker(client, figures_world):
    user = figures_world.district_a_admin
    url = reverse("analytics:dashboard", args=[DISTRICT_A])
    march = page(client, user, url + "?period=2026-03")
    assert re.search(r'data-indicator="person_times".*?data-testid="value">30\b', march, re.S)
    custom = page(client, user, url + "?start=2026-04-01&end=2026-05-31")
    assert re.search(r'data-indicator="person_times".*?data-testid="value">55\b', custom, re.S)
    assert "2026-04-01 至 2026-05-31" in custom
    month = page(client, user, url + "?month=2026-06")
    assert re.search(r'data-indicator="person_times".*?data-testid="value">7\b', month, re.S)
    bad = page(client, user, url + "?period=garbage")
    assert 'data-testid="period-error"' in bad
    reversed_period = page(client, user, url + "?start=2026-05-01&end=2026-04-01")
    assert "截止日期早于起始日期" in reversed_period


def test_breadcrumb_stops_at_the_users_root_and_roots_switcher(client, figures_world):
    html = page(client, figures_world.district_a_admin, dashboard_url(STREET_A))
    crumbs = html.split('data-testid="crumbs"')[1].split("</ol>")[0]
    assert "越秀区" in crumbs and "北京街道" in crumbs and "广州市" not in crumbs and "广东省" not in crumbs
    html = page(client, figures_world.city_admin, dashboard_url(STREET_A))
    crumbs = html.split('data-testid="crumbs"')[1].split("</ol>")[0]
    assert "广州市" in crumbs and "广东省" not in crumbs
    assert 'data-testid="roots"' not in html


def test_a_user_holding_two_districts_can_switch_between_them(client, figures_world):
    from shegong.accounts.models import Role, RoleAssignment

    user = figures_world.district_a_admin
    RoleAssignment.objects.create(user=user, role=Role.objects.get(code="civil_affairs_admin"), region_id=DISTRICT_B)
    html = page(client, user, dashboard_url(DISTRICT_B))
    switcher = html.split('data-testid="roots"')[1].split("</ul>")[0]
    assert "越秀区" in switcher and "海珠区" in switcher


def test_the_indicator_page(client, figures_world):
    url = reverse("analytics:indicator", args=[DISTRICT_A, "person_times_casework"]) + "?period=2026"
    html = page(client, figures_world.district_a_admin, url)
    definition = html.split('data-testid="definition"')[1].split("</dl>")[0]
    assert "服务人次（服务类型：个案服务）" in definition and "期间合计" in definition
    assert re.search(r'data-testid="value">5\b', html)
    assert chart(html, "ranking-data")["items"][0] == {"name": "北京街道", "value": 5}
    codes = re.findall(r'data-testid="child-row" data-code="(\w+)"', html)
    assert codes[0] == STREET_A and not any(code.startswith("440105") for code in codes)


def test_the_home_page_shows_the_key_panel_to_dashboard_users_only(client, figures_world):
    html = page(client, figures_world.district_a_admin, reverse("web:home"))
    panel = html.split('data-testid="home-dashboard"')[1]
    assert "越秀区" in panel and reverse("analytics:home") in panel and "进入统计看板" in panel
    for name in ("worker_b", "no_role", "evaluator"):
        assert 'data-testid="home-dashboard"' not in page(client, figures_world.users[name], reverse("web:home"))


def test_the_menu_has_a_statistics_section(client, figures_world):
    html = page(client, figures_world.district_a_admin, reverse("web:home"))
    assert 'data-nav-section="analytics"' in html
    assert 'data-nav="analytics:home"' in html and 'data-nav="analytics:report_home"' in html
    assert 'data-nav="analytics:home"' not in page(client, figures_world.worker_b, reverse("web:home"))


def test_the_dashboard_charts_the_key_indicator_asked_for(client, figures_world):
    html = page(client, figures_world.district_a_admin, dashboard_url(DISTRICT_A, "?period=2026&chart=person_times"))
    ranking = chart(html, "ranking-data")
    assert ranking["indicator"] == "服务人次"
    trend = chart(html, "trend-data")["series"]
    assert trend[0]["code"] == "person_times" and trend[0]["values"][:6] == [0, 0, 30, 5, 50, 7]
    assert len(trend) <= 4 and {item["unit"] for item in trend} == {"人次"}
    assert ranking["items"][:2] == [{"name": "洪桥街道", "value": 50}, {"name": "北京街道", "value": 35}]
    kinds = {part["dimension"]: part for part in chart(html, "breakdown-data")}["服务类型"]
    assert {item["code"]: item["value"] for item in kinds["items"]} == {
        "activity": 37,
        "group_session": 50,
        "case_session": 5,
    }
    # The choice is kept by the sort links and dropped by the links to other regions.
    assert "chart=person_times" in re.search(r'href="([^"]+)" data-sort="person_times"', html).group(1)
    assert f'href="{reverse("analytics:dashboard", args=[STREET_A])}?period=2026"' in html


def test_a_nationwide_user_sees_the_country_with_provinces_as_children(client, figures_world):
    from shegong.accounts.models import Role, RoleAssignment, User

    user = User.objects.create(username="nation", display_name="nation")
    RoleAssignment.objects.create(user=user, role=Role.objects.get(code="civil_affairs_admin"))
    html = page(client, user, reverse("analytics:home") + "?period=2026")
    assert re.search(r'data-testid="region-name">全国<', html)
    codes = re.findall(r'data-testid="child-row" data-code="(\w+)"', html)
    assert "440000000000" in codes and len(codes) >= 31
    assert cell_of(html, "440000000000") == "7,863"  # 92 + 7,771
    html = page(client, user, reverse("analytics:country_indicator", args=["person_times"]) + "?period=2026")
    assert re.search(r'data-testid="value">7,863\b', html)
    client.force_login(user)
    response = client.post(reverse("analytics:download") + "?period=2026")
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
