"""Reading templates, evaluations and their results, always scoped to the actor.

Who sees an evaluation:
- the bureaus of the project's purchaser region (VIEW: evaluations.view_evaluation, region subtree);
- an evaluator, the evaluations they are assigned to (the owner path assignments__evaluator), nothing else — their
  role's region does not widen that, since the evaluator role holds no VIEW;
- the contractor agency's admins, its projects' evaluations once 已发布 (RESULTS).
Out of scope answers 404.

`compute_results` judges many evaluations in a constant number of queries (the list pages, the benchmark, the
completion service all use it).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.http import Http404

from shegong.core.scope import NOTHING, grants_of, region_q, scope_q
from shegong.evaluations import scoring
from shegong.evaluations.models import (
    Evaluation,
    EvaluationKind,
    EvaluationTemplate,
    EvaluatorAssignment,
    IndicatorNode,
    RaterGroup,
    Survey,
    SurveyResponse,
)
from shegong.regions.codes import ancestor_codes

VIEW_TEMPLATE = "evaluations.view_evaluationtemplate"
ADD_TEMPLATE = "evaluations.add_evaluationtemplate"
CHANGE_TEMPLATE = "evaluations.change_evaluationtemplate"
VIEW = "evaluations.view_evaluation"
ORGANISE = "evaluations.organise_evaluation"
SCORE = "evaluations.score_evaluation"
RESULTS = "evaluations.view_evaluation_result"
ANY_EVALUATION_PERM = (VIEW, SCORE, RESULTS)
LIKERT_MAX = Decimal(5)


# --- Templates -----------------------------------------------------------------------------------------------------


def templates_q(user, perm: str = VIEW_TEMPLATE) -> Q:
    """Templates of the user's regions and their ancestors (for `perm`) and the national ones."""
    if not user.has_perm(perm):
        return NOTHING
    # A district uses its city's and province's templates too (as a region inherits its parent's policy profile).
    ancestors = {
        code
        for grant in grants_of(user)
        if perm in grant.permissions and grant.region_code
        for code in ancestor_codes(grant.region_code, grant.region_level)
    }
    return scope_q(user, EvaluationTemplate, perm) | Q(region__isnull=True) | Q(region_id__in=ancestors)


def templates_visible(user, perm: str = VIEW_TEMPLATE) -> QuerySet[EvaluationTemplate]:
    return EvaluationTemplate.objects.filter(templates_q(user, perm)).select_related("region")


def template_get(actor, pk: int, perm: str = VIEW_TEMPLATE) -> EvaluationTemplate:
    template = templates_visible(actor, perm).filter(pk=pk).first()
    if template is None:
        raise Http404
    return template


def can_change_template(user, template: EvaluationTemplate) -> bool:
    """Only a regional template in the user's change scope (a national one is copied, not edited)."""
    return (
        template.region_id is not None
        and user.has_perm(CHANGE_TEMPLATE)
        and EvaluationTemplate.objects.filter(
            scope_q(user, EvaluationTemplate, CHANGE_TEMPLATE), pk=template.pk
        ).exists()
    )


def is_frozen(template: EvaluationTemplate) -> bool:
    return Evaluation.objects.filter(template=template).exists()


@dataclass
class TreeNode:
    node: IndicatorNode
    children: list[TreeNode] = field(default_factory=list)
    effective: Decimal | None = None
    groups: list[str] = field(default_factory=list)


def tree(template: EvaluationTemplate) -> list[TreeNode]:
    """The indicator tree in order, each item with its effective weight and the groups (kind labels) scoring it."""
    nodes = list(template.nodes.order_by("level", "position", "id"))
    weights = scoring.effective_weights(_plain(nodes))
    group_of: dict[int, list[str]] = defaultdict(list)
    for kind, item_id in RaterGroup.items.through.objects.filter(ratergroup__template=template).values_list(
        "ratergroup__kind", "indicatornode_id"
    ):
        group_of[item_id].append(str(RaterGroup.Kind(kind).label))
    wrapped = {node.id: TreeNode(node, effective=weights.get(node.id), groups=group_of[node.id]) for node in nodes}
    roots = []
    for node in nodes:
        if node.parent_id is None:
            roots.append(wrapped[node.id])
        elif node.parent_id in wrapped:
            wrapped[node.parent_id].children.append(wrapped[node.id])
    return roots


