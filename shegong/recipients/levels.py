"""关注等级 (attention level) 1..6 and the visit frequency each one asks for — the one place these defaults live.

Why documented defaults and not a policy-profile rule: the policy kinds registry (shegong/policies/kinds/) holds
rules that judge a figure against a limit (money, shares, counts of a station or a project); a table of six
intervals keyed by level is not one of its shapes, and adding a kind belongs to the policies app. When a city sets
other intervals, this table is what a future `visit_frequency` kind replaces.

Level 1 is the most urgent (crisis or high risk), level 6 routine. The intervals follow the usual practice of the
镇街社工站 platforms (重点对象 weekly, 一般对象 quarterly).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AttentionLevel(models.IntegerChoices):
    LEVEL_1 = 1, _("一级（每周探访）")
    LEVEL_2 = 2, _("二级（每两周探访）")
    LEVEL_3 = 3, _("三级（每月探访）")
    LEVEL_4 = 4, _("四级（每两月探访）")
    LEVEL_5 = 5, _("五级（每季度探访）")
    LEVEL_6 = 6, _("六级（每半年探访）")


VISIT_INTERVAL_DAYS = {1: 7, 2: 14, 3: 30, 4: 60, 5: 90, 6: 180}


def visit_interval_days(level: int) -> int:
    return VISIT_INTERVAL_DAYS[int(level)]
