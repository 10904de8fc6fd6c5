"""The projects API (/api/v1/projects/): who may call each endpoint (the matrix, in and out of scope), what each
caller sees, the detail with its verdicts, budget and roster, and creating and moving a project through the
services (a refusal is a 400 with its Chinese message)."""

import json

import pytest

from shegong.projects.models import Project
from shegong.projects.tests.factories import contract, make_project, make_station, roster, wan
from shegong.testing.matrix import assert_matrix, response_for, visible_ids
from shegong.testing.world import DISTRICT_B, STREET_A

pytestmark = pytest.mark.django_db

API = "/api/v1/projects/"
STREET_B = "440105001000"
DENIED = {"worker_b": 403, "system_admin": 403, "security_admin": 403, "audit_admin": 403, "no_role": 403}
VIEWERS = {"anonymous": 401, **DENIED, "city_admin": 200, "district_a_admin": 200, "station_head_a": 200}
VIEWERS |= {"agency_admin_a": 200}


@pytest.fixture
def deal(world):
    station = make_station("station", STREET_A, agency=world.agency_a)
    project = contract(make_project(stations=[station], name="北京街项目"), world.agency_a)
    roster(project, 2, certified=1, agency=world.agency_a)
    other = make_project(DISTRICT_B, stations=[make_station("station", STREET_B)], name="赤岗街项目")
    return {"project": project, "other": other}


def _evaluator(world, perm="projects.view_project", status=200):
    return {"evaluator": status if world.evaluator.has_perm(perm) else 403}


@pytest.mark.parametrize("suffix", ["", "budget", "roster"])
def test_detail_endpoints_matrix_and_scope(client, world, deal, suffix):
    url = f"{API}{deal['project'].pk}" + (f"/{suffix}" if suffix else "")
    assert_matrix(
        client,
        world,
        url,
        {**VIEWERS, **_evaluator(world), "district_b_admin": 404, "outsider": 404},
    )
    other = f"{API}{deal['other'].pk}" + (f"/{suffix}" if suffix else "")
    assert_matrix(
        client,
        world,
        other,
        {"district_a_admin": 404, "station_head_a": 404, "agency_admin_a": 404, "district_b_admin": 200},
    )


def test_list_matrix_and_what_each_caller_sees(client, world, deal):
    assert_matrix(client, world, API, {**VIEWERS, **_evaluator(world), "district_b_admin": 200, "outsider": 200})
    a, b = deal["project"].pk, deal["other"].pk
    assert visible_ids(client, world.city_admin, API) == {a, b}
    assert visible_ids(client, world.district_a_admin, API) == {a}
    assert visible_ids(client, world.station_head_a, API) == {a}
    assert visible_ids(client, world.agency_admin_a, API) == {a}
    assert visible_ids(client, world.district_b_admin, API) == {b}
    assert visible_ids(client, world.outsider, API) == set()
    failing = make_project(personnel=wan(100))
    assert visible_ids(client, world.city_admin, f"{API}?failing=true") == {failing.pk}
    assert visible_ids(client, world.city_admin, f"{API}?stage=contracted") == {a}


def test_detail_carries_verdicts_budget_and_roster(client, world, deal):
    client.force_login(world.district_a_admin)
    data = client.get(f"{API}{deal['project'].pk}").json()
    labour = next(verdict for verdict in data["verdicts"] if verdict["kind"] == "labour_cost_share")
    assert labour["passed"] is True and labour["figures"]["labour_cost"] == "1600000"
    assert "65%" in labour["source_text"]
    assert data["stations"][0]["kind"] == "station"
    budget = client.get(f"{API}{deal['project'].pk}/budget").json()
    assert {line["category"] for line in budget} == {"personnel", "activity"}
    members = client.get(f"{API}{deal['project'].pk}/roster").json()
    assert len(members) == 2 and sum(member["certified"] for member in members) == 1
    assert "id_number" not in members[0]


def _payload(**changes):
    payload = {
        "name": "接口立项",
        "purchaser_department": "越秀区民政局",
        "region": "440104",
        "start_date": "2025-01-01",
        "end_date": "2025-12-31",
        "total_funds": "2400000",
        "funding": {"fiscal": "2400000"},
        "budget": {"personnel": "1600000", "activity": "800000"},
        "outputs": [{"measure": "cases", "measure_label": "", "domain": "", "planned": 30}],
    }
    payload.update(changes)
    return json.dumps(payload)


def test_create_matrix_and_refusal(client, world):
    statuses = {"anonymous": 401, **DENIED, "station_head_a": 403, "agency_admin_a": 403, "district_b_admin": 400}
    statuses |= {"outsider": 400, **_evaluator(world, "projects.add_project", 400)}
    assert_matrix(client, world, API, statuses, method="post", data=_payload(), content_type="application/json")
    assert not Project.objects.exists()
    response = response_for(
        client, world.district_a_admin, API, "post", _payload(total_funds="2500000"), content_type="application/json"
    )
    assert response.status_code == 400 and "还差 100,000.00 元" in response.json()["detail"]
    response = response_for(client, world.district_a_admin, API, "post", _payload(), content_type="application/json")
    assert response.status_code == 201 and response.json()["code"] == "P4401042025001"


def test_move_matrix_scope_and_forbidden_move(client, world, deal):
    url = f"{API}{deal['other'].pk}/move"
    body = json.dumps({"to_stage": "closed"})
    statuses = {"anonymous": 401, **DENIED, "station_head_a": 403, "agency_admin_a": 403}
    statuses |= {"district_a_admin": 404, "outsider": 404, "district_b_admin": 400, "city_admin": 400}
    statuses |= _evaluator(world, "projects.move_project", 400)
    assert_matrix(client, world, url, statuses, method="post", data=body, content_type="application/json")
    response = response_for(client, world.district_b_admin, url, "post", body, content_type="application/json")
    assert "只能变为：招标/评审、终止" in response.json()["detail"]
    body = json.dumps({"to_stage": "tendering"})
    response = response_for(client, world.district_b_admin, url, "post", body, content_type="application/json")
    assert response.status_code == 200 and response.json()["stage"] == "tendering"
