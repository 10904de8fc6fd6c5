"""Hooks for other apps: the latest final grade of many projects in one query, and the project page's section."""

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext

from shegong.evaluations import selectors, services
from shegong.evaluations.models import Evaluation
from shegong.evaluations.tests.factories import completed, make_evaluation, make_project

pytestmark = pytest.mark.django_db


def test_latest_final_grades_of_many_projects_in_one_query(world):
    graded = make_project(world.agency_a)
    final = completed(graded, kind="final")
    completed(graded, kind="midterm")
    pending = make_project(world.agency_a)
    make_evaluation(pending, kind="final")
    selectors.latest_final_grades(world.city_admin, [])  # the user's grants are read once per request (cached)
    with CaptureQueriesContext(connection) as queries:
        found = selectors.latest_final_grades(world.city_admin, [graded, pending])
    assert len(queries) == 1
    assert found == {graded.pk: final} and found[graded.pk].grade
    # The contractor sees it only once published; 海珠 never.
    assert selectors.latest_final_grades(world.agency_admin_a, [graded]) == {}
    services.evaluation_move(evaluation=final, to=Evaluation.State.PUBLISHED, actor=None)
    assert selectors.latest_final_grades(world.agency_admin_a, [graded]) == {graded.pk: final}
    assert selectors.latest_final_grades(world.district_b_admin, [graded]) == {}


def test_project_evaluations_tag_lists_what_the_viewer_may_see(world):
    project = make_project(world.agency_a)
    evaluation = make_evaluation(project, title="北京街中期评估")
    page = Template("{% load evaluations %}{% project_evaluations project user %}")
    shown = page.render(Context({"project": project, "user": world.district_a_admin}))
    assert "北京街中期评估" in shown and f"/evaluations/{evaluation.pk}/" in shown and "新建评估" in shown
    hidden = page.render(Context({"project": project, "user": world.agency_admin_a}))
    assert "北京街中期评估" not in hidden and "暂无评估" in hidden