def flat_tree(template: EvaluationTemplate) -> list[TreeNode]:
    out = []

    def walk(entries):
        for entry in entries:
            out.append(entry)
            walk(entry.children)

    walk(tree(template))
    return out


def _plain(nodes) -> list[scoring.Node]:
    return [scoring.Node(n.id, n.parent_id, n.level, n.weight, n.max_points, n.name) for n in nodes]


# --- Evaluations ---------------------------------------------------------------------------------------------------


def visible_q(user) -> Q:
    """The evaluations `user` may see (see the module docstring)."""
    if not getattr(user, "is_authenticated", False):
        return NOTHING
    q = scope_q(user, Evaluation, VIEW) | (scope_q(user, Evaluation, RESULTS) & Q(state=Evaluation.State.PUBLISHED))
    # The owner path joins the assignments: a subquery keeps one row per evaluation.
    return Q(pk__in=Evaluation.objects.filter(q).values("pk"))


def visible(user) -> QuerySet[Evaluation]:
    return Evaluation.objects.filter(visible_q(user))


def organisable(user) -> QuerySet[Evaluation]:
    """The evaluations the user organises: through region or agency grants only (being assigned is not enough)."""
    if not user.has_perm(ORGANISE):
        return Evaluation.objects.none()
    return Evaluation.objects.filter(_grant_only_q(user, ORGANISE))


def _grant_only_q(user, perm: str) -> Q:
    q = NOTHING
    for grant in grants_of(user):
        if perm not in grant.permissions:
            continue
        if grant.nationwide:
            return Q()
        if grant.region_code:
            q |= region_q("project__region", grant.region_code, grant.region_level)
        if grant.agency_id:
            q |= Q(project__agency=grant.agency_id)
    return q


def can_organise(user, evaluation: Evaluation) -> bool:
    return (
        user.has_perm(ORGANISE) and Evaluation.objects.filter(_grant_only_q(user, ORGANISE), pk=evaluation.pk).exists()
    )


def evaluation_get(actor, pk: int) -> Evaluation:
    evaluation = (
        visible(actor)
        .select_related("project", "project__region", "project__agency", "template", "created_by")
        .filter(pk=pk)
        .first()
    )
    if evaluation is None:
        raise Http404
    return evaluation


def evaluation_search(*, actor, state: str = "", kind: str = "", q: str = "") -> QuerySet[Evaluation]:
    rows = visible(actor).select_related("project", "project__region", "project__agency", "template")
    if state:
        rows = rows.filter(state=state)
    if kind:
        rows = rows.filter(kind=kind)
    text = (q or "").strip()
    if text:
        rows = rows.filter(
            Q(title__icontains=text) | Q(project__name__icontains=text) | Q(project__code__icontains=text)
        )
    return rows.order_by("-created_at", "-id")


def assignments(evaluation: Evaluation) -> list[EvaluatorAssignment]:
    return list(evaluation.assignments.select_related("group", "evaluator", "assigned_by").order_by("group__id", "id"))


def my_assignment(actor, evaluation: Evaluation) -> EvaluatorAssignment | None:
    if not getattr(actor, "is_authenticated", False):
        return None
    return evaluation.assignments.select_related("group").filter(evaluator=actor).first()


def assignment_get(actor, pk: int) -> EvaluatorAssignment:
    """A scoring form: its evaluator's own, or any form of an evaluation the actor organises (read-only there)."""
    assignment = (
        EvaluatorAssignment.objects.select_related(
            "evaluation", "evaluation__project", "evaluation__template", "group", "evaluator"
        )
        .filter(pk=pk)
        .first()
    )
    if assignment is None:
        raise Http404
    if assignment.evaluator_id == actor.pk or can_organise(actor, assignment.evaluation):
        return assignment
    raise Http404


def surveys(evaluation: Evaluation) -> list[dict]:
    """Each survey with its token counts and results (responses, mean per question, satisfaction %)."""
    found = []
    responses = defaultdict(list)
    for survey_id, answers in SurveyResponse.objects.filter(survey__evaluation=evaluation).values_list(
        "survey_id", "answers"
    ):
        responses[survey_id].append(answers)
    for survey in Survey.objects.filter(evaluation=evaluation).order_by("audience"):
        rows = responses[survey.id]
        means = []
        for index, question in enumerate(survey.questions):
            values = [Decimal(row[index]) for row in rows if index < len(row)]
            average = scoring.mean(values)
            means.append({"question": question, "mean": scoring.round2(average) if average is not None else None})
        overall = survey_fraction(rows)
        found.append(
            {
                "survey": survey,
                "issued": survey.tokens.count(),
                "answered": len(rows),
                "means": means,
                "satisfaction": scoring.round2(overall * 100) if overall is not None else None,
            }
        )
    return found


