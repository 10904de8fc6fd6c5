"""The rating rules an agency's rating is checked against: validity and score cut-offs (社会组织评估).

Both are policy rules (shegong/policies/kinds/agencies.py: rating_validity, rating_cutoffs), resolved for the agency's
region on the rating date through the policy profiles (policies.selectors.rule_in_force), so a province or city that
sets its own cut-offs is judged by them. Where no profile in force defines a rule, the national defaults below apply.
They are the only place these numbers appear in code.

- Validity: 5 years, 《社会组织评估管理办法》(民政部令第39号): "评估等级有效期为5年". The national preset profile
  holds the same rule from 2011-03-01; the default covers ratings dated before any profile is in force.
- Cut-offs: the regulation leaves them to the local evaluation rules. The default is the common scale of local
  notices (e.g. 洛阳市瀍河回族区民政局 2025年度社会组织评估通知): out of 1000, 5A ≥ 900, 4A 800–899, 3A 700–799,
  2A 600–699, 1A below 600.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from shegong.policies import registry
from shegong.policies import selectors as policy_selectors
from shegong.policies.kinds.agencies import GRADES
from shegong.policies.kinds.base import add_years
from shegong.policies.registry import canonical_decimal

VALIDITY_KIND = "rating_validity"
CUTOFFS_KIND = "rating_cutoffs"

NATIONAL_DEFAULT_VALIDITY = {"validity_years": 5}
NATIONAL_DEFAULT_CUTOFFS = {
    "full_score": 1000,
    "grade_5": 900,
    "grade_4": 800,
    "grade_3": 700,
    "grade_2": 600,
    "grade_1": 0,
}


@dataclass(frozen=True)
class RatingPolicy:
    """The rating rules for one region on one date, and where each comes from (a profile's name, or the default)."""

    validity_years: int
    full_score: int
    cutoffs: dict[int, Decimal]  # level -> lowest score of that level
    validity_source: str
    cutoffs_source: str

    def valid_until(self, rated_on: datetime.date) -> datetime.date:
        """The first day the rating no longer holds (有效期至, exclusive)."""
        return add_years(rated_on, self.validity_years)

    def level_for(self, score: Decimal) -> int:
        """The level the cut-offs give a score; 0 when it is below the 1A line."""
        return next((level for level in GRADES if score >= self.cutoffs[level]), 0)

    def score_range(self, level: int) -> tuple[Decimal, Decimal | None]:
        """[lowest, next level's line) of a level; the upper end is None for 5A (up to the full score)."""
        upper = self.cutoffs.get(level + 1)
        return self.cutoffs[level], upper

    def note(self) -> str:
        return _("有效期 %(years)s 年（%(validity)s）；分数线 %(lines)s / %(full)s（%(cutoffs)s）") % {
            "years": self.validity_years,
            "validity": self.validity_source,
            "lines": "、".join(f"{level}A≥{canonical_decimal(self.cutoffs[level])}" for level in GRADES),
            "full": self.full_score,
            "cutoffs": self.cutoffs_source,
        }


def _typed(kind_code: str, stored: dict) -> dict:
    return registry.get(kind_code).typed_params(stored)


def rating_policy(region_code: str, on: datetime.date) -> RatingPolicy:
    """The rating rules in force for a region on a date: the profiles' rules where defined, else the defaults."""
    rules = policy_selectors.rules_in_force(region_code, on)
    default_source = _("全国默认")
    validity_rule, cutoffs_rule = rules.get(VALIDITY_KIND), rules.get(CUTOFFS_KIND)
    validity = _typed(VALIDITY_KIND, validity_rule.params if validity_rule else NATIONAL_DEFAULT_VALIDITY)
    cutoffs = _typed(CUTOFFS_KIND, cutoffs_rule.params if cutoffs_rule else NATIONAL_DEFAULT_CUTOFFS)
    return RatingPolicy(
        validity_years=validity["validity_years"],
        full_score=cutoffs["full_score"],
        cutoffs={level: Decimal(cutoffs[f"grade_{level}"]) for level in GRADES},
        validity_source=str(validity_rule.profile) if validity_rule else default_source,
        cutoffs_source=str(cutoffs_rule.profile) if cutoffs_rule else default_source,
    )


def check_score(policy: RatingPolicy, level: int, score: Decimal) -> None:
    """Refuse a score the cut-offs do not place at `level`, saying which range the level needs."""
    if score < 0 or score > policy.full_score:
        raise ValidationError(
            {"score": _("评估得分须在 0 至 %(full)s 分之间。") % {"full": policy.full_score}}, code="score_out_of_range"
        )
    actual = policy.level_for(score)
    if actual == level:
        return
    low, high = policy.score_range(level)
    if high is None:
        needed = _("%(low)s 分及以上") % {"low": canonical_decimal(low)}
    else:
        needed = _("%(low)s 分至不足 %(high)s 分") % {"low": canonical_decimal(low), "high": canonical_decimal(high)}
    got = _("%(level)sA") % {"level": actual} if actual else _("未达到 1A")
    raise ValidationError(
        {
            "score": _(
                "得分 %(score)s 与等级 %(level)sA 不符：按%(source)s的分数线，"
                "%(level)sA 须 %(needed)s，该得分对应 %(got)s。"
            )
            % {
                "score": canonical_decimal(score),
                "level": level,
                "source": policy.cutoffs_source,
                "needed": needed,
                "got": got,
            }
        },
        code="score_level_mismatch",
    )
