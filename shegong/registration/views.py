"""Pages for registration (执业登记) and continuing education (继续教育).

Views stay thin: the permission first (403 when the user's roles lack it), then the object through the data scope
(404 when out of scope), then a service for every write, whose refusals come back as messages.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shegong.core.listing import permission, query_without_page
from shegong.core.masking import mask_id_number
from shegong.core.scope import get_scoped_or_404
from shegong.registration import selectors, services
from shegong.registration.forms import (
    RegistrationFilterForm,
    ReviewForm,
    TrainingFilterForm,
    TrainingRecordForm,
    add_service_error,
)
from shegong.registration.models import Registration, TrainingRecord
from shegong.registration.policy import policy_for
from shegong.tabular.services import export_list
from shegong.tabular.views import xlsx_response
from shegong.workers.models import Certificate, SocialWorker

PAGE_SIZE = 50
EXPORT_MAX_ROWS = 20000
REVEAL = "accounts.reveal_personal_data"


def _page(request, rows):
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def _tabs(request) -> dict:
    """What the tabs above the lists need: whether the user reviews, and how much waits for them."""
    reviewer = selectors.reviews_anything(request.user)
    return {
        "show_queue": reviewer,
        "queue_count": selectors.review_queue(actor=request.user).count() if reviewer else 0,
    }


def _refusal(request, exc: Exception) -> None:
    """A service's refusal as messages on the next page."""
    texts = exc.messages if isinstance(exc, ValidationError) else [str(exc) or _("您没有执行此操作的权限。")]
    for text in texts:
        messages.error(request, text)


def _id_text(user, worker: SocialWorker) -> str:
    return worker.id_number if user.has_perm(REVEAL) else mask_id_number(worker.id_number)


# --- Registrations ---------------------------------------------------------------------------------------------------


def _registration_filter_form(request) -> RegistrationFilterForm:
    form = RegistrationFilterForm(request.GET or None)
    form.limit_region(request.user)
    return form


@permission(selectors.VIEW)
def registration_list(request):
    form = _registration_filter_form(request)
    rows = selectors.registration_list(actor=request.user, filters=form.filters())
    return render(
        request,
        "registration/registration_list.html",
        {
            "form": form,
            "page": _page(request, rows),
            "query": query_without_page(request),
            **_tabs(request),
        },
    )


REGISTRATION_HEADERS = [
    _("姓名"),
    _("身份证号"),
    _("证书等级"),
    _("证书编号"),
    _("取得年份"),
    _("登记类别"),
    _("状态"),
    _("工作地区划"),
    _("所在机构"),
    _("申请时间"),
    _("初审人"),
    _("终审人"),
    _("登记日期"),
    _("有效期起"),
    _("有效期至"),
]


def _registration_rows(user, rows):
    for registration in rows:
        worker = registration.worker
        yield [
            worker.name,
            _id_text(user, worker),
            registration.certificate.get_level_display(),
            registration.certificate.number,
            registration.certificate.year_passed,
            registration.get_kind_display(),
            registration.get_state_display(),
            worker.region.name,
            worker.agency.name if worker.agency_id else worker.employer_name,
            timezone.localtime(registration.submitted_at).strftime("%Y-%m-%d %H:%M"),
            str(registration.first_reviewed_by or ""),
            str(registration.final_reviewed_by or ""),
            registration.registered_on,
            registration.valid_from,
            registration.valid_until,
        ]


def _export(request, *, rows, title: str, headers, make_rows, object_type: str, filters: dict, back: str):
    count = rows.count()
    if count > EXPORT_MAX_ROWS:
        messages.error(
            request,
            _("筛选结果有 %(count)d 条，超过 %(max)d 条，请缩小范围后再导出。")
            % {"count": count, "max": EXPORT_MAX_ROWS},
        )
        return redirect(back)
    data = export_list(
        actor=request.user,
        title=title,
        headers=[str(header) for header in headers],
        rows=make_rows(request.user, rows),
        object_type=object_type,
        filters=filters,
    )
    return xlsx_response(data, f"{title}-{timezone.localtime():%Y%m%d-%H%M%S}.xlsx")


@permission(selectors.VIEW)
@require_POST
def registration_export(request):
    form = _registration_filter_form(request)
    rows = selectors.registration_list(actor=request.user, filters=form.filters())
    return _export(
        request,
        rows=rows,
        title=_("执业登记"),
        headers=REGISTRATION_HEADERS,
        make_rows=_registration_rows,
        object_type="registration.registration",
        filters=form.describe(),
        back=f"{reverse('registration:list')}?{request.GET.urlencode()}",
    )


