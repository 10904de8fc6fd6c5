"""Every write to policy profiles: one function per action, atomic, permission- and scope-checked, validated against
the rule kind's schema, and audited with the parameters before and after (DESIGN.md §4, §5).

Scope: an administrator with policies.change_policyprofile edits only profiles of regions inside their own
assignments' subtrees (their own region included); the national profile needs a nationwide assignment. Views fetch
profiles through selectors.get_visible_profile_or_404 first, so a profile out of sight answers 404 before any of
this runs; a profile in sight but not editable (an ancestor's) is refused here with PermissionDenied (403).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.audit.models import AuditEntry
from shegong.audit.services import diff, record, snapshot
from shegong.policies import registry
from shegong.policies.models import PolicyProfile, PolicyRule
from shegong.policies.selectors import CHANGE, can_edit_region
from shegong.regions.models import Region

UNCHANGED = object()  # profile_update: "leave valid_to as it is" (None means "no end date")
PROFILE_FIELDS = ["name", "region", "valid_from", "valid_to", "preset", "description"]


def _require_edit(actor, region_id: str | None) -> None:
    if not actor.has_perm(CHANGE):
        raise PermissionDenied(_("您没有编辑政策规则集的权限。"))
    if not can_edit_region(actor, region_id):
        if region_id is None:
            raise PermissionDenied(_("全国规则集只能由全国范围的管理员编辑。"))
        raise PermissionDenied(_("您只能编辑本辖区内的政策规则集。"))


def _period_text(profile: PolicyProfile) -> str:
    end = profile.valid_to.isoformat() if profile.valid_to else _("长期")
    return f"{profile.valid_from.isoformat()} — {end}"


def _refuse_overlap(profile: PolicyProfile) -> None:
    """Two profiles of one region must not both be in force on any day. The lock serialises concurrent writers for
    the region (its Region row; the national profiles' rows for the nation), so the check cannot race; PostgreSQL's
    exclusion constraint backs it up."""
    if profile.region_id:
        list(Region.objects.select_for_update().filter(pk=profile.region_id).values_list("pk", flat=True))
        same_region = PolicyProfile.objects.filter(region_id=profile.region_id)
    else:
        same_region = PolicyProfile.objects.filter(region__isnull=True)
    same_region = same_region.select_for_update().exclude(pk=profile.pk)
    clashes = [
        other
        for other in same_region.only("pk", "name", "valid_from", "valid_to")
        if (other.valid_to is None or profile.valid_from < other.valid_to)
        and (profile.valid_to is None or other.valid_from < profile.valid_to)
    ]
    if clashes:
        other = clashes[0]
        raise ValidationError(
            {
                "valid_from": _("有效期与同一区划的规则集「%(name)s」（%(period)s）重叠，请先调整其中一个的有效期。")
                % {"name": other.name, "period": _period_text(other)}
            },
            code="overlap",
        )


def _save_profile(profile: PolicyProfile) -> None:
    profile.full_clean()
    _refuse_overlap(profile)
    try:
        with transaction.atomic():
            profile.save()
    except IntegrityError as exc:
        # Only reachable through a race the lock did not cover (PostgreSQL's exclusion constraint caught it).
        raise ValidationError({"valid_from": _("有效期与同一区划的其他规则集重叠。")}, code="overlap") from exc


@transaction.atomic
def profile_create(
    *,
    actor,
    region: Region | None,
    name: str,
    valid_from: datetime.date,
    valid_to: datetime.date | None = None,
    description: str = "",
) -> PolicyProfile:
    region_id = region.pk if region is not None else None
    _require_edit(actor, region_id)
    profile = PolicyProfile(
        region_id=region_id, name=name, valid_from=valid_from, valid_to=valid_to, description=description
    )
    _save_profile(profile)
    changes = diff({}, snapshot(profile, PROFILE_FIELDS))
    record(actor=actor, action=AuditEntry.Action.CREATE, obj=profile, changes=changes)
    return profile


@transaction.atomic
def profile_update(
    *,
    actor,
    profile: PolicyProfile,
    name: str | None = None,
    valid_from: datetime.date | None = None,
    valid_to: datetime.date | object | None = UNCHANGED,
    description: str | None = None,
) -> PolicyProfile:
    """Change the name, the validity period or the description. (The region is fixed: clone into another region.)"""
    profile = PolicyProfile.objects.select_for_update().get(pk=profile.pk)
    _require_edit(actor, profile.region_id)
    before = snapshot(profile, PROFILE_FIELDS)
    if name is not None:
        profile.name = name
    if valid_from is not None:
        profile.valid_from = valid_from
    if valid_to is not UNCHANGED:
        profile.valid_to = valid_to
    if description is not None:
        profile.description = description
    _save_profile(profile)
    changes = diff(before, snapshot(profile, PROFILE_FIELDS))
    if changes:
        record(actor=actor, action=AuditEntry.Action.UPDATE, obj=profile, changes=changes)
    return profile


@transaction.atomic
def profile_delete(*, actor, profile: PolicyProfile) -> None:
    """Delete a profile made by mistake. Presets are kept (edit their numbers or validity instead)."""
    profile = PolicyProfile.objects.select_for_update().get(pk=profile.pk)
    _require_edit(actor, profile.region_id)
    if profile.preset:
        raise ValidationError(_("系统预置的规则集不能删除，可以修改其参数或有效期。"), code="preset")
    before = snapshot(profile, PROFILE_FIELDS)
    before["rules"] = {rule.kind: rule.params for rule in profile.rules.all()}
    pk = profile.pk
    profile.delete()
    profile.pk = pk
    record(actor=actor, action=AuditEntry.Action.DELETE, obj=profile, changes={"before": before})


@transaction.atomic
def profile_clone(
    *,
    actor,
    source: PolicyProfile,
    region: Region | None,
    valid_from: datetime.date,
    valid_to: datetime.date | None = None,
    name: str = "",
) -> PolicyProfile:
    """Copy a profile (typically a preset or an ancestor's) into a region as the starting point of its own; the copy
    keeps every rule's parameters and source text. The caller must be able to see `source` (views check it)."""
    region_id = region.pk if region is not None else None
    _require_edit(actor, region_id)
    where = region.name if region is not None else _("全国")
    profile = PolicyProfile(
        region_id=region_id,
        name=name or _("%(region)s（据「%(source)s」）") % {"region": where, "source": source.name},
        valid_from=valid_from,
        valid_to=valid_to,
        description=_("复制自规则集「%(source)s」（#%(pk)s）。") % {"source": source.name, "pk": source.pk},
    )
    profile.name = profile.name[:100]
    _save_profile(profile)
    rules = [
        PolicyRule(profile=profile, kind=rule.kind, params=dict(rule.params), source_text=rule.source_text)
        for rule in source.rules.all()
    ]
    for rule in rules:
        rule.full_clean()
    PolicyRule.objects.bulk_create(rules)
    record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=profile,
        changes={
            **{key: [None, value] for key, value in snapshot(profile, PROFILE_FIELDS).items()},
            "rules": [None, {rule.kind: rule.params for rule in rules}],
        },
        note=_("复制自规则集 #%(pk)s「%(name)s」") % {"pk": source.pk, "name": source.name},
    )
    return profile


def _rule_state(rule: PolicyRule) -> dict:
    return {"kind": rule.kind, "params": dict(rule.params), "source_text": rule.source_text}


def _rule_note(rule: PolicyRule, profile: PolicyProfile) -> str:
    return _("规则集 #%(pk)s「%(profile)s」的规则「%(kind)s」") % {
        "pk": profile.pk,
        "profile": profile.name,
        "kind": rule.kind_label,
    }


@transaction.atomic
def rule_add(*, actor, profile: PolicyProfile, kind: str, params: dict, source_text: str = "") -> PolicyRule:
    profile = PolicyProfile.objects.select_for_update().get(pk=profile.pk)
    _require_edit(actor, profile.region_id)
    if not registry.is_registered(kind):
        raise ValidationError({"kind": _("未知的规则类型“%(kind)s”。") % {"kind": kind}}, code="unknown")
    if profile.rules.filter(kind=kind).exists():
        raise ValidationError(
            {"kind": _("本规则集已有「%(kind)s」规则，请直接修改其参数。") % {"kind": registry.kind_label(kind)}},
            code="duplicate",
        )
    cleaned = registry.get(kind).clean_params(params)
    rule = PolicyRule(profile=profile, kind=kind, params=cleaned, source_text=source_text.strip())
    rule.full_clean()
    rule.save()
    record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=rule,
        changes={key: [None, value] for key, value in _rule_state(rule).items()},
        note=_rule_note(rule, profile),
    )
    PolicyProfile.objects.filter(pk=profile.pk).update(updated_at=rule.updated_at)
    return rule


