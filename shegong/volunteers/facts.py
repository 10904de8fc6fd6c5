"""Volunteers in the indicator catalogue ("社会工作者+志愿者", seeds 001, 002, 004; issue 8 Outputs):

- registered volunteers (a stock, in the volunteer's region, from the registration date): volunteers in status 在册 or
  暂停 count, by status; a volunteer who leaves (已注销) no longer counts — the record keeps no leaving date, so the
  history is the one of the volunteers as they stand now;
- confirmed service hours (a flow, hundredths of an hour, in the region and on the date of the service): only
  confirmed records count ("谁记录谁证明"), a correction counts with its new hours, a voided record no longer counts;
- active volunteers (活跃志愿者): for each volunteer and each calendar month with confirmed service, one contribution on
  the volunteer's first confirmed service day of that month, in the volunteer's region. Summed over a calendar month
  (or a month to date) it is the number of distinct volunteers who served in it; the indicator averages the monthly
  figures over longer periods (月均活跃志愿者), since a sum over months would count a volunteer once per month.
"""

from collections import defaultdict

from django.db.models import DecimalField, ExpressionWrapper, F, Min, Q
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _

from shegong.analytics.catalogue import Contribution, EntitySource, Fact, Indicator, Measure, RowSource
from shegong.volunteers.models import ServiceRecord, Volunteer

REGISTERED = "volunteers_registered"
HOURS = "volunteer_hours"
ACTIVE = "volunteers_active"
CERTIFIED_WORKERS = "certified_workers"  # declared by shegong/workers/facts.py
SOURCE = _("种子文件001 §十二“社会工作者+志愿者”联动；《志愿服务记录与证明出具办法》（2021年2月1日起施行）")


def _status_labels(index: int) -> dict:
    return dict(Volunteer.Status.choices)


def active_in_months(ids: list) -> dict:
    """{volunteer id: [Contribution]}: one per month with confirmed service, on its first confirmed service day."""
    rows = (
        ServiceRecord.objects.filter(volunteer_id__in=ids, status=ServiceRecord.Status.CONFIRMED)
        .annotate(month=TruncMonth("service_date"))
        .values("volunteer_id", "volunteer__region_id", "month")
        .order_by()
        .annotate(first=Min("service_date"))
        .values_list("volunteer_id", "volunteer__region_id", "first")
    )
    out = defaultdict(list)
    for volunteer_id, region_code, first in rows:
        out[volunteer_id].append(Contribution(ACTIVE, region_code, first, 1))
    return dict(out)


FACTS = [
    Fact(REGISTERED, _("注册志愿者"), unit=_("人"), stock=True, dims=(_("状态"),), dim_labels=_status_labels),
    Fact(HOURS, _("志愿服务时长（已确认）"), unit=_("小时"), scale=100),
    Fact(ACTIVE, _("活跃志愿者（本期有服务记录）"), unit=_("人")),
]

SOURCES = [
    RowSource(
        fact=REGISTERED,
        model="volunteers.Volunteer",
        region="region_id",
        day="registered_on",
        dim="status",
        when=~Q(status=Volunteer.Status.LEFT),
    ),
    RowSource(
        fact=HOURS,
        model="volunteers.ServiceRecord",
        region="region_id",
        day="service_date",
        value=ExpressionWrapper(F("hours") * 100, output_field=DecimalField(max_digits=9, decimal_places=1)),
        when=Q(status=ServiceRecord.Status.CONFIRMED),
    ),
    EntitySource(
        name="volunteers_active",
        model="volunteers.Volunteer",
        facts=(ACTIVE,),
        compute=active_in_months,
        watch=(("volunteers.ServiceRecord", lambda record: [record.volunteer_id]),),
    ),
]

INDICATORS = [
    Indicator(
        code="volunteers_registered",
        name=_("在册志愿者"),
        section=_("志愿服务"),
        numerator=Measure(REGISTERED, dim=(Volunteer.Status.ACTIVE,)),
        unit=_("人"),
        time_aggregation="last",
        description=_("期末状态为“在册”的实名注册志愿者人数（按志愿者所在地区统计；暂停、已注销的不计）"),
        source=SOURCE,
    ),
    Indicator(
        code="volunteer_hours",
        name=_("志愿服务时长"),
        section=_("志愿服务"),
        numerator=Measure(HOURS),
        unit=_("小时"),
        decimals=1,
        key=True,
        description=_(
            "本期已由组织方确认的志愿服务时长（按服务日期、服务地区统计；作废的记录不计，更正以更正后时长计）"
        ),
        source=SOURCE,
    ),
    Indicator(
        code="volunteers_active",
        name=_("活跃志愿者（本期有服务记录）"),
        section=_("志愿服务"),
        numerator=Measure(ACTIVE),
        unit=_("人"),
        time_aggregation="average",
        description=_(
            "当月有已确认服务记录的志愿者人数（按志愿者所在地区统计，每人每月计一次）；"
            "期间超过一个月时为各月人数的平均值（月均活跃志愿者）"
        ),
        source=SOURCE,
    ),
    Indicator(
        code="volunteers_active_share",
        name=_("志愿者活跃率"),
        section=_("志愿服务"),
        numerator=Measure(ACTIVE),
        denominator=Measure(REGISTERED, dim=(Volunteer.Status.ACTIVE,)),
        factor=100,
        unit="%",
        decimals=1,
        time_aggregation="average",
        description=_("当月活跃志愿者占月末在册志愿者的比例；期间超过一个月时为各月比例的平均值"),
        source=SOURCE,
    ),
    Indicator(
        code="volunteers_per_social_worker",
        name=_("志愿者与持证社工之比"),
        section=_("志愿服务"),
        numerator=Measure(REGISTERED, dim=(Volunteer.Status.ACTIVE,)),
        denominator=Measure(CERTIFIED_WORKERS),
        unit=_("人/人"),
        decimals=1,
        time_aggregation="last",
        description=_("期末在册志愿者人数除以持证社会工作者人数（“社会工作者+志愿者”联动）"),
        source=SOURCE,
    ),
]
