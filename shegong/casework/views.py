"""Pages of casework. Thin: sign-in and the permission first (403), the case through the data scope (404 outside it,
and for everyone once the recipient withdrew consent), then whether the user may keep it (403), a service for every
write, selectors for every read. A social worker reaches their own cases with casework.add_case (see selectors)."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Max
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from shegong.accounts.forms import add_service_error
from shegong.casework import forms, permissions, selectors, services
from shegong.casework.models import NEED_AREAS, Case, CaseGoal, CaseSession
from shegong.core.listing import export_refused, export_response, page_context
from shegong.core.listing import permission as one_permission


def any_permission(*perms: str):
    """Signed in (else to the login page), then one of `perms` (else 403)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not any(request.user.has_perm(perm) for perm in perms):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorator


reader = any_permission(permissions.VIEW, permissions.ADD)
keeper = any_permission(permissions.CHANGE, permissions.ADD)


def _kept(request, pk: int) -> Case:
    """The case for a write: 404 outside the user's sight, 403 when they see it but may not keep it."""
    case = selectors.case_get(actor=request.user, pk=pk)
    if not services.can_keep(request.user, case):
        raise PermissionDenied
    return case


def _filtered(request, mine: bool = False):
    form = forms.CaseFilterForm(request.GET, actor=request.user)
    rows = form.apply(selectors.case_search(actor=request.user, **form.search_kwargs()))
    if mine or request.GET.get("mine") == "1":
        rows = rows.filter(worker__account=request.user)
    return form, rows


def _list(request, mine: bool):
    form, rows = _filtered(request, mine)
    context = page_context(request, selectors.with_last_session(rows))
    context.update(
        form=form,
        mine=mine,
        can_add=request.user.has_perm(permissions.ADD),
        domains=forms.domain_names(),
    )
    return render(request, "casework/case_list.html", context)


@reader
def case_list(request):
    return _list(request, mine=False)


@any_permission(permissions.ADD)
def case_mine(request):
    """我的个案: the cases the user carries as 承办社工."""
    return _list(request, mine=True)


@reader
@require_POST
def case_export(request):
    """The filtered list as .xlsx: no notes, no assessment, no personal identifiers; audited."""
    form, rows = _filtered(request)
    refused = export_refused(request, rows, "casework:list")
    if refused is not None:
        return refused
    domains = forms.domain_names()
    headers = [
        _("个案编号"),
        _("服务对象"),
        _("所在村（社区）"),
        _("站点"),
        _("承办社工"),
        _("服务领域"),
        _("阶段"),
        _("危机标记"),
        _("接案日期"),
        _("结案日期"),
        _("结案原因"),
        _("介入次数"),
        _("最近服务日期"),
    ]
    data = [
        [
            row.code,
            row.recipient.name,
            row.region.name,
            row.station.name,
            row.worker.name,
            domains.get(row.domain, row.domain),
            row.get_stage_display(),
            _("是") if row.crisis else _("否"),
            row.opened_on,
            row.closed_on,
            row.get_closure_reason_display() if row.closure_reason else "",
            row.session_count,
            row.last_session_on,
        ]
        for row in rows.annotate(session_count=Count("sessions"), last_session_on=Max("sessions__held_on")).iterator(
            chunk_size=2000
        )
    ]
    return export_response(
        actor=request.user, title=_("个案"), headers=headers, rows=data, object_type="casework.case", form=form
    )


def _moves(case: Case) -> list[dict]:
    labels = dict(Case.Stage.choices)
    moves = []
    for to in services.allowed_targets(case):
        if case.stage == Case.Stage.CLOSED:
            kind, label = "reopen", _("重新开案到“%(stage)s”") % {"stage": labels[to]}
        elif (to == Case.Stage.CLOSED and case.stage != Case.Stage.EVALUATION) or to == Case.Stage.CLOSED:
            kind, label = "close", _("结案")
        else:
            kind, label = "next", _("进入下一阶段：%(stage)s") % {"stage": labels[to]}
        moves.append({"to": to, "kind": kind, "label": label})
    return moves


