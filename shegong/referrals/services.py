"""Every write of referrals: atomic, validated, the referral row-locked while it moves, one event row, one audit row and
the other side's inbox alert in the same transaction."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.audit.models import AuditEntry
from shegong.audit.services import diff, record, snapshot
from shegong.core.scope import scoped
from shegong.inbox.models import Notification
from shegong.inbox.services import notify
from shegong.recipients.models import ConsentScope, Recipient
from shegong.referrals import permissions, selectors
from shegong.referrals.models import DEPARTMENT_DICTIONARY, Referral, ReferralEvent

State = Referral.State
NO_CONSENT = "no_referral_consent"
RECIPIENTS_VIEW = "recipients.view_recipient"
CASES_VIEW = "casework.view_case"


def sender_stations(actor):
    """The stations `actor` may refer from: those their add_referral covers, and those they work at today."""
    from shegong.stations.models import StaffAssignment, Station
    from shegong.stations.rules import current_q

    rows = Station.objects.exclude(status=Station.Status.REVOKED)
    if actor is None:
        return rows
    q = Q(pk__in=scoped(Station, actor, permissions.ADD).values("pk"))
    if getattr(actor, "is_authenticated", False):
        working = StaffAssignment.objects.filter(worker__account=actor).filter(current_q(timezone.localdate()))
        q |= Q(pk__in=working.values("station_id"))
    return rows.filter(q)


def receivers(referral: Referral) -> list:
    """The receiving side's accounts to alert: a station's heads, an agency's admins (answer_referral on it)."""
    from shegong.stations.selectors import heads_of

    if referral.to_station_id:
        return heads_of(referral.to_station)
    if referral.to_agency_id:
        app_label, codename = permissions.ANSWER.split(".")
        return list(
            get_user_model()
            .objects.filter(
                is_active=True,
                assignments__agency=referral.to_agency_id,
                assignments__role__permissions__content_type__app_label=app_label,
                assignments__role__permissions__codename=codename,
            )
            .distinct()
            .order_by("pk")
        )
    return []


def senders(referral: Referral) -> list:
    from shegong.stations.selectors import heads_of

    return [referral.made_by, *heads_of(referral.from_station)]


def _alert(referral: Referral, users, actor, title: str) -> None:
    notify(
        users=[user for user in users if user is not None and (actor is None or user.pk != actor.pk)],
        kind=Notification.Kind.REFERRAL,
        title=title,
        body=f"{referral.recipient.name} · {referral.from_station.name} → {referral.target_name}",
        url=reverse("referrals:detail", args=[referral.pk]),
        subject=f"referrals.referral:{referral.pk}:{referral.state}",
    )


def _require(actor, perm: str) -> None:
    if actor is not None and not actor.has_perm(perm):
        raise PermissionDenied(_("您没有执行此操作的权限。"))


def _check_recipient(actor, recipient, case):
    from shegong.casework.models import Case

    errors = {}
    if case is not None:
        cases = Case.objects.all() if actor is None else scoped(Case, actor, CASES_VIEW)
        if not cases.filter(pk=case.pk).exists():
            raise ValidationError({"case": _("该个案不在您的管辖范围内。")}, code="outside_scope")
        if recipient is None:
            recipient = case.recipient
        elif recipient.pk != case.recipient_id:
            errors["case"] = ValidationError(_("个案的服务对象与所选服务对象不一致。"), code="case_mismatch")
    if recipient is None:
        raise ValidationError({"recipient": _("请选择服务对象。")}, code="required")
    people = Recipient.objects.all() if actor is None else scoped(Recipient, actor, RECIPIENTS_VIEW)
    recipient = people.filter(pk=recipient.pk).select_related("community").first()
    if recipient is None:
        raise ValidationError(
            {"recipient": _("该服务对象不在您的管辖范围内，或已撤回知情同意。")}, code="outside_scope"
        )
    if ConsentScope.REFERRAL_SHARING not in (recipient.consent_scopes or []):
        errors["recipient"] = ValidationError(
            _("该服务对象的知情同意不包含“信息共享（转介）”，不能转介。请先取得其同意并更新知情同意范围。"),
            code=NO_CONSENT,
        )
    if errors:
        raise ValidationError(errors)
    return recipient


