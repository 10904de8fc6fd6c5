"""Rules about social workers as people: certificates, registration, continuing education, training, supervision and
posts. Facts will come from the registries app (SocialWorker, Certificate, Registration, TrainingRecord, Supervisor,
and the posts of employers).

- continuing_education_hours: hours per registration period by certificate level (民发〔2009〕123号: 72 h for
  助理社会工作师, 90 h for 社会工作师 and 高级社会工作师, per 3-year period).
- registration_validity: first registration within 1 year of the certificate, valid 3 years, re-registration in the
  last 3 months (民发〔2009〕44号).
- frontline_training_hours: cumulative social work training of front-line staff (seed 001 Zhejiang: 120 h by 2022).
- supervisor_ratio: supervisees per supervisor (Shenzhen 1 : 20).
- social_work_post_share: social work posts among the technical posts of institutions whose main work is social work
  (seed 001 §七 Zhejiang: about 70%).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_FLOOR, ROUND_HALF_EVEN
from fractions import Fraction
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.policies.kinds.base import TARGET_YEAR, add_months, add_years, at_least, status_word, year_note
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

OWNER = "registries"

# Codes of the certificate_level dictionary (refdata).
CERTIFICATE_LEVELS = (
    ("assistant", gettext_lazy("助理社会工作师")),
    ("intermediate", gettext_lazy("社会工作师")),
    ("senior", gettext_lazy("高级社会工作师")),
)

CERTIFICATE_LEVEL = Fact("certificate_level", gettext_lazy("证书等级"), FactType.CHOICE, choices=CERTIFICATE_LEVELS)
PERIOD_HOURS = Fact("hours", gettext_lazy("本登记有效期内继续教育学时"), FactType.HOURS)


def _evaluate_continuing_education(kind: RuleKind, params: Mapping[str, Any], facts: Mapping[str, Any]) -> Verdict:
    level, hours = facts["certificate_level"], facts["hours"]
    required = params[f"{level}_hours"]
    passed = hours >= required
    message = _(
        "%(level)s在 %(years)s 年登记有效期内接受继续教育 %(hours)s 小时，规定不少于 %(minimum)s 小时：%(status)s。"
    ) % {
        "level": CERTIFICATE_LEVEL.choice_label(level),
        "years": params["period_years"],
        "hours": canonical_decimal(hours),
        "minimum": canonical_decimal(required),
        "status": status_word(passed),
    }
    return kind.verdict(
        passed, message, certificate_level=level, hours=hours, minimum=required, period_years=params["period_years"]
    )


CONTINUING_EDUCATION_HOURS = RuleKind(
    code="continuing_education_hours",
    label=gettext_lazy("继续教育学时"),
    description=gettext_lazy("社会工作者在每一登记有效期内累计接受继续教育的最少学时，按证书等级区分。"),
    owner=OWNER,
    params=(
        Param("assistant_hours", gettext_lazy("助理社会工作师学时"), ParamType.HOURS),
        Param("intermediate_hours", gettext_lazy("社会工作师学时"), ParamType.HOURS),
        Param("senior_hours", gettext_lazy("高级社会工作师学时"), ParamType.HOURS),
        Param("period_years", gettext_lazy("登记有效期"), ParamType.YEARS, min=1),
    ),
    facts=(CERTIFICATE_LEVEL, PERIOD_HOURS),
    evaluator=_evaluate_continuing_education,
)

CERTIFICATE_DATE = Fact("certificate_date", gettext_lazy("取得证书日期"), FactType.DATE)
REGISTERED_ON = Fact("registered_on", gettext_lazy("最近一次登记日期"), FactType.DATE, required=False)
AS_OF = Fact("as_of", gettext_lazy("判定日期"), FactType.DATE)


def _evaluate_registration(kind: RuleKind, params: Mapping[str, Any], facts: Mapping[str, Any]) -> Verdict:
    certified, registered, as_of = facts["certificate_date"], facts["registered_on"], facts["as_of"]
    if registered is None:
        deadline = add_years(certified, params["first_registration_years"])
        passed = as_of < deadline
        if passed:
            message = _("尚未首次登记，应在 %(deadline)s 之前完成首次登记。")
        else:
            message = _("逾期未首次登记：首次登记期限已于 %(deadline)s 届满。")
        return kind.verdict(passed, message % {"deadline": deadline}, first_registration_deadline=deadline)
    expires = add_years(registered, params["validity_years"])
    renewal_opens = add_months(expires, -params["renewal_window_months"])
    figures = {"registered_on": registered, "expires_on": expires, "renewal_opens_on": renewal_opens}
    if as_of >= expires:
        return kind.verdict(False, _("登记已于 %(expires)s 到期，须办理再登记。") % {"expires": expires}, **figures)
    if as_of >= renewal_opens:
        message = _("登记有效至 %(expires)s（不含当日），已进入再登记受理期（%(opens)s 起）。")
    else:
        message = _("登记有效至 %(expires)s（不含当日），再登记受理期自 %(opens)s 起。")
    return kind.verdict(True, message % {"expires": expires, "opens": renewal_opens}, **figures)


def _check_window(params: Mapping[str, Any]) -> None:
    if params["renewal_window_months"] > params["validity_years"] * 12:
        raise ValidationError({"renewal_window_months": _("「再登记受理期」不能长于「登记有效期」。")}, code="invalid")


REGISTRATION_VALIDITY = RuleKind(
    code="registration_validity",
    label=gettext_lazy("职业水平证书登记"),
    description=gettext_lazy("首次登记期限、登记有效期和再登记受理期。"),
    owner=OWNER,
    params=(
        Param("first_registration_years", gettext_lazy("取得证书后首次登记期限"), ParamType.YEARS, min=1),
        Param("validity_years", gettext_lazy("登记有效期"), ParamType.YEARS, min=1),
        Param("renewal_window_months", gettext_lazy("再登记受理期（有效期满前）"), ParamType.MONTHS, min=1),
    ),
    facts=(CERTIFICATE_DATE, REGISTERED_ON, AS_OF),
    evaluator=_evaluate_registration,
    check=_check_window,
)


TRAINING_HOURS = Fact("training_hours", gettext_lazy("累计社会工作培训学时"), FactType.HOURS)


def _evaluate_training(kind: RuleKind, params: Mapping[str, Any], facts: Mapping[str, Any]) -> Verdict:
    return at_least(
        kind,
        fact=TRAINING_HOURS,
        value=facts["training_hours"],
        minimum=params["minimum_hours"],
        target_year=params.get("target_year"),
    )


FRONTLINE_TRAINING_HOURS = RuleKind(
    code="frontline_training_hours",
    label=gettext_lazy("一线从业人员培训学时"),
    description=gettext_lazy("直接从事社会服务的一线从业人员累计接受社会工作专业知识和实务技能培训的最少学时。"),
    owner=OWNER,
    params=(Param("minimum_hours", gettext_lazy("累计最少学时"), ParamType.HOURS), TARGET_YEAR),
    facts=(TRAINING_HOURS,),
    evaluator=_evaluate_training,
)

SUPERVISORS = Fact("supervisors", gettext_lazy("督导人数"), FactType.INT)
SUPERVISEES = Fact("supervisees", gettext_lazy("被督导社工人数"), FactType.INT)


def _evaluate_supervision(kind: RuleKind, params: Mapping[str, Any], facts: Mapping[str, Any]) -> Verdict:
    supervisors, supervisees, limit = facts["supervisors"], facts["supervisees"], params["max_supervisees"]
    passed = supervisees <= limit * supervisors
    message = _(
        "督导 %(supervisors)s 人、被督导社工 %(supervisees)s 人，规定每名督导至多督导 %(limit)s 人：%(status)s。"
    ) % {
        "supervisors": supervisors,
        "supervisees": supervisees,
        "limit": limit,
        "status": status_word(passed),
    }
    return kind.verdict(passed, message, supervisors=supervisors, supervisees=supervisees, max_supervisees=limit)


SUPERVISOR_RATIO = RuleKind(
    code="supervisor_ratio",
    label=gettext_lazy("督导配比"),
    description=gettext_lazy("每名督导至多督导的社工人数（督导 : 社工 = 1 : N）。"),
    owner=OWNER,
    params=(Param("max_supervisees", gettext_lazy("每名督导至多督导人数"), ParamType.INT, min=1),),
    facts=(SUPERVISORS, SUPERVISEES),
    evaluator=_evaluate_supervision,
)

SOCIAL_WORK_POSTS = Fact("social_work_posts", gettext_lazy("社会工作岗位数"), FactType.INT)
TECHNICAL_POSTS = Fact("technical_posts", gettext_lazy("专业技术岗位总数"), FactType.INT)


def _evaluate_post_share(kind: RuleKind, params: Mapping[str, Any], facts: Mapping[str, Any]) -> Verdict:
    posts, technical = facts["social_work_posts"], facts["technical_posts"]
    target, tolerance = params["target"], params.get("tolerance") or 0
    floor = target - tolerance
    figures: dict[str, Any] = {"social_work_posts": posts, "technical_posts": technical, "target": target / 100}
    if tolerance:
        figures["tolerance"] = tolerance / 100
    if technical == 0:
        return kind.verdict(None, _("无法判定：%(label)s为 0。") % {"label": TECHNICAL_POSTS.label}, **figures)
    share = Fraction(posts, technical)
    below = share < Fraction(floor) / 100
    rounding = ROUND_FLOOR if below else ROUND_HALF_EVEN
    figures["share"] = ratio_decimal(share, rounding)
    if tolerance:
        requirement = _("达到 %(target)s%% 左右（允许低 %(tolerance)s 个百分点）") % {
            "target": canonical_decimal(target),
            "tolerance": canonical_decimal(tolerance),
        }
    else:
        requirement = _("达到 %(target)s%% 左右") % {"target": canonical_decimal(target)}
    message = _(
        "社会工作岗位 %(posts)s 个，占专业技术岗位 %(technical)s 个的 %(share)s，"
        "规定%(requirement)s%(year)s：%(status)s。"
    ) % {
        "posts": posts,
        "technical": technical,
        "share": percent_text(share, rounding),
        "requirement": requirement,
        "year": year_note(params.get("target_year")),
        "status": status_word(not below),
    }
    return kind.verdict(not below, message, **figures)


def _check_tolerance(params: Mapping[str, Any]) -> None:
    if params.get("tolerance") and params["tolerance"] > params["target"]:
        raise ValidationError({"tolerance": _("「允许低于目标的百分点」不能大于「目标比例」。")}, code="invalid")


SOCIAL_WORK_POST_SHARE = RuleKind(
    code="social_work_post_share",
    label=gettext_lazy("社会工作岗位占专业技术岗位比例"),
    description=gettext_lazy(
        "以社会工作服务为主的事业单位，社会工作岗位应为主体专业技术岗位，并逐步达到专业技术岗位总量的一定比例。"
    ),
    owner=OWNER,
    params=(
        Param("target", gettext_lazy("目标比例"), ParamType.PERCENT),
        Param(
            "tolerance",
            gettext_lazy("允许低于目标的百分点"),
            ParamType.PERCENT,
            required=False,
            help_text=gettext_lazy("“左右”的幅度；留空表示须达到目标比例"),
        ),
        TARGET_YEAR,
    ),
    facts=(SOCIAL_WORK_POSTS, TECHNICAL_POSTS),
    evaluator=_evaluate_post_share,
    check=_check_tolerance,
)


KINDS = [
    CONTINUING_EDUCATION_HOURS,
    REGISTRATION_VALIDITY,
    FRONTLINE_TRAINING_HOURS,
    SUPERVISOR_RATIO,
    SOCIAL_WORK_POST_SHARE,
]
