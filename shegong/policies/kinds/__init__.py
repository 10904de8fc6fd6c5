"""The rule kinds whose numbers the presets hold (DESIGN.md §3), grouped by the app that will supply their facts.

The later apps (stations, projects, registries, agencies) will call these kinds' evaluate functions with their facts;
PoliciesConfig.ready() registers them now so that profiles can hold every number from the start.
"""

from shegong.policies.kinds import agencies, coverage, money, service_levels, staffing, talent, timebank
from shegong.policies.registry import register

BUILTIN_KINDS = [
    *staffing.KINDS,
    *coverage.KINDS,
    *money.KINDS,
    *talent.KINDS,
    *agencies.KINDS,
    *service_levels.KINDS,
    *timebank.KINDS,
]


def register_builtin_kinds() -> None:
    for kind in BUILTIN_KINDS:
        register(kind)
