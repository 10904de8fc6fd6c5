"""Pages of the charity donation points. Thin: the permission first (403), the point or donation through the data
scope (404 outside it), a service for every write, selectors for every read. The public summary (`public_page`) needs
no account and shows no personal data."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from shegong.accounts.forms import add_service_error
from shegong.charity import permissions, selectors, services
from shegong.charity.forms import (
    AllocationFilterForm,
    AllocationForm,
    DonationFilterForm,
    DonationForm,
    PointFilterForm,
    PointForm,
    PointStatusForm,
)
from shegong.charity.models import Kind
from shegong.core.listing import export_refused, export_response, page_context, permission

PUBLIC_MAX_AGE = 600


def _points(request):
    form = PointFilterForm(request.GET, actor=request.user)
    return form, form.apply(selectors.point_search(actor=request.user, **form.search_kwargs()))


@permission(permissions.VIEW_POINT)
def point_list(request):
    form, rows = _points(request)
    context = page_context(request, rows)
    context.update(form=form, can_add=request.user.has_perm(permissions.ADD_POINT))
    return render(request, "charity/point_list.html", context)


@permission(permissions.VIEW_POINT)
@require_POST
def point_export(request):
    form, rows = _points(request)
    refused = export_refused(request, rows, "charity:points")
    if refused is not None:
        return refused
    headers = [_("站点编码"), _("站点"), _("所在区划"), _("设立日期"), _("状态"), _("公开说明")]
    data = [
        [p.station.code, p.station.name, p.station.region.name, p.opened_on, p.get_status_display(), p.public_note]
        for p in rows
    ]
    return export_response(
        actor=request.user,
        title=_("慈善捐赠站点"),
        headers=headers,
        rows=data,
        object_type="charity.charitypoint",
        form=form,
    )


@permission(permissions.ADD_POINT)
def point_create(request):
    form = PointForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            point = services.point_open(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已设立慈善捐赠站点。"))
            return redirect("charity:ledger", pk=point.pk)
    return render(request, "charity/form.html", {"form": form, "title": _("设立慈善捐赠站点"), "testid": "point-form"})


@permission(permissions.CHANGE_POINT)
def point_status(request, pk: int):
    point = selectors.point_get(actor=request.user, pk=pk, perm=permissions.CHANGE_POINT)
    form = PointStatusForm(request.POST or None, point=point)
    if request.method == "POST" and form.is_valid():
        try:
            services.point_set_status(actor=request.user, point=point, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("charity:ledger", pk=point.pk)
    context = {"form": form, "point": point, "title": _("站点状态与公开说明"), "testid": "status-form"}
    return render(request, "charity/form.html", context)


def _ledger_year(request) -> int | None:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return None
    return year if 2000 <= year <= 2100 else None


@permission(permissions.VIEW_POINT)
def point_ledger(request, pk: int):
    """The station's charity ledger: received, allocated and balance by kind and purpose, and per month."""
    point = selectors.point_get(actor=request.user, pk=pk)
    year = _ledger_year(request)
    user = request.user
    context = {
        "point": point,
        "year": year,
        "ledger": selectors.ledger(point, year),
        "donations": selectors.donation_search(actor=user, point=point)[:10]
        if user.has_perm(permissions.VIEW_DONATION)
        else [],
        "allocations": selectors.allocation_search(actor=user, point=point)[:10]
        if user.has_perm(permissions.VIEW_ALLOCATION)
        else [],
        "can_receive": user.has_perm(permissions.ADD_DONATION),
        "can_allocate": user.has_perm(permissions.ADD_ALLOCATION),
        "can_change": user.has_perm(permissions.CHANGE_POINT),
        "can_export": user.has_perm(permissions.VIEW_DONATION) and user.has_perm(permissions.VIEW_ALLOCATION),
    }
    return render(request, "charity/ledger.html", context)


@permission(permissions.VIEW_DONATION)
@require_POST
def ledger_export(request, pk: int):
    """The point's ledger as .xlsx: every donation and allocation (donor phones never; anonymous donors as 匿名)."""
    if not request.user.has_perm(permissions.VIEW_ALLOCATION):
        raise PermissionDenied
    point = selectors.point_get(actor=request.user, pk=pk)
    form = DonationFilterForm({"point": point.pk}, actor=request.user)
    headers = [
        _("日期"),
        _("收支"),
        _("收据编号"),
        _("捐赠类型"),
        _("金额或估值（元）"),
        _("物资名称"),
        _("数量"),
        _("用途"),
        _("捐赠人或去向"),
        _("经办人或审批人"),
    ]
    rows = []
    for d in selectors.donation_search(actor=request.user, point=point).order_by("received_on", "sequence"):
        rows.append(
            [
                d.received_on,
                _("接收"),
                d.receipt_number,
                d.get_kind_display(),
                d.value,
                d.items,
                d.quantity,
                d.purpose or d.get_purpose_kind_display(),
                d.donor_display,
                d.handler,
            ]
        )
    for a in selectors.allocation_search(actor=request.user, point=point).order_by("allocated_on", "id"):
        rows.append(
            [
                a.allocated_on,
                _("拨付"),
                "",
                a.get_kind_display(),
                -a.value,
                a.items,
                a.quantity,
                a.purpose or a.get_purpose_kind_display(),
                a.public_target(),
                a.approver,
            ]
        )
    rows.sort(key=lambda row: row[0])
    return export_response(
        actor=request.user,
        title=_("慈善台账"),
        headers=headers,
        rows=rows,
        object_type="charity.charitypoint",
        form=form,
    )


