"""The evaluator picker offers only people who may rate the project: bureau staff and experts whose assignment
holds the project (its region or above, or a covered station's region or above, or nationwide)."""

import pytest

from shegong.evaluations.forms import AssignForm
from shegong.evaluations.tests.factories import bureau, expert, make_evaluation, make_project

pytestmark = pytest.mark.django_db


def test_the_picker_lists_those_who_hold_the_project_only(world):
    evaluation = make_evaluation(make_project(world.agency_a))  # a 越秀 (district A) project
    street = bureau("street_officer", "440104003000")  # below the purchaser region, no covered station there
    pool = expert("pool_expert")
    offered = set(AssignForm(evaluation=evaluation).fields["evaluator"].queryset.values_list("username", flat=True))
    assert {"city_admin", "district_a_admin", "evaluator"} <= offered
    assert pool.username in offered
    assert not {"district_b_admin", "outsider", "agency_admin_a", "worker_b", street.username} & offered
