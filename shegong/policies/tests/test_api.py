"""The policies API: scoped like the pages, read-only."""

import pytest

from shegong.policies.models import PolicyProfile
from shegong.testing.matrix import assert_matrix, visible_ids

pytestmark = pytest.mark.django_db

BASE = "/api/v1/policies"


def ids(*presets):
    return set(PolicyProfile.objects.filter(preset__in=presets).values_list("pk", flat=True))


def test_who_may_call(client, world):
    expected = {"anonymous": 401, "no_role": 403, "audit_admin": 403}
    assert_matrix(client, world, f"{BASE}/profiles", expected, default=200)
    # 深圳's administrator has no business with 广州's rules.
    assert_matrix(client, world, f"{BASE}/in-force?region=4401", {**expected, "outsider": 404}, default=200)


def test_profiles_are_scoped_like_the_pages(client, world):
    guangzhou = ids("national", "guangzhou-2011", "guangzhou-2018")
    assert visible_ids(client, world.district_a_admin, f"{BASE}/profiles") == guangzhou
    assert visible_ids(client, world.agency_admin_a, f"{BASE}/profiles") == guangzhou
    assert visible_ids(client, world.outsider, f"{BASE}/profiles") == ids("national", "shenzhen-2020")
    client.force_login(world.city_admin)
    rows = {row["preset"]: row for row in client.get(f"{BASE}/profiles").json()}
    assert rows["guangzhou-2018"]["editable"] is True and rows["national"]["editable"] is False
    assert rows["guangzhou-2018"]["rule_count"] == 3 and rows["national"]["region_name"] == "全国"


def test_profile_detail(client, world):
    shenzhen = PolicyProfile.objects.get(preset="shenzhen-2020")
    client.force_login(world.city_admin)
    assert client.get(f"{BASE}/profiles/{shenzhen.pk}").status_code == 404
    client.force_login(world.outsider)
    body = client.get(f"{BASE}/profiles/{shenzhen.pk}").json()
    assert body["region"] == "440300000000" and body["editable"] is True
    fee = next(rule for rule in body["rules"] if rule["kind"] == "package_fee_per_person")
    assert fee["params"] == {"minimum": "163000", "review_period_years": 3}
    assert fee["param_list"][0] == {
        "name": "minimum",
        "label": "每人每年不低于",
        "value": "163000",
        "display": "163,000.00 元",
    }
    assert "16.3万元/人/年" in fee["source_text"]


def test_in_force(client, world):
    client.force_login(world.worker_b)
    body = client.get(f"{BASE}/in-force", {"region": "4401", "on": "2017-06-01"}).json()
    rules = {rule["kind"]: rule for rule in body["rules"]}
    assert body["region"] == "440100000000" and body["on"] == "2017-06-01"
    assert rules["station_project_amount"]["params"] == {"amount": "2000000"}
    assert rules["registration_validity"]["profile_region"] is None
    body = client.get(f"{BASE}/in-force", {"region": "440105", "on": "2026-01-01"}).json()
    assert {rule["kind"]: rule["params"] for rule in body["rules"]}["station_project_amount"] == {"amount": "2400000"}
    assert body["profile_id"] == PolicyProfile.objects.get(preset="guangzhou-2018").pk
    # Regions outside the caller's area, and unknown codes, answer 404.
    assert client.get(f"{BASE}/in-force", {"region": "4403"}).status_code == 404
    assert client.get(f"{BASE}/in-force", {"region": "999999"}).status_code == 404
    assert client.get(f"{BASE}/in-force", {"region": "4401", "on": "not-a-date"}).status_code == 422