def survey_fraction(rows: list[list]) -> Decimal | None:
    """The mean of every answer (1–5) over 5: the satisfaction fraction a survey group scores its items with."""
    values = [Decimal(value) for row in rows for value in row]
    average = scoring.mean(values)
    return None if average is None else average / LIKERT_MAX


def comments(evaluation: Evaluation) -> list[str]:
    return [
        text
        for text in SurveyResponse.objects.filter(survey__evaluation=evaluation)
        .exclude(comment="")
        .order_by("submitted_at")
        .values_list("comment", flat=True)
    ]


# --- Results -------------------------------------------------------------------------------------------------------


@dataclass
class Result:
    group_scores: dict[str, Decimal | None]
    total: Decimal | None
    grade: str
    missing: list[str]
    item_fractions: dict[tuple[str, int], Decimal]

    @property
    def complete(self) -> bool:
        return not self.missing


def compute_results(evaluations) -> dict[int, Result]:
    """{evaluation id: Result} from the submitted forms and the surveys, in seven queries for any number."""
    evaluations = list(evaluations)
    if not evaluations:
        return {}
    ids = [evaluation.pk for evaluation in evaluations]
    template_ids = {evaluation.template_id for evaluation in evaluations}
    nodes_by_template: dict[int, list[scoring.Node]] = defaultdict(list)
    for row in IndicatorNode.objects.filter(template_id__in=template_ids).values_list(
        "id", "parent_id", "level", "weight", "max_points", "template_id"
    ):
        nodes_by_template[row[5]].append(scoring.Node(*row[:5]))
    groups_by_template: dict[int, list[tuple[int, str, Decimal]]] = defaultdict(list)
    for group_id, template_id, kind, weight in RaterGroup.objects.filter(template_id__in=template_ids).values_list(
        "id", "template_id", "kind", "weight"
    ):
        groups_by_template[template_id].append((group_id, kind, weight))
    items_of_group: dict[int, list[int]] = defaultdict(list)
    for group_id, item_id in RaterGroup.items.through.objects.filter(
        ratergroup__template_id__in=template_ids
    ).values_list("ratergroup_id", "indicatornode_id"):
        items_of_group[group_id].append(item_id)
    # {(evaluation, group): {item: [fractions]}} from the submitted forms.
    scored: dict[tuple[int, int], dict[int, list[Decimal]]] = defaultdict(lambda: defaultdict(list))
    max_of = {node.id: node.max_points for nodes in nodes_by_template.values() for node in nodes}
    for evaluation_id, group_id, item_id, score in (
        EvaluatorAssignment.objects.filter(evaluation_id__in=ids, state=EvaluatorAssignment.State.SUBMITTED)
        .values_list("evaluation_id", "group_id", "scores__item_id", "scores__score")
        .exclude(scores__item_id=None)
    ):
        maximum = max_of.get(item_id)
        if maximum:
            scored[(evaluation_id, group_id)][item_id].append(Decimal(score) / maximum)
    answers: dict[tuple[int, str], list] = defaultdict(list)
    for evaluation_id, audience, values in SurveyResponse.objects.filter(survey__evaluation_id__in=ids).values_list(
        "survey__evaluation_id", "survey__audience", "answers"
    ):
        answers[(evaluation_id, audience)].append(values)

    bands = dict(EvaluationTemplate.objects.filter(pk__in=template_ids).values_list("id", "bands"))
    weights_by_template = {tid: scoring.effective_weights(nodes) for tid, nodes in nodes_by_template.items()}
    results = {}
    for evaluation in evaluations:
        weights = weights_by_template.get(evaluation.template_id, {})
        group_scores: dict[str, Decimal | None] = {}
        group_weights: dict[str, Decimal] = {}
        missing: list[str] = []
        fractions_out: dict[tuple[str, int], Decimal] = {}
        for group_id, kind, weight in groups_by_template.get(evaluation.template_id, []):
            group_weights[kind] = weight
            items = [item for item in items_of_group[group_id] if item in weights]
            fractions: dict[int, Decimal] = {}
            if kind in RaterGroup.SURVEY_KINDS:
                fraction = survey_fraction(answers[(evaluation.pk, kind)])
                if fraction is not None:
                    fractions = dict.fromkeys(items, fraction)
            else:
                given = scored.get((evaluation.pk, group_id), {})
                if all(item in given for item in items):
                    fractions = {item: scoring.mean(given[item]) for item in items}
            if items and len(fractions) == len(items):
                group_scores[kind] = scoring.group_score(fractions, weights)
                fractions_out.update({(kind, item): value for item, value in fractions.items()})
            else:
                group_scores[kind] = None
                missing.append(kind)
        total = None
        grade = ""
        if not missing and group_scores:
            total = scoring.round2(scoring.overall(group_scores, group_weights))
            grade = scoring.grade(total, bands.get(evaluation.template_id, []))
        results[evaluation.pk] = Result(group_scores, total, grade, missing, fractions_out)
    return results


