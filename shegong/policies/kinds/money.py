"""Money and staffing rules of government-purchased service projects. Facts will come from the projects app
(project funds, budget lines, annual amount, project staff and posts).

- labour_cost_share: labour (personnel) cost over project funds, a minimum and/or a maximum: Guangzhou ≥ 65%
  (seed 003), Jiangsu ≥ 80% (seed 004), Zhejiang draft ≤ 70% (seed 001 §六).
- package_fee_per_person: the overall package fee per person per year, reviewed every N years (seed 000 Shenzhen).
- station_project_amount: the standard annual amount of a station project (seed 003 Guangzhou 240万, 200万 before 2018).
- professional_staff_share: social work professionals among the project's staff (seed 004 Jiangsu ≥ 75%).
- certified_post_share: social work posts held by certificate holders (seed 000 Shenzhen 100% by 2023).
- contractor_minimum_rating: the lowest agency rating (1A..5A) a contractor must hold on the contract date. No seed
  sets one (seed 004's "3A级及以上" counts agencies per county, a different rule); a bureau sets it in its profile.
"""

from collections.abc import Mapping
from decimal import ROUND_FLOOR
from fractions import Fraction
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.policies.kinds.base import at_least, fact_text, share_kind, status_word
from shegong.policies.registry import MONEY_STEP, Fact, FactType, Param, ParamType, RuleKind, Verdict, format_money

OWNER = "projects"

LABOUR_COST_SHARE = share_kind(
    code="labour_cost_share",
    label=gettext_lazy("人力成本占项目经费比例"),
    description=gettext_lazy("项目人力成本（人员支出）占项目经费的比例下限和/或上限。"),
    owner=OWNER,
    numerator=Fact("labour_cost", gettext_lazy("人力成本"), FactType.MONEY),
    denominator=Fact("total_funds", gettext_lazy("项目经费"), FactType.MONEY),
    allow_maximum=True,
)

ANNUAL_FUNDS = Fact("annual_funds", gettext_lazy("项目年度经费"), FactType.MONEY)
POSTS = Fact("posts", gettext_lazy("社工岗位数"), FactType.INT)


def _evaluate_package_fee(kind: RuleKind, params: Mapping[str, Any], facts: Mapping[str, Any]) -> Verdict:
    funds, posts, minimum = facts["annual_funds"], facts["posts"], params["minimum"]
    figures: dict[str, Any] = {"annual_funds": funds, "posts": posts, "minimum": minimum}
    if params.get("review_period_years"):
        figures["review_period_years"] = params["review_period_years"]
    if posts == 0:
        return Verdict(
            kind=kind.code,
            label=str(kind.label),
            passed=None,
            figures=figures,
            message=_("无法判定：%(posts)s为 0。") % {"posts": POSTS.label},
        )
    # funds / posts ≥ minimum, compared without dividing.
    passed = Fraction(funds) >= Fraction(minimum) * posts
    # Rounded down for display so a fee just under the minimum never reads as equal to it.
    fee = (funds / posts).quantize(MONEY_STEP, rounding=ROUND_FLOOR)
    figures["fee_per_person"] = fee
    message = _("%(funds)s ÷ %(posts)s 个岗位 = 每人每年 %(fee)s 元，规定不低于 %(minimum)s 元：%(status)s。") % {
        "funds": fact_text(ANNUAL_FUNDS, funds),
        "posts": posts,
        "fee": format_money(fee),
        "minimum": format_money(minimum),
        "status": status_word(passed),
    }
    return Verdict(kind=kind.code, label=str(kind.label), passed=passed, figures=figures, message=message)


PACKAGE_FEE_PER_PERSON = RuleKind(
    code="package_fee_per_person",
    label=gettext_lazy("购买服务整体打包费标准"),
    description=gettext_lazy("政府购买社会工作服务每人每年整体打包费的下限，以及标准的调整周期。"),
    owner=OWNER,
    params=(
        Param("minimum", gettext_lazy("每人每年不低于"), ParamType.MONEY),
        Param("review_period_years", gettext_lazy("调整周期"), ParamType.YEARS, min=1, required=False),
    ),
    facts=(ANNUAL_FUNDS, POSTS),
    evaluator=_evaluate_package_fee,
)

