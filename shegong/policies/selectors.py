"""Reading policy profiles: which rules are in force where and when, and which profiles a user may see or edit.

Resolution is rule by rule (rule-level inheritance). For a region and a date, the candidate profiles are the
region's own, then its ancestors' (nearest first, computed from the code with regions.codes.ancestor_codes: one
indexed query, never a recursive walk), then the national one, each only if its validity [valid_from, valid_to)
covers the date. For each rule kind, the rule in force is the one of the nearest candidate that defines that kind.
So a city profile that sets only money rules still inherits the province's staffing rules and the nation's
registration rules, and a province can tighten one number without copying the nation's whole profile. (The
alternative, profile-level inheritance where the nearest profile hides all ancestors, would force every local
profile to repeat every national rule and silently drop those it forgot.) `profile_in_force` is the nearest
candidate profile itself, for pages that show "the profile that applies here".

Visibility: a user sees the profiles of their own subtree (data scope) plus the profiles that apply to them from
above (their regions' ancestors and the national profile), the latter read-only. Editing needs
policies.change_policyprofile over the profile's region; the national profile needs a nationwide assignment.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from shegong.core.scope import NOTHING, grants_of, region_q, scope_q
from shegong.policies import registry
from shegong.policies.models import PolicyProfile, PolicyRule
from shegong.policies.registry import Verdict
from shegong.regions.codes import ancestor_codes, canonical, subtree_bounds
from shegong.regions.models import Region

VIEW = "policies.view_policyprofile"
CHANGE = "policies.change_policyprofile"


class UnknownRegion(LookupError):
    """A division code that is malformed or not loaded."""


@dataclass(frozen=True)
class Place:
    """A region reduced to what resolution needs: its canonical code, level and ancestors (nearest first)."""

    code: str
    level: int
    name: str

    @property
    def ancestors(self) -> list[str]:
        return ancestor_codes(self.code, self.level)


def place(region_code: str) -> Place:
    """Accept 4401, 440100 or 440100000000. The level comes from the stored region (the code alone can mislead: 东莞市
    441900 is county-level under the city 4419)."""
    text = str(region_code).strip()
    try:
        code = canonical(text)
    except ValueError:
        raise UnknownRegion(region_code) from None
    row = Region.objects.filter(pk=code).values_list("level", "name").first()
    if row is None:
        raise UnknownRegion(region_code)
    level, name = row
    return Place(code=code, level=level, name=name)


def _in_force_q(on: datetime.date) -> Q:
    return Q(valid_from__lte=on) & (Q(valid_to__isnull=True) | Q(valid_to__gt=on))


def profiles_in_force(region_code: str, on: datetime.date) -> list[PolicyProfile]:
    """The candidate profiles in force on `on`, nearest first: the region's own, its ancestors', the national one."""
    where = place(region_code)
    chain = where.ancestors
    rows = list(
        PolicyProfile.objects.filter(Q(region_id__in=chain) | Q(region__isnull=True))
        .filter(_in_force_q(on))
        .select_related("region")
        .order_by()  # sorted below by distance; the model's ordering would cost a join and a sort
    )
    distance = {code: index for index, code in enumerate(dict.fromkeys(chain))}
    national = len(distance)
    return sorted(rows, key=lambda profile: distance.get(profile.region_id, national))


def profile_in_force(region_code: str, on: datetime.date) -> PolicyProfile | None:
    """The nearest profile in force on `on` (the region's own, else the nearest ancestor's, else the national one)."""
    candidates = profiles_in_force(region_code, on)
    return candidates[0] if candidates else None


def rules_in_force(region_code: str, on: datetime.date) -> dict[str, PolicyRule]:
    """For each rule kind, the rule of the nearest profile in force that defines it; in registry order."""
    candidates = profiles_in_force(region_code, on)
    if not candidates:
        return {}
    rank = {profile.pk: index for index, profile in enumerate(candidates)}
    by_pk = {profile.pk: profile for profile in candidates}
    chosen: dict[str, PolicyRule] = {}
    for rule in PolicyRule.objects.filter(profile_id__in=rank).order_by():
        current = chosen.get(rule.kind)
        if current is None or rank[rule.profile_id] < rank[current.profile_id]:
            chosen[rule.kind] = rule
    for rule in chosen.values():
        rule.profile = by_pk[rule.profile_id]
    order = {kind.code: index for index, kind in enumerate(registry.all_kinds())}
    return dict(sorted(chosen.items(), key=lambda item: (order.get(item[0], len(order)), item[0])))


def rule_in_force(kind: str, region_code: str, on: datetime.date) -> PolicyRule | None:
    return rules_in_force(region_code, on).get(kind)


def evaluate(kind: str, region_code: str, on: datetime.date, facts: dict) -> Verdict | None:
    """The verdict of the rule of `kind` in force for the region on the date, or None if no profile defines it."""
    rule = rule_in_force(kind, region_code, on)
    return rule.evaluate(facts) if rule is not None else None


# --- What a user may see and edit ------------------------------------------------------------------------------------


def _viewing_grants(user) -> list:
    return [grant for grant in grants_of(user) if VIEW in grant.permissions or CHANGE in grant.permissions]


def can_view_policies(user) -> bool:
    return bool(_viewing_grants(user))


def visible_q(user) -> Q:
    """Profiles of the user's subtrees, plus those that apply to them from above (ancestors and national)."""
    grants = _viewing_grants(user)
    if not grants:
        return NOTHING
    if any(grant.nationwide for grant in grants):
        return Q()
    q = Q(region__isnull=True)
    above: set[str] = set()
    for grant in grants:
        if grant.region_code:
            q |= region_q("region", grant.region_code, grant.region_level)
            above.update(ancestor_codes(grant.region_code, grant.region_level))
    agency_ids = [grant.agency_id for grant in grants if grant.agency_id]
    if agency_ids:
        # An agency's people are bound by the profiles of the agency's region and above.
        from shegong.agencies.models import Agency

        for region_id, level in Agency.objects.filter(pk__in=agency_ids).values_list("region_id", "region__level"):
            above.update(ancestor_codes(region_id, level))
    if above:
        q |= Q(region_id__in=above)
    return q


