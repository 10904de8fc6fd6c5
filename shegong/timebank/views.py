"""Pages of the time bank: thin views over selectors (scoped reads) and services (audited writes)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shegong.accounts.forms import add_service_error
from shegong.core.listing import export_refused, export_response, page_context, permission
from shegong.timebank import permissions, selectors, services
from shegong.timebank.forms import (
    AccountChoiceForm,
    AccountFilterForm,
    CancelForm,
    DonateForm,
    FamilyForm,
    OfferFilterForm,
    OfferForm,
    OpenAccountForm,
    ReverseForm,
)
from shegong.timebank.models import Account


def _errors(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _account_filtered(request):
    form = AccountFilterForm(request.GET)
    return form, form.apply(selectors.accounts(request.user))


@permission(permissions.VIEW)
def account_list(request):
    form, rows = _account_filtered(request)
    context = page_context(request, rows)
    context.update(form=form, can_open=request.user.has_perm(permissions.ADD_ACCOUNT))
    return render(request, "timebank/account_list.html", context)


@permission(permissions.ADD_ACCOUNT)
def account_open(request):
    """开户: a keeper opens the account of a volunteer, a resident, a station or a station's pool in their scope."""
    form = OpenAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            owner = selectors.account_owner(**data)
            account = services.account_open(owner=owner, kind=data["kind"], actor=request.user)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("已为 %(name)s 开立时间银行账户。") % {"name": account.name})
            return redirect("timebank:account", account.pk)
    return render(request, "timebank/account_open.html", {"form": form})


@permission(permissions.VIEW)
@require_POST
def account_export(request):
    form, rows = _account_filtered(request)
    refused = export_refused(request, rows, "timebank:accounts")
    if refused is not None:
        return refused
    headers = [_("账户号"), _("户名"), _("账户类型"), _("所在地区"), _("余额（小时）"), _("开户日期")]
    data = ([a.pk, a.name, a.get_kind_display(), a.region.name, a.balance, a.opened_on] for a in rows.iterator())
    return export_response(
        actor=request.user,
        title=_("时间银行账户"),
        headers=headers,
        rows=data,
        object_type="timebank.account",
        form=form,
    )


def _detail(request, account: Account, template: str = "timebank/account_detail.html"):
    context = page_context(request, selectors.statement(account))
    context.update(
        account=account,
        acts_for=services.acts_for(request.user, account),
        can_reverse=request.user.has_perm(permissions.TRANSFER) and services.keeps(request.user, account),
        donate_form=DonateForm(),
        family_form=FamilyForm(),
        reverse_form=ReverseForm(),
    )
    return render(request, template, context)


@permission(permissions.VIEW)
def account_detail(request, pk: int):
    return _detail(request, selectors.account_get(request.user, pk))


@permission(permissions.VIEW)
def pool_detail(request, station_pk: int):
    return _detail(request, selectors.pool_get(request.user, station_pk))


def readable_account(request, pk: int) -> Account:
    """A volunteer reads their own account; anyone else needs the view permission (403) and the scope (404)."""
    own = selectors.my_account(request.user)
    if own is not None and own.pk == pk:
        return own
    if not request.user.has_perm(permissions.VIEW):
        raise PermissionDenied
    return selectors.account_get(request.user, pk)


@login_required
@require_POST
def statement_export(request, pk: int):
    """The account's statement as .xlsx; the owner or anyone who may view the account."""
    account = readable_account(request, pk)
    rows = selectors.statement(account)
    headers = [_("记账日期"), _("转账号"), _("类型"), _("摘要"), _("时数（小时）"), _("变动后余额")]
    data = (
        [
            m.transfer.occurred_on,
            m.transfer.pk,
            m.transfer.get_kind_display(),
            m.transfer.memo,
            m.amount,
            m.balance_after,
        ]
        for m in rows.iterator(chunk_size=2000)
    )
    return export_response(
        actor=request.user,
        title=_("时间银行对账单"),
        headers=headers,
        rows=data,
        object_type="timebank.movement",
        form=AccountFilterForm({"q": account.name}),
    )


@permission(permissions.VIEW_OFFER)
def my_timebank(request):
    account = selectors.my_account(request.user)
    if account is None:
        return render(request, "timebank/my_timebank.html", {"account": None})
    return _detail(request, account, "timebank/my_timebank.html")


def _acting_account(request, pk: int) -> Account:
    return get_object_or_404(selectors.acting_accounts(request.user), pk=pk)


@permission(permissions.VIEW_OFFER)
@require_POST
def donate(request, pk: int):
    account = _acting_account(request, pk)
    form = DonateForm(request.POST)
    station = account.station or (account.volunteer.station if account.volunteer else account.recipient.station)
    if form.is_valid() and station is not None:
        try:
            services.donate_to_pool(
                account=account,
                station=station,
                hours=form.cleaned_data["hours"],
                memo=form.cleaned_data["memo"],
                actor=request.user,
            )
            messages.success(request, _("已捐入%(station)s互助池。") % {"station": station.name})
        except ValidationError as error:
            _errors(request, error)
    else:
        messages.error(request, _("请填写有效的时数；该账户须有所属站点。"))
    return redirect(request.POST.get("next") or "timebank:my")


