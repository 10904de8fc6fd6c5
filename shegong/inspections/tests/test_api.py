"""The inspections API (/api/v1/inspections/): every endpoint × every named user, in and out of scope; what each
caller sees; evidence and review through the API with the services' refusals as 400/403."""

import json

import pytest
from django.utils import timezone

from shegong.inspections import selectors
from shegong.inspections.models import RectificationItem
from shegong.inspections.tests.factories import world_setup
from shegong.testing.matrix import assert_matrix, response_for, visible_ids

pytestmark = pytest.mark.django_db

API = "/api/v1/inspections/"
DENIED = dict.fromkeys(["worker_b", "evaluator", "system_admin", "security_admin", "audit_admin", "no_role"], 403)
BUREAU = {"city_admin": 200, "district_a_admin": 200, "district_b_admin": 200, "outsider": 200}
BUREAU_ONLY = {"anonymous": 401, **DENIED, **BUREAU, "station_head_a": 403, "agency_admin_a": 403}
A_ONLY = {**BUREAU_ONLY, "district_b_admin": 404, "outsider": 404}
OWNERS = {"station_head_a": 200, "agency_admin_a": 200}


@pytest.fixture
def data(world):
    return world_setup(world)


def test_list_matrices(client, world, data):
    assert_matrix(client, world, f"{API}plans", BUREAU_ONLY)
    assert_matrix(client, world, f"{API}visits", BUREAU_ONLY)
    assert_matrix(client, world, f"{API}rectifications", {**BUREAU_ONLY, **OWNERS})


def test_detail_matrices_in_and_out_of_scope(client, world, data):
    assert_matrix(client, world, f"{API}plans/{data['plan_a'].pk}", A_ONLY)
    assert_matrix(client, world, f"{API}plans/{data['plan_b'].pk}", {"district_a_admin": 404})
    assert_matrix(client, world, f"{API}visits/{data['inspection_a'].pk}", A_ONLY)
    assert_matrix(client, world, f"{API}visits/{data['inspection_b'].pk}", {"district_a_admin": 404})
    assert_matrix(client, world, f"{API}rectifications/{data['item_a'].pk}", {**A_ONLY, **OWNERS})
    assert_matrix(
        client,
        world,
        f"{API}rectifications/{data['item_b'].pk}",
        {"district_a_admin": 404, "station_head_a": 404, "agency_admin_a": 404},
    )
    assert_matrix(
        client, world, f"{API}rectifications/{data['agency_item'].pk}", {"station_head_a": 404, "agency_admin_a": 200}
    )


def test_each_caller_sees_their_own_items(client, world, data):
    a, b, agency = data["item_a"].pk, data["item_b"].pk, data["agency_item"].pk
    url = f"{API}rectifications"
    assert visible_ids(client, world.city_admin, url) == {a, b, agency}
    assert visible_ids(client, world.district_b_admin, url) == {b}
    assert visible_ids(client, world.station_head_a, url) == {a}
    assert visible_ids(client, world.agency_admin_a, url) == {a, agency}
    assert visible_ids(client, world.outsider, url) == set()
    overdue = set(
        RectificationItem.objects.filter(selectors.overdue_q(timezone.localdate())).values_list("pk", flat=True)
    )
    assert visible_ids(client, world.city_admin, f"{url}?overdue=true") == overdue
    assert visible_ids(client, world.city_admin, f"{url}?status=closed") == set()
    assert response_for(client, world.city_admin, f"{url}?region=999").status_code == 422


def test_evidence_and_review_through_the_api(client, world, data):
    item = data["item_a"]
    evidence = f"{API}rectifications/{item.pk}/evidence"
    review = f"{API}rectifications/{item.pk}/review"
    body = json.dumps({"text": "已整改"})
    assert_matrix(
        client,
        world,
        evidence,
        {
            "anonymous": 401,
            **DENIED,
            "city_admin": 403,
            "district_a_admin": 403,
            "district_b_admin": 403,
            "outsider": 403,
            "agency_admin_a": 400,  # empty text: refused by the service
        },
        method="post",
        data=json.dumps({"text": ""}),
        content_type="application/json",
    )
    response = response_for(client, world.station_head_a, evidence, "post", body, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "submitted"
    refused = response_for(client, world.station_head_a, evidence, "post", body, content_type="application/json")
    assert refused.status_code == 400 and "不能变为" in refused.json()["detail"]
    assert_matrix(
        client,
        world,
        review,
        {"station_head_a": 403, "agency_admin_a": 403, "district_b_admin": 404, "district_a_admin": 400},
        method="post",
        data=json.dumps({"passed": False, "note": ""}),
        content_type="application/json",
    )
    passed = json.dumps({"passed": True})
    response = response_for(client, world.district_a_admin, review, "post", passed, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "closed"
    assert RectificationItem.objects.get(pk=item.pk).status == RectificationItem.Status.CLOSED
