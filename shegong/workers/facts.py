"""Social workers as facts of the indicator catalogue.

- 持证社会工作者 (certified_workers, a stock by certificate level): a worker on the register (在岗) who holds a
  职业水平证书 counts once, at the highest level held, from 1 January of the year they passed it
  (Certificate.year_passed, the only date a certificate carries). A worker who passed 助理社会工作师 in 2015 and
  社会工作师 in 2019 counts as 助理 from 2015 and as 社会工作师 from 2019, so the count of any past date is right
  and a target's projection has a history to follow. The judgement is computed from the certificates themselves
  (an EntitySource), not from SocialWorker.highest_certificate, which the certificate services keep with a
  queryset update that no signal sees. A worker who left or retired is not counted (the register keeps no
  leaving date, so they leave every date's count).
- 人才库在库社工 (workers, a stock): workers on the register (在岗) from the day they were entered.

Targets citing these (DESIGN.md §3): seed 001 浙江 "力争到2022年,全省持有全国社会工作者职业水平证书的社会工作
专业人才总量达到10万人"; seed 004 江苏 "到2025年,全省持证社工人数要超10万人".
"""

import datetime
from collections import defaultdict

from django.db.models import Q
from django.db.models.functions import TruncDate
from django.utils.translation import gettext_lazy as _

from shegong.analytics.catalogue import Contribution, EntitySource, Fact, Indicator, Measure, RowSource
from shegong.workers.grades import LEVEL_RANK, CertificateLevel

CERTIFIED = "certified_workers"
WORKERS = "workers"


def _level_labels(index: int) -> dict:
    return dict(CertificateLevel.choices)


def ranked_timeline(events, rank) -> list[tuple[datetime.date, str, int]]:
    """The changes of "the highest code held so far" for events [(day, code)]: (day, code, +1 / −1) rows, so that the
    sum up to any date gives one at the highest code held on that date."""
    out: list[tuple[datetime.date, str, int]] = []
    best = None
    for day, code in sorted(events, key=lambda item: (item[0], rank(item[1]))):
        if best is not None and rank(code) <= rank(best):
            continue
        if best is not None:
            out.append((day, best, -1))
        out.append((day, code, 1))
        best = code
    return out


def _certified(ids: list) -> dict:
    from shegong.workers.models import Certificate, SocialWorker

    regions = dict(
        SocialWorker.objects.filter(pk__in=ids, status=SocialWorker.Status.ACTIVE).values_list("pk", "region_id")
    )
    events = defaultdict(list)
    for worker_id, level, year in Certificate.objects.filter(worker_id__in=list(regions)).values_list(
        "worker_id", "level", "year_passed"
    ):
        events[worker_id].append((datetime.date(year, 1, 1), level))
    out = {}
    for worker_id, items in events.items():
        out[worker_id] = [
            Contribution(CERTIFIED, regions[worker_id], day, value, dim=level)
            for day, level, value in ranked_timeline(items, lambda level: LEVEL_RANK[CertificateLevel(level)])
        ]
    return out


FACTS = [
    Fact(CERTIFIED, _("持证社会工作者"), unit=_("人"), stock=True, dims=(_("证书等级"),), dim_labels=_level_labels),
    Fact(WORKERS, _("人才库在库社工"), unit=_("人"), stock=True),
]

SOURCES = [
    EntitySource(
        name="workers.certified",
        model="workers.SocialWorker",
        facts=(CERTIFIED,),
        compute=_certified,
        watch=(("workers.Certificate", lambda certificate: [certificate.worker_id]),),
    ),
    RowSource(
        fact=WORKERS,
        model="workers.SocialWorker",
        region="region_id",
        day=TruncDate("created_at"),
        when=Q(status="active"),
    ),
]

INDICATORS = [
    Indicator(
        code=CERTIFIED,
        name=_("持证社会工作者"),
        section=_("人才队伍"),
        numerator=Measure(CERTIFIED),
        unit=_("人"),
        time_aggregation="last",
        breakdown=0,
        key=True,
        description=_(
            "在岗且持有社会工作者职业水平证书的人数，每人按所持最高等级计一次，自取得证书当年1月1日起计入；"
            "离职、退休人员不计。"
        ),
        source=_(
            "种子文件001 浙江：力争到2022年，全省持有全国社会工作者职业水平证书的社会工作专业人才总量达到10万人；"
            "种子文件004 江苏：到2025年，全省持证社工人数要超10万人"
        ),
    ),
    Indicator(
        code="certified_workers_intermediate_up",
        name=_("持证社会工作师及以上"),
        section=_("人才队伍"),
        numerator=Measure(CERTIFIED, dim=(CertificateLevel.INTERMEDIATE.value, CertificateLevel.SENIOR.value)),
        unit=_("人"),
        time_aggregation="last",
        breakdown=0,
        description=_("最高证书为社会工作师或高级社会工作师的在岗人数。"),
        source=_("种子文件001 浙江 §八：中级、高级专业技术岗位须具有相应等级证书"),
    ),
    Indicator(
        code=WORKERS,
        name=_("人才库在库社工"),
        section=_("人才队伍"),
        numerator=Measure(WORKERS),
        unit=_("人"),
        time_aggregation="last",
        description=_("社会工作者备案（人才库）中状态为在岗的人数，自录入之日起计入。"),
        source=_("种子文件001 浙江：建立集专业人才、服务机构、服务项目于一体的社会工作信息系统"),
    ),
]
