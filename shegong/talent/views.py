"""Pages of the talent pool. Thin: permission first (403), the object through the data scope (404), a service for
every write, the filter form for every list and its export."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shegong.accounts.forms import add_service_error
from shegong.core.listing import export_refused, export_response, page_context, permission
from shegong.core.scope import get_scoped_or_404, scoped
from shegong.talent import selectors, services
from shegong.talent.access import covers_worker
from shegong.talent.forms import (
    GradeChangeForm,
    HonourFilterForm,
    HonourForm,
    LeadingTalentFilterForm,
    LeadingTalentForm,
    PeriodForm,
    SessionFilterForm,
    SessionForm,
    SupervisorAppointForm,
    SupervisorFilterForm,
)
from shegong.talent.models import Honour, LeadingTalent, SupervisionSession, SupervisorProfile
from shegong.talent.services import (
    ADD_SESSION,
    DELETE_SESSION,
    MANAGE_HONOURS,
    MANAGE_LEADING,
    MANAGE_SUPERVISORS,
    can_record_session,
)

VIEW_SUPERVISORS = selectors.VIEW_SUPERVISORS
VIEW_SESSIONS = selectors.VIEW_SESSIONS
VIEW_LEADING = selectors.VIEW_LEADING
VIEW_HONOURS = selectors.VIEW_HONOURS
SESSION_CANDIDATES = 200


# --- Supervisors ---------------------------------------------------------------------------------------------------


def _supervisor_rows(request):
    """The filtered supervisors with the period's figures, and the limits used by the over-ratio filter."""
    form = SupervisorFilterForm(request.GET, actor=request.user)
    period = form.period()
    base = selectors.with_period_figures(form.filter(selectors.supervisors(request.user)), period)
    condition, limits = selectors.over_ratio_q(base, period.end)
    over = form.over_ratio_wanted()
    rows = base.filter(condition) if over is True else base.exclude(condition) if over is False else base
    return form, period, base, form.apply(rows), condition, limits


@permission(VIEW_SUPERVISORS)
def supervisor_list(request):
    form, period, base, rows, condition, limits = _supervisor_rows(request)
    context = page_context(request, rows)
    selectors.attach_verdicts(context["page"].object_list, period.end, limits)
    context.update(
        form=form,
        period=period,
        over_count=base.filter(condition).count(),
        can_manage=request.user.has_perm(MANAGE_SUPERVISORS),
    )
    return render(request, "talent/supervisor_list.html", context)


@permission(VIEW_SUPERVISORS)
@require_POST
def supervisor_export(request):
    form, period, _base, rows, _condition, limits = _supervisor_rows(request)
    refused = export_refused(request, rows, "talent:supervisor_list")
    if refused:
        return refused
    rows = list(rows)
    selectors.attach_verdicts(rows, period.end, limits)
    headers = [
        _("姓名"),
        _("督导等级"),
        _("现等级认定日期"),
        _("所在机构"),
        _("工作地区划"),
        _("统计期间"),
        _("被督导人数"),
        _("督导次数"),
        _("督导时长（小时）"),
        _("配比上限"),
        _("配比依据"),
        _("判定"),
    ]
    span = f"{period.start:%Y-%m-%d} ~ {period.end:%Y-%m-%d}"
    data = (
        [
            row.worker.name,
            row.get_grade_display(),
            row.grade_since,
            str(row.worker.agency or row.worker.employer_name or ""),
            row.worker.region.name,
            span,
            row.supervisee_count,
            row.session_count,
            row.session_hours,
            row.ratio.limit.max_supervisees,
            row.ratio.limit.source,
            row.ratio.verdict.status_label,
        ]
        for row in rows
    )
    return export_response(
        actor=request.user,
        title=_("督导人才库"),
        headers=headers,
        rows=data,
        object_type=SupervisorProfile._meta.label_lower,
        form=form,
    )


