"""Every write to the time bank: atomic, permission and scope checked, audited in the same transaction.

`post_transfer` is the only function that writes movements or balances. It locks every account of the transfer
(in primary-key order, so two transfers never deadlock), checks the legs sum to zero and the limits of the policy
profile, writes the transfer and its movements, and moves each cached balance under the lock. Two spends of the same
hours at once therefore serialise on the paying account's row: the second sees the first's balance and is refused.

Limits (shegong/policies/kinds/timebank.py):
- a member's account (volunteer, resident): a debit may not take it below −overdraft (default 0), a credit may not take
  it above the maximum balance (default: none);
- a station's pool: never below 0;
- an organisation's own account (station, agency) has no limits: it issues the opening grants.
A refused transfer leaves no trace (the whole transaction rolls back).
"""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.audit.models import AuditEntry
from shegong.audit.services import record
from shegong.core.scope import scoped
from shegong.policies.kinds.timebank import (
    TIMEBANK_BALANCE_LIMITS,
    TIMEBANK_FAMILY_TRANSFER,
    TIMEBANK_POOL_DONATION,
)
from shegong.policies.selectors import rules_in_force
from shegong.timebank import permissions
from shegong.timebank.models import Account, Movement, Offer, Transfer

HOUR_STEP = Decimal("0.01")
MAX_HOURS = Decimal("1000")


def field_error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _require(actor, perm: str) -> None:
    if actor is not None and not actor.has_perm(perm):
        raise PermissionDenied(_("您没有执行此操作的权限。"))


def owns(actor, account: Account) -> bool:
    return (
        actor is not None
        and account.kind == Account.Kind.VOLUNTEER
        and account.volunteer is not None
        and account.volunteer.account_id == actor.pk
    )


def keeps(actor, account: Account) -> bool:
    """The actor keeps the account: a station head or agency admin whose scope reaches it."""
    return (
        actor is not None
        and actor.has_perm(permissions.TRANSFER)
        and scoped(Account, actor, permissions.TRANSFER).filter(pk=account.pk).exists()
    )


def acts_for(actor, account: Account) -> bool:
    return actor is None or owns(actor, account) or keeps(actor, account)


def _require_acts_for(actor, account: Account) -> None:
    if not acts_for(actor, account):
        raise PermissionDenied(_("您不能代表该账户操作。"))


def _clean_hours(hours, field: str = "hours") -> Decimal:
    try:
        value = Decimal(str(hours))
    except (ArithmeticError, ValueError):
        raise field_error(field, _("请输入有效的小时数。"), "invalid_hours") from None
    if not value.is_finite() or value <= 0 or value > MAX_HOURS or value != value.quantize(HOUR_STEP):
        raise field_error(field, _("小时数须大于 0、不超过 1000，最多两位小数。"), "invalid_hours")
    return value


# --- Limits ----------------------------------------------------------------------------------------------------------


def _params(rules: dict, kind) -> dict | None:
    rule = rules.get(kind.code)
    return kind.typed_params(rule.params) if rule is not None else None


def balance_limits(account: Account, on: datetime.date) -> tuple[Decimal | None, Decimal | None]:
    """(minimum, maximum) balance of the account on the date; None means unbounded."""
    if account.kind in (Account.Kind.STATION, Account.Kind.AGENCY):
        return None, None
    if account.kind == Account.Kind.POOL:
        return Decimal(0), None
    params = _params(rules_in_force(account.region_id, on), TIMEBANK_BALANCE_LIMITS)
    if params is None:
        return Decimal(0), None
    return -(params["overdraft_hours"] or Decimal(0)), params.get("maximum_balance")


