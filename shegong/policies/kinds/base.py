"""Building blocks shared by the built-in rule kinds: exact share rules, bounds checks, calendar arithmetic."""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Mapping
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.policies.registry import (
    Fact,
    FactType,
    Param,
    ParamType,
    RuleKind,
    Verdict,
    canonical_decimal,
    format_money,
    percent_text,
    ratio_decimal,
)

MINIMUM = Param("minimum", gettext_lazy("最低比例"), ParamType.PERCENT, required=False)
MAXIMUM = Param("maximum", gettext_lazy("最高比例"), ParamType.PERCENT, required=False)
TARGET_YEAR = Param(
    "target_year",
    gettext_lazy("目标年份"),
    ParamType.YEAR,
    required=False,
    help_text=gettext_lazy("须在该年年底前达到；留空表示现行要求"),
)


def fact_text(fact: Fact, value: Any) -> str:
    """A fact value as people read it."""
    if fact.type == FactType.MONEY:
        return _("%(amount)s 元") % {"amount": format_money(value)}
    if fact.type == FactType.HOURS:
        return _("%(hours)s 小时") % {"hours": value}
    if fact.type == FactType.DAYS:
        return _("%(days)s 天") % {"days": value}
    if fact.type == FactType.CHOICE:
        return fact.choice_label(value)
    return str(value)


def status_word(passed: bool | None) -> str:
    return str({True: _("符合"), False: _("不符合"), None: _("无法判定")}[passed])


def year_note(year: int | None) -> str:
    return _("（%(year)s 年底前目标）") % {"year": year} if year else ""


def check_share_bounds(params: Mapping[str, Any]) -> None:
    """At least one bound, and the lower not above the upper."""
    low, high = params.get("minimum"), params.get("maximum")
    if low is None and high is None:
        raise ValidationError(_("「最低比例」和「最高比例」至少填写一项。"), code="required")
    if low is not None and high is not None and low > high:
        raise ValidationError({"maximum": _("「最高比例」不能低于「最低比例」。")}, code="invalid")


def require_minimum(params: Mapping[str, Any]) -> None:
    if params.get("minimum") is None:
        raise ValidationError({"minimum": _("请填写「最低比例」。")}, code="required")


def bound_text(low: Decimal | None, high: Decimal | None) -> str:
    if low is not None and high is not None:
        return _("在 %(low)s%% 至 %(high)s%% 之间") % {"low": canonical_decimal(low), "high": canonical_decimal(high)}
    if low is not None:
        return _("不低于 %(low)s%%") % {"low": canonical_decimal(low)}
    return _("不超过 %(high)s%%") % {"high": canonical_decimal(high)}


def judge_share(
    kind: RuleKind,
    *,
    numerator: Fact,
    denominator: Fact,
    num: Decimal | int,
    den: Decimal | int,
    low: Decimal | None,
    high: Decimal | None,
    target_year: int | None = None,
) -> Verdict:
    """Compare num/den with the percentage bounds exactly (as fractions), never through a rounded share."""
    figures: dict[str, Any] = {numerator.name: num, denominator.name: den}
    if low is not None:
        figures["minimum"] = low / 100
    if high is not None:
        figures["maximum"] = high / 100
    if target_year:
        figures["target_year"] = target_year
    if den == 0:
        return Verdict(
            kind=kind.code,
            label=str(kind.label),
            passed=None,
            figures=figures,
            message=_("无法判定：%(den)s为 0。") % {"den": denominator.label},
        )
    share = Fraction(num) / Fraction(den)
    below = low is not None and share < Fraction(low) / 100
    above = high is not None and share > Fraction(high) / 100
    passed = not below and not above
    rounding = ROUND_FLOOR if below else ROUND_CEILING if above else ROUND_HALF_EVEN
    figures["share"] = ratio_decimal(share, rounding)
    message = _("%(num_label)s %(num)s ÷ %(den_label)s %(den)s = %(share)s，规定%(bound)s%(year)s：%(status)s。") % {
        "num_label": numerator.label,
        "num": fact_text(numerator, num),
        "den_label": denominator.label,
        "den": fact_text(denominator, den),
        "share": percent_text(share, rounding),
        "bound": bound_text(low, high),
        "year": year_note(target_year),
        "status": status_word(passed),
    }
    return Verdict(kind=kind.code, label=str(kind.label), passed=passed, figures=figures, message=message)


def share_kind(
    *,
    code: str,
    label,
    description,
    owner: str,
    numerator: Fact,
    denominator: Fact,
    allow_maximum: bool = False,
    with_target_year: bool = False,
) -> RuleKind:
    """A rule "numerator / denominator ≥ minimum (and/or ≤ maximum)", e.g. labour cost over project funds."""
    params = [MINIMUM]
    if allow_maximum:
        params.append(MAXIMUM)
    if with_target_year:
        params.append(TARGET_YEAR)

    def evaluate(kind: RuleKind, params: Mapping[str, Any], facts: Mapping[str, Any]) -> Verdict:
        return judge_share(
            kind,
            numerator=numerator,
            denominator=denominator,
            num=facts[numerator.name],
            den=facts[denominator.name],
            low=params.get("minimum"),
            high=params.get("maximum"),
            target_year=params.get("target_year"),
        )

    return RuleKind(
        code=code,
        label=label,
        description=description,
        owner=owner,
        params=tuple(params),
        facts=(numerator, denominator),
        evaluator=evaluate,
        check=check_share_bounds if allow_maximum else require_minimum,
    )


def at_least(
    kind: RuleKind, *, fact: Fact, value: Decimal | int, minimum: Decimal | int, target_year: int | None = None
) -> Verdict:
    """A plain "value ≥ minimum" rule (hours, days, money)."""
    passed = value >= minimum
    message = _("%(label)s %(value)s，规定不少于 %(minimum)s%(year)s：%(status)s。") % {
        "label": fact.label,
        "value": fact_text(fact, value),
        "minimum": fact_text(fact, minimum),
        "year": year_note(target_year),
        "status": status_word(passed),
    }
    figures: dict[str, Any] = {fact.name: value, "minimum": minimum}
    if target_year:
        figures["target_year"] = target_year
    return Verdict(kind=kind.code, label=str(kind.label), passed=passed, figures=figures, message=message)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later (or earlier), clamped to the month's end: 2024-01-31 + 1 month = 2024-02-29."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day: datetime.date, years: int) -> datetime.date:
    return add_months(day, 12 * years)
