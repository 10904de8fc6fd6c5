"""Pages of the recipients register. Thin: the permission first (403), the recipient through the data scope (404
outside it, and 404 for everyone once consent is withdrawn), a service for every write, selectors for every read."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shegong.accounts.forms import add_service_error
from shegong.core.listing import export_refused, export_response, page_context, permission
from shegong.core.masking import mask_id_number, mask_phone
from shegong.recipients import permissions, selectors, services
from shegong.recipients.forms import ConsentForm, RecipientFilterForm, RecipientForm, WithdrawForm


def _filtered(request):
    form = RecipientFilterForm(request.GET, actor=request.user)
    rows = form.apply(selectors.recipient_search(actor=request.user, **form.search_kwargs()))
    return form, rows


@permission(permissions.VIEW)
def recipient_list(request):
    form, rows = _filtered(request)
    context = page_context(request, selectors.with_categories(rows))
    context.update(
        form=form,
        can_add=request.user.has_perm(permissions.ADD),
        can_see_withdrawn=request.user.has_perm(permissions.VIEW_WITHDRAWN),
    )
    return render(request, "recipients/recipient_list.html", context)


@permission(permissions.VIEW)
@require_POST
def recipient_export(request):
    """The filtered list as .xlsx with ID number and phones masked; audited (who, which filters, how many)."""
    form, rows = _filtered(request)
    refused = export_refused(request, rows, "recipients:list")
    if refused is not None:
        return refused
    headers = [
        _("姓名"),
        _("身份证号"),
        _("性别"),
        _("出生日期"),
        _("联系电话"),
        _("所在村（社区）"),
        _("区划代码"),
        _("服务站点"),
        _("服务对象类别"),
        _("关注等级"),
        _("最近探访日期"),
        _("下次探访应在"),
        _("人户分离"),
        _("知情同意日期"),
    ]
    data = [
        [
            row.name,
            mask_id_number(row.id_number) if row.id_number else row.get_no_id_reason_display(),
            row.get_sex_display(),
            row.birth_date,
            mask_phone(row.phone) if row.phone else "",
            row.community.name,
            row.community_id,
            row.station.name if row.station else "",
            "、".join(link.category.name for link in row.category_links.all()),
            row.attention_level,
            row.last_visit_on,
            row.next_visit_due,
            _("是") if row.household_separated else _("否"),
            row.consent_given_on,
        ]
        for row in selectors.with_categories(rows).iterator(chunk_size=2000)
    ]
    return export_response(
        actor=request.user,
        title=_("服务对象"),
        headers=headers,
        rows=data,
        object_type="recipients.recipient",
        form=form,
    )


@permission(permissions.VIEW)
def recipient_detail(request, pk: int):
    recipient = selectors.recipient_get(actor=request.user, pk=pk)
    categories = [link.category for link in recipient.category_links.select_related("category")]
    can_change = (
        request.user.has_perm(permissions.CHANGE)
        and selectors.recipient_search(actor=request.user, perm=permissions.CHANGE).filter(pk=recipient.pk).exists()
    )
    return render(
        request,
        "recipients/recipient_detail.html",
        {"recipient": recipient, "categories": categories, "can_change": can_change},
    )


@permission(permissions.ADD)
def recipient_create(request):
    form = RecipientForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            recipient = services.recipient_create(actor=request.user, **form.service_values())
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已登记服务对象 %(name)s。") % {"name": recipient.name})
            return redirect("recipients:detail", pk=recipient.pk)
    return render(request, "recipients/recipient_form.html", {"form": form, "recipient": None})


@permission(permissions.CHANGE)
def recipient_edit(request, pk: int):
    recipient = selectors.recipient_get(actor=request.user, pk=pk, perm=permissions.CHANGE)
    form = RecipientForm(request.POST or None, actor=request.user, recipient=recipient)
    if request.method == "POST" and form.is_valid():
        try:
            services.recipient_update(actor=request.user, recipient=recipient, **form.service_values())
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("recipients:detail", pk=recipient.pk)
    return render(request, "recipients/recipient_form.html", {"form": form, "recipient": recipient})


@permission(permissions.CHANGE)
def recipient_consent(request, pk: int):
    recipient = selectors.recipient_get(actor=request.user, pk=pk, perm=permissions.CHANGE)
    form = ConsentForm(request.POST or None, recipient=recipient)
    if request.method == "POST" and form.is_valid():
        try:
            services.recipient_give_consent(actor=request.user, recipient=recipient, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已更新知情同意。"))
            return redirect("recipients:detail", pk=recipient.pk)
    context = {"form": form, "recipient": recipient, "title": _("更新知情同意"), "testid": "consent-form"}
    return render(request, "recipients/action_form.html", context)


@permission(permissions.CHANGE)
def recipient_withdraw(request, pk: int):
    recipient = selectors.recipient_get(actor=request.user, pk=pk, perm=permissions.CHANGE)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.recipient_withdraw_consent(actor=request.user, recipient=recipient, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已记录撤回同意：该服务对象不再出现在任何列表、搜索和导出中。"))
            return redirect("recipients:list")
    context = {
        "form": form,
        "recipient": recipient,
        "title": _("撤回知情同意"),
        "testid": "withdraw-form",
        "warning": _(
            "撤回后，该服务对象将从所有列表、搜索、导出和接口中隐藏，仅民政部门可在“已撤回同意”中查看法定留存记录。"
        ),
    }
    return render(request, "recipients/action_form.html", context)


@permission(permissions.VIEW_WITHDRAWN)
def withdrawn_list(request):
    context = page_context(request, selectors.withdrawn_list(actor=request.user))
    context["back"] = reverse("recipients:list")
    return render(request, "recipients/withdrawn_list.html", context)
