"""The supervisee ratio (督导配比): distinct supervisees of one supervisor in a period against the policy profile.

The number comes from the "supervisor_ratio" rule (policies/kinds/talent.py) in force for the supervisor's work
region on the period's last day: Shenzhen's preset says 1 : 20 (《深圳市社工督导人员工作职责规定（试行）》第三条).
No national rule sets a ratio, so where no profile in the region's chain defines one the verdict uses
NATIONAL_DEFAULT_MAX_SUPERVISEES below — the one place that number lives — and says so in its source. An
administrator who wants another number adds a supervisor_ratio rule to the national or a local profile; nothing here
changes.
"""

import datetime
from dataclasses import dataclass, replace

from django.utils.translation import gettext as _

from shegong.policies import registry
from shegong.policies import selectors as policy_selectors
from shegong.policies.kinds.base import add_years
from shegong.policies.models import PolicyRule
from shegong.policies.registry import Verdict
from shegong.talent.policy import rules_by_region

KIND = "supervisor_ratio"
# Used only where no profile defines a supervisor_ratio rule. 20 is the only figure the seeds' jurisdictions publish
# (Shenzhen 1 : 20); it is a stand-in, not a national rule, and the verdict's source says so.
NATIONAL_DEFAULT_MAX_SUPERVISEES = 20


@dataclass(frozen=True)
class RatioLimit:
    max_supervisees: int
    rule: PolicyRule | None  # None: the national default above

    @property
    def is_default(self) -> bool:
        return self.rule is None

    @property
    def source(self) -> str:
        if self.rule is None:
            return _("未设督导配比规则，按系统默认值 1 : %(limit)d 判定") % {"limit": self.max_supervisees}
        return str(self.rule.profile)


def _limit(rule: PolicyRule | None) -> RatioLimit:
    if rule is None:
        return RatioLimit(NATIONAL_DEFAULT_MAX_SUPERVISEES, None)
    return RatioLimit(int(rule.rule_kind.typed_params(rule.params)["max_supervisees"]), rule)


def limit_for_region(region_code: str, on: datetime.date) -> RatioLimit:
    """The limit for one region, read through the policies selectors (the supervisor page)."""
    return _limit(policy_selectors.rule_in_force(KIND, region_code, on))


def limits_for_regions(region_codes, on: datetime.date) -> dict[str, RatioLimit]:
    """The same for many regions in two queries (lists)."""
    return {code: _limit(rule) for code, rule in rules_by_region(KIND, list(region_codes), on).items()}


def verdict(limit: RatioLimit, supervisees: int) -> Verdict:
    """The rule's verdict for one supervisor with `supervisees` distinct supervisees."""
    facts = {"supervisors": 1, "supervisees": supervisees}
    if limit.rule is not None:
        return limit.rule.evaluate(facts)
    kind = registry.get(KIND)
    return replace(kind.evaluate({"max_supervisees": limit.max_supervisees}, facts), source_text=limit.source)


def default_period(as_of: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The twelve months ending on `as_of`, both days included."""
    return add_years(as_of, -1) + datetime.timedelta(days=1), as_of
