"""The regions API under /api/v1/regions/."""

import pytest

from shegong.testing.matrix import assert_matrix

pytestmark = pytest.mark.django_db

BASE = "/api/v1/regions"


def get(client, user, url, **params):
    client.force_login(user)
    return client.get(url, params)


def test_provinces(client, world):
    response = get(client, world.city_admin, f"{BASE}/")
    assert response.status_code == 200
    rows = response.json()
    assert len(rows) == 31
    guangdong = next(row for row in rows if row["code"] == "440000000000")
    assert guangdong == {
        "code": "440000000000",
        "short_code": "44",
        "name": "广东省",
        "level": 1,
        "level_label": "省级",
        "parent": None,
        "area_class": "",
        "area_class_label": "未分类",
        "urban_rural_code": "",
    }


@pytest.mark.parametrize("code", ["440104", "440104000000"])
def test_one_region_with_its_ancestors_short_or_full_code(client, world, code):
    response = get(client, world.district_b_admin, f"{BASE}/{code}")
    assert response.status_code == 200
    body = response.json()
    assert (body["code"], body["name"], body["level"], body["parent"]) == ("440104000000", "越秀区", 3, "440100000000")
    assert [row["name"] for row in body["ancestors"]] == ["广东省", "广州市"]


def test_children(client, world):
    response = get(client, world.worker_b, f"{BASE}/440104003/children")
    assert response.status_code == 200
    rows = response.json()
    assert rows and all(row["parent"] == "440104003000" and row["level"] == 5 for row in rows)
    assert [row["code"] for row in rows] == sorted(row["code"] for row in rows)
    assert {row["area_class"] for row in rows} <= {"urban", "rural", ""}


def test_children_of_a_village_is_an_empty_list(client, world):
    response = get(client, world.city_admin, f"{BASE}/440104003104/children")
    assert (response.status_code, response.json()) == (200, [])


def test_search_by_name_level_and_within(client, world):
    rows = get(client, world.city_admin, f"{BASE}/search", q="越秀").json()
    assert rows[0]["name"] == "越秀区" and rows[0]["path"] == "广东省 / 广州市"
    assert all("越秀" in row["name"] for row in rows)
    assert [row["level"] for row in rows] == sorted(row["level"] for row in rows)

    rows = get(client, world.city_admin, f"{BASE}/search", q="越秀", level=3, within="4401").json()
    assert [row["code"] for row in rows] == ["440104000000"]

    rows = get(client, world.city_admin, f"{BASE}/search", q="街道", within="440104").json()
    assert rows and all(row["code"].startswith("440104") and row["name"].endswith("街道") for row in rows)
    assert rows[0]["path"] == "广东省 / 广州市 / 越秀区"


def test_search_is_limited_to_fifty(client, world):
    rows = get(client, world.city_admin, f"{BASE}/search", q="社区").json()
    assert len(rows) == 50
    assert get(client, world.city_admin, f"{BASE}/search", q="社区", limit=5).json().__len__() == 5
    assert get(client, world.city_admin, f"{BASE}/search", q="社区", limit=51).status_code == 422


@pytest.mark.parametrize(
    "params", [{}, {"q": ""}, {"q": "越秀", "level": 6}, {"q": "越秀", "level": "x"}, {"q": "越秀", "within": "4x"}]
)
def test_search_rejects_bad_parameters(client, world, params):
    assert get(client, world.city_admin, f"{BASE}/search", **params).status_code == 422


def test_search_within_unknown_region_is_404(client, world):
    response = get(client, world.city_admin, f"{BASE}/search", q="越秀", within="9901")
    assert response.status_code == 404


@pytest.mark.parametrize("url", [f"{BASE}/990100", f"{BASE}/990100/children", f"{BASE}/440104999"])
def test_unknown_code_is_404_with_a_chinese_message(client, world, url):
    response = get(client, world.city_admin, url)
    assert response.status_code == 404
    assert "不存在" in response.json()["detail"]


@pytest.mark.parametrize("code", ["4", "44010", "abc", "4401040031234", "４４"])
def test_malformed_code_is_422(client, world, code):
    response = get(client, world.city_admin, f"{BASE}/{code}")
    assert response.status_code == 422
    assert "格式不对" in response.json()["detail"]


@pytest.mark.parametrize(
    "url", [f"{BASE}/", f"{BASE}/44", f"{BASE}/44/children", f"{BASE}/search?q=越秀", f"{BASE}/990100"]
)
def test_anonymous_gets_401(client, url):
    assert client.get(url).status_code == 401


def test_every_user_with_a_role_reads_regions_anywhere(client, world):
    # Public reference data: the 深圳 admin reads 广州 too; a user without any role reads nothing.
    assert_matrix(client, world, f"{BASE}/440104", {"anonymous": 401, "no_role": 404}, default=200)
    assert_matrix(client, world, f"{BASE}/4403", {"anonymous": 401, "no_role": 404}, default=200)


def test_english_messages(client, world):
    client.force_login(world.city_admin)
    response = client.get(f"{BASE}/990100", headers={"accept-language": "en"})
    assert response.status_code == 404
    assert "does not exist" in response.json()["detail"]


def test_openapi_documents_the_endpoints(client, world):
    client.force_login(world.city_admin)
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/regions/",
        "/api/v1/regions/search",
        "/api/v1/regions/{code}",
        "/api/v1/regions/{code}/children",
    ):
        assert path in paths