@reader
def case_detail(request, pk: int):
    case = selectors.case_get(actor=request.user, pk=pk)
    can_keep = services.can_keep(request.user, case)
    can_review = (
        request.user.has_perm(permissions.REVIEW)
        and services.reviewable(request.user).filter(pk=case.pk).exists()
        and case.worker.account_id != request.user.pk
    )
    assessment = getattr(case, "assessment", None)
    areas = dict(NEED_AREAS)
    context = {
        "case": case,
        "intake": getattr(case, "intake", None),
        "assessment": assessment,
        "needs": [(areas.get(key, key), value) for key, value in (assessment.needs if assessment else {}).items()],
        "plan": getattr(case, "plan", None),
        "goals": list(case.goals.all()),
        "sessions": list(case.sessions.all()),
        "evaluation": getattr(case, "evaluation", None),
        "reviews": list(case.reviews.select_related("reviewer")),
        "crises": list(case.crises.select_related("raised_by", "cleared_by")),
        "timeline": selectors.timeline(case),
        "moves": _moves(case) if can_keep else [],
        "can_keep": can_keep,
        "can_review": can_review,
        "show_notes": can_keep or can_review,
        "domain": forms.domain_names().get(case.domain, case.domain),
        "stages": Case.Stage.choices,
        "stage_index": list(Case.Stage.values).index(case.stage),
        "editable": {key: case.stage in stages for key, stages in services.STAGES_OF.items()},
    }
    return render(request, "casework/case_detail.html", context)


@any_permission(permissions.ADD)
def case_open(request):
    q = request.GET.get("q", "")
    form = forms.CaseOpenForm(request.POST or None, actor=request.user, q=q)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_open(actor=request.user, **form.service_values())
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已接案，个案编号 %(code)s。") % {"code": case.code})
            return redirect("casework:detail", pk=case.pk)
    return render(request, "casework/case_open.html", {"form": form, "q": q})


def _content_page(request, case, form, title: str, testid: str, save):
    """A stage-content form: on a valid POST call `save(cleaned values)`; a refusal lands on the form."""
    if request.method == "POST" and form.is_valid():
        try:
            save()
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("casework:detail", pk=case.pk)
    return render(request, "casework/case_form.html", {"form": form, "case": case, "title": title, "testid": testid})


@keeper
def intake_edit(request, pk: int):
    case = _kept(request, pk)
    intake = getattr(case, "intake", None)
    initial = {"version": case.version}
    if intake is not None:
        initial.update(source=intake.source, presenting_problem=intake.presenting_problem, intake_on=intake.intake_on)
    form = forms.IntakeForm(request.POST or None, case=case, initial=initial)
    return _content_page(
        request,
        case,
        form,
        _("接案记录"),
        "intake-form",
        lambda: services.intake_save(case=case, actor=request.user, **form.cleaned_data),
    )


@keeper
def assessment_edit(request, pk: int):
    case = _kept(request, pk)
    initial = forms.AssessmentForm.initial_from(getattr(case, "assessment", None))
    form = forms.AssessmentForm(request.POST or None, case=case, initial=initial)
    return _content_page(
        request,
        case,
        form,
        _("预估"),
        "assessment-form",
        lambda: services.assessment_save(case=case, actor=request.user, **form.service_values()),
    )


@keeper
def plan_edit(request, pk: int):
    case = _kept(request, pk)
    plan = getattr(case, "plan", None)
    initial = {"methods": plan.methods, "planned_on": plan.planned_on} if plan else {}
    form = forms.PlanForm(request.POST or None, case=case, initial=initial)
    return _content_page(
        request,
        case,
        form,
        _("服务计划"),
        "plan-form",
        lambda: services.plan_save(case=case, actor=request.user, **form.cleaned_data),
    )


@keeper
def goal_add(request, pk: int):
    case = _kept(request, pk)
    form = forms.GoalForm(request.POST or None)
    return _content_page(
        request,
        case,
        form,
        _("添加服务目标"),
        "goal-form",
        lambda: services.goal_add(case=case, actor=request.user, **form.cleaned_data),
    )


@keeper
def goal_edit(request, pk: int, goal_pk: int):
    case = _kept(request, pk)
    goal = get_object_or_404(CaseGoal, pk=goal_pk, case=case)
    initial = {"description": goal.description, "measure": goal.measure, "target_date": goal.target_date}
    form = forms.GoalForm(request.POST or None, initial=initial)
    return _content_page(
        request,
        case,
        form,
        _("修改服务目标"),
        "goal-form",
        lambda: services.goal_update(goal=goal, actor=request.user, **form.cleaned_data),
    )