def _check_limits(account: Account, amount: Decimal, new_balance: Decimal, on: datetime.date) -> None:
    minimum, maximum = balance_limits(account, on)
    if amount < 0 and minimum is not None and new_balance < minimum:
        raise field_error(
            "hours",
            _("%(name)s 的余额不足：转出后为 %(after)s 小时，不得低于 %(minimum)s 小时。")
            % {"name": account.name, "after": new_balance, "minimum": minimum},
            "insufficient_balance",
        )
    if amount > 0 and maximum is not None and new_balance > maximum:
        raise field_error(
            "hours",
            _("%(name)s 的余额将达 %(after)s 小时，超过上限 %(maximum)s 小时。")
            % {"name": account.name, "after": new_balance, "maximum": maximum},
            "balance_above_maximum",
        )


# --- The ledger ------------------------------------------------------------------------------------------------------


@transaction.atomic
def post_transfer(
    *,
    kind: str,
    legs: list[tuple[Account, Decimal]],
    occurred_on: datetime.date | None = None,
    memo: str = "",
    actor,
    exchange: Offer | None = None,
    reversal_of: Transfer | None = None,
) -> Transfer:
    """Book one transfer: the legs (account, signed hours) must be two or more, on distinct accounts, non-zero, and
    sum to zero."""
    if len(legs) < 2:
        raise ValidationError(_("一笔转账至少有两条分录。"), code="too_few_legs")
    if len({account.pk for account, _amount in legs}) != len(legs):
        raise ValidationError(_("同一账户在一笔转账中只能出现一次。"), code="duplicate_account")
    amounts = [Decimal(amount) for _account, amount in legs]
    if any(amount == 0 for amount in amounts):
        raise ValidationError(_("分录金额不能为零。"), code="zero_leg")
    if sum(amounts) != 0:
        raise ValidationError(_("借贷不平衡：一笔转账的分录合计必须为零。"), code="unbalanced")
    occurred_on = occurred_on or timezone.localdate()
    locked = {
        a.pk: a for a in Account.objects.select_for_update().filter(pk__in=[a.pk for a, _x in legs]).order_by("pk")
    }
    transfer = Transfer(
        kind=kind, memo=memo, occurred_on=occurred_on, exchange=exchange, reversal_of=reversal_of, created_by=actor
    )
    transfer.full_clean()
    transfer.save()
    movements = []
    for (account, _amount), amount in sorted(zip(legs, amounts, strict=True), key=lambda leg: leg[0][0].pk):
        current = locked[account.pk]
        new_balance = current.balance + amount
        _check_limits(current, amount, new_balance, occurred_on)
        current.balance = new_balance
        current.save(update_fields=["balance"])
        account.balance = new_balance
        movements.append(Movement(transfer=transfer, account=current, amount=amount, balance_after=new_balance))
    for movement in movements:
        # One insert per leg (not bulk_create): the analytics aggregates count each movement from its save signal.
        movement.save(force_insert=True)
    record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=transfer,
        changes={"movements": [[m.account_id, str(m.amount)] for m in movements], "kind": [None, kind]},
        note=memo,
    )
    return transfer


@transaction.atomic
def account_open(*, owner, kind: str, actor, opened_on: datetime.date | None = None) -> Account:
    """Open the account of a volunteer, a resident (recipient), a station, an agency, or a station's pool."""
    own_volunteer = actor is not None and kind == Account.Kind.VOLUNTEER and owner.account_id == actor.pk
    if not own_volunteer:
        _require(actor, permissions.ADD_ACCOUNT)
    account = Account(kind=kind, opened_on=opened_on or timezone.localdate())
    if kind == Account.Kind.VOLUNTEER:
        account.volunteer, account.region_id, account.name = owner, owner.region_id, owner.name
    elif kind == Account.Kind.RESIDENT:
        account.recipient, account.region_id, account.name = owner, owner.community_id, owner.name
    elif kind in (Account.Kind.STATION, Account.Kind.POOL):
        account.station, account.region_id = owner, owner.region_id
        account.name = owner.name if kind == Account.Kind.STATION else _("%(station)s互助池") % {"station": owner.name}
    elif kind == Account.Kind.AGENCY:
        account.agency, account.region_id, account.name = owner, owner.region_id, owner.name
    else:
        raise field_error("kind", _("未知的账户类型。"), "invalid_kind")
    owner_field = {"volunteer": "volunteer", "resident": "recipient", "agency": "agency"}.get(kind, "station")
    existing = Account.objects.filter(**{owner_field: owner})
    if kind in (Account.Kind.STATION, Account.Kind.POOL):
        existing = existing.filter(kind=kind)
    if existing.exists():
        raise field_error("kind", _("%(name)s 已开立此类时间银行账户。") % {"name": account.name}, "already_open")
    account.province_code = str(account.region_id)[:2]
    account.full_clean()
    account.save()
    if actor is not None and not acts_for(actor, account):
        raise ValidationError(_("该成员不在您的管辖范围内。"), code="outside_scope")
    record(actor=actor, action=AuditEntry.Action.CREATE, obj=account)
    return account


