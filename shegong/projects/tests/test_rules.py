"""The money and staffing rules through the presets (DESIGN.md §3): the same project — 240万 a year, personnel
160万 (66.7%), six staff on social-work posts of whom four hold a certificate — passes in 广州, fails 江苏's labour
and professional shares, passes 浙江's labour cap and fails 深圳's all-posts-certified rule; each verdict with its
figures and source text; kinds with no rule in force read 未设定. Hypothesis checks the share arithmetic at the limit
to the fen, and judge() stays at a constant number of queries however many projects it judges."""

import datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shegong.policies.models import PolicyProfile, PolicyRule
from shegong.projects import rules
from shegong.projects.models import BudgetLine, Project
from shegong.projects.rules import CERTIFIED, CONTRACTOR, LABOUR, PACKAGE_FEE, PROFESSIONAL, STATION_AMOUNT
from shegong.projects.tests.factories import (
    add_region,
    contract,
    make_project,
    make_station,
    rate,
    roster,
    wan,
)
from shegong.regions.models import Region
from shegong.testing.world import DISTRICT_A, STREET_A

pytestmark = pytest.mark.django_db

URBAN = Region.AreaClass.URBAN
TODAY = datetime.date(2025, 6, 1)


def _same_project(district: str, street: str) -> Project:
    station = make_station("station", street)
    project = make_project(district, stations=[station])
    roster(project, 6, certified=4)
    return project


@pytest.fixture
def places(db):
    add_region("320102", "玄武区")
    add_region("320102001", "玄武门街道", URBAN)
    add_region("330102", "上城区")
    add_region("330102001", "清波街道", URBAN)
    add_region("440304", "福田区")
    add_region("440304001", "南园街道", URBAN)
    return {
        "广州": (DISTRICT_A, STREET_A),
        "江苏": ("320102000000", "320102001000"),
        "浙江": ("330102000000", "330102001000"),
        "深圳": ("440304000000", "440304001000"),
    }


def _statuses(judgement) -> dict[str, bool | None]:
    return {verdict.kind: verdict.passed for verdict in judgement.verdicts}


def test_the_same_project_gets_different_verdicts_in_four_jurisdictions(world, places):
    judged = {}
    for name, (district, street) in places.items():
        project = _same_project(district, street)
        judged[name] = rules.judge_project(project, TODAY)
    guangzhou, jiangsu, zhejiang, shenzhen = (judged[name] for name in ("广州", "江苏", "浙江", "深圳"))

    assert _statuses(guangzhou)[LABOUR] is True
    assert _statuses(guangzhou)[STATION_AMOUNT] is True
    assert guangzhou.compliant
    labour = guangzhou.verdict(LABOUR)
    assert labour.figures["labour_cost"] == wan(160) and labour.figures["total_funds"] == wan(240)
    assert "不低于 65%" in labour.message and "66.67%" in labour.message
    assert "人员支出比例不能低于65%" in labour.source_text

    assert _statuses(jiangsu)[LABOUR] is False and _statuses(jiangsu)[PROFESSIONAL] is False
    assert "不低于 80%" in jiangsu.verdict(LABOUR).message
    professional = jiangsu.verdict(PROFESSIONAL)
    assert professional.figures["professional_staff"] == 4 and professional.figures["total_staff"] == 6
    assert "75%" in professional.source_text

    assert _statuses(zhejiang)[LABOUR] is True
    assert "不超过 70%" in zhejiang.verdict(LABOUR).message
    assert str(PROFESSIONAL) not in _statuses(zhejiang)

    assert _statuses(shenzhen)[CERTIFIED] is False and _statuses(shenzhen)[PACKAGE_FEE] is True
    certified = shenzhen.verdict(CERTIFIED)
    assert certified.figures["certified_posts"] == 4 and certified.figures["social_work_posts"] == 6
    fee = shenzhen.verdict(PACKAGE_FEE)
    assert fee.figures["posts"] == 6 and fee.figures["fee_per_person"] == Decimal("400000.00")

    sets = {name: tuple(sorted((kind, passed) for kind, passed in _statuses(j).items())) for name, j in judged.items()}
    assert len(set(sets.values())) == 4


def test_kinds_without_a_rule_read_unset_not_failing(world, places):
    project = _same_project(*places["浙江"])
    judgement = rules.judge_project(project, TODAY)
    assert "社会工作专业人才占项目人员比例" in judgement.unset
    assert judgement.compliant


def test_professionals_count_certificates_or_a_social_work_major(world):
    project = make_project()
    roster(project, 4, certified=1, major=2)
    judgement = rules.judge_project(project, TODAY)
    assert (judgement.staff, judgement.professionals) == (4, 3)
    assert (judgement.posts, judgement.certified_posts) == (4, 1)