def visible_profiles(user) -> QuerySet[PolicyProfile]:
    return (
        PolicyProfile.objects.filter(visible_q(user))
        .select_related("region")
        .annotate(rule_count=Count("rules"))
        .order_by("region_id", "-valid_from", "pk")
    )


def get_visible_profile_or_404(user, pk: int) -> PolicyProfile:
    profile = PolicyProfile.objects.filter(visible_q(user)).select_related("region").filter(pk=pk).first()
    if profile is None:
        raise Http404
    return profile


def editable_profile_ids(user, profile_ids) -> set[int]:
    return set(
        PolicyProfile.objects.filter(scope_q(user, PolicyProfile, CHANGE), pk__in=list(profile_ids)).values_list(
            "pk", flat=True
        )
    )


def can_edit_region(user, region_id: str | None) -> bool:
    """May `user` edit (or create) profiles of this region? None is the national profile: nationwide only."""
    for grant in grants_of(user):
        if CHANGE not in grant.permissions:
            continue
        if grant.nationwide:
            return True
        if region_id and grant.region_code:
            low, high = subtree_bounds(grant.region_code, grant.region_level)
            if low <= region_id <= high:
                return True
    return False


def can_edit(user, profile: PolicyProfile) -> bool:
    return can_edit_region(user, profile.region_id)


def can_create_profiles(user) -> bool:
    return any(CHANGE in grant.permissions and (grant.region_code or grant.nationwide) for grant in grants_of(user))


def edit_roots(user) -> list[str] | None:
    """The regions under which the user may create profiles (for the region picker); None = anywhere (nationwide)."""
    grants = [grant for grant in grants_of(user) if CHANGE in grant.permissions]
    if any(grant.nationwide for grant in grants):
        return None
    return [grant.region_code for grant in grants if grant.region_code]


def lookup_roots(user) -> list[str] | None:
    """The regions under which the user may look rules up: their assignments' regions (an agency's region for an
    agency assignment); None = anywhere (nationwide)."""
    grants = _viewing_grants(user)
    if any(grant.nationwide for grant in grants):
        return None
    roots = [grant.region_code for grant in grants if grant.region_code]
    agency_ids = [grant.agency_id for grant in grants if grant.agency_id]
    if agency_ids:
        from shegong.agencies.models import Agency

        roots += list(Agency.objects.filter(pk__in=agency_ids).values_list("region_id", flat=True))
    return roots


def can_query_region(user, where: Place) -> bool:
    """The rule lookup answers for regions the user sees (their subtrees, and the regions above them)."""
    grants = _viewing_grants(user)
    for grant in grants:
        if grant.nationwide:
            return True
        if grant.region_code:
            low, high = subtree_bounds(grant.region_code, grant.region_level)
            if low <= where.code <= high or where.code in ancestor_codes(grant.region_code, grant.region_level):
                return True
    agency_ids = [grant.agency_id for grant in grants if grant.agency_id]
    if agency_ids:
        from shegong.agencies.models import Agency

        for region_id, level in Agency.objects.filter(pk__in=agency_ids).values_list("region_id", "region__level"):
            if where.code in ancestor_codes(region_id, level):
                return True
    return False


def profile_rules(profile: PolicyProfile) -> list[PolicyRule]:
    """The profile's rules in registry order (DESIGN.md §3 order for the built-in kinds)."""
    order = {kind.code: index for index, kind in enumerate(registry.all_kinds())}
    rules = list(profile.rules.all())
    for rule in rules:
        rule.profile = profile
    return sorted(rules, key=lambda rule: (order.get(rule.kind, len(order)), rule.kind))


def addable_kinds(profile: PolicyProfile) -> list[registry.RuleKind]:
    present = set(profile.rules.values_list("kind", flat=True))
    return [kind for kind in registry.all_kinds() if kind.code not in present]


def get_visible_rule_or_404(user, pk: int) -> PolicyRule:
    rule = (
        PolicyRule.objects.filter(profile__in=PolicyProfile.objects.filter(visible_q(user)))
        .select_related("profile", "profile__region")
        .filter(pk=pk)
        .first()
    )
    if rule is None:
        raise Http404
    return rule
