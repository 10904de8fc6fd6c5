"""Government-purchased service projects (政府购买服务项目) as facts of the indicator catalogue.

- 服务期内项目 (projects, a stock): a project counts from the first day of its service period to its last (it adds
  one on start_date and takes it back the day after end_date), under the purchaser's region. A terminated project
  (终止) is not counted at all: the row keeps no termination date to end it on.
- 项目资金规则判定 (project_rules, a judgement as of today): the projects app's own verdicts (projects.rules.judge,
  the same as the project page and the failing-only list) under the policy profile in force where the purchaser
  is: labour-cost share (广州 ≥ 65%, 江苏 ≥ 80%, 浙江 ≤ 70%), professional staff share (江苏 ≥ 75%),
  certified posts (深圳 全员持证), package fee per person (深圳 ≥ 16.3万), station project amount (广州 240万) and
  the contractor's rating.
  Projects in progress (not 结项 or 终止) are judged; a project passes when no verdict fails, fails when one does,
  and is "unset" when no rule is in force where it is. Recomputed on every write of a project, its budget lines,
  roster and covered stations, and daily by `shegong analytics refresh`.
"""

import datetime

from django.db.models import DateField, F, Q
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shegong.analytics.catalogue import SNAPSHOT_DAY, Contribution, EntitySource, Fact, Indicator, Measure, RowSource
from shegong.projects.models import Project

PROJECTS = "projects"
RULES = "project_rules"
PASS, FAIL, UNSET = "pass", "fail", "unset"
FINISHED = (Project.Stage.CLOSED.value, Project.Stage.TERMINATED.value)
COUNTED = ~Q(stage=Project.Stage.TERMINATED)


def _rule_labels(index: int) -> dict:
    return {PASS: str(_("全部符合")), FAIL: str(_("有不符合项")), UNSET: str(_("未设定规则"))}


def _judgements(ids: list) -> dict:
    from shegong.projects import rules

    projects = Project.objects.filter(pk__in=ids).exclude(stage__in=FINISHED)
    regions = dict(projects.values_list("pk", "region_id"))
    out = {}
    for pk, judgement in rules.judge(projects, timezone.localdate()).items():
        if judgement.failing:
            code = FAIL
        elif judgement.verdicts:
            code = PASS
        else:
            code = UNSET
        out[pk] = [Contribution(RULES, regions[pk], SNAPSHOT_DAY, 1, dim=code)]
    return out


def _project_of(instance) -> list:
    return [instance.project_id]


FACTS = [
    Fact(PROJECTS, _("服务期内项目"), unit=_("个"), stock=True),
    Fact(
        RULES,
        _("项目资金规则判定"),
        unit=_("个"),
        stock=True,
        snapshot=True,
        dims=(_("判定"),),
        dim_labels=_rule_labels,
    ),
]

SOURCES = [
    RowSource(fact=PROJECTS, model="projects.Project", region="region_id", day="start_date", when=COUNTED),
    RowSource(
        fact=PROJECTS,
        model="projects.Project",
        region="region_id",
        day=Cast(F("end_date") + datetime.timedelta(days=1), DateField()),
        value=-1,
        when=COUNTED,
    ),
    EntitySource(
        name="projects.rules",
        model="projects.Project",
        facts=(RULES,),
        compute=_judgements,
        watch=(
            ("projects.BudgetLine", _project_of),
            ("projects.ProjectStaff", _project_of),
            ("projects.ProjectStation", _project_of),
        ),
    ),
]

INDICATORS = [
    Indicator(
        code=PROJECTS,
        name=_("服务期内项目"),
        section=_("服务项目"),
        numerator=Measure(PROJECTS),
        unit=_("个"),
        time_aggregation="last",
        key=True,
        description=_("所选时段最后一天处于服务期内的政府购买服务项目数（终止的项目不计）。"),
        source=_("种子文件001 浙江：建立集专业人才、服务机构、服务项目于一体的社会工作信息系统"),
    ),
    Indicator(
        code="projects_passing_rules",
        name=_("符合资金规则的项目"),
        section=_("服务项目"),
        numerator=Measure(RULES, dim=(PASS,)),
        unit=_("个"),
        time_aggregation="last",
        description=_(
            "在执行的项目中，按购买方所在地政策规则集判定全部符合（人员经费占比、专业人员占比、持证上岗、包干经费等）的项目数。"
        ),
        source=_(
            "种子文件003 广州：社工站每年240万的项目费用中人员支出比例不能低于65%；"
            "种子文件004 江苏：社会工作专业人才的数量不低于项目执行总人数的75%，项目人力成本不少于项目经费的80%；"
            "种子文件000 深圳：整体打包费标准不低于16.3万元/人/年"
        ),
    ),
    Indicator(
        code="projects_passing_rules_share",
        name=_("符合资金规则的项目占比"),
        section=_("服务项目"),
        numerator=Measure(RULES, dim=(PASS,)),
        denominator=Measure(RULES, dim=(PASS, FAIL)),
        factor=100,
        unit="%",
        decimals=1,
        time_aggregation="last",
        key=True,
        description=_("在执行且有规则可判定的项目中，全部符合资金与人员规则的占比；所在地未设定规则的项目不计入分母。"),
        source=_("DESIGN.md §3：项目资金规则因地而异（广州、江苏、浙江、深圳），以政策规则集为准"),
    ),
]