def test_only_the_roster_on_the_day_counts(world):
    from shegong.projects import services

    project = make_project()
    _first, second = roster(project, 2, certified=2)
    services.staff_end(actor=None, member=second, end_date=datetime.date(2025, 3, 31))
    assert rules.judge_project(project, datetime.date(2025, 3, 31)).staff == 2
    assert rules.judge_project(project, TODAY).staff == 1


def test_a_guangzhou_project_below_65_percent_fails_with_its_figures(world):
    project = make_project(personnel=wan(150))
    verdict = rules.judge_project(project, TODAY).verdict(LABOUR)
    assert verdict.passed is False
    assert "62.5%" in verdict.message


def test_station_amount_per_covered_station_and_rooms_ride_along(world):
    from shegong.testing.world import COMMUNITY_A

    street = make_station("station", STREET_A)
    room = make_station("room", COMMUNITY_A)
    project = make_project(total=wan(240), personnel=wan(160), stations=[street, room])
    judgement = rules.judge_project(project, TODAY)
    assert judgement.stations == 1
    assert judgement.verdict(STATION_AMOUNT).passed is True
    other = make_station("station", "440104001000")
    two = make_project(stations=[street, other])
    verdict = rules.judge_project(two, TODAY).verdict(STATION_AMOUNT)
    assert verdict.passed is False and verdict.figures["annual_amount"] == wan(120)
    bare = make_project()
    assert rules.judge_project(bare, TODAY).verdict(STATION_AMOUNT) is None


def test_half_year_project_is_scaled_to_a_year():
    assert rules.period_months(datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)) == 12
    assert rules.period_months(datetime.date(2025, 7, 1), datetime.date(2025, 12, 31)) == 6
    assert rules.period_months(datetime.date(2025, 7, 1), datetime.date(2026, 6, 30)) == 12
    assert rules.period_months(datetime.date(2025, 1, 1), datetime.date(2025, 1, 3)) == 1
    assert rules.annual_funds(wan(120), datetime.date(2025, 7, 1), datetime.date(2025, 12, 31)) == wan(240)


def test_contractor_rating_judged_on_the_contract_date(world):
    profile = PolicyProfile.objects.create(name="越秀区", region_id=DISTRICT_A, valid_from=datetime.date(2020, 1, 1))
    rule = PolicyRule.objects.create(
        profile=profile, kind=CONTRACTOR, params={"minimum_level": 3}, source_text="测试依据"
    )
    rate(world.agency_a, 4, on=datetime.date(2020, 1, 1), years=5)  # lapses 2025-01-01
    project = contract(make_project(), world.agency_a, on=datetime.date(2024, 12, 15))
    verdict = rules.judge_project(project, TODAY).verdict(CONTRACTOR)
    assert verdict.passed is True and verdict.figures["rating_level"] == 4
    rule.params = {"minimum_level": 5}
    rule.save()
    verdict = rules.judge_project(project, TODAY).verdict(CONTRACTOR)
    assert verdict.passed is False and "4A" in verdict.message and verdict.source_text == "测试依据"


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(twentieths=st.integers(min_value=1, max_value=10**11))
def test_share_exactly_at_the_limit_passes_and_a_fen_below_fails(world, twentieths):
    """广州 ≥ 65%: a total of k × 0.20 元 makes 65% exactly k × 0.13 元."""
    total = Decimal(twentieths) * Decimal("0.20")
    at_limit = Decimal(twentieths) * Decimal("0.13")
    project = Project.objects.filter(code="HYPO").first()
    if project is None:
        project = make_project()
        Project.objects.filter(pk=project.pk).update(code="HYPO")
    Project.objects.filter(pk=project.pk).update(total_funds=total)
    BudgetLine.objects.filter(project=project, category="personnel").update(planned=at_limit)
    assert rules.judge_project(project, TODAY).verdict(LABOUR).passed is True
    BudgetLine.objects.filter(project=project, category="personnel").update(planned=at_limit - Decimal("0.01"))
    assert rules.judge_project(project, TODAY).verdict(LABOUR).passed is False


def test_judge_uses_a_constant_number_of_queries(world, django_assert_num_queries):
    from shegong.testing.world import COMMUNITY_A

    room = make_station("room", COMMUNITY_A)
    for index in range(3):
        project = make_project(stations=[room], name=f"项目{index}")
        roster(project, 2, certified=1)
        contract(project, world.agency_a)
    rate(world.agency_a, 3)
    projects = Project.objects.all()
    with django_assert_num_queries(6):
        judged = rules.judge(projects, TODAY)
    assert len(judged) == 3
    for index in range(3):
        project = make_project(name=f"更多{index}")
        roster(project, 1)
    with django_assert_num_queries(6):
        judged = rules.judge(Project.objects.all(), TODAY)
    assert len(judged) == 6
