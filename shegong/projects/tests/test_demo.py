"""The projects demo on a small run (越秀区 and 海珠区, on the workers and stations demos): every station covered by a
project, sums that add up, contractors from 签约 on, stage histories ending at the current stage, rosters without
blacklisted workers, some projects failing 广州's rules, the demo logins seeing projects, and a second load that
changes nothing."""

import io
from collections import Counter
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from shegong.projects import demo, rules, selectors
from shegong.projects.models import Project, ProjectStaff, ProjectStageEvent, ProjectStation
from shegong.projects.tests.factories import make_user
from shegong.stations import demo as stations_demo
from shegong.stations.models import Station
from shegong.workers import demo as workers_demo
from shegong.workers.models import CreditEvent

pytestmark = pytest.mark.django_db

YUEXIU, HAIZHU = "440104", "440105"


@pytest.fixture
def loaded(world):
    make_user("station_head", "station_head", region="440104003000")
    context = {"stdout": io.StringIO(), "agencies": [world.agency_a, world.agency_b]}
    workers_demo.load(context)
    stations_demo.populate(districts=[YUEXIU, HAIZHU], demo_worker=context["demo_worker"])
    return demo.populate(districts=[YUEXIU, HAIZHU], demo_agency_id=world.agency_a.pk), context


def test_every_station_is_covered_and_the_sums_add_up(loaded):
    result, _context = loaded
    live = Station.objects.exclude(status=Station.Status.REVOKED)
    assert set(ProjectStation.objects.values_list("station_id", flat=True)) == set(live.values_list("pk", flat=True))
    assert result["projects"] == Project.objects.count() > 0
    for project in Project.objects.annotate(funded=Sum("funding__amount")):
        assert project.funded == project.total_funds
        assert sum(line.planned for line in project.budget.all()) == project.total_funds
        if project.stage in Project.CONTRACTED_STAGES:
            assert project.agency_id and project.contract_date
        last = project.stage_events.order_by("-effective_on", "-id").first()
        assert last.to_stage == project.stage
        assert last.effective_on <= timezone.localdate()
    stages = Counter(Project.objects.values_list("stage", flat=True))
    assert stages["executing"] and len(stages) >= 4
    assert ProjectStageEvent.objects.filter(to_stage="initiated", from_stage="tendering").exclude(reason="").exists()


def test_rosters_have_no_blacklisted_worker_and_some_projects_fail(loaded):
    blacklisted = CreditEvent.objects.filter(severity=CreditEvent.Severity.BLACKLIST)
    listed = set(blacklisted.values_list("worker_id", flat=True))
    assert ProjectStaff.objects.exists()
    assert not ProjectStaff.objects.filter(worker_id__in=listed).exists()
    judged = rules.judge(Project.objects.all(), timezone.localdate())
    failing = [judgement for judgement in judged.values() if judgement.failing]
    assert 0 < len(failing) < len(judged)
    assert any(judgement.planned_personnel / judgement.total_funds < Decimal("0.65") for judgement in failing)


def test_the_demo_station_head_sees_projects_and_a_second_load_changes_nothing(loaded, world):
    from shegong.accounts.models import User

    head = User.objects.get(username="station_head")
    assert selectors.visible(head).exists()
    mine = selectors.visible(world.agency_admin_a)
    assert mine.filter(stage="executing", covered__station__region_id="440104003000").exists()
    assert selectors.visible(world.district_a_admin).exists()
    before = Project.objects.count(), ProjectStaff.objects.count()
    assert demo.populate(districts=[YUEXIU, HAIZHU])["projects"] == 0
    assert (Project.objects.count(), ProjectStaff.objects.count()) == before


def test_load_prints_one_summary_line(loaded):
    out = io.StringIO()
    demo.load({"stdout": out})
    assert out.getvalue().startswith("政府购买服务项目：") and "不合规" in out.getvalue()
