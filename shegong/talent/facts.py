"""Supervisors (督导) and leading talents (领军人才) as facts of the indicator catalogue.

- 督导 (supervisors, a stock by grade): read off the grade history (SupervisorGradeChange), which the talent services
  write with every appointment and change of grade: a change adds one at its new grade and takes one from its old
  grade on the day it took effect, so the count by grade on any past date is the pool as it stood then.
- 领军人才 (leading_talents, a stock by level): a person selected (LeadingTalent) counts once, at the highest level
  of selection so far (国家级 > 省级 > 市级 > 区县级), from 1 January of the year of selection. The seeds count
  people ("累计培养社会工作领军人才、督导人才各150名"), and a person may be selected at several levels.

Both follow the worker's region (the records hang off a SocialWorker).
"""

import datetime
from collections import defaultdict

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shegong.analytics.catalogue import Contribution, EntitySource, Fact, Indicator, Measure, RowSource
from shegong.talent.models import Level, SupervisorGrade
from shegong.workers.facts import ranked_timeline

SUPERVISORS = "supervisors"
LEADING = "leading_talents"
# Highest first is the order of the Level choices: rank = distance from the bottom.
LEVEL_RANK = {level.value: rank for rank, level in enumerate(reversed(list(Level)))}
WORKER = (("workers.SocialWorker", "profile__worker"),)


def _grade_labels(index: int) -> dict:
    return dict(SupervisorGrade.choices)


def _level_labels(index: int) -> dict:
    return dict(Level.choices)


def _leading(ids: list) -> dict:
    from shegong.talent.models import LeadingTalent

    regions = {}
    events = defaultdict(list)
    for worker_id, region_id, level, year in LeadingTalent.objects.filter(worker_id__in=ids).values_list(
        "worker_id", "worker__region_id", "level", "selected_year"
    ):
        regions[worker_id] = region_id
        events[worker_id].append((datetime.date(year, 1, 1), level))
    return {
        worker_id: [
            Contribution(LEADING, regions[worker_id], day, value, dim=level)
            for day, level, value in ranked_timeline(items, LEVEL_RANK.__getitem__)
        ]
        for worker_id, items in events.items()
    }


FACTS = [
    Fact(SUPERVISORS, _("督导"), unit=_("人"), stock=True, dims=(_("督导等级"),), dim_labels=_grade_labels),
    Fact(LEADING, _("领军人才"), unit=_("人"), stock=True, dims=(_("入选级别"),), dim_labels=_level_labels),
]

SOURCES = [
    RowSource(
        fact=SUPERVISORS,
        model="talent.SupervisorGradeChange",
        region="profile__worker__region_id",
        day="changed_on",
        dim="to_grade",
        watch=WORKER,
    ),
    RowSource(
        fact=SUPERVISORS,
        model="talent.SupervisorGradeChange",
        region="profile__worker__region_id",
        day="changed_on",
        value=-1,
        dim="from_grade",
        when=~Q(from_grade=""),
        watch=WORKER,
    ),
    EntitySource(
        name="talent.leading",
        model="workers.SocialWorker",
        facts=(LEADING,),
        compute=_leading,
        watch=(("talent.LeadingTalent", lambda talent: [talent.worker_id]),),
    ),
]

INDICATORS = [
    Indicator(
        code=SUPERVISORS,
        name=_("督导"),
        section=_("人才队伍"),
        numerator=Measure(SUPERVISORS),
        unit=_("人"),
        time_aggregation="last",
        breakdown=0,
        key=True,
        description=_("督导人才库中的人数，按认定日期的等级计入（督导助理至高级督导）。"),
        source=_(
            "种子文件001 浙江：在全省培养800名具备丰富实务经验、善于解决复杂专业问题的社会工作督导；"
            "种子文件004 江苏：累计培养社会工作领军人才、督导人才各150名"
        ),
    ),
    Indicator(
        code=LEADING,
        name=_("领军人才"),
        section=_("人才队伍"),
        numerator=Measure(LEADING),
        unit=_("人"),
        time_aggregation="last",
        breakdown=0,
        key=True,
        description=_("入选社会工作领军人才的人数，每人按最高入选级别计一次，自入选当年1月1日起计入。"),
        source=_("种子文件004 江苏：累计培养社会工作领军人才、督导人才各150名"),
    ),
]