@permission(selectors.VIEW)
def expiring_list(request):
    rows = selectors.expiring_registrations(actor=request.user)
    return render(
        request,
        "registration/expiring_list.html",
        {
            "page": _page(request, rows),
            "days": selectors.EXPIRING_DAYS,
            "today": timezone.localdate(),
            **_tabs(request),
        },
    )


@permission(selectors.VIEW)
@require_POST
def expiring_export(request):
    return _export(
        request,
        rows=selectors.expiring_registrations(actor=request.user),
        title=_("90 天内到期的执业登记"),
        headers=REGISTRATION_HEADERS,
        make_rows=_registration_rows,
        object_type="registration.registration",
        filters={"expiring_days": selectors.EXPIRING_DAYS},
        back=reverse("registration:expiring"),
    )


@login_required
def review_queue(request):
    if not selectors.reviews_anything(request.user):
        raise PermissionDenied
    rows = selectors.review_queue(actor=request.user)
    return render(request, "registration/review_queue.html", {"page": _page(request, rows), **_tabs(request)})


def _registration_or_404(request, pk: int) -> Registration:
    # The worker sees their own (owner); staff see those of their scope.
    return get_scoped_or_404(selectors.registrations_for(request.user), request.user, selectors.VIEW, pk=pk)


@login_required
def registration_detail(request, pk: int):
    registration = _registration_or_404(request, pk)
    user = request.user
    State = Registration.State
    can_first = registration.state == State.PENDING and selectors.may_first_review(user, registration)
    can_final = (
        registration.state == State.FIRST_APPROVED
        and selectors.may_final_review(user, registration)
        and registration.first_reviewed_by_id != user.pk
    )
    can_register = registration.state == State.FINAL_APPROVED and selectors.may_final_review(user, registration)
    blockers = []
    if registration.kind == Registration.Kind.RENEWAL and registration.is_open:
        policy = policy_for(registration.worker.region)
        blockers = services.renewal_blockers(registration.previous, policy=policy, today=timezone.localdate())
    renewal_window = None
    renewal_conditions = None
    can_renew = False
    if registration.state == State.REGISTERED:
        today = timezone.localdate()
        policy = policy_for(registration.worker.region)
        renewal_window = services.renewal_window(registration, policy)
        renewal_conditions = services.renewal_blockers(registration, policy=policy, today=today)
        can_renew = (
            selectors.may_submit_for(user, registration.worker)
            and renewal_window[0] <= today <= renewal_window[1]
            and not renewal_conditions
            and not registration.renewals.exclude(state__in=services.REJECTED).exists()
        )
    return render(
        request,
        "registration/registration_detail.html",
        {
            "registration": registration,
            "worker": registration.worker,
            "timeline": selectors.timeline(registration),
            "history": selectors.history_of_certificate(actor=user, registration=registration),
            "first_form": ReviewForm(prefix="first") if can_first else None,
            "final_form": ReviewForm(prefix="final") if can_final else None,
            "waiting_for_other": registration.state == State.FIRST_APPROVED
            and registration.first_reviewed_by_id == user.pk,
            "can_register": can_register,
            "can_renew": can_renew,
            "renewal_window": renewal_window,
            "renewal_conditions": renewal_conditions,
            "blockers": blockers,
        },
    )


def _review(request, pk: int, *, prefix: str, approve, reject):
    registration = _registration_or_404(request, pk)
    form = ReviewForm(request.POST, prefix=prefix)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("registration:detail", pk=registration.pk)
    note = form.cleaned_data["note"]
    try:
        if form.cleaned_data["decision"] == ReviewForm.APPROVE:
            approve(registration=registration, actor=request.user, note=note)
            messages.success(request, _("已审核通过。"))
        else:
            reject(registration=registration, actor=request.user, note=note)
            messages.success(request, _("已审核不通过，意见已记录。"))
    except (ValidationError, PermissionDenied) as exc:
        _refusal(request, exc)
    return redirect("registration:detail", pk=registration.pk)


@login_required
@require_POST
def first_review(request, pk: int):
    return _review(
        request,
        pk,
        prefix="first",
        approve=services.registration_first_approve,
        reject=services.registration_first_reject,
    )


