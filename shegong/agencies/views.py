"""Agency pages. Thin: forms parse, selectors read through the data scope, services write. An agency outside the
user's scope answers 404 on every page, whatever the user's permissions elsewhere."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shegong.accounts.forms import add_service_error
from shegong.agencies import exports, selectors, services
from shegong.agencies.forms import AgencyFilterForm, AgencyForm, RatingForm, StatusForm
from shegong.core.listing import query_without_page
from shegong.core.scope import in_scope
from shegong.tabular.views import xlsx_response


def _require(request, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied(_("您没有执行此操作的权限。"))


def _page_number(request) -> int:
    value = request.GET.get("page", "")
    return int(value) if value.isdigit() and 0 < int(value) < 100_000 else 1


@login_required
def agency_list(request):
    _require(request, selectors.VIEW)
    form = AgencyFilterForm(request.GET or None, user=request.user)
    valid = form.is_valid() if form.is_bound else True
    page = count = more = None
    if valid:
        agencies = selectors.agency_search(actor=request.user, filters=form.filters() if form.is_bound else None)
        page = selectors.page_of(selectors.with_domains(agencies), _page_number(request))
        count, more = selectors.count_capped(agencies)
    user = request.user
    return render(
        request,
        "agencies/agency_list.html",
        {
            "form": form,
            "page": page,
            "count": count,
            "count_more": more,
            "query": query_without_page(request),
            "export_limit": exports.MAX_ROWS,
            "can_add": user.has_perm(selectors.ADD),
        },
    )


@login_required
@require_POST
def agency_export(request):
    """The filtered list (the query string of the list page) as .xlsx; the export is audited."""
    _require(request, selectors.VIEW)
    form = AgencyFilterForm(request.GET or None, user=request.user)
    back = f"{reverse('agencies:list')}?{query_without_page(request)}"
    if form.is_bound and not form.is_valid():
        messages.error(request, _("筛选条件有误，请修改后再导出。"))
        return redirect(back)
    agencies = selectors.agency_search(actor=request.user, filters=form.filters() if form.is_bound else None)
    _count, more = selectors.count_capped(agencies, limit=exports.MAX_ROWS)
    if more:
        messages.error(request, _("筛选结果超过 %(max)d 家，请缩小范围后再导出。") % {"max": exports.MAX_ROWS})
        return redirect(back)
    data = exports.export_agencies(
        actor=request.user, agencies=agencies, described_filters=form.describe() if form.is_bound else {}
    )
    return xlsx_response(data, f"社工机构-{timezone.localtime():%Y%m%d-%H%M%S}.xlsx")


@login_required
def agency_detail(request, pk: int):
    _require(request, selectors.VIEW)
    agency = selectors.agency_get(actor=request.user, pk=pk)
    user = request.user
    return render(
        request,
        "agencies/agency_detail.html",
        {
            "agency": agency,
            "domains": list(agency.service_domains.order_by("sort_order", "code")),
            "ratings": selectors.rating_history(agency),
            "status_events": selectors.status_history(agency),
            "workers_count": selectors.workers_count(agency),
            "rating_now": agency.current_rating_level(),
            "can_change": user.has_perm(selectors.CHANGE) and in_scope(user, agency, selectors.CHANGE),
            "can_rate": user.has_perm(selectors.RATE) and in_scope(user, agency, selectors.RATE),
            "can_change_status": user.has_perm(selectors.CHANGE_STATUS)
            and in_scope(user, agency, selectors.CHANGE_STATUS),
        },
    )


@login_required
def agency_create(request):
    _require(request, selectors.ADD)
    form = AgencyForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            agency = services.agency_create(actor=request.user, **form.changes())
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已登记机构“%(name)s”。") % {"name": agency.name})
            return redirect("agencies:detail", pk=agency.pk)
    return render(request, "agencies/agency_form.html", {"form": form, "creating": True})


@login_required
def agency_edit(request, pk: int):
    _require(request, selectors.CHANGE)
    agency = selectors.agency_get(actor=request.user, pk=pk, perm=selectors.CHANGE)
    form = AgencyForm(request.POST or None, user=request.user, agency=agency)
    if request.method == "POST" and form.is_valid():
        try:
            services.agency_update(actor=request.user, agency=agency, **form.changes())
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("agencies:detail", pk=agency.pk)
    return render(request, "agencies/agency_form.html", {"form": form, "agency": agency, "creating": False})


@login_required
def agency_rate(request, pk: int):
    _require(request, selectors.RATE)
    agency = selectors.agency_get(actor=request.user, pk=pk, perm=selectors.RATE)
    form = RatingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rating = services.agency_rate(actor=request.user, agency=agency, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                _("已录入评估等级 %(level)s，有效期至 %(until)s。")
                % {"level": rating.get_level_display(), "until": rating.valid_until},
            )
            return redirect("agencies:detail", pk=agency.pk)
    return render(
        request,
        "agencies/agency_action_form.html",
        {"form": form, "agency": agency, "title": _("录入评估等级"), "action": "rate"},
    )


@login_required
def agency_change_status(request, pk: int):
    _require(request, selectors.CHANGE_STATUS)
    agency = selectors.agency_get(actor=request.user, pk=pk, perm=selectors.CHANGE_STATUS)
    form = StatusForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.agency_change_status(actor=request.user, agency=agency, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已记录监管状态：%(status)s。") % {"status": event.get_status_display()})
            return redirect("agencies:detail", pk=agency.pk)
    return render(
        request,
        "agencies/agency_action_form.html",
        {"form": form, "agency": agency, "title": _("变更监管状态"), "action": "status"},
    )