@keeper
@require_POST
def goal_delete(request, pk: int, goal_pk: int):
    case = _kept(request, pk)
    goal = get_object_or_404(CaseGoal, pk=goal_pk, case=case)
    try:
        services.goal_delete(goal=goal, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已删除服务目标。"))
    return redirect("casework:detail", pk=case.pk)


@keeper
def session_add(request, pk: int):
    case = _kept(request, pk)
    form = forms.SessionForm(request.POST or None, initial={"held_on": timezone.localdate()})
    return _content_page(
        request,
        case,
        form,
        _("记录介入服务"),
        "session-form",
        lambda: services.session_add(case=case, actor=request.user, **form.cleaned_data),
    )


@keeper
def session_edit(request, pk: int, session_pk: int):
    case = _kept(request, pk)
    session = get_object_or_404(CaseSession, pk=session_pk, case=case)
    initial = {
        "held_on": session.held_on,
        "kind": session.kind,
        "duration_minutes": session.duration_minutes,
        "notes": session.notes,
    }
    form = forms.SessionForm(request.POST or None, initial=initial)
    return _content_page(
        request,
        case,
        form,
        _("修改介入服务记录"),
        "session-form",
        lambda: services.session_update(session=session, actor=request.user, **form.cleaned_data),
    )


@keeper
@require_POST
def session_delete(request, pk: int, session_pk: int):
    case = _kept(request, pk)
    session = get_object_or_404(CaseSession, pk=session_pk, case=case)
    try:
        services.session_delete(session=session, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已删除介入服务记录。"))
    return redirect("casework:detail", pk=case.pk)


@keeper
def evaluation_edit(request, pk: int):
    case = _kept(request, pk)
    evaluation = getattr(case, "evaluation", None)
    initial = {"overall": evaluation.overall, "evaluated_on": evaluation.evaluated_on} if evaluation else {}
    form = forms.EvaluationForm(request.POST or None, case=case, goals=case.goals.all(), initial=initial)
    return _content_page(
        request,
        case,
        form,
        _("评估"),
        "evaluation-form",
        lambda: services.evaluation_save(case=case, actor=request.user, **form.service_values()),
    )


@keeper
def case_move(request, pk: int):
    """进入下一阶段 (a POST from the detail page), 结案 and 重新开案 (this page's form, with reason)."""
    case = _kept(request, pk)
    to = request.POST.get("to") or request.GET.get("to") or ""
    if to not in services.allowed_targets(case):
        messages.error(request, _("该个案当前不能进入所选阶段。"))
        return redirect("casework:detail", pk=case.pk)
    form = forms.MoveForm(request.POST or None, case=case, to=to)
    if request.method == "POST" and form.is_valid():
        values = {key: value for key, value in form.cleaned_data.items() if value not in (None, "")}
        values.setdefault("to", to)
        try:
            moved = services.case_move(case=case, actor=request.user, **values)
        except ValidationError as exc:
            if request.POST.get("from_detail"):
                messages.error(request, " ".join(exc.messages))
                return redirect("casework:detail", pk=case.pk)
            add_service_error(form, exc)
        else:
            messages.success(request, _("个案已进入“%(stage)s”阶段。") % {"stage": moved.get_stage_display()})
            return redirect("casework:detail", pk=case.pk)
    if to == Case.Stage.CLOSED:
        title = pgettext("button", "结案")
    elif case.stage == Case.Stage.CLOSED:
        title = _("重新开案")
    else:
        title = _("进入下一阶段")
    context = {"form": form, "case": case, "title": title, "testid": "move-form", "submit": title}
    return render(request, "casework/case_form.html", context)


@keeper
def crisis_raise(request, pk: int):
    case = _kept(request, pk)
    form = forms.CrisisForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.crisis_raise(case=case, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.warning(request, _("已标记危机，站长已收到紧急提醒。"))
            return redirect("casework:detail", pk=case.pk)
    context = {
        "form": form,
        "case": case,
        "title": _("标记危机"),
        "testid": "crisis-form",
        "submit": _("标记危机"),
        "warning": _("标记后将立即向站长（及站点督导）发送紧急提醒。"),
    }
    return render(request, "casework/case_form.html", context)


@keeper
def crisis_clear(request, pk: int):
    case = _kept(request, pk)
    form = forms.ClearCrisisForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.crisis_clear(case=case, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已解除危机标记。"))
            return redirect("casework:detail", pk=case.pk)
    context = {"form": form, "case": case, "title": _("解除危机标记"), "testid": "clear-crisis-form"}
    return render(request, "casework/case_form.html", context)


@one_permission(permissions.REVIEW)
def review_add(request, pk: int):
    case = selectors.case_get(actor=request.user, pk=pk, perm=permissions.REVIEW)
    form = forms.ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.review_add(case=case, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已提交督导审阅意见，承办社工已收到提醒。"))
            return redirect("casework:detail", pk=case.pk)
    context = {"form": form, "case": case, "title": _("督导审阅"), "testid": "review-form"}
    return render(request, "casework/case_form.html", context)