@login_required
@require_POST
def final_review(request, pk: int):
    return _review(
        request,
        pk,
        prefix="final",
        approve=services.registration_final_approve,
        reject=services.registration_final_reject,
    )


@login_required
@require_POST
def register(request, pk: int):
    registration = _registration_or_404(request, pk)
    try:
        registration = services.registration_register(registration=registration, actor=request.user)
    except (ValidationError, PermissionDenied) as exc:
        _refusal(request, exc)
    else:
        messages.success(
            request,
            _("已办理登记，有效期 %(start)s 至 %(end)s。")
            % {"start": registration.valid_from, "end": registration.valid_until},
        )
    return redirect("registration:detail", pk=registration.pk)


@login_required
@require_POST
def renew(request, pk: int):
    previous = _registration_or_404(request, pk)
    try:
        renewal = services.registration_renew(previous=previous, actor=request.user)
    except (ValidationError, PermissionDenied) as exc:
        _refusal(request, exc)
        return redirect("registration:detail", pk=previous.pk)
    messages.success(request, _("再登记申请已提交，等待区县民政部门初审。"))
    return redirect("registration:detail", pk=renewal.pk)


@login_required
@require_POST
def submit(request, pk: int):
    """Apply for the first registration of a certificate."""
    certificate = get_scoped_or_404(
        Certificate.objects.select_related("worker", "worker__region"), request.user, selectors.SUBMIT, pk=pk
    )
    try:
        registration = services.registration_submit(certificate=certificate, actor=request.user)
    except (ValidationError, PermissionDenied) as exc:
        _refusal(request, exc)
        return redirect("registration:worker", pk=certificate.worker_id)
    messages.success(request, _("首次登记申请已提交，等待区县民政部门初审。"))
    return redirect("registration:detail", pk=registration.pk)


# --- A worker's registrations and hours ------------------------------------------------------------------------------


def _worker_or_404(request, pk: int) -> SocialWorker:
    user = request.user
    workers = SocialWorker.objects.select_related("region", "agency")
    perm = selectors.VIEW_TRAINING if user.has_perm(selectors.VIEW_TRAINING) else selectors.VIEW
    return get_scoped_or_404(workers, user, perm, pk=pk)


def _worker_page(request, worker: SocialWorker, *, self_service: bool = False):
    user = request.user
    today = timezone.localdate()
    summary = selectors.training_summary(worker, today=today)
    certificates = list(worker.certificates.order_by("-year_passed", "id"))
    registrations = list(
        Registration.objects.filter(worker=worker).select_related("certificate").order_by("-submitted_at", "-id")
    )
    may_submit = selectors.may_submit_for(user, worker)
    for certificate in certificates:
        own = [r for r in registrations if r.certificate_id == certificate.pk]
        certificate.current = next((r for r in own if r.state == Registration.State.REGISTERED), None)
        certificate.open_application = next((r for r in own if r.is_open), None)
        certificate.ever_registered = any(r.state in Registration.WAS_REGISTERED for r in own)
        certificate.deadline = summary.policy.first_registration_deadline(certificate.year_passed)
        certificate.can_submit = (
            may_submit
            and not certificate.ever_registered
            and certificate.open_application is None
            and today <= certificate.deadline
        )
    records = list(worker.training_records.select_related("verified_by").order_by("-end_date", "-id"))
    for training in records:
        training.can_change = selectors.may_change_training(user, training)
        training.can_delete = selectors.may_delete_training(user, training)
    return render(
        request,
        "registration/worker.html",
        {
            "worker": worker,
            "certificates": certificates,
            "registrations": registrations,
            "summary": summary,
            "records": records,
            "degree": selectors.counted_degree(worker, verified=False),
            "can_add_training": selectors.may_add_training_for(user, worker),
            "can_verify": selectors.may_verify_training_for(user, worker),
            "violations": selectors.open_violations(worker, today) if not self_service else None,
            "self_service": self_service,
        },
    )


@login_required
def worker_page(request, pk: int):
    return _worker_page(request, _worker_or_404(request, pk))


@login_required
def mine(request):
    """Self-service: my certificates, registration status and hours (the worker linked to my account)."""
    worker = SocialWorker.objects.select_related("region", "agency").filter(account=request.user).first()
    if worker is None:
        return render(request, "registration/mine_missing.html", status=404)
    return _worker_page(request, worker, self_service=True)


# --- Training records ------------------------------------------------------------------------------------------------


