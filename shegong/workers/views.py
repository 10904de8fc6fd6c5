"""Pages of the talent pool (人才库). Thin: forms shape input, services write, selectors read through the scope."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shegong.tabular.views import xlsx_response
from shegong.workers import exports, forms, permissions, sections, selectors, services, vocabulary

CURSOR_KEYS = ("after", "before")


def _query_without_cursor(request) -> str:
    query = request.GET.copy()
    for key in CURSOR_KEYS:
        query.pop(key, None)
    return query.urlencode()


def _decorate(rows: list, tables: dict) -> list:
    for worker in rows:
        worker.post_type_label = vocabulary.label(tables[vocabulary.POST_TYPE], worker.post_type)
        worker.employer_kind_label = vocabulary.label(tables[vocabulary.EMPLOYER_KIND], worker.employer_kind)
    return rows


@login_required
@permission_required(permissions.VIEW, raise_exception=True)
def worker_list(request):
    form = forms.WorkerFilterForm(request.GET or None, user=request.user)
    filters = form.filters()
    workers = selectors.worker_search(actor=request.user, filters=filters)
    page = selectors.keyset_page(
        selectors.with_badges(workers, filters.today),
        sort=filters.sort,
        after=request.GET.get("after"),
        before=request.GET.get("before"),
    )
    selectors.with_domains(page.rows)
    _decorate(page.rows, vocabulary.all_options())
    count, count_more = selectors.count_capped(workers)
    return render(
        request,
        "workers/worker_list.html",
        {
            "form": form,
            "page": page,
            "count": count,
            "count_more": count_more,
            "query": _query_without_cursor(request),
            "export_limit": selectors.EXPORT_LIMIT,
            "can_add": request.user.has_perm(permissions.ADD),
            "can_import_certificates": request.user.has_perm(permissions.ADD_CERTIFICATE),
        },
    )


@login_required
@permission_required(permissions.VIEW, raise_exception=True)
@require_POST
def worker_export(request):
    """The filtered list as .xlsx (filters travel in the query string); the export is audited."""
    form = forms.WorkerFilterForm(request.GET or None, user=request.user)
    back = f"{reverse('workers:list')}?{_query_without_cursor(request)}"
    if form.is_bound and not form.is_valid():
        messages.error(request, _("筛选条件有误，请修改后再导出。"))
        return redirect(back)
    filters = form.filters()
    _count, more = selectors.count_capped(
        selectors.worker_search(actor=request.user, filters=filters), limit=selectors.EXPORT_LIMIT
    )
    if more:
        messages.error(
            request,
            _("筛选结果超过 %(max)d 人，请缩小范围（例如按区划或机构）后再导出。") % {"max": selectors.EXPORT_LIMIT},
        )
        return redirect(back)
    data = exports.export_workers(actor=request.user, filters=filters)
    return xlsx_response(data, f"社会工作者名单-{timezone.localtime():%Y%m%d-%H%M}.xlsx")


def _profile_context(request, worker, *, own: bool) -> dict:
    user = request.user
    tables = vocabulary.all_options()
    can_credit = own or user.has_perm(permissions.VIEW_CREDIT)
    return {
        "worker": worker,
        "own": own,
        "education_label": vocabulary.label(tables[vocabulary.EDUCATION], worker.education),
        "employer_kind_label": vocabulary.label(tables[vocabulary.EMPLOYER_KIND], worker.employer_kind),
        "post_type_label": vocabulary.label(tables[vocabulary.POST_TYPE], worker.post_type),
        "domains": list(worker.service_domains.order_by("sort_order", "code")),
        "certificates": selectors.certificates_of(worker),
        "credit_events": selectors.credit_events_of(worker) if can_credit else None,
        "on_blacklist": selectors.is_blacklisted(worker),
        "open_violations": selectors.open_violations(worker).count() if can_credit else 0,
        "sections": sections.sections_for(worker, request, own=own),
        "can_change": not own and user.has_perm(permissions.CHANGE),
        "can_add_certificate": not own and user.has_perm(permissions.ADD_CERTIFICATE),
        "can_delete_certificate": not own and user.has_perm(permissions.DELETE_CERTIFICATE),
        "can_add_credit": not own and user.has_perm(permissions.ADD_CREDIT),
        "can_close_credit": not own and user.has_perm(permissions.CHANGE_CREDIT),
    }


@login_required
def worker_detail(request, pk: int):
    """A worker's record for staff in scope; a worker reaching their own record is sent to 我的档案."""
    worker = selectors.worker_get(actor=request.user, pk=pk)
    own = worker.account_id == request.user.pk
    if own and not request.user.has_perm(permissions.VIEW):
        return redirect("workers:me")
    return render(request, "workers/worker_detail.html", _profile_context(request, worker, own=False))


