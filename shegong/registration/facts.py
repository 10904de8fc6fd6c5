"""Registrations (执业登记) as facts of the indicator catalogue.

- 登记即将到期 (registrations_expiring, a flow keyed on the last valid day): each registration in force (已登记) counts
  once on its Registration.valid_until. Summed over a period it is the number of registrations whose validity ends
  in that period: the dashboard asks for the next 90 days. A registration renewed (已再登记) or already expired
  (已到期) no longer counts: it needs no action. Registrations are valid 3 years and are renewed in their last
  3 months (《社会工作者职业水平证书登记办法》民发〔2009〕44号; DESIGN.md §3).
- 有效登记 (registrations_valid, a stock): every registration that was registered counts +1 on its first valid day and
  −1 on the day after its last one, so the sum up to a date is the number valid on that date; a renewal's period
  starts the day after the previous one ends, so a renewed worker is counted once throughout.

The region is the worker's (watched: moving a worker moves their registrations).
"""

import datetime

from django.db.models import DateField, F, Q
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from shegong.analytics.catalogue import Fact, Indicator, Measure, RowSource
from shegong.registration.models import Registration

EXPIRING = "registrations_expiring"
VALID = "registrations_valid"
WAS_REGISTERED = [str(state) for state in Registration.WAS_REGISTERED]
WORKER = (("workers.SocialWorker", "worker"),)


def _kind_labels(index: int) -> dict:
    return dict(Registration.Kind.choices)


FACTS = [
    Fact(EXPIRING, _("登记即将到期"), unit=_("份"), dims=(_("登记类别"),), dim_labels=_kind_labels),
    Fact(VALID, _("有效登记"), unit=_("份"), stock=True, dims=(_("登记类别"),), dim_labels=_kind_labels),
]

SOURCES = [
    RowSource(
        fact=EXPIRING,
        model="registration.Registration",
        region="worker__region_id",
        day="valid_until",
        dim="kind",
        when=Q(state=Registration.State.REGISTERED, valid_until__isnull=False),
        watch=WORKER,
    ),
    RowSource(
        fact=VALID,
        model="registration.Registration",
        region="worker__region_id",
        day="valid_from",
        dim="kind",
        when=Q(state__in=WAS_REGISTERED, valid_from__isnull=False),
        watch=WORKER,
    ),
    RowSource(
        fact=VALID,
        model="registration.Registration",
        region="worker__region_id",
        day=Cast(F("valid_until") + datetime.timedelta(days=1), DateField()),
        value=-1,
        dim="kind",
        when=Q(state__in=WAS_REGISTERED, valid_until__isnull=False),
        watch=WORKER,
    ),
]

INDICATORS = [
    Indicator(
        code=EXPIRING,
        name=_("登记即将到期"),
        section=_("人才队伍"),
        numerator=Measure(EXPIRING),
        unit=_("份"),
        higher_is_better=False,
        breakdown=0,
        description=_(
            "有效期最后一天落在所选时段内、尚未再登记的执业登记份数；看板取今后90天。登记有效期3年，"
            "期满前3个月内申请再登记。"
        ),
        source=_("《社会工作者职业水平证书登记办法》（民发〔2009〕44号）：登记有效期3年，有效期满前3个月内申请再登记"),
    ),
    Indicator(
        code=VALID,
        name=_("有效登记"),
        section=_("人才队伍"),
        numerator=Measure(VALID),
        unit=_("份"),
        time_aggregation="last",
        breakdown=0,
        description=_("所选时段最后一天处于有效期内的执业登记份数（首次登记与再登记）。"),
        source=_("《社会工作者职业水平证书登记办法》（民发〔2009〕44号）"),
    ),
]