@permission(MANAGE_SUPERVISORS)
def supervisor_create(request):
    form = SupervisorAppointForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            profile = services.supervisor_appoint(
                worker=data["worker"],
                grade=data["grade"],
                grade_since=data["grade_since"],
                approving_authority=data["approving_authority"],
                notes=data["notes"],
                actor=request.user,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已将 %(name)s 纳入督导人才库。") % {"name": profile.worker})
            return redirect("talent:supervisor_detail", pk=profile.pk)
    return render(request, "talent/supervisor_form.html", {"form": form})


def _supervisor(request, pk: int, perm: str = VIEW_SUPERVISORS) -> SupervisorProfile:
    rows = SupervisorProfile.objects.select_related("worker", "worker__region", "worker__agency")
    return get_scoped_or_404(rows, request.user, perm, pk=pk)


@permission(VIEW_SUPERVISORS)
def supervisor_detail(request, pk: int):
    profile = _supervisor(request, pk)
    period_form = PeriodForm(request.GET or None)
    period = period_form.period()
    if not period_form.is_bound:
        period_form = PeriodForm(initial={"start": period.start, "end": period.end})
    selectors.supervisor_figures(profile, period)
    sessions = selectors.with_supervisee_names(
        profile.sessions.filter(held_on__gte=period.start, held_on__lte=period.end)
        .select_related("recorded_by")
        .order_by("-held_on", "-pk")[:50]
    )
    return render(
        request,
        "talent/supervisor_detail.html",
        {
            "profile": profile,
            "period": period,
            "period_form": period_form,
            "history": selectors.grade_history(profile),
            "sessions": sessions,
            "supervisees": selectors.supervisees_of(profile, period),
            "can_promote": request.user.has_perm(MANAGE_SUPERVISORS)
            and covers_worker(request.user, MANAGE_SUPERVISORS, profile.worker),
            "can_record": can_record_session(request.user, profile),
            "can_delete_session": request.user.has_perm(DELETE_SESSION)
            and covers_worker(request.user, DELETE_SESSION, profile.worker),
        },
    )


@permission(MANAGE_SUPERVISORS)
def supervisor_change_grade(request, pk: int):
    profile = _supervisor(request, pk, MANAGE_SUPERVISORS)
    form = GradeChangeForm(request.POST or None, actor=request.user, profile=profile)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            change = services.supervisor_change_grade(
                profile=profile,
                to_grade=data["to_grade"] or None,
                changed_on=data["changed_on"],
                approving_authority=data["approving_authority"],
                reason=data["reason"],
                actor=request.user,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s：%(kind)s为%(grade)s。")
                % {"name": profile.worker, "kind": change.get_kind_display(), "grade": change.get_to_grade_display()},
            )
            return redirect("talent:supervisor_detail", pk=profile.pk)
    return render(request, "talent/grade_change_form.html", {"form": form, "profile": profile})


# --- Sessions ------------------------------------------------------------------------------------------------------


def _session_candidates(request, profile: SupervisorProfile):
    """Colleagues in the supervisor's agency and earlier supervisees, among the workers the actor may see."""
    from shegong.workers.models import SocialWorker

    near = Q(supervision_sessions__supervisor=profile)
    if profile.worker.agency_id:
        near |= Q(agency_id=profile.worker.agency_id)
    visible = scoped(SocialWorker, request.user, ADD_SESSION).exclude(pk=profile.worker_id)
    ids = visible.filter(near).values("pk").distinct()[:SESSION_CANDIDATES]
    return SocialWorker.objects.filter(pk__in=ids).order_by("name", "pk")


@permission(ADD_SESSION)
def session_create(request, pk: int):
    profile = _supervisor(request, pk, ADD_SESSION)
    if not can_record_session(request.user, profile):
        raise PermissionDenied
    form = SessionForm(request.POST or None, actor=request.user, candidates=_session_candidates(request, profile))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.session_create(
                supervisor=profile,
                supervisees=form.chosen(),
                held_on=data["held_on"],
                hours=data["hours"],
                topic=data["topic"],
                mode=data["mode"],
                notes=data["notes"],
                actor=request.user,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("督导记录已保存。"))
            return redirect("talent:supervisor_detail", pk=profile.pk)
    return render(request, "talent/session_form.html", {"form": form, "profile": profile})


def _session_rows(request):
    form = SessionFilterForm(request.GET)
    return form, form.apply(selectors.sessions(request.user))


@permission(VIEW_SESSIONS)
def session_list(request):
    form, rows = _session_rows(request)
    context = page_context(request, rows)
    context["page"].object_list = selectors.with_supervisee_names(context["page"].object_list)
    context["form"] = form
    return render(request, "talent/session_list.html", context)


@permission(VIEW_SESSIONS)
@require_POST
def session_export(request):
    form, rows = _session_rows(request)
    refused = export_refused(request, rows, "talent:session_list")
    if refused:
        return refused
    headers = [_("督导日期"), _("督导"), _("督导所在机构"), _("方式"), _("时长（小时）"), _("主题"), _("被督导人")]
    data = (
        [
            session.held_on,
            session.supervisor.worker.name,
            str(session.supervisor.worker.agency or ""),
            session.get_mode_display(),
            session.hours,
            session.topic,
            "、".join(worker.name for worker in session.supervisees.all()),
        ]
        for session in rows.prefetch_related("supervisees").iterator(chunk_size=2000)
    )
    return export_response(
        actor=request.user,
        title=_("督导记录"),
        headers=headers,
        rows=data,
        object_type=SupervisionSession._meta.label_lower,
        form=form,
    )


@permission(DELETE_SESSION)
@require_POST
def session_delete(request, pk: int):
    session = get_scoped_or_404(SupervisionSession, request.user, DELETE_SESSION, pk=pk)
    services.session_delete(session=session, actor=request.user)
    messages.success(request, _("督导记录已删除。"))
    return redirect("talent:supervisor_detail", pk=session.supervisor_id)


# --- Leading talents -----------------------------------------------------------------------------------------------


def _leading_rows(request):
    form = LeadingTalentFilterForm(request.GET)
    return form, form.apply(selectors.leading_talents(request.user))


@permission(VIEW_LEADING)
def leading_list(request):
    form, rows = _leading_rows(request)
    context = page_context(request, rows)
    context.update(form=form, can_manage=request.user.has_perm(MANAGE_LEADING))
    return render(request, "talent/leading_list.html", context)


@permission(VIEW_LEADING)
@require_POST
def leading_export(request):
    form, rows = _leading_rows(request)
    refused = export_refused(request, rows, "talent:leading_list")
    if refused:
        return refused
    headers = [_("姓名"), _("级别"), _("入选年份"), _("领域"), _("入选项目"), _("所在机构"), _("工作地区划")]
    data = (
        [
            row.worker.name,
            row.get_level_display(),
            row.selected_year,
            row.field,
            row.programme,
            str(row.worker.agency or row.worker.employer_name or ""),
            row.worker.region.name,
        ]
        for row in rows.iterator(chunk_size=2000)
    )
    return export_response(
        actor=request.user,
        title=_("领军人才"),
        headers=headers,
        rows=data,
        object_type=LeadingTalent._meta.label_lower,
        form=form,
    )


@permission(MANAGE_LEADING)
def leading_create(request):
    form = LeadingTalentForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.leading_talent_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("领军人才已登记。"))
            return redirect("talent:leading_list")
    return render(request, "talent/leading_form.html", {"form": form})


