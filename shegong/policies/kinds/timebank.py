"""Limits of the time bank (时间银行). Facts come from the timebank app (shegong/timebank/limits.py).

The seeds say Guangzhou runs time-bank volunteer points at its stations (seed 003) but give no figure, so no preset
sets these rules; a jurisdiction adds them to its profile with its own figures (the demo sets 广州 values marked
演示设定). While no rule is in force, the time bank applies these defaults:

- timebank_balance_limits: no overdraft (a balance never goes below 0 h) and no maximum balance;
- timebank_family_transfer: transfers to family members are not allowed;
- timebank_pool_donation: donations to a station's pool (互助池) are allowed.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.policies.kinds.base import fact_text, status_word
from shegong.policies.registry import OWNER_LABELS, Fact, FactType, Param, ParamType, RuleKind, Verdict

OWNER = "timebank"
OWNER_LABELS.setdefault(OWNER, gettext_lazy("时间银行"))

BALANCE_AFTER = Fact("balance_after", gettext_lazy("转账后的余额"), FactType.HOURS)
YEAR_TOTAL = Fact("year_total", gettext_lazy("本年转给家庭成员的时数（含本次）"), FactType.HOURS)
DONATED = Fact("donated_hours", gettext_lazy("捐入互助池的小时数"), FactType.HOURS)
DEFAULT_OVERDRAFT = Decimal(0)


def _evaluate_balance(kind: RuleKind, params: Mapping[str, Any], facts: Mapping[str, Any]) -> Verdict:
    balance = facts["balance_after"]
    minimum = -(params["overdraft_hours"] or DEFAULT_OVERDRAFT)
    maximum = params.get("maximum_balance")
    passed = balance >= minimum and (maximum is None or balance <= maximum)
    message = _("%(label)s %(value)s，规定不低于 %(minimum)s%(maximum)s：%(status)s。") % {
        "label": BALANCE_AFTER.label,
        "value": fact_text(BALANCE_AFTER, balance),
        "minimum": fact_text(BALANCE_AFTER, minimum),
        "maximum": "" if maximum is None else _("、不高于 %s") % fact_text(BALANCE_AFTER, maximum),
        "status": status_word(passed),
    }
    return Verdict(
        kind=kind.code,
        label=str(kind.label),
        passed=passed,
        figures={"balance_after": balance, "minimum": minimum, "maximum": maximum},
        message=message,
    )


def _evaluate_family(kind: RuleKind, params: Mapping[str, Any], facts: Mapping[str, Any]) -> Verdict:
    total, maximum = facts["year_total"], params.get("yearly_maximum_hours")
    if not params["allowed"]:
        return Verdict(
            kind=kind.code, label=str(kind.label), passed=False, figures={}, message=_("不允许转给家庭成员。")
        )
    passed = maximum is None or total <= maximum
    message = _("%(label)s %(value)s，规定每年不超过 %(maximum)s：%(status)s。") % {
        "label": YEAR_TOTAL.label,
        "value": fact_text(YEAR_TOTAL, total),
        "maximum": _("不限") if maximum is None else fact_text(YEAR_TOTAL, maximum),
        "status": status_word(passed),
    }
    return Verdict(
        kind=kind.code,
        label=str(kind.label),
        passed=passed,
        figures={"year_total": total, "maximum": maximum},
        message=message,
    )


def _evaluate_donation(kind: RuleKind, params: Mapping[str, Any], facts: Mapping[str, Any]) -> Verdict:
    passed = bool(params["allowed"])
    message = _("允许捐入互助池。") if passed else _("不允许捐入互助池。")
    return Verdict(kind=kind.code, label=str(kind.label), passed=passed, figures={}, message=message)


TIMEBANK_BALANCE_LIMITS = RuleKind(
    code="timebank_balance_limits",
    label=gettext_lazy("时间银行余额上下限"),
    description=gettext_lazy(
        "时间银行账户余额的下限（可透支的小时数，0 表示不可透支）与上限（不填表示不设上限）。"
        "未设定时不可透支、不设上限。"
    ),
    owner=OWNER,
    params=(
        Param("overdraft_hours", gettext_lazy("可透支小时数"), ParamType.HOURS, min=0, max=1000),
        Param("maximum_balance", gettext_lazy("余额上限"), ParamType.HOURS, min=1, max=100000, required=False),
    ),
    facts=(BALANCE_AFTER,),
    evaluator=_evaluate_balance,
)

TIMEBANK_FAMILY_TRANSFER = RuleKind(
    code="timebank_family_transfer",
    label=gettext_lazy("时间银行转给家庭成员"),
    description=gettext_lazy(
        "是否允许把时数转给家庭成员，以及每人每年最多转出的小时数（不填表示不限）。未设定时不允许转给家庭成员。"
    ),
    owner=OWNER,
    params=(
        Param("allowed", gettext_lazy("允许转给家庭成员"), ParamType.BOOL),
        Param("yearly_maximum_hours", gettext_lazy("每年最多转出"), ParamType.HOURS, min=1, max=10000, required=False),
    ),
    facts=(YEAR_TOTAL,),
    evaluator=_evaluate_family,
)

TIMEBANK_POOL_DONATION = RuleKind(
    code="timebank_pool_donation",
    label=gettext_lazy("时间银行捐入互助池"),
    description=gettext_lazy("是否允许成员把时数捐入站点的互助池。未设定时允许。"),
    owner=OWNER,
    params=(Param("allowed", gettext_lazy("允许捐入互助池"), ParamType.BOOL),),
    facts=(DONATED,),
    evaluator=_evaluate_donation,
)

KINDS = [TIMEBANK_BALANCE_LIMITS, TIMEBANK_FAMILY_TRANSFER, TIMEBANK_POOL_DONATION]
