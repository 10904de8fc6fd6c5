"""The evaluations API (/api/v1/evaluations/): who may call each endpoint, what each caller sees, scoring by API."""

import json

import pytest

from shegong.evaluations.models import EvaluatorAssignment
from shegong.evaluations.tests.factories import expert, scene
from shegong.testing.matrix import assert_matrix, response_for, visible_ids

pytestmark = pytest.mark.django_db
API = "/api/v1/evaluations/"
CIVIL = {"city_admin": 200, "district_a_admin": 200, "district_b_admin": 200, "outsider": 200}


@pytest.fixture
def seen(world):
    scene(world)
    world.users["evaluator_2"] = expert("evaluator_2")
    return world


def test_matrix_of_the_endpoints(client, seen):
    w = seen
    scorers = {"evaluator": 200, "evaluator_2": 200}
    assert_matrix(client, w, API, {"anonymous": 401, **CIVIL, **scorers, "agency_admin_a": 200}, default=403)
    assert_matrix(client, w, f"{API}templates", {"anonymous": 401, **CIVIL, **scorers}, default=403)
    assert_matrix(
        client,
        w,
        f"{API}templates/{w.template_a.pk}",
        {
            "anonymous": 401,
            "city_admin": 200,
            "district_a_admin": 200,
            "district_b_admin": 404,
            "outsider": 404,
            **scorers,
        },
        default=403,
    )
    assert_matrix(
        client,
        w,
        f"{API}{w.ev_a.pk}",
        {
            "anonymous": 401,
            "city_admin": 200,
            "district_a_admin": 200,
            "district_b_admin": 404,
            "outsider": 404,
            "evaluator": 200,
            "evaluator_2": 404,
            "agency_admin_a": 404,
        },
        default=403,
    )
    assert_matrix(
        client,
        w,
        f"{API}{w.ev_b.pk}",
        {"district_a_admin": 404, "evaluator": 404, "agency_admin_a": 404, "district_b_admin": 200},
    )
    assert_matrix(
        client,
        w,
        f"{API}forms/{w.form_a.pk}",
        {"anonymous": 401, **dict.fromkeys(CIVIL, 404), "evaluator": 400, "evaluator_2": 404},
        default=403,
        method="post",
        data=json.dumps({"scores": [], "submit": False}),
        content_type="application/json",
    )


def test_each_caller_sees_their_own_evaluations(client, seen):
    w = seen
    every = {w.ev_a.pk, w.ev_b.pk, w.ev_pub.pk}
    assert visible_ids(client, w.city_admin, API) == every
    assert visible_ids(client, w.district_a_admin, API) == {w.ev_a.pk, w.ev_pub.pk}
    assert visible_ids(client, w.district_b_admin, API) == {w.ev_b.pk}
    assert visible_ids(client, w.evaluator, API) == {w.ev_a.pk}
    assert visible_ids(client, w.users["evaluator_2"], API) == set()
    assert visible_ids(client, w.agency_admin_a, API) == {w.ev_pub.pk}
    assert visible_ids(client, w.outsider, API) == set()
    assert visible_ids(client, w.city_admin, f"{API}?state=draft") == {w.ev_b.pk}


def test_scoring_through_the_api(client, seen):
    w = seen
    ev = w.ev_a
    form = EvaluatorAssignment.objects.get(evaluation=ev, group__kind="supervisor")
    items = [item.pk for item in form.group.items.all()]
    url = f"{API}forms/{form.pk}"
    bad = response_for(
        client,
        form.evaluator,
        url,
        "post",
        json.dumps({"scores": [{"item": items[0], "score": "11"}]}),
        content_type="application/json",
    )
    assert bad.status_code == 400 and "0 到 10" in bad.json()["detail"]
    good = response_for(
        client,
        form.evaluator,
        url,
        "post",
        json.dumps({"scores": [{"item": item, "score": "8.5"} for item in items], "submit": True}),
        content_type="application/json",
    )
    assert good.status_code == 200 and good.json()["state"] == "submitted"
    detail = response_for(client, w.template_a and w.city_admin, f"{API}templates/{w.preset_mid.pk}").json()
    assert detail["usable"] and "穗民案〔2020〕101号" in detail["source_text"]
    assert sum(1 for node in detail["nodes"] if node["level"] == 1) == 3
