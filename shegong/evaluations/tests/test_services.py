"""The evaluation services: templates' weights, assignments and conflicts, scoring, corrections, state moves."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shegong.accounts.models import Role, RoleAssignment
from shegong.audit.models import AuditEntry
from shegong.evaluations import services
from shegong.evaluations.models import Evaluation, ItemScore, ScoreCorrection
from shegong.evaluations.tests.factories import (
    answer_surveys,
    assign,
    completed,
    expert,
    fill,
    make_evaluation,
    make_project,
    make_worker,
    preset,
    staff_all_groups,
)

State = Evaluation.State
pytestmark = pytest.mark.django_db


def test_presets_are_usable_and_cite_seed_003(world):
    for kind in ("midterm", "final"):
        template = preset(kind)
        assert services.template_problems(template) == []
        assert "穗民案〔2020〕101号" in template.source_text
    assert set(preset("final").groups.values_list("kind", flat=True)) >= {"finance", "recipient", "partner"}


def test_weights_off_at_each_level_are_named_with_the_difference(world):
    copy = services.template_copy(
        template=preset(), name="越秀区试行", region=world.district_a_admin.home_region, actor=world.district_a_admin
    )
    dimension = copy.nodes.get(level=1, name="项目管理")
    indicator = copy.nodes.get(level=2, name="制度与人员")
    item = copy.nodes.get(level=3, name="项目管理制度建设与执行")
    cases = [
        ({dimension.pk: "25"}, {}, "各维度权重之和为 105，应为 100（多 5）"),
        ({indicator.pk: "40"}, {}, "维度“项目管理”下的各指标权重之和为 90，应为 100（少 10）"),
        ({item.pk: "45.5"}, {}, "指标“制度与人员”下的各评分项权重之和为 95.5，应为 100（少 4.5）"),
        ({}, {"expert": "60"}, "各评分主体权重之和为 110，应为 100（多 10）"),
    ]
    for nodes, groups, message in cases:
        with pytest.raises(ValidationError) as caught:
            services.weights_update(
                template=copy, node_weights=nodes, item_groups={}, group_weights=groups, actor=world.district_a_admin
            )
        assert message in "；".join(caught.value.messages)
    dimension.refresh_from_db()
    assert dimension.weight == Decimal("20")  # nothing half-written


def test_bands_are_checked():
    with pytest.raises(ValidationError, match="下限应为 0"):
        services.clean_bands([{"label": "优秀", "minimum": "90"}])
    with pytest.raises(ValidationError, match="不能相同"):
        services.clean_bands([{"label": "优秀", "minimum": "0"}, {"label": "良好", "minimum": "0"}])
    with pytest.raises(ValidationError, match="不在 0 到 100"):
        services.parse_bands("优秀 120\n不合格 0")
    assert services.parse_bands("合格 60\n优秀 90\n不合格 0")[0] == {"label": "优秀", "minimum": "90"}


def test_a_used_template_is_frozen_and_copied_to_change(world):
    project = make_project(world.agency_a)
    copy = services.template_copy(
        template=preset(), name="越秀区", region=world.district_a_admin.home_region, actor=world.district_a_admin
    )
    services.evaluation_create(project=project, template=copy, actor=world.district_a_admin)
    with pytest.raises(ValidationError, match="复制一份"):
        services.template_update(template=copy, name="改名", actor=world.district_a_admin)
    again = services.template_copy(template=copy, name="越秀区二版", region=copy.region, actor=world.district_a_admin)
    services.template_update(template=again, name="越秀区三版", actor=world.district_a_admin)


def test_project_without_contractor_and_out_of_scope_are_refused(world):
    with pytest.raises(ValidationError, match="承接机构"):
        make_evaluation(make_project(None, stage="initiated", contract_date=None))
    # Signed but not yet running, or over: no evaluation (seed 003: evaluations fall within the service year).
    for stage in ("contracted", "closed", "terminated"):
        with pytest.raises(ValidationError, match="执行开始后才能评估"):
            make_evaluation(make_project(world.agency_a, stage=stage))
    with pytest.raises(PermissionDenied):
        services.evaluation_create(
            project=make_project(world.agency_b, region="440105000000"), template=preset(), actor=world.district_a_admin
        )


@pytest.mark.parametrize("employment", ["home_agency", "role_assignment", "social_worker"])
def test_an_evaluator_employed_by_the_contractor_is_refused(world, employment):
    evaluation = make_evaluation(make_project(world.agency_a))
    user = expert("conflicted")
    if employment == "home_agency":
        user.home_agency = world.agency_a
        user.save()
    elif employment == "role_assignment":
        RoleAssignment.objects.create(user=user, role=Role.objects.get(code="social_worker"), agency=world.agency_a)
    else:
        make_worker(agency=world.agency_a, account=user)
    with pytest.raises(ValidationError) as caught:
        assign(evaluation, "expert", user)
    assert "利益冲突" in caught.value.messages[0] and world.agency_a.name in caught.value.messages[0]
    assign(make_evaluation(make_project(world.agency_b)), "expert", user)  # another contractor: fine


def test_group_eligibility(world):
    evaluation = make_evaluation(make_project(world.agency_a))
    with pytest.raises(ValidationError, match="评估专家角色"):
        assign(evaluation, "expert", world.district_b_admin)
    with pytest.raises(ValidationError, match="民政部门人员"):
        assign(evaluation, "purchaser", world.evaluator)
    with pytest.raises(ValidationError, match="满意度问卷"):
        assign(evaluation, "recipient", world.evaluator)
    # The purchaser's and supervisor's raters are officers whose jurisdiction holds the project (越秀, district A).
    with pytest.raises(ValidationError, match="管辖范围不包括该项目所在区划"):
        assign(evaluation, "purchaser", world.district_b_admin)
    assign(evaluation, "purchaser", world.district_a_admin)
    assign(evaluation, "supervisor", world.city_admin)


@pytest.mark.parametrize(
    ("start", "to"),
    [
        (State.DRAFT, State.COMPLETED),
        (State.DRAFT, State.PUBLISHED),
        (State.COMPLETED, State.SCORING),
        (State.COMPLETED, State.DRAFT),
        (State.PUBLISHED, State.COMPLETED),
        (State.PUBLISHED, State.DRAFT),
    ],
)
def test_forbidden_moves(world, start, to):
    evaluation = make_evaluation(make_project(world.agency_a))
    Evaluation.objects.filter(pk=evaluation.pk).update(state=start, total=1, completed_at="2025-06-01T00:00Z")
    evaluation.refresh_from_db()
    with pytest.raises(ValidationError, match="不能从"):
        services.evaluation_move(evaluation=evaluation, to=to, actor=world.district_a_admin)


def test_the_lifecycle_and_its_conditions(world):
    admin = world.district_a_admin
    evaluation = make_evaluation(make_project(world.agency_a))
    with pytest.raises(ValidationError, match="还没有评估人员"):
        services.evaluation_move(evaluation=evaluation, to=State.SCORING, actor=admin)
    forms = staff_all_groups(evaluation)
    with pytest.raises(ValidationError, match="不在评分阶段"):
        fill(forms["expert"])
    services.evaluation_move(evaluation=evaluation, to=State.SCORING, actor=admin)
    fill(forms["expert"])
    with pytest.raises(ValidationError, match="已有评分表提交"):
        services.evaluation_move(evaluation=evaluation, to=State.DRAFT, actor=admin)
    with pytest.raises(ValidationError, match="尚未提交"):
        services.evaluation_move(evaluation=evaluation, to=State.COMPLETED, actor=admin)
    for kind in ("purchaser", "supervisor"):
        fill(forms[kind])
    with pytest.raises(ValidationError, match="服务对象"):
        services.evaluation_move(evaluation=evaluation, to=State.COMPLETED, actor=admin)
    answer_surveys(evaluation, value=5)
    done = services.evaluation_move(evaluation=evaluation, to=State.COMPLETED, actor=admin)
    assert done.total == Decimal("100.00") and done.grade == "优秀"
    published = services.evaluation_move(evaluation=done, to=State.PUBLISHED, actor=admin)
    assert published.published_at is not None
    assert AuditEntry.objects.filter(
        action="transition", note="evaluation.move.published", object_id=str(evaluation.pk)
    ).exists()


def test_scores_outside_the_scale_are_refused(world):
    evaluation = make_evaluation(make_project(world.agency_a))
    form = staff_all_groups(evaluation)["expert"]
    services.evaluation_move(evaluation=evaluation, to=State.SCORING, actor=None)
    items = services.form_items(form)
    plain = next(item for item in items if not item.levels)
    levelled = next(item for item in items if item.levels)
    for item, value, message in [
        (plain, "10.5", "0 到 10 之间"),
        (plain, "-1", "0 到 10 之间"),
        (plain, "abc", "必须是数字"),
        (plain, "9.999", "两位小数"),
        (levelled, "9", "按等级评分"),
    ]:
        with pytest.raises(ValidationError, match=message):
            services.scores_save(assignment=form, scores={item.pk: (value, "")}, actor=form.evaluator)
    with pytest.raises(ValidationError, match="还没有评分"):
        services.scores_save(assignment=form, scores={plain.pk: ("8", "")}, submit=True, actor=form.evaluator)
    with pytest.raises(PermissionDenied):
        services.scores_save(assignment=form, scores={plain.pk: ("8", "")}, actor=world.evaluator)


def test_a_locked_score_changes_only_with_a_reason_and_is_audited(world):
    evaluation = completed(make_project(world.agency_a), fraction=Decimal(1))
    form = evaluation.assignments.get(group__kind="expert")
    score = ItemScore.objects.filter(assignment=form, item__levels=[]).first()
    with pytest.raises(ValidationError, match="锁定"):
        services.scores_save(assignment=form, scores={score.item_id: ("1", "")}, actor=form.evaluator)
    with pytest.raises(ValidationError, match="必须说明原因"):
        services.score_correct(score=score, new_score="5", reason="  ", actor=form.evaluator)
    assert not ScoreCorrection.objects.exists()
    correction = services.score_correct(score=score, new_score="5", reason="复核佐证材料后调整", actor=form.evaluator)
    assert (correction.old_score, correction.new_score) == (Decimal("10.00"), Decimal("5"))
    entry = AuditEntry.objects.get(note__startswith="evaluation.score_correct")
    assert (
        entry.changes["score"] == ["10.00", "5"]
        and entry.note.endswith("复核佐证材料后调整")
        and entry.changes["reason"] == "复核佐证材料后调整"
    )
    evaluation.refresh_from_db()
    assert evaluation.total < Decimal(100) and entry.changes["total"][0] == "100.00"
    services.evaluation_move(evaluation=evaluation, to=State.PUBLISHED, actor=None)
    with pytest.raises(ValidationError, match="已发布"):
        services.score_correct(score=score, new_score="6", reason="再改", actor=form.evaluator)


def test_survey_answers_once_per_token(world):
    evaluation = make_evaluation(make_project(world.agency_a))
    survey = services.survey_issue(evaluation=evaluation, audience="recipient", count=3, actor=world.district_a_admin)
    token = survey.tokens.first()
    services.survey_answer(token=token, answers=[5, 4, 4, 5], comment="很好")
    with pytest.raises(ValidationError, match="只能提交一次"):
        services.survey_answer(token=token, answers=[1, 1, 1, 1])
    with pytest.raises(ValidationError, match="1 到 5"):
        services.survey_answer(token=survey.tokens.last(), answers=[6, 4, 4, 5])
    with pytest.raises(ValidationError, match="全部 4 个"):
        services.survey_answer(token=survey.tokens.last(), answers=[5])
    assert survey.responses.count() == 1
