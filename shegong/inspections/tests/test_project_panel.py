"""The inspections section of a project's page: the visits that looked at the project (bureau only) and their
rectification items with open and overdue counts, as each viewer may see them."""

import datetime

import pytest
from django.urls import reverse

from shegong.inspections import selectors, services
from shegong.inspections.tests.factories import done_inspection, make_plan, stations
from shegong.projects.tests.factories import make_project

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 5, 1)


@pytest.fixture
def linked(world):
    targets = stations(world)
    project = make_project(stations=[targets["a"]])
    plan = make_plan()
    inspection = services.inspection_add(actor=None, plan=plan, station=targets["a"], project=project)
    services.inspection_record(
        actor=None,
        inspection=inspection,
        visited_on=datetime.date(2026, 3, 10),
        results={area: ("conform", "") for area in plan.checklist},
    )
    finding = services.finding_add(
        actor=None, inspection=inspection, description="台账缺失", severity="major", area=plan.checklist[0], files=[]
    )
    services.inspection_complete(actor=None, inspection=inspection)
    overdue = services.rectification_create(
        actor=None,
        finding=finding,
        required_action="补齐服务台账",
        deadline=datetime.date(2026, 4, 1),
        today=datetime.date(2026, 3, 11),
    )
    in_time = services.rectification_create(
        actor=None,
        finding=finding,
        required_action="完善消防安全制度",
        deadline=datetime.date(2026, 6, 1),
        today=datetime.date(2026, 3, 11),
    )
    # A visit of the same station that is not about the project stays off the project's page.
    done_inspection(make_plan(quarter=2), station=targets["a"])
    return project, overdue, in_time


def test_the_bureau_sees_the_visits_and_the_items_with_their_counts(world, linked):
    project, overdue, in_time = linked
    panel = selectors.project_panel(world.district_a_admin, project, TODAY)
    assert [visit.finding_count for visit in panel.visits] == [1]
    assert {item.pk for item in panel.items} == {overdue.pk, in_time.pk}
    assert (panel.open_count, panel.overdue_count) == (2, 1)


def test_the_contractor_sees_its_items_but_never_the_visits(world, linked):
    project, overdue, in_time = linked
    panel = selectors.project_panel(world.agency_admin_a, project, TODAY)
    assert panel.visits == [] and {item.pk for item in panel.items} == {overdue.pk, in_time.pk}


def test_out_of_scope_and_without_permission_the_section_is_absent(world, linked):
    project, *_ = linked
    assert selectors.project_panel(world.district_b_admin, project, TODAY) is None
    assert selectors.project_panel(world.worker_b, project, TODAY) is None


def test_the_project_page_shows_the_section(client, world, linked):
    project, overdue, _ = linked
    client.force_login(world.district_a_admin)
    page = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert 'data-testid="project-inspections"' in page and overdue.required_action in page
    assert page.count('data-testid="project-visit"') == 1
