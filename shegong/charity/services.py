"""Every write to the charity ledger: atomic, permission and scope checked, audited in the same transaction.

A point's row is locked (`select_for_update`) for every donation and allocation at it: the receipt counter advances
under that lock (so numbers are sequential and never repeat, even for two clerks at once) and an allocation's check
"no more than received, for this kind and purpose" reads the sums under it (so two allocations cannot both spend the
same balance). An allocation to another point is received there as a donation in the same transaction; both points
are then locked in a fixed order (by id), so two opposite transfers cannot deadlock.
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
from shegong.charity import permissions
from shegong.charity.models import ZERO, Allocation, CharityPoint, Donation, Kind, PurposeKind
from shegong.core.scope import scoped
from shegong.stations.models import Station


def _require(actor, perm: str) -> None:
    if actor is not None and not actor.has_perm(perm):
        raise PermissionDenied(_("您没有执行此操作的权限。"))


def _lock_point(actor, point: CharityPoint, perm: str) -> CharityPoint:
    _require(actor, perm)
    rows = CharityPoint.objects.select_for_update(of=("self",)).select_related("station")
    if actor is not None:
        rows = scoped(rows, actor, perm)
    locked = rows.filter(pk=point.pk).first()
    if locked is None:
        raise ValidationError({"point": _("该捐赠站点不在您的管辖范围内。")}, code="outside_scope")
    return locked


def receipt_number(point: CharityPoint, sequence: int) -> str:
    return f"{point.station.code}-{sequence:06d}"


@transaction.atomic
def point_open(*, actor, station: Station, opened_on: datetime.date, public_note: str = "") -> CharityPoint:
    """Open a charity donation point at a station in the actor's scope."""
    _require(actor, permissions.ADD_POINT)
    if actor is not None and not scoped(Station, actor, permissions.ADD_POINT).filter(pk=station.pk).exists():
        raise ValidationError({"station": _("该站点不在您的管辖范围内。")}, code="outside_scope")
    if CharityPoint.objects.filter(station=station).exists():
        raise ValidationError({"station": _("该站点已设立慈善捐赠站点。")}, code="duplicate_point")
    point = CharityPoint(station=station, opened_on=opened_on, public_note=(public_note or "").strip())
    point.full_clean(exclude=["station"])
    point.save()
    record(actor=actor, action=AuditEntry.Action.CREATE, obj=point, note=_("设立慈善捐赠站点"))
    return point


@transaction.atomic
def point_set_status(*, actor, point: CharityPoint, status: str, public_note: str | None = None) -> CharityPoint:
    point = _lock_point(actor, point, permissions.CHANGE_POINT)
    if status not in CharityPoint.Status.values:
        raise ValidationError({"status": _("状态不正确。")}, code="invalid")
    before = {"status": point.status, "public_note": point.public_note}
    point.status = status
    if public_note is not None:
        point.public_note = public_note.strip()[:500]
    point.save(update_fields=["status", "public_note"])
    after = {"status": point.status, "public_note": point.public_note}
    changes = {key: [before[key], after[key]] for key in before if before[key] != after[key]}
    record(actor=actor, action=AuditEntry.Action.UPDATE, obj=point, changes=changes, note=_("站点状态"))
    return point


def _kind_errors(values: dict) -> dict:
    errors = {}
    kind = values.get("kind")
    if kind == Kind.MONEY:
        if values.get("amount") is None or values["amount"] <= 0:
            errors["amount"] = [_("善款请填写大于 0 的金额（元）。")]
        values.update(items="", quantity=None, estimated_value=None)
    elif kind == Kind.GOODS:
        if not (values.get("items") or "").strip():
            errors["items"] = [_("物资请填写物资名称。")]
        if not values.get("quantity") or values["quantity"] <= 0:
            errors["quantity"] = [_("物资请填写大于 0 的数量。")]
        if values.get("estimated_value") is None or values["estimated_value"] < 0:
            errors["estimated_value"] = [_("物资请填写估值（元），不能为负数。")]
        values["amount"] = None
        values["items"] = (values.get("items") or "").strip()
    else:
        errors["kind"] = [_("请选择捐赠类型：善款或物资。")]
    purpose = (values.get("purpose") or "").strip()
    if values.get("purpose_kind") == PurposeKind.DIRECTED and not purpose:
        errors["purpose"] = [_("定向捐赠请填写定向用途。")]
    elif values.get("purpose_kind") == PurposeKind.UNDIRECTED:
        purpose = ""
    elif values.get("purpose_kind") not in PurposeKind.values:
        errors["purpose_kind"] = [_("请选择用途类型：定向或非定向。")]
    values["purpose"] = purpose
    return errors