@transaction.atomic
def rule_set_params(*, actor, rule: PolicyRule, params: dict, source_text: str | None = None) -> PolicyRule:
    """Replace a rule's parameters (validated against its kind's schema; errors are keyed by parameter name) and,
    optionally, its source text. The audit entry holds the parameters before and after."""
    rule = PolicyRule.objects.select_for_update().select_related("profile").get(pk=rule.pk)
    profile = rule.profile
    _require_edit(actor, profile.region_id)
    before = _rule_state(rule)
    rule.params = rule.rule_kind.clean_params(params)
    if source_text is not None:
        rule.source_text = source_text.strip()
    rule.full_clean()
    after = _rule_state(rule)
    if after == before:
        return rule
    rule.save()
    changes = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
    record(actor=actor, action=AuditEntry.Action.UPDATE, obj=rule, changes=changes, note=_rule_note(rule, profile))
    PolicyProfile.objects.filter(pk=profile.pk).update(updated_at=rule.updated_at)
    return rule


@transaction.atomic
def rule_remove(*, actor, rule: PolicyRule) -> None:
    """Remove a rule from a profile; the region then inherits that kind from the nearest ancestor that defines it."""
    rule = PolicyRule.objects.select_for_update().select_related("profile").get(pk=rule.pk)
    profile = rule.profile
    _require_edit(actor, profile.region_id)
    before = _rule_state(rule)
    pk = rule.pk
    rule.delete()
    rule.pk = pk
    record(
        actor=actor,
        action=AuditEntry.Action.DELETE,
        obj=rule,
        changes={key: [value, None] for key, value in before.items()},
        note=_rule_note(rule, profile),
    )
    PolicyProfile.objects.filter(pk=profile.pk).update(updated_at=timezone.now())
