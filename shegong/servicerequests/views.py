"""Staff pages of residents' requests: the list (filters, masked export), a request's page, the head's queue with
一键派单, assignment, dismissal and worker capacities, and the worker's 我的需求 with accept / decline / case / close.
Thin: the permission first (403), the request through the data scope (404 outside it), a service for every write."""

from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shegong.accounts.forms import add_service_error
from shegong.core.listing import export_refused, export_response, page_context, permission
from shegong.core.masking import mask_phone
from shegong.refdata.selectors import labels
from shegong.servicerequests import permissions, selectors, services
from shegong.servicerequests.forms import (
    AssignForm,
    CapacityForm,
    CloseForm,
    MatchForm,
    OpenCaseForm,
    ReasonForm,
    RequestFilterForm,
)
from shegong.servicerequests.models import DOMAIN_DICTIONARY, Status

ASSIGNABLE = (Status.PENDING, Status.ASSIGNED)


def view_or_serve(view):
    """Staff who may view requests, or a worker (who reaches only the requests assigned to them: scope owner)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not (request.user.has_perm(permissions.VIEW) or request.user.has_perm(permissions.SERVE)):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return login_required(wrapped)


def _filtered(request):
    form = RequestFilterForm(request.GET, actor=request.user)
    rows = form.apply(selectors.request_search(actor=request.user, **form.search_kwargs()))
    return form, rows


@permission(permissions.VIEW)
def request_list(request):
    form, rows = _filtered(request)
    context = page_context(request, rows)
    context.update(
        form=form,
        items=_labelled(context["page"], labels(DOMAIN_DICTIONARY)),
        now=timezone.now(),
        can_dispatch=request.user.has_perm(permissions.DISPATCH),
    )
    return render(request, "servicerequests/request_list.html", context)


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


@permission(permissions.VIEW)
@require_POST
def request_export(request):
    """The filtered list as .xlsx, the phone masked; audited (who, which filters, how many)."""
    form, rows = _filtered(request)
    refused = export_refused(request, rows, "servicerequests:list")
    if refused is not None:
        return refused
    domains = labels(DOMAIN_DICTIONARY)
    headers = [
        _("查询码"),
        _("提交时间"),
        _("所在村（社区）"),
        _("区划代码"),
        _("受理站点"),
        _("服务领域"),
        _("需求描述"),
        _("联系电话"),
        _("状态"),
        _("承接社工"),
        _("响应时限"),
        _("首次响应时间"),
        _("已超时上报"),
        _("满意度评分"),
    ]
    data = [
        [
            row.tracking_code,
            _when(row.created_at),
            row.community.name,
            row.community_id,
            row.station.name if row.station else "",
            domains.get(row.domain, row.domain) if row.domain else row.topic,
            row.description,
            mask_phone(row.phone) if row.phone else "",
            row.get_status_display(),
            row.assigned_worker.name if row.assigned_worker else "",
            _when(row.due_at),
            _when(row.first_response_at),
            _("是") if row.escalated_at else _("否"),
            row.rating or "",
        ]
        for row in rows.iterator(chunk_size=2000)
    ]
    return export_response(
        actor=request.user,
        title=_("服务需求"),
        headers=headers,
        rows=data,
        object_type="servicerequests.servicerequest",
        form=form,
    )


@view_or_serve
def request_detail(request, pk: int):
    found = selectors.request_get(actor=request.user, pk=pk)
    user = request.user
    worker = found.assigned_worker
    own = worker is not None and worker.account_id == user.pk and user.has_perm(permissions.SERVE)
    can_dispatch = (
        user.has_perm(permissions.DISPATCH)
        and selectors.request_search(actor=user, perm=permissions.DISPATCH).filter(pk=found.pk).exists()
    )
    context = {
        "item": found,
        "events": selectors.events(found),
        "domain_label": _labelled([found], labels(DOMAIN_DICTIONARY))[0].domain_label,
        "now": timezone.now(),
        "own": own,
        "can_dispatch": can_dispatch and found.status in ASSIGNABLE,
        "assign_form": AssignForm(request=found) if can_dispatch and found.status in ASSIGNABLE else None,
    }
    return render(request, "servicerequests/request_detail.html", context)


# --- The head's queue -----------------------------------------------------------------------------------------------


def _labelled(rows, domains: dict) -> list:
    rows = list(rows)
    for row in rows:
        row.domain_label = domains.get(row.domain, row.domain) if row.domain else row.topic
    return rows


@permission(permissions.DISPATCH)
def request_queue(request):
    form = MatchForm(request.GET, actor=request.user)
    station = region = None
    if form.is_valid():
        station, region = form.area()
    rows = selectors.queue(actor=request.user, station=station, region=region)
    context = page_context(request, rows)
    items = _labelled(context["page"], labels(DOMAIN_DICTIONARY))
    explanations = selectors.last_match_explanations(items)
    for item in items:
        item.explanation = explanations.get(item.pk, []) if item.status == Status.ASSIGNED else []
    context.update(
        form=form,
        items=items,
        now=timezone.now(),
        match_station=station.pk if station else "",
        match_region=region.code if region else "",
        match_scope=station.name if station else region.name if region else _("请先选择站点或区划"),
    )
    return render(request, "servicerequests/queue.html", context)


@permission(permissions.DISPATCH)
@require_POST
def request_match(request):
    form = MatchForm(request.POST, actor=request.user)
    station = region = None
    if form.is_valid():
        station, region = form.area()
    elif "station" in form.errors or "region" in form.errors:
        raise Http404  # a station or region outside the actor's dispatch scope
    if station is None and region is None:
        messages.error(request, _("请选择站点或区划后再一键派单。"))
        return redirect("servicerequests:queue")
    try:
        result = services.requests_match(actor=request.user, station=station, region=region)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(
            request,
            _("一键派单完成：派出 %(assigned)d 件，未派出 %(unassigned)d 件。")
            % {"assigned": len(result.assigned), "unassigned": len(result.unassigned)},
        )
        for item, reason in result.unassigned[:20]:
            messages.warning(request, _("%(code)s 未派出：%(reason)s") % {"code": item.tracking_code, "reason": reason})
    query = urlencode({"station": station.pk if station else "", "region": region.code if region else ""})
    return redirect(f"{reverse('servicerequests:queue')}?{query}")


@permission(permissions.DISPATCH)
def request_assign(request, pk: int):
    found = selectors.request_get(actor=request.user, pk=pk, perm=permissions.DISPATCH)
    form = AssignForm(request.POST or None, request=found)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_assign(
                request=found,
                worker=form.cleaned_data["worker"],
                actor=request.user,
                expected_version=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已派单。"))
            return redirect("servicerequests:detail", pk=found.pk)
    return _action_page(request, found, form, _("派单"), "assign-form")


@permission(permissions.DISPATCH)
def request_dismiss(request, pk: int):
    found = selectors.request_get(actor=request.user, pk=pk, perm=permissions.DISPATCH)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_dismiss(request=found, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已作出不予受理决定。"))
            return redirect("servicerequests:detail", pk=found.pk)
    warning = _("不予受理是最终决定（如重复提交、恶意提交、不在服务范围），居民在查询页可以看到原因。")
    return _action_page(request, found, form, _("不予受理"), "dismiss-form", warning=warning)


@permission(permissions.DISPATCH)
def capacity_list(request):
    context = page_context(request, selectors.capacity_workers(request.user))
    context["rows"] = selectors.capacity_rows(list(context["page"]))
    return render(request, "servicerequests/capacity_list.html", context)


@permission(permissions.DISPATCH)
def capacity_edit(request, worker_id: int):
    worker = get_object_or_404(selectors.capacity_workers(request.user), pk=worker_id)
    capacity = services.capacity_of(worker)
    form = CapacityForm(request.POST or None, initial={"accepting": capacity.accepting, "max_open": capacity.max_open})
    if request.method == "POST" and form.is_valid():
        try:
            services.capacity_set(worker=worker, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("servicerequests:capacities")
    return render(request, "servicerequests/capacity_form.html", {"form": form, "worker": worker})


# --- The worker's side ----------------------------------------------------------------------------------------------


@permission(permissions.SERVE)
def my_requests(request):
    context = page_context(request, selectors.mine(actor=request.user))
    context.update(items=_labelled(context["page"], labels(DOMAIN_DICTIONARY)), now=timezone.now())
    return render(request, "servicerequests/my_requests.html", context)


def _own_or_404(request, pk: int):
    return get_object_or_404(selectors.mine(actor=request.user), pk=pk)


@permission(permissions.SERVE)
@require_POST
def request_accept(request, pk: int):
    found = _own_or_404(request, pk)
    try:
        services.request_accept(request=found, actor=request.user)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("已接单，请尽快与居民联系。"))
    return redirect("servicerequests:detail", pk=found.pk)


@permission(permissions.SERVE)
def request_decline(request, pk: int):
    found = _own_or_404(request, pk)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_decline(request=found, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已拒单，需求已退回站点重新派单。"))
            return redirect("servicerequests:mine")
    return _action_page(request, found, form, _("拒单"), "decline-form")


@permission(permissions.SERVE)
def request_close(request, pk: int):
    found = _own_or_404(request, pk)
    form = CloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_close(request=found, actor=request.user, note=form.cleaned_data["note"])
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已办结，居民可以评价本次服务。"))
            return redirect("servicerequests:detail", pk=found.pk)
    return _action_page(request, found, form, _("办结（服务完成）"), "close-form")


@permission(permissions.SERVE)
def request_open_case(request, pk: int):
    found = _own_or_404(request, pk)
    form = OpenCaseForm(request.POST or None, request=found, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_open_case(request=found, actor=request.user, **form.service_values())
        except ValidationError as exc:
            add_service_error(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or _("您没有执行此操作的权限。"))
        else:
            messages.success(request, _("已转为个案。"))
            return redirect("servicerequests:detail", pk=found.pk)
    note = (
        _("可选择已登记的服务对象，或直接登记新的服务对象；转为个案后，个案结案时本需求自动办结。")
        if form.can_register
        else _("服务对象须已登记（在“服务对象”中由站点登记）；转为个案后，个案结案时本需求自动办结。")
    )
    return _action_page(request, found, form, _("转为个案"), "case-form", note=note)


def _action_page(request, found, form, title, testid, warning="", note=""):
    context = {"form": form, "item": found, "title": title, "testid": testid, "warning": warning, "note": note}
    return render(request, "servicerequests/action_form.html", context)