ANNUAL_AMOUNT = Fact("annual_amount", gettext_lazy("站点项目年度经费"), FactType.MONEY)


def _evaluate_station_amount(kind: RuleKind, params: Mapping[str, Any], facts: Mapping[str, Any]) -> Verdict:
    return at_least(kind, fact=ANNUAL_AMOUNT, value=facts["annual_amount"], minimum=params["amount"])


STATION_PROJECT_AMOUNT = RuleKind(
    code="station_project_amount",
    label=gettext_lazy("社工站项目经费标准"),
    description=gettext_lazy("每个社工站（家庭综合服务中心）项目每年的经费标准；项目年度经费不应低于此标准。"),
    owner=OWNER,
    params=(Param("amount", gettext_lazy("每站每年经费"), ParamType.MONEY, min=0),),
    facts=(ANNUAL_AMOUNT,),
    evaluator=_evaluate_station_amount,
)

PROFESSIONAL_STAFF_SHARE = share_kind(
    code="professional_staff_share",
    label=gettext_lazy("社会工作专业人才占项目人员比例"),
    description=gettext_lazy("政府购买的社会工作服务项目中，社会工作专业人才占项目执行总人数的最低比例。"),
    owner=OWNER,
    numerator=Fact("professional_staff", gettext_lazy("社会工作专业人才数"), FactType.INT),
    denominator=Fact("total_staff", gettext_lazy("项目执行总人数"), FactType.INT),
)

CERTIFIED_POST_SHARE = share_kind(
    code="certified_post_share",
    label=gettext_lazy("社工专业岗位持证比例"),
    description=gettext_lazy(
        "政府购买服务项目中由持证社会工作者担任的社工专业岗位所占最低比例（100% 即全员持证上岗）。"
    ),
    owner=OWNER,
    numerator=Fact("certified_posts", gettext_lazy("持证上岗的岗位数"), FactType.INT),
    denominator=Fact("social_work_posts", gettext_lazy("社工专业岗位数"), FactType.INT),
    with_target_year=True,
)

CONTRACTOR_RATING = Fact(
    "rating_level",
    gettext_lazy("承接机构评估等级"),
    FactType.INT,
    required=False,
)


def _evaluate_contractor_rating(kind: RuleKind, params: Mapping[str, Any], facts: Mapping[str, Any]) -> Verdict:
    level, minimum = facts.get("rating_level"), params["minimum_level"]
    passed = level is not None and level >= minimum
    if level is None:
        message = _("承接机构在签约日没有有效的评估等级，规定须达到 %(minimum)sA 级及以上：%(status)s。")
    else:
        message = _("承接机构评估等级 %(level)sA，规定须达到 %(minimum)sA 级及以上：%(status)s。")
    message %= {"level": level, "minimum": minimum, "status": status_word(passed)}
    return kind.verdict(passed, message, rating_level=level, minimum_level=minimum)


CONTRACTOR_MINIMUM_RATING = RuleKind(
    code="contractor_minimum_rating",
    label=gettext_lazy("承接机构评估等级要求"),
    description=gettext_lazy("承接政府购买服务项目的社会工作服务机构在签约日须持有的最低评估等级（1A 至 5A）。"),
    owner=OWNER,
    params=(Param("minimum_level", gettext_lazy("最低等级（A）"), ParamType.INT, min=1, max=5),),
    facts=(CONTRACTOR_RATING,),
    evaluator=_evaluate_contractor_rating,
)

KINDS = [
    LABOUR_COST_SHARE,
    PROFESSIONAL_STAFF_SHARE,
    PACKAGE_FEE_PER_PERSON,
    STATION_PROJECT_AMOUNT,
    CERTIFIED_POST_SHARE,
    CONTRACTOR_MINIMUM_RATING,
]
