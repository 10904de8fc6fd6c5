"""Pages of the evaluations app. Thin: the permission first (403), the object through the scoped selectors (404 when
outside the scope), a service for every write, its ValidationError shown on the form."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shegong.accounts.forms import add_service_error
from shegong.core.listing import page_context, permission
from shegong.core.uploads import ACCEPT
from shegong.evaluations import reports, selectors, services
from shegong.evaluations.forms import (
    AssignForm,
    CopyForm,
    CorrectionForm,
    EvaluationForm,
    GroupForm,
    NodeForm,
    SurveyIssueForm,
    TemplateForm,
)
from shegong.evaluations.models import Evaluation, Evidence, IndicatorNode, ItemScore
from shegong.evaluations.selectors import ADD_TEMPLATE, ANY_EVALUATION_PERM, CHANGE_TEMPLATE, ORGANISE, SCORE

State = Evaluation.State


def any_permission(*perms):
    """Signed in (else the login page), then at least one of `perms` (else 403)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not any(request.user.has_perm(perm) for perm in perms):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorator


def _error(request, exc: ValidationError) -> None:
    messages.error(request, "；".join(exc.messages))


def _detail(evaluation, anchor: str = "") -> str:
    url = reverse("evaluations:detail", args=[evaluation.pk])
    return f"{url}#{anchor}" if anchor else url


# --- Evaluations ---------------------------------------------------------------------------------------------------


@any_permission(*ANY_EVALUATION_PERM)
def evaluation_list(request):
    state = request.GET.get("state", "")
    kind = request.GET.get("kind", "")
    rows = selectors.evaluation_search(
        actor=request.user,
        state=state if state in State.values else "",
        kind=kind if kind in ("midterm", "final") else "",
        q=request.GET.get("q", ""),
    )
    context = page_context(request, rows)
    mine = selectors.my_forms_among(request.user, context["page"].object_list)
    for row in context["page"].object_list:
        row.my_form = mine.get(row.pk)
    context.update(states=State.choices, state=state, kind=kind, q=request.GET.get("q", ""))
    context["can_create"] = request.user.has_perm(ORGANISE)
    return render(request, "evaluations/evaluation_list.html", context)


@permission(SCORE)
def my_forms(request):
    """The scoring forms assigned to the user, those to fill now first (the evaluator's start page, phone-friendly)."""
    return render(request, "evaluations/my_forms.html", {"forms": selectors.my_forms(request.user)})


