"""Finished evaluations read through the indicator catalogue: counted on the day they were completed, by grade, with
the share rated 良好 or better."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from shegong.analytics import maintenance
from shegong.analytics.catalogue import indicator
from shegong.analytics.figures import Node, breakdown, evaluate
from shegong.analytics.periods import Period
from shegong.evaluations import services
from shegong.evaluations.models import Evaluation
from shegong.evaluations.tests.factories import completed, make_project
from shegong.regions.models import Region
from shegong.testing.world import CITY, DISTRICT_A, DISTRICT_B

pytestmark = pytest.mark.django_db


def this_year() -> Period:
    today = timezone.localdate()
    return Period(today.replace(month=1, day=1), today)


def value(code: str, region: str, period: Period):
    node = Node.of(Region.objects.get(pk=region))
    return evaluate([indicator(code)], [node], period)[(code, node)].value


def test_finished_evaluations_by_grade_and_the_share_good_or_better(world):
    excellent = completed(make_project(world.agency_a))
    poor = completed(make_project(world.agency_b, region=DISTRICT_B), fraction=Decimal("0.5"))
    assert excellent.grade == "优秀" and poor.grade not in ("优秀", "良好")
    Evaluation.objects.create(
        project=excellent.project, template=excellent.template, kind="final", title="末期（草稿）"
    )  # a draft does not count

    assert value("evaluations_finished", CITY, this_year()) == 2
    assert value("evaluations_good_share", CITY, this_year()) == 50
    assert value("evaluations_good_share", DISTRICT_A, this_year()) == 100
    node = Node.of(Region.objects.get(pk=CITY))
    assert {code for code, _label, _count in breakdown(indicator("evaluations_finished"), node, this_year())} == {
        "优秀",
        poor.grade,
    }
    last_year = Period(datetime.date(2000, 1, 1), this_year().start - datetime.timedelta(days=1))
    assert value("evaluations_finished", CITY, last_year) == 0

    services.evaluation_move(evaluation=excellent, to=Evaluation.State.PUBLISHED, actor=None)
    assert value("evaluations_finished", CITY, this_year()) == 2
    assert maintenance.verify() == (0, [])