@transaction.atomic
def pool_of(station, *, actor=None) -> Account:
    """The station's pool, opened on first use (under the station's row lock: two first donations open it once)."""
    from shegong.stations.models import Station

    Station.objects.select_for_update().filter(pk=station.pk).first()
    pool = Account.objects.filter(station=station, kind=Account.Kind.POOL).first()
    return pool or account_open(owner=station, kind=Account.Kind.POOL, actor=actor)


@transaction.atomic
def grant(*, issuer: Account, account: Account, hours, memo: str = "", actor, occurred_on=None) -> Transfer:
    """An opening grant (开户赠送) from an organisation's own account, by its keeper."""
    hours = _clean_hours(hours)
    if issuer.kind not in (Account.Kind.STATION, Account.Kind.AGENCY):
        raise field_error("issuer", _("只有站点或机构账户可以赠送时数。"), "invalid_issuer")
    if actor is not None and not keeps(actor, issuer):
        raise PermissionDenied(_("您不能代表该账户操作。"))
    return post_transfer(
        kind=Transfer.Kind.GRANT,
        legs=[(issuer, -hours), (account, hours)],
        memo=memo or _("开户赠送"),
        actor=actor,
        occurred_on=occurred_on,
    )


@transaction.atomic
def donate_to_pool(*, account: Account, station, hours, memo: str = "", actor, occurred_on=None) -> Transfer:
    """A member gives hours to a station's pool (互助池), if the policy profile allows it (default: allowed)."""
    hours = _clean_hours(hours)
    _require_acts_for(actor, account)
    if not account.is_personal:
        raise field_error("account", _("只有个人账户可以捐入互助池。"), "not_personal")
    on = occurred_on or timezone.localdate()
    params = _params(rules_in_force(account.region_id, on), TIMEBANK_POOL_DONATION)
    if params is not None and not params["allowed"]:
        raise field_error("hours", _("本地政策规则不允许捐入互助池。"), "donation_not_allowed")
    pool = pool_of(station, actor=None)
    return post_transfer(
        kind=Transfer.Kind.DONATION,
        legs=[(account, -hours), (pool, hours)],
        memo=memo or _("捐入互助池"),
        actor=actor,
        occurred_on=on,
    )


def family_total(account: Account, year: int) -> Decimal:
    """Hours the account gave to family members in the year (reversed transfers excluded)."""
    total = Movement.objects.filter(
        account=account,
        amount__lt=0,
        transfer__kind=Transfer.Kind.FAMILY,
        transfer__occurred_on__year=year,
        transfer__reversed_by__isnull=True,
    ).aggregate(total=Sum("amount"))["total"]
    return -Decimal(total or 0).quantize(HOUR_STEP)  # SQLite sums decimals as floats


