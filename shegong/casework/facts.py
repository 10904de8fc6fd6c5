"""Casework in the indicator catalogue: cases opened (on the 接案 date), cases closed (on the 结案 date) and open cases
(a stock: +1 on the day a case is opened, −1 on the day it is closed), in the case's community, by service domain.

Reopening (重新开案) clears the closing date (services.case_move), so a reopened case counts as open from its opening
day again and its earlier closure no longer counts as a closure: the figures always describe the cases as they are
recorded now, which is what `shegong analytics verify` checks against.
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shegong.analytics.catalogue import Fact, Indicator, Measure, RowSource
from shegong.casework.models import Case, ClosureReason

CLOSED = Q(stage=Case.Stage.CLOSED, closed_on__isnull=False)
SOURCE = _("MZ/T 094-2017《个案社会工作服务指南》：接案→预估→计划→介入→评估→结案")


def _domains(index: int) -> dict:
    if index == 1:
        return dict(ClosureReason.choices)
    from shegong.refdata.selectors import labels

    return labels("service_domain")


FACTS = [
    Fact("cases_opened", _("开案数"), unit=_("个"), dims=(_("服务领域"),), dim_labels=_domains),
    Fact("cases_closed", _("结案数"), unit=_("个"), dims=(_("服务领域"), _("结案原因")), dim_labels=_domains),
    Fact("cases_open", _("在案个案数"), unit=_("个"), stock=True, dims=(_("服务领域"),), dim_labels=_domains),
]

SOURCES = [
    RowSource(fact="cases_opened", model="casework.Case", region="region_id", day="opened_on", dim="domain"),
    RowSource(
        fact="cases_closed",
        model="casework.Case",
        region="region_id",
        day="closed_on",
        dim="domain",
        dim2="closure_reason",
        when=CLOSED,
    ),
    RowSource(fact="cases_open", model="casework.Case", region="region_id", day="opened_on", dim="domain"),
    RowSource(
        fact="cases_open",
        model="casework.Case",
        region="region_id",
        day="closed_on",
        value=-1,
        dim="domain",
        when=CLOSED,
    ),
]

INDICATORS = [
    Indicator(
        code="cases_opened",
        name=_("新开个案数"),
        section=_("服务"),
        numerator=Measure("cases_opened"),
        unit=_("个"),
        breakdown=0,
        key=True,
        description=_("接案日期在本期内的个案数，按服务对象所在村（社区）统计"),
        source=SOURCE,
    ),
    Indicator(
        code="cases_closed",
        name=_("结案个案数"),
        section=_("服务"),
        numerator=Measure("cases_closed"),
        unit=_("个"),
        breakdown=1,
        description=_("结案日期在本期内、目前仍为结案状态的个案数（重新开案的个案不再计入）"),
        source=SOURCE,
    ),
    Indicator(
        code="cases_open",
        name=_("在案个案数"),
        section=_("服务"),
        numerator=Measure("cases_open"),
        unit=_("个"),
        time_aggregation="last",
        breakdown=0,
        description=_("期末已接案、尚未结案的个案数"),
        source=SOURCE,
    ),
    Indicator(
        code="cases_goals_met_share",
        name=_("目标达成结案占比"),
        section=_("服务"),
        numerator=Measure("cases_closed", dim2=(ClosureReason.GOALS_MET,)),
        denominator=Measure("cases_closed"),
        factor=100,
        unit="%",
        decimals=1,
        description=_("本期结案个案中以“目标达成”结案的比例（其余为提前结案）"),
        source=SOURCE,
    ),
]
