"""Service levels of residents' requests (码上办). Facts come from the servicerequests app.

- request_first_response_hours: at most N hours from a resident's submission to the first response (a worker accepts
  it, or the head dismisses it with a reason). The seeds ask for "零距离、精准化供需对接" (seed 001) and 社区随约服务
  (seed 003) but give no number, so no preset sets this rule: a jurisdiction adds it to its profile with its own
  figure and source text. While no rule is in force for a community, its requests have no deadline (未设定时限).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.policies.kinds.base import fact_text, status_word
from shegong.policies.registry import OWNER_LABELS, Fact, FactType, Param, ParamType, RuleKind, Verdict

OWNER = "servicerequests"
OWNER_LABELS.setdefault(OWNER, gettext_lazy("服务需求"))

RESPONSE_HOURS = Fact("response_hours", gettext_lazy("提交至首次响应的小时数"), FactType.HOURS)


def _evaluate_first_response(kind: RuleKind, params: Mapping[str, Any], facts: Mapping[str, Any]) -> Verdict:
    hours, maximum = facts["response_hours"], params["maximum_hours"]
    passed = hours <= maximum
    message = _("%(label)s %(value)s，规定不超过 %(maximum)s：%(status)s。") % {
        "label": RESPONSE_HOURS.label,
        "value": fact_text(RESPONSE_HOURS, hours),
        "maximum": fact_text(RESPONSE_HOURS, maximum),
        "status": status_word(passed),
    }
    return Verdict(
        kind=kind.code,
        label=str(kind.label),
        passed=passed,
        figures={"response_hours": hours, "maximum": maximum},
        message=message,
    )


REQUEST_FIRST_RESPONSE_HOURS = RuleKind(
    code="request_first_response_hours",
    label=gettext_lazy("居民需求首次响应时限"),
    description=gettext_lazy(
        "居民通过二维码提交服务需求后，社工接单或站长作出不予受理决定的最长时限（小时）；超过时限的需求上报站长。"
    ),
    owner=OWNER,
    params=(Param("maximum_hours", gettext_lazy("最长响应时间"), ParamType.HOURS, min=1, max=720),),
    facts=(RESPONSE_HOURS,),
    evaluator=_evaluate_first_response,
)

KINDS = [REQUEST_FIRST_RESPONSE_HOURS]
