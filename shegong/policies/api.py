"""Policy profiles API (/api/v1/policies/): the profiles a user may see, one profile with its rules, and the rules in
force for a region on a date. Read-only: numbers are changed on the pages by a permitted administrator (audited).

Scope as on the pages: a user sees the profiles of their own subtrees plus those that apply to them from above; a
profile out of sight answers 404, and so does /in-force for a region outside the user's area.
"""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from shegong.policies import selectors
from shegong.policies.models import PolicyProfile, PolicyRule

router = Router(tags=["policies"])


class ParamOut(Schema):
    name: str
    label: str
    value: str | int | bool = Field(description="as stored: integers as numbers, Decimal values as exact text")
    display: str = Field(description="with its unit, e.g. 65% or 2,400,000.00 元")


class RuleOut(Schema):
    id: int
    kind: str = Field(description="rule kind code, e.g. labour_cost_share")
    label: str
    params: dict = Field(description="the stored parameters (Decimal values as exact text)")
    param_list: list[ParamOut]
    source_text: str


class ProfileOut(Schema):
    id: int
    name: str
    region: str | None = Field(description="12-digit code; null for the national profile")
    region_name: str
    valid_from: datetime.date
    valid_to: datetime.date | None = Field(description="exclusive; null = open-ended")
    preset: str
    rule_count: int
    editable: bool = Field(description="whether the caller may edit it")


class ProfileDetailOut(ProfileOut):
    description: str
    rules: list[RuleOut]


class InForceRuleOut(RuleOut):
    profile_id: int
    profile_name: str
    profile_region: str | None


class InForceOut(Schema):
    region: str
    region_name: str
    on: datetime.date
    profile_id: int | None = Field(description="the nearest profile in force (the region's own or an ancestor's)")
    rules: list[InForceRuleOut] = Field(description="for each rule kind, the rule of the nearest profile defining it")


class InForceQuery(Schema):
    region: str = Field(description="division code, short or 12 digits, e.g. 4401")
    on: datetime.date | None = Field(None, description="the date (default: today)")


def _require_view(request) -> None:
    if not selectors.can_view_policies(request.user):
        raise HttpError(403, _("您没有查看政策规则集的权限。"))


def _profile_out(profile: PolicyProfile, editable: set[int]) -> dict:
    return {
        "id": profile.pk,
        "name": profile.name,
        "region": profile.region_id,
        "region_name": profile.region.name if profile.region_id else _("全国"),
        "valid_from": profile.valid_from,
        "valid_to": profile.valid_to,
        "preset": profile.preset,
        "rule_count": profile.rule_count if hasattr(profile, "rule_count") else profile.rules.count(),
        "editable": profile.pk in editable,
    }


def _rule_out(rule: PolicyRule) -> dict:
    from shegong.policies import registry

    params = []
    if registry.is_registered(rule.kind):
        kind = rule.rule_kind
        params = [
            {
                "name": param.name,
                "label": str(param.label),
                "value": rule.params[param.name],
                "display": param.display(rule.params[param.name]),
            }
            for param in kind.params
            if rule.params.get(param.name) not in (None, "")
        ]
    return {
        "id": rule.pk,
        "kind": rule.kind,
        "label": rule.kind_label,
        "params": rule.params,
        "param_list": params,
        "source_text": rule.source_text,
    }


@router.get("/profiles", response=list[ProfileOut], summary="Profiles visible to the caller")
def profile_list(request):
    _require_view(request)
    profiles = list(selectors.visible_profiles(request.user))
    editable = selectors.editable_profile_ids(request.user, [profile.pk for profile in profiles])
    return [_profile_out(profile, editable) for profile in profiles]


@router.get("/profiles/{profile_id}", response=ProfileDetailOut, summary="One profile with its rules")
def profile_detail(request, profile_id: int):
    _require_view(request)
    profile = selectors.get_visible_profile_or_404(request.user, profile_id)
    editable = {profile.pk} if selectors.can_edit(request.user, profile) else set()
    rules = selectors.profile_rules(profile)
    return {
        **_profile_out(profile, editable),
        "rule_count": len(rules),
        "description": profile.description,
        "rules": [_rule_out(rule) for rule in rules],
    }


@router.get("/in-force", response=InForceOut, summary="Rules in force for a region on a date")
def in_force(request, query: Query[InForceQuery]):
    _require_view(request)
    try:
        where = selectors.place(query.region)
    except selectors.UnknownRegion:
        raise HttpError(404, _("区划代码 %(code)s 不存在。") % {"code": query.region}) from None
    if not selectors.can_query_region(request.user, where):
        raise HttpError(404, _("区划代码 %(code)s 不存在。") % {"code": query.region})
    on = query.on or timezone.localdate()
    nearest = selectors.profile_in_force(where.code, on)
    rules = selectors.rules_in_force(where.code, on)
    return {
        "region": where.code,
        "region_name": where.name,
        "on": on,
        "profile_id": nearest.pk if nearest else None,
        "rules": [
            {
                **_rule_out(rule),
                "profile_id": rule.profile_id,
                "profile_name": rule.profile.name,
                "profile_region": rule.profile.region_id,
            }
            for rule in rules.values()
        ],
    }
