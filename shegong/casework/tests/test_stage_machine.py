"""The stage machine of MZ/T 094-2017: every from × to pair, the content each move needs, early closure, reopening."""

import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shegong.audit.models import AuditEntry
from shegong.casework import services
from shegong.casework.models import Case, CaseGoal, CaseStageEvent
from shegong.casework.tests.factories import fill, open_case, setting_a, walk

pytestmark = pytest.mark.django_db
Stage = Case.Stage
STAGES = list(Stage.values)
OPEN = [stage for stage in STAGES if stage != Stage.CLOSED]


def case_at(stage: str) -> Case:
    case = open_case(setting_a())
    if stage == Stage.CLOSED:
        case = walk(case, Stage.EVALUATION)
        fill(case)
        return services.case_move(
            actor=None, case=case, to=Stage.CLOSED, closure_reason="goals_met", closure_summary="按计划结案"
        )
    case = walk(case, stage)
    fill(case)  # the content of the stage being left is complete: only the move itself decides
    return case


def expected(frm: str, to: str) -> bool:
    if frm == Stage.CLOSED:
        return to in Case.REOPEN_TO
    return to == Stage.CLOSED or Case.MOVES[frm] == to


@pytest.mark.parametrize(("frm", "to"), list(itertools.product(STAGES, STAGES)))
def test_every_move(frm, to):
    case = case_at(frm)
    kwargs = {"reason": "服务对象再次求助"}
    if to == Stage.CLOSED:
        kwargs.update(closure_reason="goals_met" if frm == Stage.EVALUATION else "client_ended", closure_summary="小结")
    if expected(frm, to):
        moved = services.case_move(actor=None, case=case, to=to, **kwargs)
        assert moved.stage == to
        assert (moved.closed_on is not None) == (to == Stage.CLOSED)
        event = CaseStageEvent.objects.filter(case=case).latest("id")
        assert (event.from_stage, event.to_stage) == (frm, to)
        assert AuditEntry.objects.filter(object_id=str(case.pk), action="transition").exists()
    else:
        with pytest.raises(ValidationError) as caught:
            services.case_move(actor=None, case=case, to=to, **kwargs)
        assert caught.value.error_dict["to"][0].code in {"not_allowed", "same_stage"}
        case.refresh_from_db()
        assert case.stage == frm


@pytest.mark.parametrize(
    ("stage", "message"),
    [
        (Stage.ASSESSMENT, "预估"),
        (Stage.PLANNING, "服务计划"),
        (Stage.INTERVENTION, "介入服务"),
        (Stage.EVALUATION, "总体评估"),
    ],
)
def test_a_move_needs_the_content_of_the_stage_left(stage, message):
    case = walk(open_case(setting_a()), stage)
    to = Case.MOVES[stage]
    kwargs = {"closure_reason": "goals_met", "closure_summary": "小结"} if to == Stage.CLOSED else {}
    with pytest.raises(ValidationError) as caught:
        services.case_move(actor=None, case=case, to=to, **kwargs)
    assert caught.value.error_dict["to"][0].code == "incomplete"
    assert message in caught.value.error_dict["to"][0].message
    fill(case)
    assert services.case_move(actor=None, case=case, to=to, **kwargs).stage == to


def test_a_plan_needs_a_goal():
    case = walk(open_case(setting_a()), Stage.PLANNING)
    services.plan_save(case=case, actor=None, methods="方法", planned_on=case.opened_on)
    with pytest.raises(ValidationError, match="至少需要一个目标"):
        services.case_move(actor=None, case=case, to=Stage.INTERVENTION)


def test_closing_after_evaluation_needs_every_goal_rated():
    case = walk(open_case(setting_a()), Stage.PLANNING)
    fill(case)
    services.goal_add(case=case, actor=None, description="第二个目标", measure="记录", target_date=case.opened_on)
    case = walk(case, Stage.EVALUATION)
    first = case.goals.first()
    services.evaluation_save(
        case=case, actor=None, overall="部分达成", evaluated_on=case.opened_on, achievements={first.pk: "met"}
    )
    with pytest.raises(ValidationError, match="每一个服务目标"):
        services.case_move(actor=None, case=case, to=Stage.CLOSED, closure_reason="goals_met", closure_summary="小结")


