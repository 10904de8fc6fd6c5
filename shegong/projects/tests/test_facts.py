"""Projects read through the indicator catalogue: projects in their service period as of a date, and the projects
passing the money rules (the projects app's own verdicts under the policy profile where the purchaser is: 广州
personnel ≥ 65% of the funds), following edits of the budget, termination and moves."""

import datetime
from decimal import Decimal

import pytest

from shegong.analytics import maintenance
from shegong.analytics.catalogue import indicator
from shegong.analytics.figures import Node, evaluate
from shegong.analytics.periods import Period
from shegong.projects import rules, services
from shegong.projects.models import Project
from shegong.projects.tests.factories import END, START, TOTAL, make_project
from shegong.regions.models import Region
from shegong.testing.world import CITY, DISTRICT_A, DISTRICT_B

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()


def value(code: str, region: str, day: datetime.date = TODAY):
    node = Node.of(Region.objects.get(pk=region))
    return evaluate([indicator(code)], [node], Period(day, day))[(code, node)].value


def test_projects_count_during_their_service_period(world):
    make_project(DISTRICT_A)
    make_project(DISTRICT_B, start=datetime.date(2025, 7, 1), end=datetime.date(2026, 6, 30))
    assert value("projects", CITY, datetime.date(2025, 3, 1)) == 1
    assert value("projects", CITY, datetime.date(2025, 7, 1)) == 2
    assert value("projects", CITY, END) == 2
    assert value("projects", CITY, END + datetime.timedelta(days=1)) == 1
    assert value("projects", CITY, START - datetime.timedelta(days=1)) == 0
    assert maintenance.verify() == (0, [])


def test_projects_passing_the_money_rules_follow_the_budget(world):
    passing = make_project(DISTRICT_A)  # personnel 160万 of 240万: 66.7% ≥ 65%
    failing = make_project(DISTRICT_B, personnel=Decimal(1_500_000))  # 62.5%
    assert rules.judge_project(passing, TODAY).compliant and not rules.judge_project(failing, TODAY).compliant
    assert value("projects_passing_rules", CITY) == 1
    assert value("projects_passing_rules_share", CITY) == 50
    assert value("projects_passing_rules_share", DISTRICT_B) == 0

    services.project_update(
        actor=None,
        project=failing,
        budget={"personnel": Decimal(1_700_000), "activity": TOTAL - Decimal(1_700_000)},
    )
    assert value("projects_passing_rules_share", CITY) == 100

    services.project_move(actor=None, project=passing, to_stage=Project.Stage.TERMINATED, reason="测试终止")
    assert value("projects_passing_rules", CITY) == 1
    assert value("projects_passing_rules", DISTRICT_A) == 0
    assert value("projects", CITY, datetime.date(2025, 3, 1)) == 1
    assert maintenance.verify() == (0, [])