def _add_donation(*, actor, point: CharityPoint, values: dict) -> Donation:
    """The donation at a locked point: the next receipt number, checks, the row, the audit entry."""
    point.last_receipt_number += 1
    point.save(update_fields=["last_receipt_number"])
    donation = Donation(
        point=point,
        sequence=point.last_receipt_number,
        receipt_number=receipt_number(point, point.last_receipt_number),
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
        **values,
    )
    donation.full_clean(exclude=["point", "recorded_by"])
    donation.save()
    record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=donation,
        changes={"value": [None, str(donation.value)], "kind": [None, donation.kind]},
        note=_("接收捐赠"),
    )
    return donation


@transaction.atomic
def donation_receive(
    *,
    actor,
    point: CharityPoint,
    received_on: datetime.date,
    kind: str,
    amount: Decimal | None = None,
    items: str = "",
    quantity: int | None = None,
    estimated_value: Decimal | None = None,
    anonymous: bool = False,
    donor_name: str = "",
    donor_phone: str = "",
    purpose_kind: str = PurposeKind.UNDIRECTED,
    purpose: str = "",
    handler: str = "",
) -> Donation:
    """Record a donation received at `point` and give it the point's next receipt number."""
    point = _lock_point(actor, point, permissions.ADD_DONATION)
    values = {
        "received_on": received_on,
        "kind": kind,
        "amount": amount,
        "items": items,
        "quantity": quantity,
        "estimated_value": estimated_value,
        "anonymous": bool(anonymous),
        "donor_name": (donor_name or "").strip(),
        "donor_phone": (donor_phone or "").strip(),
        "purpose_kind": purpose_kind,
        "purpose": purpose,
        "handler": (handler or "").strip(),
    }
    errors = _kind_errors(values)
    if values["anonymous"] and values["donor_name"]:
        errors["donor_name"] = [_("匿名捐赠不登记捐赠人姓名：请清空姓名，或取消“匿名捐赠”。")]
    if values["anonymous"]:
        values["donor_phone"] = ""
    elif not values["donor_name"]:
        errors["donor_name"] = [_("请填写捐赠人姓名（单位名称），或选择“匿名捐赠”。")]
    if received_on is None:
        errors["received_on"] = [_("请填写接收日期。")]
    elif received_on > timezone.localdate():
        errors["received_on"] = [_("接收日期不能晚于今天。")]
    elif received_on < point.opened_on:
        errors["received_on"] = [_("接收日期不能早于站点设立日期。")]
    if point.status != CharityPoint.Status.OPEN:
        errors["point"] = [_("该捐赠站点未在运营，不能接收捐赠。")]
    if not values["handler"]:
        errors["handler"] = [_("请填写经办人。")]
    if errors:
        raise ValidationError(errors)
    return _add_donation(actor=actor, point=point, values=values)


def balance(point: CharityPoint, kind: str, purpose_kind: str, purpose: str) -> Decimal:
    """Yuan received minus yuan allocated at `point` for one kind and purpose (call under the point's lock)."""
    field = "amount" if kind == Kind.MONEY else "estimated_value"
    match = {"point": point, "kind": kind, "purpose_kind": purpose_kind, "purpose": purpose}
    received = Donation.objects.filter(**match).aggregate(total=Sum(field))["total"] or ZERO
    allocated = Allocation.objects.filter(**match).aggregate(total=Sum(field))["total"] or ZERO
    return received - allocated


def _target_errors(actor, values: dict, point: CharityPoint) -> dict:
    from shegong.projects.models import Project
    from shegong.recipients.models import Recipient

    target = values.get("target")
    errors = {}
    keep = {
        Allocation.Target.RECIPIENT: "recipient",
        Allocation.Target.GROUP: "beneficiary_group",
        Allocation.Target.PROJECT: "project",
        Allocation.Target.POINT: "to_point",
    }
    if target not in keep:
        return {"target": [_("请选择去向。")]}
    for other in keep.values():
        if other != keep[target]:
            values[other] = "" if other == "beneficiary_group" else None
    chosen = values.get(keep[target])
    if target == Allocation.Target.GROUP:
        values["beneficiary_group"] = (chosen or "").strip()
        if not values["beneficiary_group"]:
            errors["beneficiary_group"] = [_("请描述受益群体（如“北京街道困难老人 20 户”）。")]
    elif chosen is None:
        errors[keep[target]] = [_("请选择拨付对象。")]
    elif target == Allocation.Target.RECIPIENT and actor is not None:
        if not scoped(Recipient, actor, "recipients.view_recipient").filter(pk=chosen.pk).exists():
            errors["recipient"] = [_("该服务对象不在您的管辖范围内。")]
    elif target == Allocation.Target.PROJECT and actor is not None:
        if not scoped(Project, actor, "projects.view_project").filter(pk=chosen.pk).exists():
            errors["project"] = [_("该项目不在您的管辖范围内。")]
    elif target == Allocation.Target.POINT and chosen.pk == point.pk:
        errors["to_point"] = [_("不能拨付给本站点。")]
    return errors


