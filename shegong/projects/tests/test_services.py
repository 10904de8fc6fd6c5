"""The project services: terms and sums, the contractor refusals (abnormal list, blacklist, rating below a profile
minimum), the lifecycle's allowed and forbidden moves, the roster (blacklisted worker, overlap, period), spending,
scope and permissions, the audit rows and the stale-edit check."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shegong.audit.models import AuditEntry
from shegong.policies.models import PolicyProfile, PolicyRule
from shegong.projects import services
from shegong.projects.models import Project, ProjectStageEvent
from shegong.projects.tests.factories import (
    START,
    blacklist,
    contract,
    make_project,
    make_station,
    make_worker,
    rate,
    roster,
    wan,
)
from shegong.regions.models import Region
from shegong.testing.world import DISTRICT_A, DISTRICT_B, STREET_A

pytestmark = pytest.mark.django_db

Stage = Project.Stage


def _messages(exc) -> str:
    return " ".join(exc.value.messages)


def _create(world, **changes):
    values = {
        "actor": world.district_a_admin,
        "name": "北京街社工站项目",
        "purchaser_department": "越秀区民政局",
        "region": Region.objects.get(pk=DISTRICT_A),
        "start_date": START,
        "end_date": datetime.date(2025, 12, 31),
        "total_funds": wan(240),
        "funding": {"fiscal": wan(200), "lottery": wan(40)},
        "budget": {"personnel": wan(160), "activity": wan(60), "admin": wan(20)},
        "outputs": [("person_times", "", 12000), ("cases", "", 60)],
    }
    values.update(changes)
    return services.project_create(**values)


def test_create_generates_code_history_and_audit(world):
    station = make_station("station", STREET_A, agency=world.agency_a)
    project = _create(world, stations=[station])
    assert project.code == "P4401042025001"
    assert project.stage == Stage.INITIATED and project.province_code == "44"
    assert list(project.stations.all()) == [station]
    assert project.funding.count() == 2 and project.budget.count() == 3 and project.outputs.count() == 2
    assert project.stage_events.get().to_stage == Stage.INITIATED
    entry = AuditEntry.objects.filter(object_type="projects.project", object_id=str(project.pk)).get()
    assert entry.action == AuditEntry.Action.CREATE and entry.actor == world.district_a_admin
    assert _create(world).code == "P4401042025002"


def test_sums_must_equal_the_total_and_say_by_how_much(world):
    with pytest.raises(ValidationError) as exc:
        _create(world, funding={"fiscal": wan(200)}, budget={"personnel": wan(250)})
    errors = exc.value.message_dict
    assert errors["funding"] == ["资金来源合计 2,000,000.00 元，项目总经费 2,400,000.00 元，还差 400,000.00 元。"]
    assert errors["budget"] == ["预算科目合计 2,500,000.00 元，项目总经费 2,400,000.00 元，多出 100,000.00 元。"]
    assert not Project.objects.exists()


def test_region_and_stations_must_be_in_scope(world):
    with pytest.raises(ValidationError) as exc:
        _create(world, region=Region.objects.get(pk=DISTRICT_B))
    assert "不在您的管辖范围内" in _messages(exc)
    other = make_station("station", "440105001000")
    with pytest.raises(ValidationError) as exc:
        _create(world, stations=[other])
    assert "站点不在购买方所在区划“越秀区”内" in _messages(exc)
    with pytest.raises(PermissionDenied):
        _create(world, actor=world.agency_admin_a)


def _list(agency, status, on=datetime.date(2024, 6, 1)):
    from shegong.agencies.models import AgencyStatusEvent

    return AgencyStatusEvent.objects.create(
        agency=agency, status=status, valid_from=on, reason="测试原因", source_document="测试文件"
    )


@pytest.mark.parametrize(("status", "label"), [("abnormal", "异常名录"), ("blacklist", "黑名单")])
def test_listed_contractor_is_refused_with_the_reason(world, status, label):
    project = _create(world)
    _list(world.agency_a, status)
    with pytest.raises(ValidationError) as exc:
        services.project_set_contractor(
            actor=world.district_a_admin,
            project=project,
            agency=world.agency_a,
            contract_date=datetime.date(2024, 12, 1),
        )
    assert label in _messages(exc) and "测试原因" in _messages(exc)
    project.refresh_from_db()
    assert project.agency is None


def _minimum_rating(region_id, level):
    profile = PolicyProfile.objects.create(
        name="越秀区承接机构要求", region_id=region_id, valid_from=datetime.date(2020, 1, 1)
    )
    return PolicyRule.objects.create(
        profile=profile,
        kind="contractor_minimum_rating",
        params={"minimum_level": level},
        source_text="测试：承接机构须达到 3A",
    )


def test_contractor_below_the_profile_minimum_or_unrated_is_refused(world):
    _minimum_rating(DISTRICT_A, 3)
    project = _create(world)
    day = datetime.date(2024, 12, 1)
    with pytest.raises(ValidationError) as exc:
        services.project_set_contractor(actor=None, project=project, agency=world.agency_a, contract_date=day)
    assert "没有有效的评估等级" in _messages(exc)
    rate(world.agency_a, 2)
    with pytest.raises(ValidationError) as exc:
        services.project_set_contractor(actor=None, project=project, agency=world.agency_a, contract_date=day)
    assert "承接机构评估等级 2A，规定须达到 3A 级及以上：不符合" in _messages(exc)
    rate(world.agency_a, 4, on=datetime.date(2024, 6, 1))
    services.project_set_contractor(actor=None, project=project, agency=world.agency_a, contract_date=day)
    project.refresh_from_db()
    assert project.agency == world.agency_a and project.contract_date == day


def test_lifecycle_allowed_moves_write_events_and_audit(world):
    project = _create(world)
    contract(project, world.agency_a)
    for stage in (Stage.EXECUTING, Stage.MIDTERM, Stage.FINAL, Stage.CLOSED):
        services.project_move(actor=world.district_a_admin, project=project, to_stage=stage)
    project.refresh_from_db()
    assert project.stage == Stage.CLOSED
    assert ProjectStageEvent.objects.filter(project=project).count() == 7
    transitions = AuditEntry.objects.filter(object_id=str(project.pk), action=AuditEntry.Action.TRANSITION)
    assert transitions.count() == 6
    with pytest.raises(ValidationError) as exc:
        services.project_move(actor=None, project=project, to_stage=Stage.TERMINATED, reason="x")
    assert "最终阶段" in _messages(exc)


FORBIDDEN = [
    (current, target)
    for current in Stage.values
    for target in Stage.values
    if target not in Project.MOVES[current] and current not in (Stage.CLOSED, Stage.TERMINATED)
]


@pytest.mark.parametrize(("current", "target"), FORBIDDEN)
def test_every_forbidden_move_is_refused(world, current, target):
    project = _create(world)
    Project.objects.filter(pk=project.pk).update(
        stage=current, agency=world.agency_a, contract_date=datetime.date(2024, 12, 1)
    )
    project.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        services.project_move(actor=None, project=project, to_stage=target, reason="测试")
    assert "不能从" in _messages(exc)
    project.refresh_from_db()
    assert project.stage == current


def test_contracting_needs_a_contractor_and_rechecks_it(world):
    project = _create(world)
    services.project_move(actor=None, project=project, to_stage=Stage.TENDERING)
    with pytest.raises(ValidationError) as exc:
        services.project_move(actor=None, project=project, to_stage=Stage.CONTRACTED)
    assert "签约前须先确定承接机构和签约日期" in _messages(exc)
    services.project_set_contractor(
        actor=None, project=project, agency=world.agency_a, contract_date=datetime.date(2024, 12, 1)
    )
    _list(world.agency_a, "blacklist", on=datetime.date(2024, 11, 1))
    with pytest.raises(ValidationError) as exc:
        services.project_move(actor=None, project=project, to_stage=Stage.CONTRACTED)
    assert "黑名单" in _messages(exc)


def test_termination_and_failed_tender_need_a_reason(world):
    project = _create(world)
    services.project_move(actor=None, project=project, to_stage=Stage.TENDERING)
    with pytest.raises(ValidationError) as exc:
        services.project_move(actor=None, project=project, to_stage=Stage.INITIATED)
    assert "流标" in _messages(exc)
    services.project_move(actor=None, project=project, to_stage=Stage.INITIATED, reason="无人投标")
    with pytest.raises(ValidationError) as exc:
        services.project_move(actor=None, project=project, to_stage=Stage.TERMINATED)
    assert "终止项目须写明原因" in _messages(exc)
    event = services.project_move(actor=None, project=project, to_stage=Stage.TERMINATED, reason="政策调整")
    assert event.reason == "政策调整"


def test_moving_needs_the_permission_and_the_scope(world):
    project = _create(world)
    with pytest.raises(PermissionDenied):
        services.project_move(actor=world.agency_admin_a, project=project, to_stage=Stage.TENDERING)
    with pytest.raises(PermissionDenied):
        services.project_move(actor=world.district_b_admin, project=project, to_stage=Stage.TENDERING)


def test_blacklisted_worker_is_refused_on_the_start_date(world):
    project = _create(world)
    worker = make_worker(name="黑名单甲")
    blacklist(worker, world.city_admin, on=datetime.date(2024, 1, 1))
    with pytest.raises(ValidationError) as exc:
        services.staff_add(actor=None, project=project, worker=worker, role="social_worker", start_date=START)
    assert "黑名单" in _messages(exc)
    assert not project.staff.exists()


def test_overlapping_roster_entries_of_one_worker_are_refused(world):
    project = _create(world)
    worker = make_worker(name="重叠乙")
    services.staff_add(
        actor=None,
        project=project,
        worker=worker,
        role="social_worker",
        start_date=START,
        end_date=datetime.date(2025, 6, 30),
    )
    with pytest.raises(ValidationError) as exc:
        services.staff_add(
            actor=None, project=project, worker=worker, role="lead", start_date=datetime.date(2025, 6, 30)
        )
    assert "期间重叠" in _messages(exc)
    later = services.staff_add(
        actor=None, project=project, worker=worker, role="lead", start_date=datetime.date(2025, 7, 1)
    )
    assert later.pk


def test_roster_period_inside_the_project_period(world):
    project = _create(world)
    worker = make_worker()
    with pytest.raises(ValidationError) as exc:
        services.staff_add(
            actor=None, project=project, worker=worker, role="social_worker", start_date=datetime.date(2024, 12, 31)
        )
    assert "须在项目服务期（2025-01-01 至 2025-12-31）之内" in _messages(exc)
    member = services.staff_add(actor=None, project=project, worker=worker, role="social_worker", start_date=START)
    with pytest.raises(ValidationError):
        services.staff_end(actor=None, member=member, end_date=datetime.date(2026, 1, 31))
    services.staff_end(actor=None, member=member, end_date=datetime.date(2025, 3, 31))
    member.refresh_from_db()
    assert member.end_date == datetime.date(2025, 3, 31)
    services.staff_remove(actor=None, member=member)
    assert not project.staff.exists()
    assert AuditEntry.objects.filter(object_type="projects.projectstaff", action=AuditEntry.Action.DELETE).exists()


def test_contractor_keeps_the_roster_and_spending_of_its_own_projects(world):
    project = contract(_create(world), world.agency_a)
    worker = make_worker(agency=world.agency_a)
    services.staff_add(
        actor=world.agency_admin_a, project=project, worker=worker, role="social_worker", start_date=START
    )
    lines = services.budget_record_spending(
        actor=world.agency_admin_a, project=project, spent={"personnel": wan(170), "activity": wan(10)}
    )
    over = {line.category for line in lines if line.spent > line.planned}
    assert over == {"personnel"}  # allowed, flagged
    other = contract(_create(world), world.agency_b)
    with pytest.raises(PermissionDenied):
        services.budget_record_spending(actor=world.agency_admin_a, project=other, spent={"personnel": 1})


def test_spending_before_the_contract_is_refused(world):
    project = _create(world)
    with pytest.raises(ValidationError) as exc:
        services.budget_record_spending(actor=None, project=project, spent={"personnel": 1})
    assert "签约之前" in _messages(exc)


def test_update_replaces_children_and_refuses_a_stale_version(world):
    project = _create(world)
    version = services.version_of(project)
    services.project_update(
        actor=world.district_a_admin,
        project=project,
        version=version,
        total_funds=wan(200),
        funding={"fiscal": wan(200)},
        budget={"personnel": wan(140), "activity": wan(60)},
        outputs=[("groups", "", 10)],
    )
    project.refresh_from_db()
    assert project.total_funds == wan(200)
    assert {row.source for row in project.funding.all()} == {"fiscal"}
    assert {row.category: row.planned for row in project.budget.all()} == {"personnel": wan(140), "activity": wan(60)}
    assert [row.measure for row in project.outputs.all()] == ["groups"]
    with pytest.raises(ValidationError) as exc:
        services.project_update(actor=world.district_a_admin, project=project, version=version, name="新名称")
    assert "已被他人修改" in _messages(exc)
    with pytest.raises(ValidationError) as exc:
        services.project_update(actor=world.district_a_admin, project=project, total_funds=wan(210))
    assert "还差 100,000.00 元" in _messages(exc)


def test_changing_the_total_alone_is_checked_against_the_sums(world):
    project = make_project(total=wan(100), personnel=wan(70))
    services.project_update(
        actor=None,
        project=project,
        total_funds=Decimal("1000000.00"),
    )
    project.refresh_from_db()
    assert project.total_funds == wan(100)
    roster(project, 1)
