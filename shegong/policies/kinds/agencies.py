"""Rules about service agencies' ratings (社会组织评估). Facts will come from the agencies app (ratings, scores).

- rating_validity: a rating (1A..5A) is valid 5 years (民政部令第39号《社会组织评估管理办法》).
- rating_cutoffs: the score out of 1000 needed for each grade; set locally, so no preset holds numbers for it.
- county_rated_agencies: agencies rated at or above a grade in every county (seed 004 Jiangsu: ≥ 2 at 3A by 2025).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.policies.kinds.base import TARGET_YEAR, add_years, status_word, year_note
from shegong.policies.registry import Fact, FactType, Param, ParamType, RuleKind, Verdict, canonical_decimal

OWNER = "agencies"

RATED_ON = Fact("rated_on", gettext_lazy("评估等级认定日期"), FactType.DATE)
AS_OF = Fact("as_of", gettext_lazy("判定日期"), FactType.DATE)


def _evaluate_rating_validity(kind: RuleKind, params: Mapping[str, Any], facts: Mapping[str, Any]) -> Verdict:
    expires = add_years(facts["rated_on"], params["validity_years"])
    passed = facts["as_of"] < expires
    if passed:
        message = _("评估等级有效至 %(expires)s（不含当日）。")
    else:
        message = _("评估等级已于 %(expires)s 期满，须重新参加评估。")
    return kind.verdict(passed, message % {"expires": expires}, rated_on=facts["rated_on"], expires_on=expires)


RATING_VALIDITY = RuleKind(
    code="rating_validity",
    label=gettext_lazy("评估等级有效期"),
    description=gettext_lazy("社会组织评估等级（1A 至 5A）的有效期。"),
    owner=OWNER,
    params=(Param("validity_years", gettext_lazy("有效期"), ParamType.YEARS, min=1),),
    facts=(RATED_ON, AS_OF),
    evaluator=_evaluate_rating_validity,
)

GRADES = (5, 4, 3, 2, 1)
SCORE = Fact("score", gettext_lazy("评估得分"), FactType.DECIMAL)
REQUIRED_GRADE = Fact(
    "required_grade",
    gettext_lazy("要求达到的等级"),
    FactType.CHOICE,
    required=False,
    choices=tuple((str(grade), f"{grade}A") for grade in GRADES),
)


def _check_cutoffs(params: Mapping[str, Any]) -> None:
    full = params["full_score"]
    cutoffs = [params[f"grade_{grade}"] for grade in GRADES]
    if cutoffs[0] > full:
        raise ValidationError({"grade_5": _("5A 级分数线不能高于满分。")}, code="invalid")
    for higher, lower, value_high, value_low in zip(GRADES, GRADES[1:], cutoffs, cutoffs[1:], strict=False):
        if value_low >= value_high:
            message = _("%(lower)sA 级分数线须低于 %(higher)sA 级。") % {"lower": lower, "higher": higher}
            raise ValidationError({f"grade_{lower}": message}, code="invalid")


def _evaluate_cutoffs(kind: RuleKind, params: Mapping[str, Any], facts: Mapping[str, Any]) -> Verdict:
    score = facts["score"]
    grade = next((grade for grade in GRADES if score >= params[f"grade_{grade}"]), 0)
    required = int(facts["required_grade"]) if facts.get("required_grade") else 1
    passed = grade >= required
    grade_text = f"{grade}A" if grade else _("未达到 1A")
    message = _("得分 %(score)s / %(full)s，对应等级 %(grade)s，要求 %(required)sA 及以上：%(status)s。") % {
        "score": canonical_decimal(score),
        "full": params["full_score"],
        "grade": grade_text,
        "required": required,
        "status": status_word(passed),
    }
    return kind.verdict(passed, message, score=score, grade=grade, required_grade=required)


RATING_CUTOFFS = RuleKind(
    code="rating_cutoffs",
    label=gettext_lazy("评估等级分数线"),
    description=gettext_lazy("社会组织评估满分与 5A 至 1A 各等级的最低得分，由本地评估办法规定。"),
    owner=OWNER,
    params=(
        Param("full_score", gettext_lazy("满分"), ParamType.INT, min=1),
        *(Param(f"grade_{grade}", f"{grade}A", ParamType.INT, min=0) for grade in GRADES),
    ),
    facts=(SCORE, REQUIRED_GRADE),
    evaluator=_evaluate_cutoffs,
    check=_check_cutoffs,
)

RATED_AGENCIES = Fact("rated_agencies", gettext_lazy("达到等级的民办社工机构数"), FactType.INT)


def _evaluate_county_agencies(kind: RuleKind, params: Mapping[str, Any], facts: Mapping[str, Any]) -> Verdict:
    count, minimum, grade = facts["rated_agencies"], params["minimum_agencies"], params["minimum_grade"]
    passed = count >= minimum
    message = _(
        "本县（市、区）%(grade)sA 级及以上民办社会工作服务机构 %(count)s 家，"
        "规定不少于 %(minimum)s 家%(year)s：%(status)s。"
    ) % {
        "grade": grade,
        "count": count,
        "minimum": minimum,
        "year": year_note(params.get("target_year")),
        "status": status_word(passed),
    }
    figures: dict[str, Any] = {"rated_agencies": count, "minimum": minimum, "minimum_grade": grade}
    if params.get("target_year"):
        figures["target_year"] = params["target_year"]
    return kind.verdict(passed, message, **figures)


COUNTY_RATED_AGENCIES = RuleKind(
    code="county_rated_agencies",
    label=gettext_lazy("每县等级社工机构数"),
    description=gettext_lazy("每个县（市、区）拥有达到一定评估等级的民办社会工作服务机构的最少数量。"),
    owner=OWNER,
    params=(
        Param("minimum_agencies", gettext_lazy("最少机构数"), ParamType.INT, min=0),
        Param("minimum_grade", gettext_lazy("最低等级（A）"), ParamType.INT, min=1, max=5),
        TARGET_YEAR,
    ),
    facts=(RATED_AGENCIES,),
    evaluator=_evaluate_county_agencies,
)

KINDS = [RATING_VALIDITY, RATING_CUTOFFS, COUNTY_RATED_AGENCIES]
