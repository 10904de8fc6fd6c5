"""Pages of referrals. Thin: the permission first (403), the referral through either side's scope (404 outside both),
a service for every write, selectors for every read."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shegong.accounts.forms import add_service_error
from shegong.core.listing import export_refused, export_response, page_context, permission
from shegong.core.masking import mask_generic
from shegong.core.scope import get_scoped_or_404
from shegong.referrals import permissions, selectors, services
from shegong.referrals.forms import MoveForm, ReferralFilterForm, ReferralForm
from shegong.referrals.models import Referral

OUTGOING, INCOMING = "outgoing", "incoming"


def any_permission(*perms: str):
    """Signed in (else the login page), then any of `perms` (else 403)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not any(request.user.has_perm(perm) for perm in perms):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorator


def _rows(request, direction: str):
    form = ReferralFilterForm(request.GET, actor=request.user)
    if direction == INCOMING:
        base = selectors.incoming(request.user, permissions.VIEW) | selectors.incoming(request.user, permissions.ANSWER)
    else:
        base = selectors.outgoing(request.user, permissions.VIEW)
    return form, form.apply(base.distinct())


def _list(request, direction: str):
    form, rows = _rows(request, direction)
    context = page_context(request, rows)
    context.update(
        form=form,
        direction=direction,
        can_add=request.user.has_perm(permissions.ADD),
        export_url="referrals:incoming_export" if direction == INCOMING else "referrals:export",
        list_url="referrals:incoming" if direction == INCOMING else "referrals:list",
    )
    return render(request, "referrals/referral_list.html", context)


@any_permission(permissions.VIEW, permissions.ADD)
def referral_list(request):
    return _list(request, OUTGOING)


@any_permission(permissions.VIEW, permissions.ANSWER)
def incoming_list(request):
    return _list(request, INCOMING)


def _export(request, direction: str):
    form, rows = _rows(request, direction)
    refused = export_refused(request, rows, "referrals:incoming" if direction == INCOMING else "referrals:list")
    if refused is not None:
        return refused
    headers = [
        _("编号"),
        _("转介时间"),
        _("服务对象"),
        _("所在村（社区）"),
        _("转出站点"),
        _("接收方类型"),
        _("接收方"),
        _("联系人及电话"),
        _("状态"),
        _("转介原因"),
        _("答复时间"),
        _("完成时间"),
        _("撤回时间"),
    ]
    data = [
        [
            row.pk,
            row.created_at.replace(tzinfo=None),
            row.recipient.name,
            row.region.name,
            row.from_station.name,
            row.target_kind_label,
            row.target_name,
            mask_generic(row.to_contact) if row.to_contact else "",
            row.get_state_display(),
            row.reason,
            row.answered_at.replace(tzinfo=None) if row.answered_at else None,
            row.done_at.replace(tzinfo=None) if row.done_at else None,
            row.revoked_at.replace(tzinfo=None) if row.revoked_at else None,
        ]
        for row in rows.iterator(chunk_size=2000)
    ]
    return export_response(
        actor=request.user,
        title=_("转入转介") if direction == INCOMING else _("转介"),
        headers=headers,
        rows=data,
        object_type="referrals.referral",
        form=form,
    )


@any_permission(permissions.VIEW, permissions.ADD)
@require_POST
def referral_export(request):
    """The filtered outgoing list as .xlsx (the receiving unit's contact masked); audited."""
    return _export(request, OUTGOING)


@any_permission(permissions.VIEW, permissions.ANSWER)
@require_POST
def incoming_export(request):
    return _export(request, INCOMING)


@any_permission(permissions.VIEW, permissions.ADD, permissions.ANSWER)
def referral_detail(request, pk: int):
    referral = selectors.referral_get(actor=request.user, pk=pk)
    moves = selectors.allowed_moves(request.user, referral)
    context = {
        "referral": referral,
        "events": selectors.timeline(referral),
        "moves": [(move, Referral.State(move).label) for move in moves],
        "recipient_link": selectors.may_open_recipient(request.user, referral),
        "case_link": selectors.may_open_case(request.user, referral),
    }
    return render(request, "referrals/referral_detail.html", context)


@permission(permissions.ADD)
def referral_create(request):
    case = None
    if request.GET.get("case"):
        from shegong.casework.models import Case

        try:
            case_pk = int(request.GET["case"])
        except ValueError:
            raise Http404 from None
        case = get_scoped_or_404(
            Case.objects.select_related("recipient"), request.user, "casework.view_case", pk=case_pk
        )
    initial = {}
    if case is None and request.GET.get("recipient", "").isdigit():
        initial["recipient"] = int(request.GET["recipient"])
    form = ReferralForm(request.POST or None, actor=request.user, case=case, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            referral = services.referral_create(actor=request.user, **form.service_values())
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已转介至 %(target)s。") % {"target": referral.target_name})
            return redirect("referrals:detail", pk=referral.pk)
    return render(request, "referrals/referral_form.html", {"form": form, "case": case})


@any_permission(permissions.ADD, permissions.ANSWER)
def referral_move(request, pk: int, to_state: str):
    referral = selectors.referral_get(actor=request.user, pk=pk)
    if to_state not in Referral.State.values:
        raise Http404
    if to_state not in selectors.allowed_moves(request.user, referral):
        raise PermissionDenied
    form = MoveForm(request.POST or None, to_state=to_state)
    if request.method == "POST" and form.is_valid():
        try:
            services.referral_move(actor=request.user, referral=referral, to_state=to_state, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
            return redirect("referrals:detail", pk=referral.pk)
        else:
            messages.success(request, _("转介已改为“%(state)s”。") % {"state": Referral.State(to_state).label})
            return redirect("referrals:detail", pk=referral.pk)
    context = {"form": form, "referral": referral, "title": Referral.State(to_state).label, "to_state": to_state}
    return render(request, "referrals/move_form.html", context)