@login_required
def my_profile(request):
    """我的档案: the signed-in worker's own record, certificates and credit records (read-only), and the sections
    other apps add (registration, training hours, applications)."""
    worker = selectors.worker_of_account(request.user)
    if worker is None:
        return render(request, "workers/my_profile_missing.html")
    return render(request, "workers/my_profile.html", _profile_context(request, worker, own=True))


@login_required
@permission_required(permissions.ADD, raise_exception=True)
def worker_create(request):
    form = forms.WorkerForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            worker = services.worker_create(actor=request.user, **form.service_values())
        except ValidationError as exc:
            forms.apply_errors(form, exc)
        else:
            messages.success(request, _("已登记 %(name)s。") % {"name": worker.name})
            return redirect("workers:detail", pk=worker.pk)
    return render(request, "workers/worker_form.html", {"form": form, "worker": None})


@login_required
@permission_required(permissions.CHANGE, raise_exception=True)
def worker_edit(request, pk: int):
    worker = selectors.worker_get(actor=request.user, pk=pk, perm=permissions.CHANGE)
    form = forms.WorkerForm(request.POST or None, user=request.user, worker=worker)
    if request.method == "POST" and form.is_valid():
        try:
            services.worker_update(actor=request.user, worker=worker, **form.service_values())
        except ValidationError as exc:
            forms.apply_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("workers:detail", pk=worker.pk)
    return render(request, "workers/worker_form.html", {"form": form, "worker": worker})


@login_required
@permission_required(permissions.ADD_CERTIFICATE, raise_exception=True)
def certificate_create(request, pk: int):
    worker = selectors.worker_get(actor=request.user, pk=pk, perm=permissions.ADD_CERTIFICATE)
    form = forms.CertificateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.certificate_add(actor=request.user, worker=worker, **form.cleaned_data)
        except ValidationError as exc:
            forms.apply_errors(form, exc)
        else:
            messages.success(request, _("已录入证书。"))
            return redirect("workers:detail", pk=worker.pk)
    return render(request, "workers/certificate_form.html", {"form": form, "worker": worker})


@login_required
@permission_required(permissions.DELETE_CERTIFICATE, raise_exception=True)
@require_POST
def certificate_delete(request, pk: int, certificate_pk: int):
    worker = selectors.worker_get(actor=request.user, pk=pk, perm=permissions.DELETE_CERTIFICATE)
    certificate = selectors.certificate_get(
        actor=request.user, worker=worker, pk=certificate_pk, perm=permissions.DELETE_CERTIFICATE
    )
    try:
        services.certificate_remove(actor=request.user, certificate=certificate)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("已删除证书 %(number)s。") % {"number": certificate.number})
    return redirect("workers:detail", pk=worker.pk)


@login_required
@permission_required(permissions.ADD_CREDIT, raise_exception=True)
def credit_create(request, pk: int):
    worker = selectors.worker_get(actor=request.user, pk=pk, perm=permissions.ADD_CREDIT)
    form = forms.CreditEventForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.credit_event_record(actor=request.user, worker=worker, **form.cleaned_data)
        except ValidationError as exc:
            forms.apply_errors(form, exc)
        else:
            messages.success(request, _("已记录。"))
            return redirect("workers:detail", pk=worker.pk)
    return render(request, "workers/credit_form.html", {"form": form, "worker": worker})


@login_required
@permission_required(permissions.CHANGE_CREDIT, raise_exception=True)
def credit_close(request, pk: int):
    event = selectors.credit_event_get(actor=request.user, pk=pk, perm=permissions.CHANGE_CREDIT)
    form = forms.CreditCloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.credit_event_close(
                actor=request.user,
                event=event,
                closed_on=form.cleaned_data["closed_on"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            forms.apply_errors(form, exc)
        else:
            messages.success(request, _("已办结。"))
            return redirect("workers:detail", pk=event.worker_id)
    return render(request, "workers/credit_close.html", {"form": form, "event": event, "worker": event.worker})


@login_required
def credit_evidence(request, pk: int):
    """The evidence file of a credit record, for those who may see the record (its worker included)."""
    event = selectors.credit_event_get(actor=request.user, pk=pk)
    if not event.evidence:
        raise Http404
    name = event.evidence.name.rsplit("/", 1)[-1]
    return FileResponse(event.evidence.open("rb"), as_attachment=True, filename=name)
