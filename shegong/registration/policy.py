"""The numbers registration and continuing education rest on, read from the policy profile in force (DESIGN.md §4).

National defaults live here and nowhere else; a jurisdiction's profile (shegong/policies) overrides them rule by rule:

- registration_validity (《社会工作者职业水平证书登记办法》民发〔2009〕44号 第四条): first registration within 1 year of
  passing the assessment, valid 3 years, re-registration in the last 3 months of validity.
- continuing_education_hours (《社会工作者继续教育办法》民发〔2009〕123号): per registration period (3 years) at least
  72 h for 助理社会工作师 and 90 h for 社会工作师 and 高级社会工作师.
- frontline_training_hours (seed 001, 浙江省 §三): front-line staff get at least 120 hours of social work training
  cumulatively (by 2022).
- A social work degree (社会工作专业学历教育) counts as 90 hours, once per person. No rule kind holds this number yet,
  so it is the national default below for every jurisdiction.

Only the year of passing is recorded on a certificate (Certificate.year_passed), not the day the results were
published, so "within 1 year of passing" is read in the applicant's favour: the first registration must be submitted
by 31 December of the year `first_registration_years` after the year passed (a certificate of 2023 may be registered
until 2024-12-31). See `first_registration_deadline`.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from shegong.policies.kinds.base import add_months, add_years

REGISTRATION_RULE = "registration_validity"
CONTINUING_EDUCATION_RULE = "continuing_education_hours"
FRONTLINE_TRAINING_RULE = "frontline_training_hours"

NATIONAL_DEFAULTS = {
    REGISTRATION_RULE: {"first_registration_years": 1, "validity_years": 3, "renewal_window_months": 3},
    CONTINUING_EDUCATION_RULE: {
        "assistant_hours": Decimal(72),
        "intermediate_hours": Decimal(90),
        "senior_hours": Decimal(90),
        "period_years": 3,
    },
    FRONTLINE_TRAINING_RULE: {"minimum_hours": Decimal(120), "target_year": 2022},
}
DEGREE_HOURS = Decimal(90)
NATIONAL_SOURCE = _("全国默认值（民发〔2009〕44号、民发〔2009〕123号）")


@dataclass(frozen=True)
class RegistrationPolicy:
    """The figures in force for one region on one day, and where each came from (the profile's name)."""

    first_registration_years: int
    validity_years: int
    renewal_window_months: int
    hours_by_level: dict[str, Decimal]
    period_years: int
    frontline_minimum_hours: Decimal
    frontline_target_year: int | None
    degree_hours: Decimal = DEGREE_HOURS
    sources: dict[str, str] = field(default_factory=dict)

    def required_hours(self, level: str) -> Decimal:
        return self.hours_by_level[level]

    def first_registration_deadline(self, year_passed: int) -> datetime.date:
        """The last day a first registration may be submitted (inclusive); see the module docstring."""
        return datetime.date(year_passed + self.first_registration_years, 12, 31)

    def valid_until(self, valid_from: datetime.date) -> datetime.date:
        """The last day of validity (inclusive), `validity_years` after the first day."""
        return add_years(valid_from, self.validity_years) - datetime.timedelta(days=1)

    def renewal_opens(self, valid_until: datetime.date) -> datetime.date:
        """The first day a renewal may be submitted: `renewal_window_months` before the day after the last valid
        day (a registration valid until 2026-06-30 opens for renewal on 2026-04-01)."""
        return add_months(valid_until + datetime.timedelta(days=1), -self.renewal_window_months)


def _rules_in_force(region, day: datetime.date) -> dict[str, tuple[dict, str]]:
    """{rule kind: (typed params, profile name)} of our kinds in force for the region on the day, through the
    policies app's rule-by-rule resolution (the region's own profile, its ancestors', then the national one)."""
    from shegong.policies.selectors import rules_in_force

    if region is None:
        return {}
    return {
        kind: (rule.rule_kind.typed_params(rule.params), rule.profile.name)
        for kind, rule in rules_in_force(region.code, day).items()
        if kind in NATIONAL_DEFAULTS
    }


def policy_for(region, day: datetime.date | None = None) -> RegistrationPolicy:
    """The registration and training figures in force for a region (a worker's region) on a day (default today)."""
    from django.utils import timezone

    day = day or timezone.localdate()
    in_force = _rules_in_force(region, day)
    params: dict[str, dict] = {}
    sources: dict[str, str] = {}
    for kind, defaults in NATIONAL_DEFAULTS.items():
        values, source = in_force.get(kind, (None, None))
        merged = dict(defaults)
        if values:
            merged.update({name: value for name, value in values.items() if value is not None})
        params[kind] = merged
        sources[kind] = source or str(NATIONAL_SOURCE)
    registration = params[REGISTRATION_RULE]
    education = params[CONTINUING_EDUCATION_RULE]
    frontline = params[FRONTLINE_TRAINING_RULE]
    return RegistrationPolicy(
        first_registration_years=int(registration["first_registration_years"]),
        validity_years=int(registration["validity_years"]),
        renewal_window_months=int(registration["renewal_window_months"]),
        hours_by_level={
            "assistant": Decimal(education["assistant_hours"]),
            "intermediate": Decimal(education["intermediate_hours"]),
            "senior": Decimal(education["senior_hours"]),
        },
        period_years=int(education["period_years"]),
        frontline_minimum_hours=Decimal(frontline["minimum_hours"]),
        frontline_target_year=frontline.get("target_year"),
        sources=sources,
    )
