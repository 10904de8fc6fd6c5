"""Staffing rules of stations and communities. Facts will come from the stations app (站点 and their staff, 在岗).

- staffing_minimum: full-time social workers per 区县中心 / 街道站 / 乡镇站 / 城市社区 / 农村社区 (seed 002 Chongqing;
  seed 001 Zhejiang for communities), optionally a minimum certified share of them.
- presence_days_per_week: "一社区一社工", the social worker serves in the community ≥ N days a week
  (seed 003 Guangzhou).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_FLOOR, ROUND_HALF_EVEN
from fractions import Fraction
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.policies.kinds.base import TARGET_YEAR, at_least, status_word, year_note
from shegong.policies.registry import (
    Fact,
    FactType,
    Param,
    ParamType,
    RuleKind,
    Verdict,
    canonical_decimal,
    percent_text,
    ratio_decimal,
)

OWNER = "stations"

UNITS = (
    ("centre", gettext_lazy("区县社会工作指导中心")),
    ("street_station", gettext_lazy("街道社会工作站")),
    ("township_station", gettext_lazy("乡镇社会工作站")),
    ("urban_community", gettext_lazy("城市社区（社会工作室）")),
    ("rural_community", gettext_lazy("农村社区（社会工作室）")),
)

UNIT = Fact("unit", gettext_lazy("站点类别"), FactType.CHOICE, choices=UNITS)
STAFF = Fact("staff", gettext_lazy("专职社会工作者人数"), FactType.INT)
CERTIFIED_STAFF = Fact("certified_staff", gettext_lazy("其中持证人数"), FactType.INT, required=False)


def _check_staffing(params: Mapping[str, Any]) -> None:
    if all(params.get(code) is None for code, _label in UNITS):
        raise ValidationError(_("请至少填写一类站点的最少配备人数。"), code="required")


def _evaluate_staffing(kind: RuleKind, params: Mapping[str, Any], facts: Mapping[str, Any]) -> Verdict:
    unit, staff, certified = facts["unit"], facts["staff"], facts["certified_staff"]
    unit_label = UNIT.choice_label(unit)
    required = params.get(unit)
    if required is None:
        return Verdict(
            kind=kind.code,
            label=str(kind.label),
            passed=None,
            figures={"unit": unit, "staff": staff},
            message=_("无法判定：本规则未规定%(unit)s的配备人数。") % {"unit": unit_label},
        )
    figures: dict[str, Any] = {"unit": unit, "staff": staff, "minimum": required}
    passed = staff >= required
    message = _("%(unit)s配备专职社会工作者 %(staff)s 名，规定至少 %(minimum)s 名") % {
        "unit": unit_label,
        "staff": staff,
        "minimum": required,
    }
    certified_share = params.get("certified_share")
    if certified_share is not None:
        if certified is None:
            return kind.unknown([CERTIFIED_STAFF])
        figures["certified_staff"] = certified
        figures["certified_minimum"] = certified_share / 100
        if staff:
            share = Fraction(certified, staff)
            below = share < Fraction(certified_share) / 100
            rounding = ROUND_FLOOR if below else ROUND_HALF_EVEN
            figures["certified_share"] = ratio_decimal(share, rounding)
            passed = passed and not below
            message += _("；其中持证 %(certified)s 名，占 %(share)s，规定不低于 %(minimum)s%%") % {
                "certified": certified,
                "share": percent_text(share, rounding),
                "minimum": canonical_decimal(certified_share),
            }
    if params.get("target_year"):
        figures["target_year"] = params["target_year"]
    year = year_note(params.get("target_year"))
    message += _("%(year)s：%(status)s。") % {"year": year, "status": status_word(passed)}
    return Verdict(kind=kind.code, label=str(kind.label), passed=passed, figures=figures, message=message)


STAFFING_MINIMUM = RuleKind(
    code="staffing_minimum",
    label=gettext_lazy("站点专职社工最低配备"),
    description=gettext_lazy(
        "每个区县社会工作指导中心、镇街社会工作站、村（社区）社会工作室至少配备的专职社会工作者人数，可另设持证比例。"
    ),
    owner=OWNER,
    params=(
        Param("centre", gettext_lazy("区县中心最少人数"), ParamType.INT, min=0, required=False),
        Param("street_station", gettext_lazy("街道社工站最少人数"), ParamType.INT, min=0, required=False),
        Param("township_station", gettext_lazy("乡镇社工站最少人数"), ParamType.INT, min=0, required=False),
        Param("urban_community", gettext_lazy("城市社区最少人数"), ParamType.INT, min=0, required=False),
        Param("rural_community", gettext_lazy("农村社区最少人数"), ParamType.INT, min=0, required=False),
        Param("certified_share", gettext_lazy("持证人员最低比例"), ParamType.PERCENT, required=False),
        TARGET_YEAR,
    ),
    facts=(UNIT, STAFF, CERTIFIED_STAFF),
    evaluator=_evaluate_staffing,
    check=_check_staffing,
)

DAYS_PER_WEEK = Fact("days_per_week", gettext_lazy("每周在社区服务天数"), FactType.DAYS)


def _evaluate_presence(kind: RuleKind, params: Mapping[str, Any], facts: Mapping[str, Any]) -> Verdict:
    return at_least(kind, fact=DAYS_PER_WEEK, value=facts["days_per_week"], minimum=params["minimum_days"])


PRESENCE_DAYS_PER_WEEK = RuleKind(
    code="presence_days_per_week",
    label=gettext_lazy("社工每周驻社区天数"),
    description=gettext_lazy("“一社区一社工”：社工每周在社区开展定点服务的最少天数。"),
    owner=OWNER,
    params=(Param("minimum_days", gettext_lazy("每周最少天数"), ParamType.DAYS, min=0, max=7),),
    facts=(DAYS_PER_WEEK,),
    evaluator=_evaluate_presence,
)

KINDS = [STAFFING_MINIMUM, PRESENCE_DAYS_PER_WEEK]