@pytest.mark.parametrize("stage", [Stage.INTAKE, Stage.ASSESSMENT, Stage.PLANNING, Stage.INTERVENTION])
def test_early_closure_cannot_claim_goals_met(stage):
    case = case_at(stage)
    with pytest.raises(ValidationError) as caught:
        services.case_move(actor=None, case=case, to=Stage.CLOSED, closure_reason="goals_met", closure_summary="小结")
    assert caught.value.error_dict["closure_reason"][0].code == "early_goals_met"
    closed = services.case_move(
        actor=None, case=case, to=Stage.CLOSED, closure_reason="moved_away", closure_summary="迁居外省"
    )
    assert closed.closure_reason == "moved_away"


def test_closure_needs_reason_and_summary():
    case = case_at(Stage.INTAKE)
    with pytest.raises(ValidationError) as caught:
        services.case_move(actor=None, case=case, to=Stage.CLOSED, closure_summary="小结")
    assert caught.value.error_dict["closure_reason"][0].code == "reason_required"
    with pytest.raises(ValidationError) as caught:
        services.case_move(actor=None, case=case, to=Stage.CLOSED, closure_reason="lost_contact")
    assert caught.value.error_dict["closure_summary"][0].code == "summary_required"


def test_reopening_needs_a_reason_and_clears_the_closure():
    case = case_at(Stage.CLOSED)
    with pytest.raises(ValidationError) as caught:
        services.case_move(actor=None, case=case, to=Stage.INTERVENTION, reason="  ")
    assert caught.value.error_dict["reason"][0].code == "reason_required"
    reopened = services.case_move(actor=None, case=case, to=Stage.INTERVENTION, reason="服务对象再次求助")
    assert (reopened.stage, reopened.closed_on, reopened.closure_reason) == (Stage.INTERVENTION, None, "")
    assert CaseStageEvent.objects.filter(case=case).latest("id").reason == "服务对象再次求助"


def test_reopening_to_intervention_needs_a_plan():
    case = services.case_move(
        actor=None,
        case=open_case(setting_a()),
        to=Stage.CLOSED,
        closure_reason="client_ended",
        closure_summary="本人拒绝服务",
    )
    with pytest.raises(ValidationError) as caught:
        services.case_move(actor=None, case=case, to=Stage.INTERVENTION, reason="再次求助")
    assert caught.value.error_dict["to"][0].code == "incomplete"
    assert services.case_move(actor=None, case=case, to=Stage.ASSESSMENT, reason="再次求助").stage == Stage.ASSESSMENT


def test_a_stale_version_is_refused():
    case = case_at(Stage.ASSESSMENT)
    old = case.version
    services.case_move(actor=None, case=case, to=Stage.PLANNING)
    with pytest.raises(ValidationError) as caught:
        services.case_move(
            actor=None, case=case, to=Stage.CLOSED, closure_reason="other", closure_summary="x", version=old
        )
    assert caught.value.error_list[0].code == "stale"


def test_content_is_written_only_in_its_stage():
    case = open_case(setting_a())
    with pytest.raises(ValidationError) as caught:
        services.session_add(case=case, actor=None, held_on=case.opened_on, kind="phone", duration_minutes=5, notes="x")
    assert caught.value.error_list[0].code == "wrong_stage"
    with pytest.raises(ValidationError):
        services.goal_add(case=case, actor=None, description="目标", measure="m", target_date=case.opened_on)


def test_evaluation_rejects_a_goal_of_another_case():
    other = walk(open_case(setting_a()), Stage.INTERVENTION)
    case = walk(open_case(setting_a()), Stage.EVALUATION)
    stranger = CaseGoal.objects.filter(case=other).first()
    with pytest.raises(ValidationError, match="不属于"):
        services.evaluation_save(
            case=case, actor=None, overall="x", evaluated_on=case.opened_on, achievements={stranger.pk: "met"}
        )


def test_only_keepers_move_a_case(world):
    case = open_case(setting_a(world))
    for user in (world.district_a_admin, world.outsider, world.worker_b, world.no_role):
        with pytest.raises(PermissionDenied):
            services.case_move(case=case, to=Stage.ASSESSMENT, actor=user)
    assert services.case_move(case=case, to=Stage.ASSESSMENT, actor=world.station_head_a).stage == Stage.ASSESSMENT


def test_early_closure_from_evaluation_needs_no_evaluation():
    case = walk(open_case(setting_a()), Stage.EVALUATION)
    closed = services.case_move(
        actor=None, case=case, to=Stage.CLOSED, closure_reason="lost_contact", closure_summary="多次联系未果"
    )
    assert closed.stage == Stage.CLOSED
