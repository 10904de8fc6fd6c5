"""The policy rule in force for many regions at once.

policies.selectors.rule_in_force answers for one region in three queries; a list of a few hundred supervisors (or
pay records) spread over a city's streets would repeat that per row. `rules_by_region` gives the same answer for a
set of regions in two queries: every rule of the kind whose profile is in force on the date and belongs to one of
the regions' ancestors (or is national), then, per region, the nearest one — exactly the rule-by-rule inheritance
policies.selectors documents. tests/test_ratio.py checks the two agree.
"""

import datetime

from django.db.models import Q

from shegong.policies.models import PolicyRule
from shegong.regions.codes import ancestor_codes
from shegong.regions.models import Region


def rules_by_region(kind: str, region_ids, on: datetime.date) -> dict[str, PolicyRule | None]:
    """{region code: the rule of `kind` in force there on `on`, or None}."""
    levels = dict(Region.objects.filter(pk__in=set(region_ids)).values_list("pk", "level"))
    chains = {code: list(dict.fromkeys(ancestor_codes(code, level))) for code, level in levels.items()}
    wanted = {code for chain in chains.values() for code in chain}
    in_force = Q(profile__valid_from__lte=on) & (Q(profile__valid_to__isnull=True) | Q(profile__valid_to__gt=on))
    rules = (
        PolicyRule.objects.filter(kind=kind)
        .filter(in_force)
        .filter(Q(profile__region_id__in=wanted) | Q(profile__region__isnull=True))
        .select_related("profile", "profile__region")
    )
    by_region: dict[str | None, PolicyRule] = {}
    for rule in rules:
        # Profiles of one region never overlap in time, so there is at most one per region here.
        by_region[rule.profile.region_id] = rule
    national = by_region.get(None)
    answer: dict[str, PolicyRule | None] = {}
    for code in region_ids:
        chain = chains.get(code, [])
        answer[code] = next((by_region[c] for c in chain if c in by_region), national)
    return answer