# --- For other apps ------------------------------------------------------------------------------------------------


def latest_final_grades(user, projects) -> dict[int, Evaluation]:
    """{project id: its latest completed final evaluation visible to `user`} for many projects in one query."""
    ids = [getattr(project, "pk", project) for project in projects]
    found: dict[int, Evaluation] = {}
    rows = (
        visible(user)
        .filter(
            project_id__in=ids,
            kind=EvaluationKind.FINAL,
            state__in=[Evaluation.State.COMPLETED, Evaluation.State.PUBLISHED],
        )
        .order_by("project_id", "-completed_at", "-id")
    )
    for evaluation in rows:
        found.setdefault(evaluation.project_id, evaluation)
    return found


def of_project(user, project) -> list[Evaluation]:
    return list(visible(user).filter(project=project).select_related("template").order_by("-created_at", "-id"))


def my_forms(user) -> QuerySet[EvaluatorAssignment]:
    """The scoring forms assigned to `user`: those they can fill now (the evaluation is being scored and the form is
    not submitted) first, then the rest, newest first."""
    fillable = Q(evaluation__state=Evaluation.State.SCORING, state=EvaluatorAssignment.State.DRAFT)
    return (
        EvaluatorAssignment.objects.filter(evaluator=user)
        .select_related("evaluation", "evaluation__project", "group")
        .annotate(fill_first=Case(When(fillable, then=Value(0)), default=Value(1), output_field=IntegerField()))
        .order_by("fill_first", "-assigned_at", "-pk")
    )


# Seed 003: the mid-term and final evaluations fall within the service year, once the project is running.
EVALUABLE_STAGES = ("executing", "midterm", "final")


def evaluable_projects(actor) -> QuerySet:
    """The running projects the actor may organise evaluations of."""
    from shegong.projects.models import Project

    return (
        Project.objects.filter(scope_q(actor, Project, ORGANISE), stage__in=EVALUABLE_STAGES)
        .select_related("agency")
        .order_by("-start_date", "code")
    )


def rater_candidates(project) -> QuerySet:
    """Evaluators (评估专家) and bureau staff (民政部门管理员) whose assignment holds the project: nationwide, or a
    region at or above the purchaser region or a covered station's region."""
    from shegong.accounts.models import User

    regions = [(project.region_id, project.region.level)]
    regions += list(project.stations.values_list("region_id", "region__level"))
    above = {ancestor for code, level in regions for ancestor in ancestor_codes(code, level)}
    return (
        User.objects.filter(is_active=True)
        # One filter() call, so the role and the region are those of the same assignment.
        .filter(
            Q(assignments__region__isnull=True) | Q(assignments__region_id__in=above),
            assignments__role__code__in=["evaluator", "civil_affairs_admin"],
            assignments__agency__isnull=True,
        )
        .distinct()
        .order_by("username")
    )


def my_forms_among(user, evaluations) -> dict[int, EvaluatorAssignment]:
    """The user's own scoring form in each of `evaluations`, by evaluation id (one query for a page)."""
    return {
        form.evaluation_id: form
        for form in EvaluatorAssignment.objects.filter(evaluator=user, evaluation__in=[row.pk for row in evaluations])
    }
