"""Aggregates kept current as records are written, and targets (目标).

An aggregate row is the sum of one fact's contributions for one region prefix, one time bucket and one pair of
dimension values. Every contribution is rolled up when it is written into all five region levels (prefixes of 2, 4,
6, 9 and 12 digits of the community code), three time grains (day, month, year) and the dimension totals, so a
figure for any region and any period is a handful of rows found by one index range: a county's year is one row per
year piece, never a scan of its records. See maintenance.py for how rows are kept current, and docs/scaling.md.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shegong.core.scope import DataScope


class Grain(models.TextChoices):
    DAY = "D", _("日")
    MONTH = "M", _("月")
    YEAR = "Y", _("年")


class AggregateRow(models.Model):
    """The columns of an aggregate table (the live one and the scratch table `verify` rebuilds into)."""

    fact = models.CharField(_("事实"), max_length=48)
    level = models.PositiveSmallIntegerField(_("区划级别"))
    grain = models.CharField(_("时间粒度"), max_length=1, choices=Grain.choices)
    # Dimension values; '' in both is the total over all values, (value, '') the total over the second dimension.
    dim = models.CharField(_("维度一"), max_length=48, blank=True, default="")
    dim2 = models.CharField(_("维度二"), max_length=48, blank=True, default="")
    prefix = models.CharField(_("区划代码前缀"), max_length=12)
    period = models.DateField(_("时间段起始"))
    # The distribution column for Citus (docs/scaling.md); always the first two digits of the prefix.
    province_code = models.CharField(_("省级代码"), max_length=2)
    value = models.BigIntegerField(_("值"), default=0)

    KEY = ("fact", "level", "grain", "dim", "dim2", "prefix", "period", "province_code")

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.fact} {self.prefix} {self.grain}{self.period:%Y-%m-%d} {self.dim}/{self.dim2} = {self.value}"


class Aggregate(AggregateRow):
    """The live aggregate table. Written only by analytics.maintenance."""

    class Meta:
        verbose_name = _("统计聚合")
        verbose_name_plural = _("统计聚合")
        ordering = ["fact", "level", "prefix", "grain", "period"]
        constraints = [
            # Serves a region's figure (all columns up to prefix equal, then a period range) and its children (a prefix
            # range under equal fact, level, grain and dimensions).
            models.UniqueConstraint(fields=list(AggregateRow.KEY), name="aggregate_one_row_per_key"),
            models.CheckConstraint(condition=models.Q(level__gte=1, level__lte=5), name="aggregate_level_valid"),
            models.CheckConstraint(condition=models.Q(grain__in=["D", "M", "Y"]), name="aggregate_grain_valid"),
        ]
        indexes = [
            # A breakdown by dimension for one region reads this one.
            models.Index(fields=["fact", "level", "prefix", "grain", "period"], name="aggregate_region_period_idx"),
        ]


class AggregateCheck(AggregateRow):
    """Scratch table: `shegong analytics verify` recomputes every aggregate here from the raw records and compares."""

    class Meta:
        verbose_name = _("统计聚合核对")
        verbose_name_plural = _("统计聚合核对")
        ordering = ["fact", "level", "prefix", "grain", "period"]
        constraints = [models.UniqueConstraint(fields=list(AggregateRow.KEY), name="aggregate_check_one_row_per_key")]


class PendingContribution(models.Model):
    """The outbox: contribution changes written in the same transaction as the record that caused them, applied to
    the aggregates by `maintenance.drain()` (right after the commit, by a worker, and before any figure is read).
    A write pays one small insert here instead of updating some fifty aggregate rows."""

    fact = models.CharField(_("事实"), max_length=48)
    region_code = models.CharField(_("区划代码"), max_length=12)
    day = models.DateField(_("日期"))
    dim = models.CharField(_("维度一"), max_length=48, blank=True, default="")
    dim2 = models.CharField(_("维度二"), max_length=48, blank=True, default="")
    value = models.BigIntegerField(_("值"))

    class Meta:
        verbose_name = _("待汇总贡献")
        verbose_name_plural = _("待汇总贡献")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.fact} {self.region_code} {self.day} {self.value:+d}"


class EntityContribution(models.Model):
    """What a judged entity (a station meeting its staffing standard, a project passing the money rules …) currently
    contributes, so that a later judgement can take exactly that back. Row facts need no such memory: their old
    contribution is read from the row before it changes."""

    source = models.CharField(_("来源"), max_length=64)
    entity_id = models.CharField(_("对象"), max_length=64)
    fact = models.CharField(_("事实"), max_length=48)
    region_code = models.CharField(_("区划代码"), max_length=12)
    day = models.DateField(_("日期"))
    dim = models.CharField(_("维度一"), max_length=48, blank=True, default="")
    dim2 = models.CharField(_("维度二"), max_length=48, blank=True, default="")
    value = models.BigIntegerField(_("值"))

    class Meta:
        verbose_name = _("对象贡献")
        verbose_name_plural = _("对象贡献")
        ordering = ["source", "entity_id"]
        indexes = [models.Index(fields=["source", "entity_id"], name="entity_contribution_idx")]

    def __str__(self) -> str:
        return f"{self.source}:{self.entity_id} {self.fact} {self.value}"


class Target(models.Model):
    """A target (目标) as a record: an indicator for a region over a period, with the value to reach and where it
    comes from (a preset from a policy document, or set by a bureau)."""

    class Comparison(models.TextChoices):
        AT_LEAST = "gte", _("不低于")
        AT_MOST = "lte", _("不高于")

    indicator = models.CharField(_("指标"), max_length=64)
    region = models.ForeignKey("regions.Region", verbose_name=_("地区"), on_delete=models.PROTECT, related_name="+")
    period_start = models.DateField(_("起始日期"))
    period_end = models.DateField(_("截止日期"))
    value = models.DecimalField(_("目标值"), max_digits=14, decimal_places=2)
    comparison = models.CharField(_("比较"), max_length=3, choices=Comparison.choices, default=Comparison.AT_LEAST)
    source = models.CharField(_("依据"), max_length=300, blank=True)
    preset = models.CharField(_("预置来源"), max_length=32, blank=True, help_text=_("预置目标的代号，自行设定时为空"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("设定人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("设定时间"), auto_now_add=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    data_scope = DataScope(region="region")

    class Meta:
        verbose_name = _("目标")
        verbose_name_plural = _("目标")
        ordering = ["region", "indicator", "period_end"]
        permissions = [
            ("view_dashboard", _("查看统计看板与报表")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "region", "period_start", "period_end"],
                name="target_one_per_indicator_region_period",
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")), name="target_period_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.region_id} {self.period_end}: {self.value}"
