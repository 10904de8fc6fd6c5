"""The evaluations demo on factory projects: every state represented, the demo evaluator on expert forms, surveys
answered, a second load that changes nothing, and a clean skip without projects."""

import io

import pytest

from shegong.evaluations import demo
from shegong.evaluations.models import Evaluation, EvaluatorAssignment, SurveyResponse
from shegong.evaluations.tests.factories import bureau, make_project
from shegong.testing.world import CITY, DISTRICT_A, DISTRICT_B

pytestmark = pytest.mark.django_db


def test_demo_skips_cleanly_without_projects(world):
    out = io.StringIO()
    demo.load({"stdout": out, "logins": []})
    assert "跳过" in out.getvalue() and not Evaluation.objects.exists()


def test_demo_has_every_state(world):
    evaluator = world.evaluator  # the demo login "evaluator" (world's user of the same name)
    bureau("yuexiu_admin", DISTRICT_A)
    bureau("haizhu_admin", DISTRICT_B)
    bureau("gz_admin", CITY)
    for index in range(8):
        make_project(world.agency_a if index % 2 else world.agency_b, region=DISTRICT_A if index < 4 else DISTRICT_B)
    out = io.StringIO()
    demo.load({"stdout": out, "logins": []})
    states = set(Evaluation.objects.values_list("state", flat=True))
    assert states == set(Evaluation.State.values), out.getvalue()
    assert Evaluation.objects.count() == 8
    # The purchaser's form of each project goes to the officer of its own district.
    purchasers = EvaluatorAssignment.objects.filter(group__kind="purchaser")
    assert {(form.evaluation.project.region_id, form.evaluator.username) for form in purchasers} == {
        (DISTRICT_A, "yuexiu_admin"),
        (DISTRICT_B, "haizhu_admin"),
    }
    # The summary line counts the states the evaluations reached, not the state they were created in.
    assert "草稿 2，评分中 2，已完成 2，已发布 2" in out.getvalue()
    assert EvaluatorAssignment.objects.filter(evaluator=evaluator, group__kind="expert").exists()
    assert SurveyResponse.objects.exists()
    assert all(e.grade for e in Evaluation.objects.filter(state__in=["completed", "published"]))
    before = Evaluation.objects.count()
    demo.load({"stdout": io.StringIO(), "logins": []})
    assert Evaluation.objects.count() == before
