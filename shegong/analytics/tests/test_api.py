"""/api/v1/analytics/: the indicator definitions, values for a region (and its children) over a period, targets with
progress; scope as on the pages (403 without the permission, 404 for a region outside the caller's dashboards)."""

import datetime

import pytest

from shegong.analytics.models import Target
from shegong.analytics.tests.test_dashboard import STREET_A2, STREET_B, build_figures
from shegong.regions.models import Region
from shegong.testing.matrix import assert_matrix
from shegong.testing.world import CITY, DISTRICT_A, DISTRICT_B, OTHER_CITY, STREET_A

pytestmark = pytest.mark.django_db


@pytest.fixture
def figures_world(world):
    return build_figures(world)


BASE = "/api/v1/analytics"
HOLDERS = {"anonymous": 401, "city_admin": 200, "district_a_admin": 200, "station_head_a": 200}
DENIED = 403


def get(client, user, url: str):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, (response.status_code, response.content)
    return response.json()


def test_endpoint_matrix(client, figures_world):
    everyone = {**HOLDERS, "district_b_admin": 200, "outsider": 200}
    assert_matrix(client, figures_world, f"{BASE}/indicators", everyone, default=DENIED)
    assert_matrix(client, figures_world, f"{BASE}/values", everyone, default=DENIED)
    assert_matrix(client, figures_world, f"{BASE}/targets", everyone, default=DENIED)
    street = {**HOLDERS, "district_b_admin": 404, "outsider": 404}
    assert_matrix(client, figures_world, f"{BASE}/values?region={STREET_A}", street, default=DENIED)
    assert_matrix(client, figures_world, f"{BASE}/targets?region={STREET_A}", street, default=DENIED)


@pytest.mark.parametrize("endpoint", ["values", "targets"])
def test_regions_out_of_scope_answer_404(client, figures_world, endpoint):
    for code, users in (
        (DISTRICT_B, ["district_a_admin", "station_head_a", "outsider"]),
        ("440105", ["district_a_admin"]),
        (CITY, ["district_a_admin", "station_head_a"]),
        (OTHER_CITY, ["city_admin"]),
        ("12345", ["city_admin"]),
    ):
        assert_matrix(client, figures_world, f"{BASE}/{endpoint}?region={code}", dict.fromkeys(users, 404))


def test_indicator_definitions(client, figures_world):
    rows = {row["code"]: row for row in get(client, figures_world.district_a_admin, f"{BASE}/indicators")}
    casework = rows["person_times_casework"]
    assert casework["name"] == "个案服务人次" and casework["unit"] == "人次"
    assert casework["numerator"] == "服务人次（服务类型：个案服务）" and casework["denominator"] == ""
    assert casework["time_aggregation"] == "sum" and rows["person_times"]["key"] is True


def test_values_for_a_region_and_its_children(client, figures_world):
    url = f"{BASE}/values?region=440104&period=2026&indicator=person_times,person_times_groupwork&children=1"
    answer = get(client, figures_world.district_a_admin, url)
    assert answer["region"] == DISTRICT_A and answer["region_name"] == "越秀区"
    assert answer["period"] == {"start": "2026-01-01", "end": "2026-12-31"}
    values = {(row["indicator"], row["region"]): row["value"] for row in answer["values"]}
    assert values[("person_times", DISTRICT_A)] == 92
    assert values[("person_times", STREET_A)] == 35 and values[("person_times_groupwork", STREET_A2)] == 50
    streets = set(Region.objects.filter(parent_id=DISTRICT_A).values_list("code", flat=True))
    assert {row["region"] for row in answer["values"]} == streets | {DISTRICT_A}
    assert not any(row["region"].startswith("440105") for row in answer["values"])


def test_values_default_to_the_first_region_and_this_year(client, figures_world):
    answer = get(client, figures_world.station_head_a, f"{BASE}/values?indicator=person_times&period=2026-03")
    assert answer["region"] == STREET_A
    assert answer["values"] == [
        {
            "indicator": "person_times",
            "region": STREET_A,
            "region_name": "北京街道",
            "value": 30,
            "numerator": 30,
            "denominator": None,
        }
    ]


def test_bad_parameters_are_422(client, figures_world):
    client.force_login(figures_world.city_admin)
    assert client.get(f"{BASE}/values?indicator=nope").status_code == 422
    assert client.get(f"{BASE}/values?period=2026-13").status_code == 422


def test_targets_with_progress_in_scope_only(client, figures_world):
    Target.objects.create(
        indicator="person_times",
        region_id=DISTRICT_B,
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 12, 31),
        value=1000,
    )
    mine = get(client, figures_world.district_a_admin, f"{BASE}/targets")
    assert [(row["region"], row["value"]) for row in mine] == [(DISTRICT_A, 200)]
    assert (
        mine[0]["current"] == 92
        and mine[0]["share"] == pytest.approx(0.46)
        and mine[0]["status"]
        in {
            "met",
            "on_track",
            "off_track",
        }
    )
    city = get(client, figures_world.city_admin, f"{BASE}/targets")
    assert {row["region"] for row in city} == {DISTRICT_A, DISTRICT_B}
    filtered = get(client, figures_world.city_admin, f"{BASE}/targets?region={DISTRICT_B}&indicator=person_times")
    assert [row["region"] for row in filtered] == [DISTRICT_B]
    assert get(client, figures_world.station_head_a, f"{BASE}/targets") == []
    assert STREET_B.startswith("440105")