@transaction.atomic
def allocation_make(
    *,
    actor,
    point: CharityPoint,
    allocated_on: datetime.date,
    kind: str,
    target: str,
    approver: str,
    amount: Decimal | None = None,
    items: str = "",
    quantity: int | None = None,
    estimated_value: Decimal | None = None,
    purpose_kind: str = PurposeKind.UNDIRECTED,
    purpose: str = "",
    recipient=None,
    beneficiary_group: str = "",
    project=None,
    to_point: CharityPoint | None = None,
    note: str = "",
) -> Allocation:
    """Allocate from `point` (never more than it received of this kind and purpose); a transfer to another point is
    received there as a donation (named after the giving station) in the same transaction."""
    _require(actor, permissions.ADD_ALLOCATION)
    # Lock both points in id order when money moves between two points: no deadlock between opposite transfers.
    if to_point is not None and to_point.pk != point.pk and target == Allocation.Target.POINT:
        first, second = sorted([point, to_point], key=lambda p: p.pk)
        locked = {
            first.pk: _lock_point(actor, first, permissions.ADD_ALLOCATION),
            second.pk: CharityPoint.objects.select_for_update(of=("self",)).select_related("station").get(pk=second.pk),
        }
        if point.pk == second.pk:
            locked[point.pk] = _lock_point(actor, point, permissions.ADD_ALLOCATION)
        point, to_point = locked[point.pk], locked[to_point.pk]
    else:
        point = _lock_point(actor, point, permissions.ADD_ALLOCATION)
    values = {
        "allocated_on": allocated_on,
        "kind": kind,
        "amount": amount,
        "items": items,
        "quantity": quantity,
        "estimated_value": estimated_value,
        "purpose_kind": purpose_kind,
        "purpose": purpose,
        "target": target,
        "recipient": recipient,
        "beneficiary_group": beneficiary_group,
        "project": project,
        "to_point": to_point,
        "approver": (approver or "").strip(),
        "note": (note or "").strip(),
    }
    errors = _kind_errors(values)
    errors.update(_target_errors(actor, values, point))
    if not values["approver"]:
        errors["approver"] = [_("请填写审批人。")]
    if allocated_on is None:
        errors["allocated_on"] = [_("请填写拨付日期。")]
    elif allocated_on > timezone.localdate():
        errors["allocated_on"] = [_("拨付日期不能晚于今天。")]
    if not errors:
        wanted = values["amount"] if kind == Kind.MONEY else values["estimated_value"]
        available = balance(point, kind, values["purpose_kind"], values["purpose"])
        if wanted > available:
            label = _("善款") if kind == Kind.MONEY else _("物资（估值）")
            purpose_label = values["purpose"] or _("非定向")
            field = "amount" if kind == Kind.MONEY else "estimated_value"
            errors[field] = [
                ValidationError(
                    _("拨付超过结余：本站点%(kind)s“%(purpose)s”结余 %(available)s 元，本次拨付 %(wanted)s 元。")
                    % {
                        "kind": label,
                        "purpose": purpose_label,
                        "available": f"{available:.2f}",
                        "wanted": f"{wanted:.2f}",
                    },
                    code="over_balance",
                )
            ]
    if errors:
        raise ValidationError(errors)
    allocation = Allocation(
        point=point, recorded_by=actor if getattr(actor, "is_authenticated", False) else None, **values
    )
    allocation.full_clean(exclude=["point", "recorded_by", "recipient", "project", "to_point"])
    allocation.save()
    record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=allocation,
        changes={"value": [None, str(allocation.value)], "kind": [None, kind], "target": [None, target]},
        note=_("捐赠拨付"),
    )
    if target == Allocation.Target.POINT:
        _add_donation(
            actor=actor,
            point=to_point,
            values={
                "received_on": allocated_on,
                "kind": kind,
                "amount": values["amount"],
                "items": values["items"],
                "quantity": values["quantity"],
                "estimated_value": values["estimated_value"],
                "anonymous": False,
                "donor_name": point.station.name[:100],
                "donor_phone": "",
                "purpose_kind": values["purpose_kind"],
                "purpose": values["purpose"],
                "handler": values["approver"],
            },
        )
    return allocation
