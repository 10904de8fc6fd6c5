"""Community charity donation points (社区慈善捐赠站点, seed 003: 201 points at Guangzhou's stations) in the indicator
catalogue, in the region of the point's station:

- donations received (a count, on the receiving date, by kind and purpose) and their value in fen (money: the amount;
  goods: the estimated value), shown in 元 (scale 100);
- allocations (where donations went: a count by target, and their value the same way);
- charity points (a stock from the opening date, by status; a closed point no longer counts — the record keeps no
  closing date).
Donations and allocations are never edited or deleted (the ledger of a point is append-only).
"""

from django.db.models import DecimalField, ExpressionWrapper, F, Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from shegong.analytics.catalogue import Fact, Indicator, Measure, RowSource
from shegong.charity.models import Allocation, CharityPoint, Kind, PurposeKind

DONATIONS, DONATED = "charity_donations", "charity_donated_fen"
ALLOCATIONS, ALLOCATED = "charity_allocations", "charity_allocated_fen"
POINTS = "charity_points"
SOURCE = _("种子文件003：广州在社工站设立201个社区慈善捐赠站点；种子文件004“社会工作+慈善+志愿服务”")
STATION_WATCH = (("stations.Station", "point__station"),)


def _fen():
    value = Coalesce(F("amount"), F("estimated_value"))
    return ExpressionWrapper(value * 100, output_field=DecimalField(max_digits=16, decimal_places=2))


def _donation_labels(index: int) -> dict:
    return dict(PurposeKind.choices) if index == 1 else dict(Kind.choices)


def _allocation_labels(index: int) -> dict:
    return dict(Kind.choices) if index == 1 else dict(Allocation.Target.choices)


def _kind_labels(index: int) -> dict:
    return dict(Kind.choices)


def _point_labels(index: int) -> dict:
    return dict(CharityPoint.Status.choices)


FACTS = [
    Fact(DONATIONS, _("接收捐赠笔数"), unit=_("笔"), dims=(_("捐赠类型"), _("用途类型")), dim_labels=_donation_labels),
    Fact(DONATED, _("接收捐赠金额"), unit=_("元"), scale=100, dims=(_("捐赠类型"),), dim_labels=_kind_labels),
    Fact(ALLOCATIONS, _("捐赠拨付笔数"), unit=_("笔"), dims=(_("去向"), _("捐赠类型")), dim_labels=_allocation_labels),
    Fact(ALLOCATED, _("捐赠拨付金额"), unit=_("元"), scale=100, dims=(_("捐赠类型"),), dim_labels=_kind_labels),
    Fact(POINTS, _("慈善捐赠站点"), unit=_("个"), stock=True, dims=(_("状态"),), dim_labels=_point_labels),
]

SOURCES = [
    RowSource(
        fact=DONATIONS,
        model="charity.Donation",
        region="point__station__region_id",
        day="received_on",
        dim="kind",
        dim2="purpose_kind",
        watch=STATION_WATCH,
    ),
    RowSource(
        fact=DONATED,
        model="charity.Donation",
        region="point__station__region_id",
        day="received_on",
        value=_fen(),
        dim="kind",
        watch=STATION_WATCH,
    ),
    RowSource(
        fact=ALLOCATIONS,
        model="charity.Allocation",
        region="point__station__region_id",
        day="allocated_on",
        dim="target",
        dim2="kind",
        watch=STATION_WATCH,
    ),
    RowSource(
        fact=ALLOCATED,
        model="charity.Allocation",
        region="point__station__region_id",
        day="allocated_on",
        value=_fen(),
        dim="kind",
        watch=STATION_WATCH,
    ),
    RowSource(
        fact=POINTS,
        model="charity.CharityPoint",
        region="station__region_id",
        day="opened_on",
        dim="status",
        when=~Q(status=CharityPoint.Status.CLOSED),
        watch=(("stations.Station", "station"),),
    ),
]

INDICATORS = [
    Indicator(
        code="charity_points",
        name=_("社区慈善捐赠站点"),
        section=_("慈善"),
        numerator=Measure(POINTS, dim=(CharityPoint.Status.OPEN,)),
        unit=_("个"),
        time_aggregation="last",
        description=_("期末运营中的社区慈善捐赠站点数（暂停、已关闭的不计）"),
        source=SOURCE,
    ),
    Indicator(
        code="charity_money_received",
        name=_("接收善款"),
        section=_("慈善"),
        numerator=Measure(DONATED, dim=(Kind.MONEY,)),
        unit=_("元"),
        decimals=2,
        description=_("本期各捐赠站点登记接收的善款金额"),
        source=SOURCE,
    ),
    Indicator(
        code="charity_goods_received",
        name=_("接收物资估值"),
        section=_("慈善"),
        numerator=Measure(DONATED, dim=(Kind.GOODS,)),
        unit=_("元"),
        decimals=2,
        description=_("本期各捐赠站点登记接收的物资的估值合计"),
        source=SOURCE,
    ),
    Indicator(
        code="charity_donations",
        name=_("接收捐赠笔数"),
        section=_("慈善"),
        numerator=Measure(DONATIONS),
        unit=_("笔"),
        breakdown=0,
        description=_("本期各捐赠站点登记的捐赠笔数（善款与物资）"),
        source=SOURCE,
    ),
    Indicator(
        code="charity_money_allocated",
        name=_("拨付善款"),
        section=_("慈善"),
        numerator=Measure(ALLOCATED, dim=(Kind.MONEY,)),
        unit=_("元"),
        decimals=2,
        description=_("本期各捐赠站点拨付（去向登记）的善款金额"),
        source=SOURCE,
    ),
    Indicator(
        code="charity_allocations",
        name=_("捐赠拨付笔数"),
        section=_("慈善"),
        numerator=Measure(ALLOCATIONS),
        unit=_("笔"),
        breakdown=0,
        description=_("本期各捐赠站点登记的拨付笔数，按去向（服务对象、受益群体、项目、其他捐赠站点）分列"),
        source=SOURCE,
    ),
]
