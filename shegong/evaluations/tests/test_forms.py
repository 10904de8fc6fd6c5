"""The evaluator picker offers only people who may rate the project: bureau staff and experts whose assignment
holds the project (its region or above, or a covered station's region or above, or nationwide)."""

import pytest

from shegong.evaluations import selectors, services
from shegong.evaluations.forms import AssignForm
from shegong.evaluations.models import Evaluation
from shegong.evaluations.tests.factories import assign, bureau, expert, make_evaluation, make_project

pytestmark = pytest.mark.django_db


def test_the_picker_lists_those_who_hold_the_project_only(world):
    evaluation = make_evaluation(make_project(world.agency_a))  # a 越秀 (district A) project
    street = bureau("street_officer", "440104003000")  # below the purchaser region, no covered station there
    pool = expert("pool_expert")
    offered = set(AssignForm(evaluation=evaluation).fields["evaluator"].queryset.values_list("username", flat=True))
    assert {"city_admin", "district_a_admin", "evaluator"} <= offered
    assert pool.username in offered
    assert not {"district_b_admin", "outsider", "agency_admin_a", "worker_b", street.username} & offered


def test_my_forms_lists_the_forms_to_fill_now_first(world):
    scoring = make_evaluation(make_project(world.agency_b))
    scoring_form = assign(scoring, "expert", world.evaluator)
    assign(scoring, "purchaser", world.district_a_admin)
    assign(scoring, "supervisor", world.city_admin)
    services.evaluation_move(evaluation=scoring, to=Evaluation.State.SCORING, actor=None)
    waiting = make_evaluation(make_project(world.agency_b))
    waiting_form = assign(waiting, "expert", world.evaluator)
    # The draft evaluation's form was assigned last, yet the form that can be filled now comes first.
    assert list(selectors.my_forms(world.evaluator)) == [scoring_form, waiting_form]