@permission(ORGANISE)
def evaluation_create(request):
    initial = {"project": request.GET.get("project")} if request.GET.get("project") else None
    form = EvaluationForm(request.POST or None, initial=initial, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            evaluation = services.evaluation_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已建立评估“%(title)s”，请分配评估人员。") % {"title": evaluation.title})
            return redirect(_detail(evaluation))
    return render(request, "evaluations/evaluation_form.html", {"form": form})


@any_permission(*ANY_EVALUATION_PERM)
def evaluation_detail(request, pk: int):
    evaluation = selectors.evaluation_get(request.user, pk)
    user = request.user
    organiser = selectors.can_organise(user, evaluation)
    context = {
        "evaluation": evaluation,
        "organiser": organiser,
        "assignments": selectors.assignments(evaluation) if organiser else [],
        "my_form": selectors.my_assignment(user, evaluation),
        "surveys": selectors.surveys(evaluation) if organiser else [],
        "result": selectors.compute_results([evaluation])[evaluation.pk],
        "groups": list(evaluation.template.groups.all()),
        "moves": services.allowed_moves(evaluation) if organiser else (),
        "results_visible": organiser or evaluation.state == State.PUBLISHED,
    }
    if organiser and evaluation.state in (State.DRAFT, State.SCORING):
        context["assign_form"] = AssignForm(evaluation=evaluation)
        context["survey_form"] = SurveyIssueForm()
    return render(request, "evaluations/evaluation_detail.html", context)


def _organised(request, pk: int) -> Evaluation:
    evaluation = selectors.evaluation_get(request.user, pk)
    if not selectors.can_organise(request.user, evaluation):
        raise Http404
    return evaluation


@permission(ORGANISE)
@require_POST
def evaluation_assign(request, pk: int):
    evaluation = _organised(request, pk)
    form = AssignForm(request.POST, evaluation=evaluation)
    if form.is_valid():
        try:
            assignment = services.assignment_add(evaluation=evaluation, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _error(request, exc)
        else:
            messages.success(
                request,
                _("已分配 %(user)s 为%(group)s评估人员。")
                % {"user": assignment.evaluator, "group": assignment.group.get_kind_display()},
            )
    else:
        messages.error(request, _("请选择评分主体和评估人员。"))
    return redirect(_detail(evaluation, "evaluators"))


@permission(ORGANISE)
@require_POST
def evaluation_unassign(request, pk: int, assignment_id: int):
    evaluation = _organised(request, pk)
    assignment = evaluation.assignments.filter(pk=assignment_id).first()
    if assignment is None:
        raise Http404
    try:
        services.assignment_remove(assignment=assignment, actor=request.user)
    except ValidationError as exc:
        _error(request, exc)
    return redirect(_detail(evaluation, "evaluators"))


@permission(ORGANISE)
@require_POST
def evaluation_move(request, pk: int):
    evaluation = _organised(request, pk)
    to = request.POST.get("to", "")
    summary = request.POST.get("summary")
    try:
        evaluation = services.evaluation_move(evaluation=evaluation, to=to, summary=summary, actor=request.user)
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("评估已变为“%(state)s”。") % {"state": evaluation.get_state_display()})
    return redirect(_detail(evaluation))


@permission(ORGANISE)
@require_POST
def survey_issue(request, pk: int):
    evaluation = _organised(request, pk)
    form = SurveyIssueForm(request.POST)
    if form.is_valid():
        try:
            survey = services.survey_issue(evaluation=evaluation, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _error(request, exc)
        else:
            messages.success(
                request,
                _("已发放 %(count)d 份问卷链接：%(title)s。")
                % {"count": form.cleaned_data["count"], "title": survey.title},
            )
    else:
        messages.error(request, "；".join(error for errors in form.errors.values() for error in errors))
    return redirect(_detail(evaluation, "surveys"))


@permission(ORGANISE)
def survey_sheet(request, pk: int, survey_id: int):
    """The printable sheet of QR codes of the survey's unused links (PDF, A4, 12 a page)."""
    evaluation = _organised(request, pk)
    survey = evaluation.surveys.filter(pk=survey_id).first()
    if survey is None:
        raise Http404
    data = reports.survey_sheet_pdf(survey, request)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="survey-{survey.pk}.pdf"'
    return response


# --- Scoring forms -------------------------------------------------------------------------------------------------


@permission(SCORE)
def scoring_form(request, assignment_id: int):
    assignment = selectors.assignment_get(request.user, assignment_id)
    own = assignment.evaluator_id == request.user.pk
    evaluation = assignment.evaluation
    items = services.form_items(assignment)
    scores = {score.item_id: score for score in assignment.scores.prefetch_related("evidence", "corrections")}
    errors: dict = {}
    if request.method == "POST":
        if not own:
            raise PermissionDenied
        submitted = {
            item.pk: (request.POST.get(f"score_{item.pk}", "").strip(), request.POST.get(f"comment_{item.pk}", ""))
            for item in items
        }
        submit = "submit" in request.POST
        try:
            services.scores_save(
                assignment=assignment,
                scores=submitted,
                comment=request.POST.get("comment", ""),
                submit=False,
                actor=request.user,
            )
            for item in items:
                for upload in request.FILES.getlist(f"evidence_{item.pk}"):
                    score = ItemScore.objects.filter(assignment=assignment, item=item).first()
                    if score is None:
                        raise ValidationError(
                            {f"score_{item.pk}": _("请先为“%(item)s”评分，再上传佐证材料。") % {"item": item.name}}
                        )
                    services.evidence_add(score=score, upload=upload, actor=request.user)
            if submit:
                services.scores_save(
                    assignment=assignment,
                    scores=submitted,
                    comment=request.POST.get("comment", ""),
                    submit=True,
                    actor=request.user,
                )
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
            messages.error(request, "；".join(message for values in errors.values() for message in values))
            scores = {score.item_id: score for score in assignment.scores.all()}
            for item in items:
                item.posted = submitted[item.pk]
        else:
            messages.success(request, _("评分表已提交并锁定。") if submit else _("评分已暂存。"))
            return redirect("evaluations:form", assignment.pk)
    rows = []
    for item in items:
        score = scores.get(item.pk)
        posted = getattr(item, "posted", None)
        rows.append(
            {
                "item": item,
                "score": score,
                "value": posted[0] if posted else (score.score.normalize() if score else ""),
                "comment": posted[1] if posted else (score.comment if score else ""),
                "error": "；".join(errors.get(f"score_{item.pk}", [])),
            }
        )
    return render(
        request,
        "evaluations/scoring_form.html",
        {
            "assignment": assignment,
            "evaluation": evaluation,
            "rows": rows,
            "own": own,
            "editable": own and not assignment.locked and evaluation.state == State.SCORING,
            "correctable": own and assignment.locked and evaluation.state in (State.SCORING, State.COMPLETED),
            "accept": ACCEPT,
        },
    )


@permission(SCORE)
def score_correct(request, assignment_id: int, score_id: int):
    assignment = selectors.assignment_get(request.user, assignment_id)
    if assignment.evaluator_id != request.user.pk:
        raise Http404
    score = assignment.scores.select_related("item").filter(pk=score_id).first()
    if score is None:
        raise Http404
    form = CorrectionForm(
        request.POST or None, initial={"new_score": score.score.normalize(), "new_comment": score.comment}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.score_correct(score=score, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("评分已更正，原值与原因已记录。"))
            return redirect("evaluations:form", assignment.pk)
    return render(request, "evaluations/correction_form.html", {"form": form, "score": score, "assignment": assignment})


@any_permission(*ANY_EVALUATION_PERM)
def evidence_download(request, pk: int):
    """A file through the scope: its evaluator, the organisers, and the contractor once published."""
    evidence = Evidence.objects.select_related("score__assignment").filter(pk=pk).first()
    if evidence is None:
        raise Http404
    evaluation = selectors.evaluation_get(request.user, evidence.score.assignment.evaluation_id)
    own = evidence.score.assignment.evaluator_id == request.user.pk
    if not (own or selectors.can_organise(request.user, evaluation) or evaluation.state == State.PUBLISHED):
        raise Http404
    handle = evidence.file.open("rb")
    response = FileResponse(
        handle, as_attachment=True, filename=evidence.original_name, content_type=evidence.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Reports -------------------------------------------------------------------------------------------------------


def _reportable(request, pk: int) -> Evaluation:
    evaluation = selectors.evaluation_get(request.user, pk)
    if not (selectors.can_organise(request.user, evaluation) or evaluation.state == State.PUBLISHED):
        raise Http404
    return evaluation


@any_permission(*ANY_EVALUATION_PERM)
def report(request, pk: int):
    evaluation = _reportable(request, pk)
    return render(request, "evaluations/report.html", {"report": reports.build(evaluation), "now": timezone.now()})


@any_permission(*ANY_EVALUATION_PERM)
def report_pdf(request, pk: int):
    evaluation = _reportable(request, pk)
    response = HttpResponse(reports.pdf(reports.build(evaluation)), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="evaluation-{evaluation.pk}.pdf"'
    return response


@any_permission(*ANY_EVALUATION_PERM)
def report_xlsx(request, pk: int):
    from shegong.tabular.views import xlsx_response

    evaluation = _reportable(request, pk)
    return xlsx_response(reports.xlsx(reports.build(evaluation)), f"evaluation-{evaluation.pk}.xlsx")


# --- Templates -----------------------------------------------------------------------------------------------------


@permission(selectors.VIEW_TEMPLATE)
def template_list(request):
    rows = selectors.templates_visible(request.user).order_by("kind", "name", "id")
    return render(
        request,
        "evaluations/template_list.html",
        {"templates": rows, "can_add": request.user.has_perm(ADD_TEMPLATE)},
    )


@permission(selectors.VIEW_TEMPLATE)
def template_detail(request, pk: int):
    template = selectors.template_get(request.user, pk)
    frozen = selectors.is_frozen(template)
    editable = not frozen and selectors.can_change_template(request.user, template)
    context = {
        "template": template,
        "tree": selectors.flat_tree(template),
        "groups": list(template.groups.all()),
        "problems": services.template_problems(template),
        "frozen": frozen,
        "editable": editable,
        "can_copy": request.user.has_perm(ADD_TEMPLATE),
    }
    if editable:
        context["node_form"] = NodeForm(template=template)
        context["group_form"] = GroupForm()
    return render(request, "evaluations/template_detail.html", context)


@permission(ADD_TEMPLATE)
def template_create(request):
    form = TemplateForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            template = services.template_create(
                name=data["name"],
                kind=data["kind"],
                region=data["region"],
                description=data["description"],
                bands=services.parse_bands(data["bands"]),
                actor=request.user,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已建立指标体系，请添加维度、指标和评分项。"))
            return redirect("evaluations:template_detail", template.pk)
    return render(request, "evaluations/template_form.html", {"form": form, "creating": True})


@permission(ADD_TEMPLATE)
def template_copy(request, pk: int):
    template = selectors.template_get(request.user, pk)
    form = CopyForm(request.POST or None, initial={"name": f"{template.name}（副本）"}, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            copy = services.template_copy(template=template, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已复制为“%(name)s”，可以修改。") % {"name": copy.name})
            return redirect("evaluations:template_detail", copy.pk)
    return render(request, "evaluations/template_form.html", {"form": form, "template": template, "copying": True})


def _editable(request, pk: int):
    template = selectors.template_get(request.user, pk, CHANGE_TEMPLATE)
    if not selectors.can_change_template(request.user, template):
        raise Http404
    return template


@permission(CHANGE_TEMPLATE)
def template_edit(request, pk: int):
    template = _editable(request, pk)
    bands = "\n".join(f"{band['label']} {band['minimum']}" for band in template.bands)
    form = TemplateForm(
        request.POST or None,
        editing=True,
        initial={"name": template.name, "description": template.description, "bands": bands},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.template_update(
                template=template,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                bands=services.parse_bands(form.cleaned_data["bands"]),
                actor=request.user,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("evaluations:template_detail", template.pk)
    return render(request, "evaluations/template_form.html", {"form": form, "template": template})


@permission(CHANGE_TEMPLATE)
def template_weights(request, pk: int):
    """The whole tree's weights, the items' groups and the groups' weights on one page, saved together."""
    template = _editable(request, pk)
    tree = selectors.flat_tree(template)
    groups = list(template.groups.prefetch_related("items"))
    scored = {group.kind: {item.pk for item in group.items.all()} for group in groups}
    if request.method == "POST":
        try:
            services.weights_update(
                template=template,
                node_weights={entry.node.pk: request.POST.get(f"weight_{entry.node.pk}", "") for entry in tree},
                item_groups={
                    entry.node.pk: request.POST.getlist(f"groups_{entry.node.pk}")
                    for entry in tree
                    if entry.node.is_item
                },
                group_weights={group.kind: request.POST.get(f"group_{group.kind}", "") for group in groups},
                actor=request.user,
            )
        except ValidationError as exc:
            _error(request, exc)
        else:
            messages.success(request, _("权重已保存，各层级合计均为 100。"))
            return redirect("evaluations:template_detail", template.pk)
    for entry in tree:
        entry.group_marks = [
            (group.kind, group.get_kind_display(), entry.node.pk in scored[group.kind]) for group in groups
        ]
    return render(request, "evaluations/template_weights.html", {"template": template, "tree": tree, "groups": groups})


@permission(CHANGE_TEMPLATE)
@require_POST
def node_add(request, pk: int):
    template = _editable(request, pk)
    form = NodeForm(request.POST, template=template)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.node_add(
                template=template,
                parent=data["parent"],
                name=data["name"],
                weight=data["weight"],
                max_points=data["max_points"] or None,
                levels=services.parse_levels(data["levels"]),
                method=data["method"],
                guidance=data["guidance"],
                groups=data["groups"],
                actor=request.user,
            )
        except ValidationError as exc:
            _error(request, exc)
        else:
            messages.success(request, _("已添加“%(name)s”。") % {"name": data["name"]})
    else:
        messages.error(request, "；".join(error for errors in form.errors.values() for error in errors))
    return redirect("evaluations:template_detail", template.pk)


@permission(CHANGE_TEMPLATE)
@require_POST
def node_remove(request, pk: int, node_id: int):
    template = _editable(request, pk)
    node = IndicatorNode.objects.filter(template=template, pk=node_id).first()
    if node is None:
        raise Http404
    try:
        services.node_remove(node=node, actor=request.user)
    except ValidationError as exc:
        _error(request, exc)
    return redirect("evaluations:template_detail", template.pk)


@permission(CHANGE_TEMPLATE)
@require_POST
def group_set(request, pk: int):
    template = _editable(request, pk)
    form = GroupForm(request.POST)
    if form.is_valid():
        try:
            services.group_set(template=template, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _error(request, exc)
    return redirect("evaluations:template_detail", template.pk)