def _training_filter_form(request) -> TrainingFilterForm:
    form = TrainingFilterForm(request.GET or None)
    form.limit_region(request.user)
    return form


def _training_rows_for(request, form: TrainingFilterForm):
    return selectors.training_list(actor=request.user, filters=form.filters())


@permission(selectors.VIEW_TRAINING)
def training_list(request):
    form = _training_filter_form(request)
    rows = _training_rows_for(request, form)
    return render(
        request,
        "registration/training_list.html",
        {"form": form, "page": _page(request, rows), "query": query_without_page(request), **_tabs(request)},
    )


TRAINING_HEADERS = [
    _("姓名"),
    _("身份证号"),
    _("类别"),
    _("名称"),
    _("举办单位"),
    _("学时"),
    _("开始日期"),
    _("结束日期"),
    _("核验"),
    _("工作地区划"),
]


def _training_rows(user, rows):
    for training in rows:
        worker = training.worker
        yield [
            worker.name,
            _id_text(user, worker),
            training.get_kind_display(),
            training.title,
            training.provider,
            training.hours,
            training.start_date,
            training.end_date,
            _("已核验") if training.is_verified else _("待核验"),
            worker.region.name,
        ]


@permission(selectors.VIEW_TRAINING)
@require_POST
def training_export(request):
    form = _training_filter_form(request)
    return _export(
        request,
        rows=_training_rows_for(request, form),
        title=_("继续教育记录"),
        headers=TRAINING_HEADERS,
        make_rows=_training_rows,
        object_type="registration.trainingrecord",
        filters=form.describe(),
        back=f"{reverse('registration:training_list')}?{request.GET.urlencode()}",
    )


def _training_or_404(request, pk: int) -> TrainingRecord:
    return get_scoped_or_404(
        TrainingRecord.objects.select_related("worker", "worker__region", "worker__agency"),
        request.user,
        selectors.VIEW_TRAINING,
        pk=pk,
    )


def _back_to_worker(request, worker: SocialWorker):
    if worker.account_id == request.user.pk:
        return redirect("registration:mine")
    return redirect("registration:worker", pk=worker.pk)


@login_required
def training_create(request, pk: int):
    worker = _worker_or_404(request, pk)
    if not selectors.may_add_training_for(request.user, worker):
        raise PermissionDenied
    form = TrainingRecordForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        values = form.values()
        values["evidence"] = values.get("evidence") or ""
        try:
            services.training_record_create(worker=worker, actor=request.user, **values)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已添加继续教育记录。"))
            return _back_to_worker(request, worker)
    return render(request, "registration/training_form.html", {"form": form, "worker": worker, "record": None})


@login_required
def training_edit(request, pk: int):
    training = _training_or_404(request, pk)
    if not selectors.may_change_training(request.user, training):
        raise PermissionDenied
    form = TrainingRecordForm(request.POST or None, request.FILES or None, instance=training)
    if request.method == "POST" and form.is_valid():
        values = form.values()
        if values.get("evidence") is False:  # "clear" ticked
            values["evidence"] = ""
        try:
            services.training_record_update(record_obj=training, actor=request.user, **values)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已保存继续教育记录。"))
            return _back_to_worker(request, training.worker)
    return render(
        request, "registration/training_form.html", {"form": form, "worker": training.worker, "record": training}
    )


@login_required
@require_POST
def training_verify(request, pk: int):
    training = _training_or_404(request, pk)
    try:
        services.training_record_verify(record_obj=training, actor=request.user)
    except (ValidationError, PermissionDenied) as exc:
        _refusal(request, exc)
    else:
        messages.success(request, _("已核验。"))
    return _back_to_worker(request, training.worker)


@login_required
@require_POST
def training_delete(request, pk: int):
    training = _training_or_404(request, pk)
    worker = training.worker
    try:
        services.training_record_delete(record_obj=training, actor=request.user)
    except (ValidationError, PermissionDenied) as exc:
        _refusal(request, exc)
    else:
        messages.success(request, _("已删除继续教育记录。"))
    return _back_to_worker(request, worker)


@login_required
def training_evidence(request, pk: int):
    """The evidence file, only through the record's scope (media files are never served directly)."""
    training = _training_or_404(request, pk)
    if not training.evidence:
        raise Http404
    return FileResponse(
        training.evidence.open("rb"), as_attachment=True, filename=training.evidence.name.rsplit("/", 1)[-1]
    )
