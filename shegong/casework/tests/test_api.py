"""The casework API: every endpoint × every named user, notes only for keepers, moves and sessions through it."""

import json

import pytest

from shegong.casework.models import Case
from shegong.casework.tests.factories import OPENED, fill, open_case, setting_a, setting_b, walk
from shegong.persontimes.models import PersonTime
from shegong.testing.matrix import assert_matrix, response_for, visible_ids

pytestmark = pytest.mark.django_db
BASE = "/api/v1/casework/"
READERS = {
    "city_admin": 200,
    "district_a_admin": 200,
    "district_b_admin": 200,
    "station_head_a": 200,
    "worker_b": 200,
    "agency_admin_a": 200,
    "outsider": 200,
}
SEES_A = {
    "city_admin": 200,
    "district_a_admin": 200,
    "station_head_a": 200,
    "district_b_admin": 404,
    "worker_b": 404,
    "agency_admin_a": 404,
    "outsider": 404,
}


@pytest.fixture
def placed(world):
    world.case_a = walk(open_case(setting_a(world)), Case.Stage.INTERVENTION)
    fill(world.case_a)
    world.case_b = walk(open_case(setting_b(world)), Case.Stage.INTERVENTION)
    fill(world.case_b)
    return world


def test_list_matrix_and_scope(client, placed):
    assert_matrix(client, placed, BASE, {"anonymous": 401, **READERS}, default=403)
    assert visible_ids(client, placed.worker_b, BASE) == {placed.case_b.pk}
    assert visible_ids(client, placed.station_head_a, BASE) == {placed.case_a.pk}
    assert visible_ids(client, placed.city_admin, BASE) == {placed.case_a.pk, placed.case_b.pk}
    assert visible_ids(client, placed.outsider, BASE) == set()
    assert visible_ids(client, placed.city_admin, BASE + "?stage=closed") == set()
    assert visible_ids(client, placed.station_head_a, BASE + "?mine=true") == set()


@pytest.mark.parametrize("suffix", ["", "/sessions"])
def test_detail_and_sessions_matrix(client, placed, suffix):
    assert_matrix(client, placed, f"{BASE}{placed.case_a.pk}{suffix}", {"anonymous": 401, **SEES_A}, default=403)
    own = {"anonymous": 401, "worker_b": 200, "station_head_a": 404, "district_a_admin": 404, "outsider": 404}
    assert_matrix(client, placed, f"{BASE}{placed.case_b.pk}{suffix}", own, default=None)


def test_notes_only_for_those_who_keep_the_case(client, placed):
    url = f"{BASE}{placed.case_a.pk}"
    kept = response_for(client, placed.station_head_a, url).json()
    assert kept["can_keep"] and kept["sessions"][0]["notes"] and kept["presenting_problem"]
    assert kept["allowed_moves"] == ["evaluation", "closed"]
    seen = response_for(client, placed.district_a_admin, url).json()
    assert not seen["can_keep"] and seen["sessions"][0]["notes"] is None and seen["presenting_problem"] is None
    assert seen["allowed_moves"] == []


def _post(client, user, url, payload):
    return response_for(client, user, url, "post", json.dumps(payload), content_type="application/json")


def test_move_endpoint(client, placed):
    url = f"{BASE}{placed.case_a.pk}/move"
    statuses = {
        name: _post(client, getattr(placed, name) if name != "anonymous" else None, url, {"to": "bogus"}).status_code
        for name in ("anonymous", "no_role", "district_a_admin", "outsider", "worker_b", "agency_admin_a")
    }
    assert statuses == {
        "anonymous": 401,
        "no_role": 403,
        "district_a_admin": 403,
        "outsider": 404,
        "worker_b": 404,
        "agency_admin_a": 404,
    }
    refused = _post(client, placed.station_head_a, url, {"to": "closed", "closure_reason": "goals_met"})
    assert refused.status_code == 422
    moved = _post(client, placed.station_head_a, url, {"to": "evaluation"})
    assert moved.status_code == 200 and moved.json()["stage"] == "evaluation"


def test_session_endpoint(client, placed):
    url = f"{BASE}{placed.case_b.pk}/sessions"
    payload = {"held_on": str(OPENED), "kind": "phone", "duration_minutes": 15, "notes": "电话回访"}
    assert _post(client, None, url, payload).status_code == 401
    assert _post(client, placed.station_head_a, url, payload).status_code == 404
    assert _post(client, placed.district_b_admin, url, payload).status_code == 403
    created = _post(client, placed.worker_b, url, payload)
    assert created.status_code == 201
    assert PersonTime.objects.filter(kind="case_session", source_id=created.json()["id"]).exists()
    bad = _post(client, placed.worker_b, url, {**payload, "duration_minutes": 0})
    assert bad.status_code == 422
