"""Pages of recruitment and pay. Thin: permission first (403), the object through the data scope (404), a service
for every write, the filter form for every list and its export."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shegong.accounts.forms import add_service_error
from shegong.core.listing import export_refused, export_response, page_context, permission
from shegong.core.scope import get_scoped_or_404, region_q
from shegong.recruitment import guidance, selectors, services
from shegong.recruitment.forms import (
    ApplicationFilterForm,
    ApplyForm,
    BoardFilterForm,
    EmploymentFilterForm,
    HireForm,
    ManagedOpeningFilterForm,
    OpeningForm,
    PayFilterForm,
    PayForm,
)
from shegong.recruitment.models import Employment, JobApplication, JobOpening, WorkerPay
from shegong.refdata import selectors as refdata
from shegong.talent.access import covers_worker

VIEW_BOARD = selectors.VIEW_BOARD
VIEW_APPLICATIONS = selectors.VIEW_APPLICATIONS
VIEW_EMPLOYMENTS = selectors.VIEW_EMPLOYMENTS
VIEW_PAY = selectors.VIEW_PAY
NEAR_ME = 20


def _worker_of(user):
    from shegong.workers.selectors import worker_of_account

    return worker_of_account(user)


def _post_types() -> dict:
    return refdata.labels(services.POST_TYPE)


# --- The board and one opening -------------------------------------------------------------------------------------


@permission(VIEW_BOARD)
def opening_list(request):
    form = BoardFilterForm(request.GET)
    context = page_context(request, form.apply(selectors.board(request.user)))
    worker = _worker_of(request.user)
    applied = set()
    if worker is not None:
        ids = [opening.pk for opening in context["page"].object_list]
        applied = set(worker.job_applications.filter(opening_id__in=ids).values_list("opening_id", flat=True))
    context.update(form=form, applied=applied, post_types=_post_types())
    return render(request, "recruitment/opening_list.html", context)


@login_required
def opening_detail(request, pk: int):
    opening = selectors.opening_get(request.user, pk)
    worker = _worker_of(request.user)
    mine = worker.job_applications.filter(opening=opening).first() if worker is not None else None
    today = timezone.localdate()
    can_apply = (
        worker is not None and mine is None and request.user.has_perm(services.APPLY) and opening.accepting(today)
    )
    return render(
        request,
        "recruitment/opening_detail.html",
        {
            "opening": opening,
            "mine": mine,
            "worker": worker,
            "apply_form": ApplyForm() if can_apply else None,
            "accepting": opening.accepting(today),
            "can_change": services.covers_opening(request.user, services.CHANGE_OPENINGS, opening),
            "can_review": services.covers_opening(request.user, VIEW_APPLICATIONS, opening),
            "post_types": _post_types(),
        },
    )


@permission(services.APPLY)
@require_POST
def opening_apply(request, pk: int):
    opening = selectors.opening_get(request.user, pk)
    worker = _worker_of(request.user)
    if worker is None:
        messages.error(request, _("您的账户没有关联社工档案，不能在线应聘。请联系所在机构或民政部门关联档案。"))
        return redirect("recruitment:opening_detail", pk=opening.pk)
    form = ApplyForm(request.POST)
    if form.is_valid():
        try:
            services.application_submit(
                opening=opening, worker=worker, cover_note=form.cleaned_data["cover_note"], actor=request.user
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("recruitment:opening_detail", pk=opening.pk)
        messages.success(request, _("已报名“%(title)s”。可在“我的求职”查看进度。") % {"title": opening.title})
        return redirect("recruitment:mine")
    messages.error(request, " ".join(form.errors.get("cover_note", [])))
    return redirect("recruitment:opening_detail", pk=opening.pk)


# --- 我的求职 ------------------------------------------------------------------------------------------------------


@permission(services.APPLY)
def mine(request):
    worker = _worker_of(request.user)
    near = applications = []
    if worker is not None:
        city = worker.region_id[:4]
        applications = list(selectors.applications_of_worker(worker))
        applied = {application.opening_id for application in applications}
        near = [
            opening
            for opening in selectors.board(request.user)
            .filter(region_q("region", city.ljust(12, "0"), 2))
            .order_by("closes_on", "-opens_on", "-pk")[: NEAR_ME + len(applied)]
            if opening.pk not in applied
        ][:NEAR_ME]
        for application in applications:
            application.moves = services.allowed_moves(request.user, application)
    return render(
        request,
        "recruitment/mine.html",
        {"worker": worker, "near": near, "applications": applications, "post_types": _post_types()},
    )


# --- Managing openings ---------------------------------------------------------------------------------------------


def _managed_rows(request):
    form = ManagedOpeningFilterForm(request.GET, actor=request.user)
    return form, form.apply(selectors.managed_openings(request.user))


@permission(VIEW_APPLICATIONS)
def manage_list(request):
    form, rows = _managed_rows(request)
    context = page_context(request, rows)
    context.update(form=form, post_types=_post_types(), can_create=request.user.has_perm(services.CHANGE_OPENINGS))
    return render(request, "recruitment/manage_list.html", context)


@permission(VIEW_APPLICATIONS)
@require_POST
def manage_export(request):
    form, rows = _managed_rows(request)
    refused = export_refused(request, rows, "recruitment:manage_list")
    if refused:
        return refused
    post_types = _post_types()
    headers = [
        _("岗位名称"),
        _("招聘机构"),
        _("岗位类型"),
        _("服务领域"),
        _("工作地区划"),
        _("招聘人数"),
        _("已录用"),
        _("应聘人数"),
        _("月薪下限（元）"),
        _("月薪上限（元）"),
        _("政府购买服务岗位"),
        _("状态"),
        _("报名开始日期"),
        _("报名截止日期"),
    ]
    data = (
        [
            row.title,
            row.agency.name,
            post_types.get(row.post_type, row.post_type),
            row.service_domain.name,
            row.region.name,
            row.headcount,
            row.hired_count,
            row.application_count,
            row.pay_min,
            row.pay_max,
            _("是") if row.government_funded else _("否"),
            row.get_status_display(),
            row.opens_on,
            row.closes_on,
        ]
        for row in rows
    )
    return export_response(
        actor=request.user,
        title=_("招聘岗位"),
        headers=headers,
        rows=data,
        object_type=JobOpening._meta.label_lower,
        form=form,
    )


@permission(services.CHANGE_OPENINGS)
def opening_create(request):
    form = OpeningForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        agency = data.pop("agency")
        try:
            opening = services.opening_create(agency=agency, actor=request.user, **data)
        except ValidationError as exc:
            add_service_error(form, exc)
        except PermissionDenied as exc:
            form.add_error("region", str(exc))
        else:
            messages.success(request, _("招聘岗位已保存为草稿。确认无误后请点击“发布”。"))
            return redirect("recruitment:opening_detail", pk=opening.pk)
    return render(request, "recruitment/opening_form.html", {"form": form})


def _managed_opening(request, pk: int, perm: str) -> JobOpening:
    opening = get_scoped_or_404(JobOpening.objects.select_related("agency", "region"), request.user, perm, pk=pk)
    return opening


@permission(services.CHANGE_OPENINGS)
def opening_edit(request, pk: int):
    opening = _managed_opening(request, pk, services.CHANGE_OPENINGS)
    form = OpeningForm(request.POST or None, instance=opening, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.opening_update(opening=opening, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        except PermissionDenied as exc:
            form.add_error("region", str(exc))
        else:
            messages.success(request, _("招聘岗位已保存。"))
            return redirect("recruitment:opening_detail", pk=opening.pk)
    return render(request, "recruitment/opening_form.html", {"form": form, "opening": opening})


@permission(services.CHANGE_OPENINGS)
@require_POST
def opening_status(request, pk: int):
    opening = _managed_opening(request, pk, services.CHANGE_OPENINGS)
    action = request.POST.get("action")
    try:
        if action == "publish":
            services.opening_publish(opening=opening, actor=request.user)
            messages.success(request, _("已发布，社工现在可以报名。"))
        elif action == "close":
            services.opening_close(opening=opening, actor=request.user)
            messages.success(request, _("已结束招聘，不再接受报名。"))
        else:
            messages.error(request, _("未知的操作。"))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("recruitment:opening_detail", pk=opening.pk)


# --- Applications --------------------------------------------------------------------------------------------------


def _application_rows(request):
    form = ApplicationFilterForm(request.GET)
    return form, form.apply(selectors.applications(request.user))


@permission(VIEW_APPLICATIONS)
def application_list(request):
    form, rows = _application_rows(request)
    context = page_context(request, rows)
    page_rows = list(context["page"].object_list)
    listed = selectors.blacklisted_ids([row.worker_id for row in page_rows])
    for row in page_rows:
        row.blacklisted = row.worker_id in listed
        row.moves = services.allowed_moves(request.user, row)
    opening = None
    if form.value("opening"):
        opening = selectors.managed_openings(request.user).filter(pk=form.value("opening")).first()
    context.update(form=form, opening=opening, hire_state=JobApplication.State.HIRED)
    return render(request, "recruitment/application_list.html", context)


@permission(VIEW_APPLICATIONS)
@require_POST
def application_export(request):
    form, rows = _application_rows(request)
    refused = export_refused(request, rows, "recruitment:application_list")
    if refused:
        return refused
    headers = [_("应聘人"), _("岗位名称"), _("招聘机构"), _("状态"), _("投递时间"), _("处理时间"), _("处理说明")]
    data = (
        [
            row.worker.name,
            row.opening.title,
            row.opening.agency.name,
            row.get_state_display(),
            timezone.localtime(row.submitted_at).strftime("%Y-%m-%d %H:%M"),
            timezone.localtime(row.decided_at).strftime("%Y-%m-%d %H:%M") if row.decided_at else "",
            row.decision_note,
        ]
        for row in rows.iterator(chunk_size=2000)
    )
    return export_response(
        actor=request.user,
        title=_("应聘申请"),
        headers=headers,
        rows=data,
        object_type=JobApplication._meta.label_lower,
        form=form,
    )


@login_required
@require_POST
def application_transition(request, pk: int):
    application = get_scoped_or_404(
        JobApplication.objects.select_related("opening", "worker"), request.user, VIEW_APPLICATIONS, pk=pk
    )
    to_state = request.POST.get("to", "")
    if to_state not in JobApplication.State.values or to_state == JobApplication.State.HIRED:
        messages.error(request, _("未知的操作。"))
    else:
        try:
            services.application_transition(
                application=application, to_state=to_state, note=request.POST.get("note", ""), actor=request.user
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, _("申请状态已改为“%(state)s”。") % {"state": JobApplication.State(to_state).label}
            )
    fallback = reverse("recruitment:mine") if application.worker.account_id == request.user.pk else None
    return redirect(request.POST.get("back") if _safe(request) else fallback or _applications_of(application))


def _safe(request) -> bool:
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("back", "")
    return bool(target) and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure())


def _applications_of(application) -> str:
    return f"{reverse('recruitment:application_list')}?opening={application.opening_id}"


@permission(services.DECIDE)
def application_hire(request, pk: int):
    application = get_scoped_or_404(
        JobApplication.objects.select_related("opening", "opening__agency", "worker"),
        request.user,
        services.DECIDE,
        pk=pk,
    )
    form = HireForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.application_hire(
                application=application, started_on=form.cleaned_data["started_on"], actor=request.user
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                _("已录用 %(name)s，聘用记录已登记，其工作单位已改为 %(agency)s。")
                % {"name": application.worker.name, "agency": application.opening.agency},
            )
            return redirect(_applications_of(application))
    return render(
        request,
        "recruitment/hire_form.html",
        {"form": form, "application": application, "cancel_url": _applications_of(application)},
    )


# --- Employment ----------------------------------------------------------------------------------------------------


def _employment_rows(request):
    form = EmploymentFilterForm(request.GET)
    return form, form.apply(selectors.employments(request.user))


@permission(VIEW_EMPLOYMENTS)
def employment_list(request):
    form, rows = _employment_rows(request)
    context = page_context(request, rows)
    context.update(form=form, post_types=_post_types())
    return render(request, "recruitment/employment_list.html", context)


@permission(VIEW_EMPLOYMENTS)
@require_POST
def employment_export(request):
    form, rows = _employment_rows(request)
    refused = export_refused(request, rows, "recruitment:employment_list")
    if refused:
        return refused
    post_types = _post_types()
    headers = [_("姓名"), _("聘用机构"), _("岗位类型"), _("岗位名称"), _("入职日期"), _("离职日期"), _("来源")]
    data = (
        [
            row.worker.name,
            row.agency.name,
            post_types.get(row.post_type, row.post_type),
            row.title,
            row.started_on,
            row.ended_on,
            _("招聘录用") if row.application_id else _("直接登记"),
        ]
        for row in rows.iterator(chunk_size=2000)
    )
    return export_response(
        actor=request.user,
        title=_("聘用记录"),
        headers=headers,
        rows=data,
        object_type=Employment._meta.label_lower,
        form=form,
    )


# --- Pay -----------------------------------------------------------------------------------------------------------


def _pay_rows(request):
    form = PayFilterForm(request.GET)
    today = timezone.localdate()
    rows = form.filter(selectors.current_pay(request.user, today))
    rules = None
    position = form.value("position")
    if position:
        condition, rules = selectors.position_q(rows, position, today)
        rows = rows.filter(condition)
    return form, form.apply(rows), rules, today


@permission(VIEW_PAY)
def pay_list(request):
    form, rows, rules, today = _pay_rows(request)
    context = page_context(request, rows)
    selectors.compare_rows(context["page"].object_list, today, rules)
    context.update(form=form, today=today)
    return render(request, "recruitment/pay_list.html", context)


@permission(VIEW_PAY)
@require_POST
def pay_export(request):
    form, rows, rules, today = _pay_rows(request)
    refused = export_refused(request, rows, "recruitment:pay_list")
    if refused:
        return refused
    rows = list(rows)
    selectors.compare_rows(rows, today, rules)
    headers = [
        _("姓名"),
        _("所在机构"),
        _("工作地区划"),
        _("岗位等级"),
        _("执行日期"),
        _("月薪（元）"),
        _("指导下限（元）"),
        _("指导上限（元）"),
        _("与指导价位比较"),
        _("依据"),
    ]

    def figures(row):
        verdict = row.comparison.verdict
        return (verdict.figures.get("minimum"), verdict.figures.get("maximum")) if verdict else (None, None)

    data = (
        [
            row.worker.name,
            str(row.worker.agency or row.worker.employer_name or ""),
            row.worker.region.name,
            row.worker.get_job_grade_display(),
            row.effective_from,
            row.monthly_pay,
            *figures(row),
            row.comparison.label,
            str(row.comparison.rule.profile) if row.comparison.rule else "",
        ]
        for row in rows
    )
    return export_response(
        actor=request.user,
        title=_("社会工作者薪酬"),
        headers=headers,
        rows=data,
        object_type=WorkerPay._meta.label_lower,
        form=form,
    )


def _pay_worker(request, pk: int):
    """The worker whose pay the user may see, else 404 — also for the worker themselves and for their peers, so the
    page never confirms that a pay record exists."""
    from shegong.workers.models import SocialWorker

    workers = SocialWorker.objects.select_related("region", "agency")
    worker = get_scoped_or_404(workers, request.user, VIEW_PAY, pk=pk)
    if not selectors.can_view_pay(request.user, worker):
        raise Http404
    return worker


@login_required
def pay_worker(request, pk: int):
    worker = _pay_worker(request, pk)
    can_add = request.user.has_perm(services.ADD_PAY) and covers_worker(request.user, services.ADD_PAY, worker)
    form = PayForm(request.POST or None) if can_add else None
    if request.method == "POST":
        if not can_add:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.pay_record(worker=worker, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("薪酬记录已保存。"))
                return redirect("recruitment:pay_worker", pk=worker.pk)
    history = selectors.pay_history(worker)
    selectors.compare_history(worker, history)
    today = timezone.localdate()
    current = next((pay for pay in history if pay.effective_from <= today), None)
    return render(
        request,
        "recruitment/pay_worker.html",
        {
            "worker": worker,
            "history": history,
            "current": current,
            "form": form,
            "can_delete": request.user.has_perm(services.DELETE_PAY)
            and covers_worker(request.user, services.DELETE_PAY, worker),
            "labels": guidance.POSITION_LABELS,
        },
    )


@login_required
@require_POST
def pay_delete(request, pk: int):
    pay = get_scoped_or_404(WorkerPay.objects.select_related("worker"), request.user, VIEW_PAY, pk=pk)
    try:
        services.pay_delete(pay=pay, actor=request.user)
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, _("薪酬记录已删除。"))
    return redirect("recruitment:pay_worker", pk=pay.worker_id)
