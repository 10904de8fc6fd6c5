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
            user = bureau(f"{prefix}_{group.kind}_{serial}", DISTRICT_B)
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