@transaction.atomic
def referral_create(
    *,
    actor,
    recipient=None,
    case=None,
    from_station,
    to_station=None,
    to_agency=None,
    to_department=None,
    to_unit: str = "",
    to_contact: str = "",
    reason: str,
    needs_summary: str,
) -> Referral:
    """Refer a recipient (and optionally their case) to exactly one station, agency or department."""
    _require(actor, permissions.ADD)
    recipient = _check_recipient(actor, recipient, case)
    errors = {}
    if from_station is None or not sender_stations(actor).filter(pk=from_station.pk).exists():
        errors["from_station"] = ValidationError(_("请选择您所在或管辖的转出站点。"), code="outside_scope")
    targets = [t for t in (to_station, to_agency, to_department) if t is not None]
    if len(targets) != 1:
        errors["to_station"] = ValidationError(
            _("请在站点、社工机构、部门中选择且只选择一个接收方。"), code="one_target"
        )
    if to_station is not None and from_station is not None and to_station.pk == from_station.pk:
        errors["to_station"] = ValidationError(_("不能转介给本站点。"), code="same_station")
    if to_department is not None and (
        to_department.dictionary.code != DEPARTMENT_DICTIONARY or not to_department.is_active
    ):
        errors["to_department"] = ValidationError(_("接收部门不在字典 referral_department 中，或已停用。"))
    if not (reason or "").strip():
        errors["reason"] = ValidationError(_("请填写转介原因。"), code="required")
    if not (needs_summary or "").strip():
        errors["needs_summary"] = ValidationError(_("请填写需求摘要。"), code="required")
    if errors:
        raise ValidationError(errors)
    referral = Referral(
        recipient=recipient,
        case=case,
        region=recipient.community,
        province_code=recipient.community_id[:2],
        from_station=from_station,
        agency=from_station.agency,
        to_station=to_station,
        to_agency=to_agency,
        to_department=to_department,
        to_unit=(to_unit or "").strip(),
        to_contact=(to_contact or "").strip(),
        reason=reason.strip(),
        needs_summary=needs_summary.strip(),
        made_by=actor,
    )
    referral.full_clean()
    referral.save()
    ReferralEvent.objects.create(referral=referral, from_state="", to_state=referral.state, note="", actor=actor)
    record(actor=actor, action=AuditEntry.Action.CREATE, obj=referral, changes=diff({}, snapshot(referral)))
    _alert(referral, receivers(referral), actor, _("新转介：%(name)s") % {"name": recipient.name})
    return referral


TITLES = {
    State.ACCEPTED: gettext_lazy("转介已被接收：%(name)s"),
    State.REJECTED: gettext_lazy("转介被拒绝：%(name)s"),
    State.DONE: gettext_lazy("转介已完成：%(name)s"),
    State.REVOKED: gettext_lazy("转介已撤回：%(name)s"),
}


@transaction.atomic
def referral_move(*, actor, referral: Referral, to_state: str, note: str = "") -> Referral:
    """Move a referral along Referral.MOVES: accept / reject (reason) / complete by the receiving side (for a
    department, recorded by the sender), revoke (reason) by the sender."""
    rows = Referral.objects.all() if actor is None else selectors.visible(actor)
    locked = rows.select_for_update(of=("self",)).filter(pk=referral.pk).first()
    if locked is None:
        raise PermissionDenied(_("该转介不在您的管辖范围内。"))
    referral = Referral.objects.select_related(*selectors.RELATED).get(pk=locked.pk)
    note = (note or "").strip()
    if to_state not in Referral.MOVES.get(referral.state, ()):
        raise ValidationError(
            {
                "to_state": ValidationError(
                    _("转介当前为“%(state)s”，不能改为“%(target)s”。")
                    % {"state": referral.get_state_display(), "target": dict(State.choices).get(to_state, to_state)},
                    code="invalid_move",
                )
            }
        )
    if actor is not None and to_state not in selectors.allowed_moves(actor, referral):
        if to_state == State.REVOKED:
            raise PermissionDenied(_("只有转出方可以撤回转介。"))
        raise PermissionDenied(_("只有接收方可以答复转介。"))
    if to_state in (State.REJECTED, State.REVOKED) and not note:
        field = "note"
        message = _("拒绝转介须填写原因。") if to_state == State.REJECTED else _("撤回转介须填写原因。")
        raise ValidationError({field: ValidationError(message, code="reason_required")})
    before = snapshot(referral)
    now = timezone.now()
    from_state = referral.state
    referral.state = to_state
    if to_state == State.ACCEPTED:
        referral.answered_at = now
        referral.answer_note = note
    elif to_state == State.REJECTED:
        referral.answered_at = now
        referral.reject_reason = note[:500]
    elif to_state == State.DONE:
        referral.done_at = now
        referral.outcome = note
    elif to_state == State.REVOKED:
        referral.revoked_at = now
        referral.revoke_reason = note[:500]
    referral.full_clean()
    referral.save()
    ReferralEvent.objects.create(referral=referral, from_state=from_state, to_state=to_state, note=note, actor=actor)
    record(
        actor=actor,
        action=AuditEntry.Action.TRANSITION,
        obj=referral,
        changes=diff(before, snapshot(referral)),
        note=f"{from_state} → {to_state}",
    )
    other_side = receivers(referral) if to_state == State.REVOKED else senders(referral)
    _alert(referral, other_side, actor, str(TITLES[to_state]) % {"name": referral.recipient.name})
    return referral
