"""Project evaluations (项目评估) as facts of the indicator catalogue.

- 完成的评估 (evaluations_finished, a flow by grade and kind): an evaluation counts once on the day it was completed
  (已完成 or 已发布: the total and the grade are fixed at completion), under the purchaser's region of its project.
  The grade is the band label of the evaluation's template (优秀 ≥ 90 / 良好 ≥ 80 / 合格 ≥ 60 / 不合格 in the presets,
  editable data), so the dimension values are the labels themselves.
- Seed 003 (广州): each service year a mid-term (中期) and a final (末期) evaluation; the share rated 良好 or better is
  the indicator a bureau follows.
"""

from django.db.models import Q
from django.db.models.functions import TruncDate
from django.utils.translation import gettext_lazy as _

from shegong.analytics.catalogue import Fact, Indicator, Measure, RowSource
from shegong.evaluations.models import Evaluation, EvaluationKind

FINISHED = "evaluations_finished"
GOOD_OR_BETTER = ("优秀", "良好")


def _labels(index: int) -> dict:
    if index == 1:
        return dict(EvaluationKind.choices)
    return {}  # grade codes are the templates' own labels


FACTS = [
    Fact(
        FINISHED,
        _("完成的评估"),
        unit=_("次"),
        dims=(_("评估等级"), _("评估类型")),
        dim_labels=_labels,
    ),
]

SOURCES = [
    RowSource(
        fact=FINISHED,
        model="evaluations.Evaluation",
        region="project__region_id",
        day=TruncDate("completed_at"),
        dim="grade",
        dim2="kind",
        when=Q(state__in=[Evaluation.State.COMPLETED, Evaluation.State.PUBLISHED], completed_at__isnull=False),
        watch=(("projects.Project", "project"),),
    ),
]

INDICATORS = [
    Indicator(
        code=FINISHED,
        name=_("完成的项目评估"),
        section=_("评估督查"),
        numerator=Measure(FINISHED),
        unit=_("次"),
        breakdown=0,
        description=_("所选时段内完成（总分与等级确定）的中期、末期评估次数，按等级分列。"),
        source=_("种子文件003 广州：规定每个服务年度对社工站项目进行中期、末期两次评估"),
    ),
    Indicator(
        code="evaluations_good_share",
        name=_("评估良好及以上占比"),
        section=_("评估督查"),
        numerator=Measure(FINISHED, dim=GOOD_OR_BETTER),
        denominator=Measure(FINISHED),
        factor=100,
        unit="%",
        decimals=1,
        key=True,
        description=_(
            "所选时段内完成的评估中，等级为优秀或良好的占比（等级按评估指标体系的等级划分，预置为优秀≥90、良好≥80）。"
        ),
        source=_("种子文件003 广州：每个服务年度对社工站项目进行中期、末期两次评估；等级划分按评估指标体系"),
    ),
]
