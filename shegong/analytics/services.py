"""Writes of the analytics app: targets (目标).

A target is an indicator of the catalogue for a region over a period, with the value to reach. A bureau sets targets
only for regions of its own scope (the region of a target decides who sees and changes it, like every other record);
every write is validated, atomic and audited. Presets from the seeds are loaded by presets.targets_load_preset.
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from shegong.accounts.selectors import grant_covers
from shegong.analytics import catalogue
from shegong.analytics.models import Target
from shegong.audit.models import AuditEntry
from shegong.audit.services import diff, record, snapshot
from shegong.core.scope import in_scope

ADD = "analytics.add_target"
CHANGE = "analytics.change_target"
DELETE = "analytics.delete_target"
VIEW = "analytics.view_target"
FIELDS = ["indicator", "region", "period_start", "period_end", "value", "comparison", "source", "preset"]
MAX_VALUE = Decimal("999999999999.99")


def _require(actor, perm: str) -> None:
    """None is the installation itself (presets loaded by a command, the demo): it may write anywhere."""
    if actor is None:
        return
    if not actor.has_perm(perm):
        raise PermissionDenied(_("您没有设定目标的权限。"))


def _require_in_scope(actor, target: Target, perm: str) -> None:
    _require(actor, perm)
    # Views answer 404 before getting here (selectors.targets); this guards the other callers (API, shell).
    if actor is not None and not in_scope(actor, target, perm):
        raise PermissionDenied(_("该目标不在您的管辖范围内。"))


def _value(raw) -> Decimal:
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({"value": _("目标值须是数字。")}, code="invalid_value") from None
    if not value.is_finite():
        raise ValidationError({"value": _("目标值须是数字。")}, code="invalid_value")
    return value


def _validate(actor, target: Target, perm: str) -> None:
    errors: dict[str, str] = {}
    indicator = catalogue.CATALOGUE.indicators.get(target.indicator)
    if indicator is None:
        errors["indicator"] = _("请选择指标目录中的指标。")
    if target.region_id is None:
        errors["region"] = _("请选择地区。")
    elif actor is not None and not grant_covers(actor, perm, region=target.region):
        errors["region"] = _("该地区不在您的管辖范围内，只能为本辖区及下级地区设定目标。")
    if target.period_start is None or target.period_end is None:
        errors["period_end"] = _("请填写目标的起止日期。")
    elif target.period_end < target.period_start:
        errors["period_end"] = _("截止日期不能早于起始日期。")
    value = target.value
    if value is not None:
        if value < 0:
            errors["value"] = _("目标值不能为负数。")
        elif value > MAX_VALUE:
            errors["value"] = _("目标值过大。")
        elif value != value.quantize(Decimal("0.01")):
            errors["value"] = _("目标值最多保留两位小数。")
        elif indicator is not None and str(indicator.unit) == "%" and value > 100:
            errors["value"] = _("该指标是百分比，目标值不能超过 100。")
    if target.comparison not in Target.Comparison.values:
        errors["comparison"] = _("请选择比较方式。")
    if errors:
        raise ValidationError(errors)
    if value is not None:
        target.value = value.quantize(Decimal("0.01"))
    duplicate = Target.objects.filter(
        indicator=target.indicator,
        region_id=target.region_id,
        period_start=target.period_start,
        period_end=target.period_end,
    ).exclude(pk=target.pk)
    if duplicate.exists():
        raise ValidationError(
            {"indicator": _("该地区在同一时段已有这一指标的目标，请修改原目标。")}, code="duplicate_target"
        )


def _save(target: Target) -> None:
    try:
        with transaction.atomic():
            target.full_clean()
            target.save()
    except IntegrityError:
        # A concurrent write of the same indicator, region and period.
        raise ValidationError(
            {"indicator": _("该地区在同一时段已有这一指标的目标，请修改原目标。")}, code="duplicate_target"
        ) from None


@transaction.atomic
def target_create(
    *,
    actor,
    indicator: str,
    region,
    period_start: datetime.date,
    period_end: datetime.date,
    value,
    comparison: str = Target.Comparison.AT_LEAST,
    source: str = "",
    preset: str = "",
) -> Target:
    """Set a target for a region of the actor's scope."""
    _require(actor, ADD)
    target = Target(
        indicator=(indicator or "").strip(),
        region=region,
        period_start=period_start,
        period_end=period_end,
        value=_value(value),
        comparison=comparison or Target.Comparison.AT_LEAST,
        source=(source or "").strip(),
        preset=preset or "",
        created_by=actor,
    )
    _validate(actor, target, ADD)
    _save(target)
    record(
        actor=actor,
        actor_username="" if actor else "system",
        action=AuditEntry.Action.CREATE,
        obj=target,
        changes=diff({}, snapshot(target, FIELDS)),
    )
    return target


@transaction.atomic
def target_update(*, actor, target: Target, version: int | None = None, **changes) -> Target:
    """Change a target (any of indicator, region, period, value, comparison, source). `version` (read with the form)
    refuses an edit made on a stale page."""
    unknown = set(changes) - {"indicator", "region", "period_start", "period_end", "value", "comparison", "source"}
    if unknown:
        raise TypeError(f"target_update cannot change {sorted(unknown)}")
    target = Target.objects.select_for_update().get(pk=target.pk)
    _require_in_scope(actor, target, CHANGE)
    if version is not None and int(version) != target.version:
        raise ValidationError(_("该目标已被他人修改，请刷新页面后再修改。"), code="stale")
    before = snapshot(target, FIELDS)
    for name, new in changes.items():
        if name == "value":
            new = _value(new)
        elif name in ("indicator", "source") and isinstance(new, str):
            new = new.strip()
        setattr(target, name, new)
    _validate(actor, target, CHANGE)
    after = snapshot(target, FIELDS)
    if after == before:
        return target
    target.version += 1
    _save(target)
    record(
        actor=actor,
        actor_username="" if actor else "system",
        action=AuditEntry.Action.UPDATE,
        obj=target,
        changes=diff(before, after),
    )
    return target


@transaction.atomic
def target_delete(*, actor, target: Target) -> None:
    target = Target.objects.select_for_update().get(pk=target.pk)
    _require_in_scope(actor, target, DELETE)
    before = snapshot(target, FIELDS)
    record(
        actor=actor,
        actor_username="" if actor else "system",
        action=AuditEntry.Action.DELETE,
        obj=target,
        changes=diff(before, {}),
    )
    target.delete()
