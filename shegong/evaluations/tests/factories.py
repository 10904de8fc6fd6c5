"""Builders for the evaluation tests. Projects are written directly (the projects app's services are someone else's);
evaluations, assignments and scores go through this app's services as the installation (actor None) unless a test
is about the actor."""

import datetime
import itertools
from decimal import Decimal

from shegong.evaluations import services
from shegong.evaluations.models import Evaluation, EvaluationTemplate, EvaluatorAssignment, RaterGroup, Survey
from shegong.evaluations.presets import install_presets
from shegong.projects.models import Project
from shegong.talent.tests.factories import make_user, make_worker  # noqa: F401  (re-exported)
from shegong.testing.world import CITY, DISTRICT_A, DISTRICT_B

_serial = itertools.count(1)


def make_project(agency, region: str = DISTRICT_A, **values) -> Project:
    serial = next(_serial)
    defaults = {
        "code": f"TEST-EV-{serial:04d}",
        "name": f"测试社工服务项目{serial}",
        "purchaser_department": "越秀区民政局",
        "region_id": region,
        "province_code": region[:2],
        "agency": agency,
        "contract_date": datetime.date(2025, 1, 1),
        "start_date": datetime.date(2025, 1, 1),
        "end_date": datetime.date(2025, 12, 31),
        "total_funds": Decimal("2400000"),
        "stage": Project.Stage.EXECUTING,
    }
    defaults.update(values)
    return Project.objects.create(**defaults)


def preset(kind: str = "midterm") -> EvaluationTemplate:
    install_presets()
    return EvaluationTemplate.objects.get(preset=f"guangzhou-{kind}")


def make_evaluation(project, kind: str = "midterm", **values) -> Evaluation:
    return services.evaluation_create(project=project, template=preset(kind), actor=None, **values)


def bureau(name: str, region: str = DISTRICT_A):
    return make_user(name, "civil_affairs_admin", region=region)


def expert(name: str):
    return make_user(name, "evaluator", region=CITY)


def assign(evaluation, kind: str, user) -> EvaluatorAssignment:
    group = evaluation.template.groups.get(kind=kind)
    return services.assignment_add(evaluation=evaluation, group=group, evaluator=user, actor=None)


def staff_all_groups(evaluation, prefix: str = "ev") -> dict[str, EvaluatorAssignment]:
    """An evaluator in every form-scored group of the evaluation's template."""
    found = {}
    for group in evaluation.template.groups.exclude(kind__in=RaterGroup.SURVEY_KINDS):
        serial = next(_serial)
        if group.kind in RaterGroup.BUREAU_KINDS:
            user = bureau(f"{prefix}_{group.kind}_{serial}", evaluation.project.region_id)
        else:
            user = expert(f"{prefix}_{group.kind}_{serial}")
        found[group.kind] = assign(evaluation, group.kind, user)
    return found


def fill(assignment, fraction: Decimal = Decimal(1), submit: bool = True) -> EvaluatorAssignment:
    """Score every item of the form at `fraction` of its scale (the nearest level for levelled items)."""
    scores = {}
    for item in services.form_items(assignment):
        if item.levels:
            target = item.max_points * fraction
            points = min((Decimal(level["points"]) for level in item.levels), key=lambda p: abs(p - target))
        else:
            points = (item.max_points * fraction).quantize(Decimal("0.01"))
        scores[item.pk] = (points, "")
    return services.scores_save(assignment=assignment, scores=scores, submit=submit, actor=assignment.evaluator)


def answer_surveys(evaluation, value: int = 5, count: int = 2) -> None:
    for audience in Survey.Audience.values:
        survey = services.survey_issue(evaluation=evaluation, audience=audience, count=count, actor=None)
        for token in survey.tokens.filter(used_at__isnull=True)[:count]:
            services.survey_answer(token=token, answers=[value] * len(survey.questions))


def completed(project, kind: str = "midterm", fraction: Decimal = Decimal(1)) -> Evaluation:
    evaluation = make_evaluation(project, kind)
    forms = staff_all_groups(evaluation)
    services.evaluation_move(evaluation=evaluation, to=Evaluation.State.SCORING, actor=None)
    for form in forms.values():
        fill(form, fraction)
    answer_surveys(evaluation)
    return services.evaluation_move(evaluation=evaluation, to=Evaluation.State.COMPLETED, actor=None)


def scene(world):
    """The objects the permission matrix needs, attached to `world`:

    ev_a     评分中, project of agency_a in 越秀 (district A), from a 越秀区 copy of the preset (that copy is frozen);
             world.evaluator on the expert form (submitted, with one evidence file), a bureau user of 越秀 on the
             purchaser form (submitted), a recipients' survey with two links
    ev_b     草稿, project of agency_b in 海珠 (district B)
    ev_pub   已发布, project of agency_a
    """
    from django.core.files.uploadedfile import SimpleUploadedFile

    from shegong.evaluations.models import Evidence, ItemScore

    admin = world.district_a_admin
    copy = services.template_copy(template=preset(), name="越秀区中期评估", region=admin.home_region, actor=admin)
    ev_a = services.evaluation_create(project=make_project(world.agency_a), template=copy, actor=admin)
    form_a = services.assignment_add(
        evaluation=ev_a, group=copy.groups.get(kind="expert"), evaluator=world.evaluator, actor=admin
    )
    purchaser = bureau("purchaser_x", DISTRICT_A)
    form_p = services.assignment_add(
        evaluation=ev_a, group=copy.groups.get(kind="purchaser"), evaluator=purchaser, actor=admin
    )
    supervisor = bureau("supervisor_x", DISTRICT_A)
    services.assignment_add(
        evaluation=ev_a, group=copy.groups.get(kind="supervisor"), evaluator=supervisor, actor=admin
    )
    services.evaluation_move(evaluation=ev_a, to=Evaluation.State.SCORING, actor=admin)
    fill(form_a, submit=False)
    score = ItemScore.objects.filter(assignment=form_a).first()
    evidence = services.evidence_add(
        score=score, upload=SimpleUploadedFile("记录.pdf", b"%PDF-1.4 test", "application/pdf"), actor=world.evaluator
    )
    fill(form_a)
    fill(form_p)
    survey = services.survey_issue(evaluation=ev_a, audience="recipient", count=2, actor=admin)
    ev_b = make_evaluation(make_project(world.agency_b, region=DISTRICT_B))
    ev_pub = completed(make_project(world.agency_a))
    services.evaluation_move(evaluation=ev_pub, to=Evaluation.State.PUBLISHED, actor=None)
    world.ev_a, world.ev_b, world.ev_pub = ev_a, ev_b, ev_pub
    world.form_a, world.form_p, world.score_a, world.survey_a = form_a, form_p, score, survey
    world.evidence_a = Evidence.objects.get(pk=evidence.pk)
    world.template_a, world.preset_mid = copy, preset()
    world.token_a = survey.tokens.first()
    return world