@transaction.atomic
def family_transfer(*, source: Account, target: Account, hours, relation: str, actor, occurred_on=None) -> Transfer:
    """Hours to a family member, if the policy profile allows it (default: not allowed), up to a yearly maximum."""
    hours = _clean_hours(hours)
    _require_acts_for(actor, source)
    relation = (relation or "").strip()
    if not relation:
        raise field_error("relation", _("请填写与对方的家庭关系。"), "relation_required")
    if not (source.is_personal and target.is_personal) or source.pk == target.pk:
        raise field_error("target", _("只能在两个不同的个人账户之间转给家庭成员。"), "not_personal")
    on = occurred_on or timezone.localdate()
    # Lock the source first so two family transfers of one member count the yearly total one after the other.
    Account.objects.select_for_update().filter(pk=source.pk).get()
    params = _params(rules_in_force(source.region_id, on), TIMEBANK_FAMILY_TRANSFER)
    if params is None or not params["allowed"]:
        raise field_error("target", _("本地政策规则不允许转给家庭成员。"), "family_not_allowed")
    maximum = params.get("yearly_maximum_hours")
    if maximum is not None and family_total(source, on.year) + hours > maximum:
        raise field_error(
            "hours",
            _("本年转给家庭成员的时数将超过上限 %(maximum)s 小时。") % {"maximum": maximum},
            "family_yearly_maximum",
        )
    return post_transfer(
        kind=Transfer.Kind.FAMILY,
        legs=[(source, -hours), (target, hours)],
        memo=_("转给家庭成员（%(relation)s）") % {"relation": relation},
        actor=actor,
        occurred_on=on,
    )


@transaction.atomic
def reverse(*, transfer: Transfer, reason: str, actor, occurred_on=None) -> Transfer:
    """Undo a mistaken transfer by a new transfer with every leg negated; by a keeper of all its accounts, with a
    reason. A transfer is reversed at most once (a one-to-one key) and a reversal is not itself reversed."""
    _require(actor, permissions.TRANSFER)
    reason = (reason or "").strip()
    if not reason:
        raise field_error("reason", _("冲正必须说明原因。"), "reason_required")
    transfer = Transfer.objects.select_for_update().get(pk=transfer.pk)
    if transfer.kind == Transfer.Kind.REVERSAL:
        raise ValidationError(_("冲正记录不能再冲正。"), code="reversal_of_reversal")
    if Transfer.objects.filter(reversal_of=transfer).exists():
        raise ValidationError(_("这笔转账已经冲正过。"), code="already_reversed")
    legs = [(m.account, -m.amount) for m in transfer.movements.select_related("account")]
    if actor is not None and not all(keeps(actor, account) for account, _amount in legs):
        raise PermissionDenied(_("这笔转账涉及您管辖范围以外的账户。"))
    return post_transfer(
        kind=Transfer.Kind.REVERSAL,
        legs=legs,
        memo=_("冲正 #%(pk)s：%(reason)s") % {"pk": transfer.pk, "reason": reason},
        actor=actor,
        reversal_of=transfer,
        occurred_on=occurred_on,
    )


# --- Offers and requests ---------------------------------------------------------------------------------------------


@transaction.atomic
def offer_post(*, account: Account, kind: str, category: str, title: str, hours, description: str = "", actor) -> Offer:
    _require(actor, permissions.ADD_OFFER)
    _require_acts_for(actor, account)
    offer = Offer(
        kind=kind,
        category=category,
        title=(title or "").strip(),
        description=description,
        hours=_clean_hours(hours),
        poster=account,
        region_id=account.region_id,
        province_code=account.province_code,
        created_by=actor,
    )
    offer.full_clean()
    offer.save()
    record(actor=actor, action=AuditEntry.Action.CREATE, obj=offer)
    return offer