def _donations(request):
    form = DonationFilterForm(request.GET, actor=request.user)
    return form, form.apply(selectors.donation_search(actor=request.user, **form.search_kwargs()))


@permission(permissions.VIEW_DONATION)
def donation_list(request):
    form, rows = _donations(request)
    context = page_context(request, rows)
    context.update(form=form, can_import=request.user.has_perm(permissions.ADD_DONATION))
    return render(request, "charity/donation_list.html", context)


@permission(permissions.VIEW_DONATION)
@require_POST
def donation_export(request):
    form, rows = _donations(request)
    refused = export_refused(request, rows, "charity:donations")
    if refused is not None:
        return refused
    headers = [
        _("收据编号"),
        _("接收日期"),
        _("捐赠站点"),
        _("捐赠类型"),
        _("金额（元）"),
        _("物资名称"),
        _("数量"),
        _("估值（元）"),
        _("捐赠人"),
        _("用途类型"),
        _("定向用途"),
        _("经办人"),
    ]
    data = [
        [
            d.receipt_number,
            d.received_on,
            d.point.station.name,
            d.get_kind_display(),
            d.amount,
            d.items,
            d.quantity,
            d.estimated_value,
            d.donor_display,
            d.get_purpose_kind_display(),
            d.purpose,
            d.handler,
        ]
        for d in rows.iterator(chunk_size=2000)
    ]
    return export_response(
        actor=request.user, title=_("捐赠"), headers=headers, rows=data, object_type="charity.donation", form=form
    )


@permission(permissions.ADD_DONATION)
def donation_create(request, pk: int):
    point = selectors.point_get(actor=request.user, pk=pk, perm=permissions.ADD_DONATION)
    form = DonationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            donation = services.donation_receive(actor=request.user, point=point, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已登记捐赠，收据编号 %(number)s。") % {"number": donation.receipt_number})
            return redirect("charity:receipt", pk=donation.pk)
    context = {"form": form, "point": point, "title": _("登记捐赠"), "testid": "donation-form"}
    return render(request, "charity/form.html", context)


@permission(permissions.VIEW_DONATION)
def receipt(request, pk: int):
    """The printable receipt (收据)."""
    donation = selectors.donation_get(actor=request.user, pk=pk)
    return render(request, "charity/receipt.html", {"donation": donation, "money": Kind.MONEY})


def _allocations(request):
    form = AllocationFilterForm(request.GET, actor=request.user)
    return form, form.apply(selectors.allocation_search(actor=request.user, **form.search_kwargs()))


@permission(permissions.VIEW_ALLOCATION)
def allocation_list(request):
    form, rows = _allocations(request)
    context = page_context(request, rows)
    context["form"] = form
    return render(request, "charity/allocation_list.html", context)


@permission(permissions.VIEW_ALLOCATION)
@require_POST
def allocation_export(request):
    form, rows = _allocations(request)
    refused = export_refused(request, rows, "charity:allocations")
    if refused is not None:
        return refused
    headers = [
        _("拨付日期"),
        _("捐赠站点"),
        _("捐赠类型"),
        _("金额（元）"),
        _("物资名称"),
        _("数量"),
        _("估值（元）"),
        _("用途"),
        _("去向"),
        _("审批人"),
    ]
    data = [
        [
            a.allocated_on,
            a.point.station.name,
            a.get_kind_display(),
            a.amount,
            a.items,
            a.quantity,
            a.estimated_value,
            a.purpose or a.get_purpose_kind_display(),
            a.public_target(),
            a.approver,
        ]
        for a in rows.iterator(chunk_size=2000)
    ]
    return export_response(
        actor=request.user, title=_("捐赠拨付"), headers=headers, rows=data, object_type="charity.allocation", form=form
    )


@permission(permissions.ADD_ALLOCATION)
def allocation_create(request, pk: int):
    point = selectors.point_get(actor=request.user, pk=pk, perm=permissions.ADD_ALLOCATION)
    form = AllocationForm(request.POST or None, actor=request.user, point=point)
    if request.method == "POST" and form.is_valid():
        try:
            services.allocation_make(actor=request.user, point=point, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已登记拨付。"))
            return redirect("charity:ledger", pk=point.pk)
    context = {"form": form, "point": point, "title": _("登记拨付"), "testid": "allocation-form"}
    return render(request, "charity/form.html", context)


@require_safe
def public_page(request, code: str):
    """The public summary of a point (no sign-in): totals, counts by purpose and the latest allocations, without any
    personal data. Rendered without the request, so it never depends on the visitor and a shared cache may keep it."""
    point = selectors.public_point(code)
    context = {"point": point, "summary": selectors.public_summary(point, timezone.localdate())}
    response = HttpResponse(render_to_string("charity/public.html", context))
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        patch_cache_control(response, private=True, max_age=PUBLIC_MAX_AGE)
    else:
        patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    return response
