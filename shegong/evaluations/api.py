"""REST endpoints of the evaluations app, mounted at /api/v1/evaluations/. They read through the same selectors as the
pages: an evaluation is visible here exactly when its page is (bureaus of the project's region, the evaluators
assigned to it, the contractor once 已发布); out of scope answers 404, a caller with none of the permissions 403.

- GET  /templates                  templates the caller may read (their regions', their ancestors', national ones)
- GET  /templates/{id}             one template: tree with weights and scales, rater groups, grade bands
- GET  /                           evaluations (state, kind filters; limit/offset paging)
- GET  /{id}                       one evaluation: state, total, grade, group scores
- POST /forms/{id}                 the caller's own scoring form: scores per item, optionally submit (locks it)
"""

from decimal import Decimal

from django.http import Http404
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from shegong.core.api_helpers import Paging, require, run_service
from shegong.evaluations import selectors, services
from shegong.evaluations.models import Evaluation, EvaluatorAssignment

router = Router(tags=["evaluations"])


class NodeOut(Schema):
    id: int
    parent: int | None
    level: int = Field(description="1 dimension, 2 indicator, 3 item")
    name: str
    weight: str = Field(description="weight among its siblings, % (exact decimal text)")
    effective_weight: str | None = Field(description="items: weight in the whole tree, %")
    max_points: str | None
    levels: list = Field(description="items scored by level: [{label, points}]")
    method: str
    groups: list[str] = Field(description="kinds of the rater groups that score this item")


class GroupOut(Schema):
    kind: str = Field(description="purchaser, supervisor, partner, recipient, expert or finance")
    label: str
    weight: str
    by_survey: bool


class TemplateOut(Schema):
    id: int
    name: str
    kind: str = Field(description="midterm or final")
    region: str | None = Field(description="12-digit division code; null = national")
    preset: str
    bands: list


class TemplateDetailOut(TemplateOut):
    source_text: str
    usable: bool
    problems: list[str]
    nodes: list[NodeOut]
    groups: list[GroupOut]


class EvaluationOut(Schema):
    id: int
    title: str
    kind: str
    state: str = Field(description="draft, scoring, completed or published")
    state_label: str
    project: int
    project_code: str
    project_name: str
    agency: int | None
    template: int
    total: str | None
    grade: str
    group_scores: dict


class EvaluationPageOut(Schema):
    items: list[EvaluationOut]
    count: int
    limit: int
    offset: int


class EvaluationQuery(Paging):
    state: str = ""
    kind: str = ""


class ScoreIn(Schema):
    item: int
    score: str | None = Field(None, description="exact decimal text; null or empty clears a draft score")
    comment: str = ""


class FormIn(Schema):
    scores: list[ScoreIn]
    comment: str = ""
    submit: bool = False


class FormOut(Schema):
    id: int
    evaluation: int
    group: str
    state: str
    scores: dict = Field(description="{item id: score}")


def _template_out(template) -> dict:
    return {
        "id": template.pk,
        "name": template.name,
        "kind": template.kind,
        "region": template.region_id,
        "preset": template.preset,
        "bands": template.bands,
    }


def _evaluation_out(evaluation: Evaluation) -> dict:
    return {
        "id": evaluation.pk,
        "title": evaluation.title,
        "kind": evaluation.kind,
        "state": evaluation.state,
        "state_label": evaluation.get_state_display(),
        "project": evaluation.project_id,
        "project_code": evaluation.project.code,
        "project_name": evaluation.project.name,
        "agency": evaluation.project.agency_id,
        "template": evaluation.template_id,
        "total": None if evaluation.total is None else str(evaluation.total),
        "grade": evaluation.grade,
        "group_scores": evaluation.group_scores,
    }


def _any(request) -> None:
    if not any(request.user.has_perm(perm) for perm in selectors.ANY_EVALUATION_PERM):
        raise HttpError(403, "您没有执行此操作的权限。")


@router.get("/templates", response=list[TemplateOut], summary="Evaluation templates the caller may read")
def template_list(request):
    require(request, selectors.VIEW_TEMPLATE)
    return [_template_out(template) for template in selectors.templates_visible(request.user).order_by("kind", "id")]


@router.get("/templates/{template_id}", response=TemplateDetailOut, summary="One template: tree, groups, bands")
def template_detail(request, template_id: int):
    require(request, selectors.VIEW_TEMPLATE)
    template = selectors.template_get(request.user, template_id)
    problems = services.template_problems(template)
    return {
        **_template_out(template),
        "source_text": template.source_text,
        "usable": not problems,
        "problems": problems,
        "nodes": [
            {
                "id": entry.node.pk,
                "parent": entry.node.parent_id,
                "level": entry.node.level,
                "name": entry.node.name,
                "weight": str(entry.node.weight),
                "effective_weight": None
                if entry.effective is None
                else str(entry.effective.quantize(Decimal("0.0001"))),
                "max_points": None if entry.node.max_points is None else str(entry.node.max_points),
                "levels": entry.node.levels,
                "method": entry.node.method,
                "groups": [kind for kind, label in _kinds(template, entry)],
            }
            for entry in selectors.flat_tree(template)
        ],
        "groups": [
            {"kind": g.kind, "label": g.get_kind_display(), "weight": str(g.weight), "by_survey": g.by_survey}
            for g in template.groups.all()
        ],
    }


def _kinds(template, entry):
    labels = set(entry.groups)
    return [
        (group.kind, group.get_kind_display()) for group in template.groups.all() if group.get_kind_display() in labels
    ]


@router.get("/", response=EvaluationPageOut, summary="Evaluations in the caller's scope")
def evaluation_list(request, query: Query[EvaluationQuery]):
    _any(request)
    rows = selectors.evaluation_search(
        actor=request.user,
        state=query.state if query.state in Evaluation.State.values else "",
        kind=query.kind if query.kind in ("midterm", "final") else "",
    )
    return {
        "items": [_evaluation_out(row) for row in query.window(rows)],
        "count": rows.count(),
        "limit": query.limit,
        "offset": query.offset,
    }


@router.get("/{evaluation_id}", response=EvaluationOut, summary="One evaluation")
def evaluation_detail(request, evaluation_id: int):
    _any(request)
    return _evaluation_out(selectors.evaluation_get(request.user, evaluation_id))


@router.post("/forms/{form_id}", response=FormOut, summary="Save or submit the caller's own scoring form")
def form_save(request, form_id: int, payload: FormIn):
    require(request, selectors.SCORE)
    assignment = EvaluatorAssignment.objects.select_related("evaluation", "group").filter(pk=form_id).first()
    if assignment is None or assignment.evaluator_id != request.user.pk:
        raise Http404
    scores = {entry.item: (entry.score or "", entry.comment) for entry in payload.scores}
    saved = run_service(
        lambda: services.scores_save(
            assignment=assignment, scores=scores, comment=payload.comment, submit=payload.submit, actor=request.user
        )
    )
    return {
        "id": saved.pk,
        "evaluation": saved.evaluation_id,
        "group": saved.group.kind,
        "state": saved.state,
        "scores": {str(row.item_id): str(row.score) for row in saved.scores.all()},
    }
