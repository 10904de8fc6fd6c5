"""The pay guidance rule kind (社会工作者薪酬指导价位), registered by RecruitmentConfig.ready().

Seed 000 (深圳《若干措施》): "健全社会工作者职级体系和薪酬保障，建立完善与社会工作服务水平相对应的从业社会工作者职级薪酬
体系"; "社会工作薪酬指导价与经济社会发展水平相适应……原则上每3年调整一次". Seed 001 (浙江 §六) ties pay to
"职业水平等级、学历、资历、业绩、岗位". So a profile holds, per job grade of seed 001 §八 (shegong/workers/grades.py), a
monthly range in yuan and the period after which the guidance is to be reviewed. The seeds publish no figures: the
numbers are entered by each bureau (the demo adds illustrative ones).
"""

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.policies.registry import Fact, FactType, Param, ParamType, RuleKind, Verdict, format_money
from shegong.workers.grades import JobGrade

KIND = "pay_guidance"

BELOW, WITHIN, ABOVE = "below", "within", "above"
POSITION_LABELS = {
    BELOW: gettext_lazy("低于指导下限"),
    WITHIN: gettext_lazy("在指导区间内"),
    ABOVE: gettext_lazy("高于指导上限"),
    None: gettext_lazy("无法判定"),
}

JOB_GRADE = Fact("job_grade", gettext_lazy("岗位等级"), FactType.CHOICE, choices=tuple(JobGrade.choices))
MONTHLY_PAY = Fact("monthly_pay", gettext_lazy("月薪"), FactType.MONEY)


def min_param(grade: str) -> str:
    return f"{grade}_min"


def max_param(grade: str) -> str:
    return f"{grade}_max"


def _grade_params() -> list[Param]:
    params = []
    for grade, label in JobGrade.choices:
        params.append(
            Param(
                min_param(grade),
                format_lazy("{}：{}", label, gettext_lazy("月薪下限")),
                ParamType.MONEY,
                required=False,
            )
        )
        params.append(
            Param(
                max_param(grade),
                format_lazy("{}：{}", label, gettext_lazy("月薪上限")),
                ParamType.MONEY,
                required=False,
            )
        )
    return params


def grade_range(params: Mapping[str, Any], grade: str):
    """(minimum, maximum) of a grade in typed parameters; either may be None."""
    return params.get(min_param(grade)), params.get(max_param(grade))


def _check(params: Mapping[str, Any]) -> None:
    errors = {}
    any_range = False
    for grade, label in JobGrade.choices:
        low, high = grade_range(params, grade)
        any_range = any_range or low is not None or high is not None
        if low is not None and high is not None and low > high:
            errors[max_param(grade)] = _("「%(grade)s」的月薪上限不能低于下限。") % {"grade": label}
    if errors:
        raise ValidationError(errors)
    if not any_range:
        raise ValidationError(_("请至少为一个岗位等级填写月薪下限或上限。"), code="required")


def _evaluate(kind: RuleKind, params: Mapping[str, Any], facts: Mapping[str, Any]) -> Verdict:
    grade, pay = facts["job_grade"], facts["monthly_pay"]
    low, high = grade_range(params, grade)
    grade_label = JOB_GRADE.choice_label(grade)
    figures: dict[str, Any] = {"job_grade": grade, "monthly_pay": pay, "minimum": low, "maximum": high}
    if params.get("review_period_years"):
        figures["review_period_years"] = params["review_period_years"]
    if low is None and high is None:
        figures["position"] = None
        message = _("规则集未给出「%(grade)s」的薪酬指导价位，无法判定。") % {"grade": grade_label}
        return kind.verdict(None, message, **figures)
    if low is not None and pay < low:
        position = BELOW
    elif high is not None and pay > high:
        position = ABOVE
    else:
        position = WITHIN
    figures["position"] = position
    if low is not None and high is not None:
        bound = _("%(low)s 至 %(high)s 元") % {"low": format_money(low), "high": format_money(high)}
    elif low is not None:
        bound = _("不低于 %(low)s 元") % {"low": format_money(low)}
    else:
        bound = _("不高于 %(high)s 元") % {"high": format_money(high)}
    message = _("月薪 %(pay)s 元，「%(grade)s」指导价位为 %(bound)s：%(position)s。") % {
        "pay": format_money(pay),
        "grade": grade_label,
        "bound": bound,
        "position": POSITION_LABELS[position],
    }
    # Paying above the range is not a breach: only pay under the floor fails the rule.
    return kind.verdict(position != BELOW, message, **figures)


PAY_GUIDANCE = RuleKind(
    code=KIND,
    label=gettext_lazy("社会工作者薪酬指导价位"),
    description=gettext_lazy(
        "按社会工作岗位等级（专业技术岗位五至十二级）给出的月薪指导区间，以及指导价位的调整周期；"
        "社会工作者的月薪与其岗位等级的指导价位比较。"
    ),
    owner="recruitment",
    params=(
        *_grade_params(),
        Param(
            "review_period_years",
            gettext_lazy("调整周期"),
            ParamType.YEARS,
            min=1,
            required=False,
            help_text=gettext_lazy("指导价位原则上每隔几年调整一次（深圳：3 年）"),
        ),
    ),
    facts=(JOB_GRADE, MONTHLY_PAY),
    evaluator=_evaluate,
    check=_check,
)


def position_of(verdict: Verdict | None) -> str | None:
    return verdict.figures.get("position") if verdict is not None else None
