"""Agencies (社会工作服务机构) and their ratings as facts of the indicator catalogue.

- 社会工作服务机构 (agencies, a stock by current rating and legal form): an agency counts from the day it is known
  (the earliest of its founding date, its entry on the register and its first rating), under the rating in force on
  each date: a rating holds from its rated_on until the day before its valid_until (5 years under the national rule,
  the validity comes from the policy profile and is stored on the rating) or until a newer rating replaces it,
  whichever comes first; otherwise the agency is 未评级 (dimension "0"). The rating history is turned into dated
  moves between rating codes by an EntitySource (the rating in force is not a column of one row), so the count of
  3A-or-above agencies on a past date is the one of that date and an expiry five years on is already dated.
- Counties with at least two agencies rated 3A or above (seed 004 江苏 "每个县(市、区)拥有3A级及以上民办社会工作服务
  机构的数量≥2个"): regions of level 3 whose 3A+ count is at least 2, over the level-3 regions of the subtree. 民办
  agencies are every legal form but 事业单位.

Seed 001 浙江 "力争到2022年……社会工作服务机构达到1600家" is a target on the total.
"""

import datetime
from collections import defaultdict

from django.utils.translation import gettext_lazy as _

from shegong.agencies.models import LegalForm, RatingLevel
from shegong.analytics.catalogue import Contribution, EntitySource, Fact, Indicator, Measure

AGENCIES = "agencies"
UNRATED = "0"
RATED_3A_UP = ("3", "4", "5")
PRIVATE_FORMS = tuple(form.value for form in LegalForm if form != LegalForm.PUBLIC_INSTITUTION)


def _labels(index: int) -> dict:
    if index == 1:
        return dict(LegalForm.choices)
    return {UNRATED: str(_("未评级")), **{str(value): label for value, label in RatingLevel.choices}}


def rating_timeline(start: datetime.date, ratings) -> list[tuple[datetime.date, str]]:
    """[(day, rating code in force from that day)] for an agency known from `start` with ratings [(rated_on,
    valid_until (exclusive), level)]: the latest rating given on or before a day holds if it has not lapsed."""
    ratings = sorted(ratings)
    days = sorted({start, *(rated for rated, _until, _level in ratings), *(until for _rated, until, _level in ratings)})
    out: list[tuple[datetime.date, str]] = []
    for day in days:
        if day < start:
            continue
        latest = None
        for rated, until, level in ratings:
            if rated <= day:
                latest = (until, level)
        code = str(latest[1]) if latest is not None and day < latest[0] else UNRATED
        if not out or out[-1][1] != code:
            out.append((day, code))
    return out


def _agencies(ids: list) -> dict:
    from shegong.agencies.models import Agency, AgencyRating

    ratings = defaultdict(list)
    for agency_id, rated, until, level in AgencyRating.objects.filter(agency_id__in=ids).values_list(
        "agency_id", "rated_on", "valid_until", "level"
    ):
        ratings[agency_id].append((rated, until, level))
    out = {}
    for pk, region_id, form, founded, created in Agency.objects.filter(pk__in=ids).values_list(
        "pk", "region_id", "legal_form", "founded_on", "created_at"
    ):
        known = [created.date() if isinstance(created, datetime.datetime) else created]
        known += [day for day in (founded, *(rated for rated, _until, _level in ratings[pk])) if day is not None]
        items = []
        previous = None
        for day, code in rating_timeline(min(known), ratings[pk]):
            if previous is not None:
                items.append(Contribution(AGENCIES, region_id, day, -1, dim=previous, dim2=form))
            items.append(Contribution(AGENCIES, region_id, day, 1, dim=code, dim2=form))
            previous = code
        out[pk] = items
    return out


FACTS = [
    Fact(
        AGENCIES,
        _("社会工作服务机构"),
        unit=_("家"),
        stock=True,
        dims=(_("评估等级"), _("组织形式")),
        dim_labels=_labels,
    ),
]

SOURCES = [
    EntitySource(
        name="agencies.rating",
        model="agencies.Agency",
        facts=(AGENCIES,),
        compute=_agencies,
        watch=(("agencies.AgencyRating", lambda rating: [rating.agency_id]),),
    ),
]

INDICATORS = [
    Indicator(
        code=AGENCIES,
        name=_("社会工作服务机构"),
        section=_("服务机构"),
        numerator=Measure(AGENCIES),
        unit=_("家"),
        time_aggregation="last",
        breakdown=0,
        key=True,
        description=_("在册的社会工作服务机构数，按当日有效的评估等级分列（1A至5A，未评级）。"),
        source=_("种子文件001 浙江：力争到2022年……社会工作服务机构达到1600家"),
    ),
    Indicator(
        code="agencies_3a_up",
        name=_("3A级及以上机构"),
        section=_("服务机构"),
        numerator=Measure(AGENCIES, dim=RATED_3A_UP),
        unit=_("家"),
        time_aggregation="last",
        breakdown=0,
        description=_(
            "当日有效评估等级为3A、4A或5A的机构数。评估等级有效期按政策规则集（全国规定5年），被新的评估取代即不再计入原等级。"
        ),
        source=_("民政部令第39号《社会组织评估管理办法》：评估等级有效期5年"),
    ),
    Indicator(
        code="counties_2_agencies_3a",
        name=_("拥有2家以上3A级民办机构的县(市、区)占比"),
        section=_("服务机构"),
        numerator=Measure(AGENCIES, kind="regions_meeting", dim=RATED_3A_UP, dim2=PRIVATE_FORMS, level=3, threshold=2),
        denominator=Measure(kind="regions", level=3),
        factor=100,
        unit="%",
        decimals=1,
        time_aggregation="last",
        key=True,
        description=_(
            "拥有3A级及以上民办社会工作服务机构不少于2家的县(市、区)，占全部县(市、区)的比例。民办指事业单位以外的组织形式。"
        ),
        source=_("种子文件004 江苏：每个县(市、区)拥有3A级及以上民办社会工作服务机构的数量≥2个"),
    ),
]