@permission(permissions.VIEW_OFFER)
@require_POST
def family(request, pk: int):
    account = _acting_account(request, pk)
    form = FamilyForm(request.POST)
    if form.is_valid():
        target = selectors.family_target(account, form.cleaned_data["target"])
        if target is None:
            messages.error(request, _("没有这个个人账户。"))
        else:
            try:
                services.family_transfer(
                    source=account,
                    target=target,
                    hours=form.cleaned_data["hours"],
                    relation=form.cleaned_data["relation"],
                    actor=request.user,
                )
                messages.success(request, _("已转给家庭成员。"))
            except ValidationError as error:
                _errors(request, error)
    else:
        messages.error(request, _("请完整填写对方账户号、家庭关系和时数。"))
    return redirect(request.POST.get("next") or "timebank:my")


@permission(permissions.TRANSFER)
@require_POST
def reverse_transfer(request, pk: int):
    transfer = selectors.transfer_get(request.user, pk)
    form = ReverseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("冲正必须说明原因。"))
    else:
        try:
            services.reverse(transfer=transfer, reason=form.cleaned_data["reason"], actor=request.user)
            messages.success(request, _("已冲正。"))
        except ValidationError as error:
            _errors(request, error)
    return redirect(request.POST.get("next") or "timebank:accounts")


# --- Offers and requests ----------------------------------------------------------------------------------------------


@permission(permissions.VIEW_OFFER)
def offer_board(request):
    form = OfferFilterForm(request.GET)
    context = page_context(request, form.apply(selectors.offers(request.user)))
    context.update(form=form, can_add=request.user.has_perm(permissions.ADD_OFFER))
    return render(request, "timebank/offer_board.html", context)


@permission(permissions.ADD_OFFER)
def offer_create(request):
    accounts = selectors.acting_accounts(request.user)
    form = OfferForm(request.POST or None, accounts=accounts)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            offer = services.offer_post(
                account=data["account"],
                kind=data["kind"],
                category=data["category"],
                title=data["title"],
                hours=data["hours"],
                description=data["description"],
                actor=request.user,
            )
            messages.success(request, _("已发布。"))
            return redirect("timebank:offer", offer.pk)
        except ValidationError as error:
            form.add_error(None, error)
    return render(request, "timebank/offer_form.html", {"form": form})


@permission(permissions.VIEW_OFFER)
def offer_detail(request, pk: int):
    offer = selectors.offer_get(request.user, pk)
    accounts = selectors.acting_accounts(request.user).exclude(pk=offer.poster_id)
    sides = [a for a in (offer.poster, offer.responder) if a is not None]
    context = {
        "offer": offer,
        "respond_form": AccountChoiceForm(accounts=accounts) if request.user.has_perm(permissions.ADD_OFFER) else None,
        "can_confirm": offer.status == offer.Status.MATCHED and any(services.acts_for(request.user, a) for a in sides),
        "cancel_form": CancelForm()
        if offer.status in (offer.Status.OPEN, offer.Status.MATCHED) and services.acts_for(request.user, offer.poster)
        else None,
    }
    return render(request, "timebank/offer_detail.html", context)


@permission(permissions.ADD_OFFER)
@require_POST
def offer_respond(request, pk: int):
    offer = selectors.offer_get(request.user, pk)
    form = AccountChoiceForm(request.POST, accounts=selectors.acting_accounts(request.user))
    if form.is_valid():
        try:
            services.offer_respond(offer=offer, account=form.cleaned_data["account"], actor=request.user)
            messages.success(request, _("已响应，等待双方完成服务后确认。"))
        except ValidationError as error:
            _errors(request, error)
    else:
        messages.error(request, _("请选择账户。"))
    return redirect("timebank:offer", offer.pk)


@permission(permissions.VIEW_OFFER)
@require_POST
def offer_confirm(request, pk: int):
    offer = selectors.offer_get(request.user, pk)
    try:
        offer = services.offer_confirm(offer=offer, actor=request.user)
        if offer.status == offer.Status.DONE:
            messages.success(request, _("双方均已确认，时数已转入。"))
        else:
            messages.success(request, _("已确认，等待对方确认。"))
    except ValidationError as error:
        _errors(request, error)
    return redirect("timebank:offer", offer.pk)


@permission(permissions.VIEW_OFFER)
@require_POST
def offer_cancel(request, pk: int):
    """The poster (or a keeper of the poster's account) withdraws an offer that is not done, with a reason."""
    offer = selectors.offer_get(request.user, pk)
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("取消必须说明原因。"))
    else:
        try:
            services.offer_cancel(offer=offer, reason=form.cleaned_data["reason"], actor=request.user)
            messages.success(request, _("已取消。"))
        except ValidationError as error:
            _errors(request, error)
    return redirect("timebank:offer", offer.pk)


@permission(permissions.VIEW_OFFER)
@require_POST
def my_open(request):
    """A volunteer opens their own account (their registration, linked to their login, is the owner)."""
    volunteer = getattr(request.user, "volunteer", None)
    if volunteer is None:
        raise PermissionDenied
    if selectors.my_account(request.user) is None:
        services.account_open(owner=volunteer, kind=Account.Kind.VOLUNTEER, actor=request.user)
        messages.success(request, _("已开通时间银行账户。"))
    return redirect("timebank:my")
