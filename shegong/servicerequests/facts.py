"""Residents' requests (码上办) in the indicator catalogue, in the request's community:

- requests received, on the day of submission, by service domain and current status;
- the first response (a worker accepts, or the head dismisses with a reason), on the day of the response: a histogram
  of the time from submission (buckets by upper bound in minutes, for the median) and whether it came within the
  deadline stored on the request (`due_at`, set at submission from the policy rule request_first_response_hours in
  force for the community; a request submitted while no rule was in force has no deadline and is left out of the
  share, as servicerequests leaves it out of "overdue");
- the residents' ratings (1–5 stars), on the day of rating: their sum and their number, for the average.
"""

import datetime

from django.db.models import Case, CharField, F, Q, Value, When
from django.db.models.functions import TruncDate
from django.utils.translation import gettext_lazy as _

from shegong.analytics.catalogue import Fact, Indicator, Measure, RowSource
from shegong.servicerequests.models import Status

MODEL = "servicerequests.ServiceRequest"
# Upper bounds of the response-time buckets, in minutes (the last one holds everything slower than a week).
BUCKETS = (30, 60, 120, 240, 480, 1440, 2880, 4320, 10080)
SLOWEST = 99999
WITHIN, LATE, NO_DEADLINE = "within", "late", "none"
RESPONDED = Q(first_response_at__isnull=False)
SOURCE = _("种子文件001“零距离、精准化供需对接”；种子文件003 社区随约服务；政策规则“居民需求首次响应时限”")


def bucket(minutes: int) -> str:
    """The histogram bucket of a response time, as the fact's dimension code ("00030" … "99999")."""
    for bound in BUCKETS:
        if minutes <= bound:
            return f"{bound:05d}"
    return f"{SLOWEST:05d}"


BUCKET = Case(
    *[
        When(first_response_at__lte=F("created_at") + datetime.timedelta(minutes=bound), then=Value(f"{bound:05d}"))
        for bound in BUCKETS
    ],
    default=Value(f"{SLOWEST:05d}"),
    output_field=CharField(),
)
TIMELINESS = Case(
    When(due_at__isnull=True, then=Value(NO_DEADLINE)),
    When(first_response_at__lte=F("due_at"), then=Value(WITHIN)),
    default=Value(LATE),
    output_field=CharField(),
)


def _received_labels(index: int) -> dict:
    if index == 1:
        return dict(Status.choices)
    from shegong.refdata.selectors import labels

    return labels("service_domain")


def _bucket_labels(index: int) -> dict:
    out, low = {}, 0
    for bound in BUCKETS:
        out[f"{bound:05d}"] = _("%(low)s–%(high)s 分钟") % {"low": low, "high": bound}
        low = bound
    out[f"{SLOWEST:05d}"] = _("超过 %(low)s 分钟") % {"low": low}
    return out


def _timeliness_labels(index: int) -> dict:
    return {WITHIN: _("时限内"), LATE: _("超时"), NO_DEADLINE: _("未设定时限")}


def _star_labels(index: int) -> dict:
    return {str(stars): _("%(stars)s 星") % {"stars": stars} for stars in range(1, 6)}


FACTS = [
    Fact(
        "requests_received",
        _("居民需求数"),
        unit=_("件"),
        dims=(_("服务领域"), _("状态")),
        dim_labels=_received_labels,
    ),
    Fact(
        "request_response_minutes",
        _("首次响应用时分布"),
        unit=_("件"),
        dims=(_("响应用时"),),
        dim_labels=_bucket_labels,
    ),
    Fact(
        "request_responses",
        _("首次响应数"),
        unit=_("件"),
        dims=(_("是否在时限内"),),
        dim_labels=_timeliness_labels,
    ),
    Fact("request_rating_points", _("满意度评分合计"), unit=_("分")),
    Fact("requests_rated", _("居民评价数"), unit=_("件"), dims=(_("评分"),), dim_labels=_star_labels),
]

SOURCES = [
    RowSource(
        fact="requests_received",
        model=MODEL,
        region="community_id",
        day=TruncDate("created_at"),
        dim="domain",
        dim2="status",
    ),
    RowSource(
        fact="request_response_minutes",
        model=MODEL,
        region="community_id",
        day=TruncDate("first_response_at"),
        dim=BUCKET,
        when=RESPONDED,
    ),
    RowSource(
        fact="request_responses",
        model=MODEL,
        region="community_id",
        day=TruncDate("first_response_at"),
        dim=TIMELINESS,
        when=RESPONDED,
    ),
    RowSource(
        fact="request_rating_points",
        model=MODEL,
        region="community_id",
        day=TruncDate("rated_at"),
        value="rating",
        when=Q(rating__isnull=False, rated_at__isnull=False),
    ),
    RowSource(
        fact="requests_rated",
        model=MODEL,
        region="community_id",
        day=TruncDate("rated_at"),
        dim="rating",
        when=Q(rating__isnull=False, rated_at__isnull=False),
    ),
]

INDICATORS = [
    Indicator(
        code="requests_received",
        name=_("居民需求数"),
        section=_("居民需求"),
        numerator=Measure("requests_received"),
        unit=_("件"),
        breakdown=0,
        key=True,
        description=_("居民扫码提交的服务需求数，按提交日期、所在村（社区）统计"),
        source=SOURCE,
    ),
    Indicator(
        code="request_response_median",
        name=_("首次响应时间中位数"),
        section=_("居民需求"),
        numerator=Measure("request_response_minutes", kind="median"),
        factor=1 / 60,
        unit=_("小时"),
        decimals=1,
        higher_is_better=False,
        description=_(
            "本期作出首次响应（社工接单或站长不予受理）的需求，自提交至首次响应用时的中位数；"
            "按用时分段统计，取中位数所在分段的上限（30分钟、1、2、4、8、24、48、72小时、7天）"
        ),
        source=SOURCE,
    ),
    Indicator(
        code="request_within_sla",
        name=_("时限内响应率"),
        section=_("居民需求"),
        numerator=Measure("request_responses", dim=(WITHIN,)),
        denominator=Measure("request_responses", dim=(WITHIN, LATE)),
        factor=100,
        unit="%",
        decimals=1,
        key=True,
        description=_(
            "本期作出首次响应、且提交时设有响应时限的需求中，在时限内响应的比例（时限由政策配置“居民需求首次响应时限”"
            "在提交时确定；未设定时限的需求不计入）"
        ),
        source=SOURCE,
    ),
    Indicator(
        code="request_satisfaction",
        name=_("居民平均满意度"),
        section=_("居民需求"),
        numerator=Measure("request_rating_points"),
        denominator=Measure("requests_rated"),
        unit=_("分（满分5分）"),
        decimals=2,
        description=_("本期居民对已办结需求的评分之和除以评价数"),
        source=SOURCE,
    ),
]