@permission(MANAGE_LEADING)
@require_POST
def leading_delete(request, pk: int):
    talent = get_scoped_or_404(LeadingTalent, request.user, MANAGE_LEADING, pk=pk)
    services.leading_talent_delete(talent=talent, actor=request.user)
    messages.success(request, _("已删除。"))
    return redirect("talent:leading_list")


# --- Honours -------------------------------------------------------------------------------------------------------


def _honour_rows(request):
    form = HonourFilterForm(request.GET)
    return form, form.apply(selectors.honours(request.user))


@permission(VIEW_HONOURS)
def honour_list(request):
    form, rows = _honour_rows(request)
    context = page_context(request, rows)
    context.update(form=form, can_manage=request.user.has_perm(MANAGE_HONOURS))
    return render(request, "talent/honour_list.html", context)


@permission(VIEW_HONOURS)
@require_POST
def honour_export(request):
    form, rows = _honour_rows(request)
    refused = export_refused(request, rows, "talent:honour_list")
    if refused:
        return refused
    headers = [_("姓名"), _("荣誉称号"), _("级别"), _("授予日期"), _("授予单位"), _("所在机构"), _("工作地区划")]
    data = (
        [
            row.worker.name,
            row.title,
            row.get_level_display(),
            row.awarded_on,
            row.awarding_body,
            str(row.worker.agency or row.worker.employer_name or ""),
            row.worker.region.name,
        ]
        for row in rows.iterator(chunk_size=2000)
    )
    return export_response(
        actor=request.user,
        title=_("荣誉"),
        headers=headers,
        rows=data,
        object_type=Honour._meta.label_lower,
        form=form,
    )


@permission(MANAGE_HONOURS)
def honour_create(request):
    form = HonourForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.honour_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("荣誉已登记。"))
            return redirect("talent:honour_list")
    return render(request, "talent/honour_form.html", {"form": form})


@permission(MANAGE_HONOURS)
@require_POST
def honour_delete(request, pk: int):
    honour = get_scoped_or_404(Honour, request.user, MANAGE_HONOURS, pk=pk)
    services.honour_delete(honour=honour, actor=request.user)
    messages.success(request, _("已删除。"))
    return redirect("talent:honour_list")