@transaction.atomic
def offer_respond(*, offer: Offer, account: Account, actor) -> Offer:
    _require(actor, permissions.ADD_OFFER)
    _require_acts_for(actor, account)
    offer = Offer.objects.select_for_update().get(pk=offer.pk)
    if offer.status != Offer.Status.OPEN:
        raise ValidationError(_("该供需已有人响应或已结束。"), code="not_open")
    if account.pk == offer.poster_id:
        raise field_error("account", _("不能响应自己发布的供需。"), "own_offer")
    offer.responder, offer.status = account, Offer.Status.MATCHED
    offer.full_clean()
    offer.save(update_fields=["responder", "status"])
    record(actor=actor, action=AuditEntry.Action.UPDATE, obj=offer, changes={"responder": [None, account.pk]})
    return offer


@transaction.atomic
def offer_confirm(*, offer: Offer, actor) -> Offer:
    """One side confirms the service is done. When both have confirmed, the hours move — once: the offer row is locked,
    and a transfer's one-to-one link to the offer backs it in the database."""
    offer = (
        Offer.objects.select_for_update(of=("self",))
        .select_related("poster__volunteer", "responder__volunteer")
        .get(pk=offer.pk)
    )
    if offer.status != Offer.Status.MATCHED:
        raise ValidationError(_("只有已对接、尚未完成的供需可以确认。"), code="not_matched")
    now = timezone.now()
    changed = []
    if acts_for(actor, offer.poster) and offer.poster_confirmed_at is None:
        offer.poster_confirmed_at = now
        changed.append("poster_confirmed_at")
    if acts_for(actor, offer.responder) and offer.responder_confirmed_at is None:
        offer.responder_confirmed_at = now
        changed.append("responder_confirmed_at")
    if not changed:
        if acts_for(actor, offer.poster) or acts_for(actor, offer.responder):
            raise ValidationError(_("您已经确认过了，等待对方确认。"), code="already_confirmed")
        raise PermissionDenied(_("只有供需双方可以确认。"))
    if offer.poster_confirmed_at and offer.responder_confirmed_at:
        post_transfer(
            kind=Transfer.Kind.EXCHANGE,
            legs=[(offer.payer, -offer.hours), (offer.payee, offer.hours)],
            memo=str(offer),
            actor=actor,
            exchange=offer,
        )
        offer.status = Offer.Status.DONE
        changed.append("status")
    offer.save(update_fields=changed)
    record(actor=actor, action=AuditEntry.Action.UPDATE, obj=offer, changes={f: [None, "✓"] for f in changed})
    return offer


@transaction.atomic
def offer_cancel(*, offer: Offer, reason: str, actor) -> Offer:
    """Withdraw an offer or request that has not been done: by the poster (their own account) or a keeper of the
    poster's account, with a reason. No hours have moved yet (they move only when both sides confirm), so nothing is
    reversed; the offer stays, cancelled, with who, when and why."""
    reason = (reason or "").strip()
    if not reason:
        raise field_error("reason", _("取消必须说明原因。"), "reason_required")
    offer = Offer.objects.select_for_update(of=("self",)).select_related("poster__volunteer").get(pk=offer.pk)
    if not acts_for(actor, offer.poster):
        raise PermissionDenied(_("只有发布人或其账户的管理人员可以取消。"))
    if offer.status not in (Offer.Status.OPEN, Offer.Status.MATCHED):
        raise ValidationError(_("已完成或已取消的供需不能取消。"), code="not_cancellable")
    before = offer.status
    offer.status = Offer.Status.CANCELLED
    offer.cancel_reason = reason[:300]
    offer.cancelled_by = actor if getattr(actor, "is_authenticated", False) else None
    offer.cancelled_at = timezone.now()
    offer.full_clean()
    offer.save(update_fields=["status", "cancel_reason", "cancelled_by", "cancelled_at"])
    record(
        actor=actor,
        action=AuditEntry.Action.TRANSITION,
        obj=offer,
        changes={"status": [before, offer.status], "cancel_reason": ["", offer.cancel_reason]},
        note=offer.cancel_reason,
    )
    return offer
