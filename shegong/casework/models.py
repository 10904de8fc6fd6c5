"""Casework (个案工作, MZ/T 094-2017 《个案社会工作服务指南》): 接案 → 预估 → 计划 → 介入 → 评估 → 结案.

A case belongs to one recipient, is carried by one social worker (承办社工) at one station, and may be delivered under
a government-purchased project. Its region is the recipient's community, so scope and statistics read it by code
prefix. The stage moves only along `Case.MOVES` (services.case_move); each move is a CaseStageEvent.
"""

from django.conf import settings
from django.db import models
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _

from shegong.core.scope import DataScope


class Case(models.Model):
    class Stage(models.TextChoices):
        INTAKE = "intake", _("接案")
        ASSESSMENT = "assessment", _("预估")
        PLANNING = "planning", _("计划")
        INTERVENTION = "intervention", _("介入")
        EVALUATION = "evaluation", _("评估")
        CLOSED = "closed", _("结案")

    code = models.CharField(_("个案编号"), max_length=24, unique=True)
    recipient = models.ForeignKey(
        "recipients.Recipient", verbose_name=_("服务对象"), on_delete=models.PROTECT, related_name="cases"
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("所在村（社区）"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    province_code = models.CharField(_("省级代码"), max_length=2, editable=False)
    station = models.ForeignKey(
        "stations.Station", verbose_name=_("站点"), on_delete=models.PROTECT, related_name="cases"
    )
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("机构"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("服务项目"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    worker = models.ForeignKey(
        "workers.SocialWorker", verbose_name=_("承办社工"), on_delete=models.PROTECT, related_name="cases"
    )
    domain = models.CharField(_("服务领域"), max_length=50, help_text=_("字典 service_domain 的代码"))
    stage = models.CharField(_("阶段"), max_length=12, choices=Stage.choices, default=Stage.INTAKE)
    crisis = models.BooleanField(_("危机标记"), default=False)
    opened_on = models.DateField(_("接案日期"))
    closed_on = models.DateField(_("结案日期"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    data_scope = DataScope(region="region", agency="agency", owner="worker__account")

    class Meta:
        verbose_name = _("个案")
        verbose_name_plural = _("个案")
        ordering = ["-opened_on", "-id"]
        permissions = [("review_case", _("督导审阅个案"))]
        indexes = [
            models.Index(fields=["region", "stage"], name="case_region_stage_idx"),
            models.Index(fields=["station", "stage"], name="case_station_stage_idx"),
            models.Index(fields=["worker", "stage"], name="case_worker_stage_idx"),
            models.Index(fields=["province_code", "opened_on"], name="case_province_opened_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    stage__in=["intake", "assessment", "planning", "intervention", "evaluation", "closed"]
                ),
                name="case_stage_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(stage="closed", closed_on__isnull=False)
                | (~models.Q(stage="closed") & models.Q(closed_on__isnull=True)),
                name="case_closed_on_iff_closed",
            ),
            models.CheckConstraint(
                condition=models.Q(closed_on__isnull=True) | models.Q(closed_on__gte=models.F("opened_on")),
                name="case_closed_after_opened",
            ),
            models.CheckConstraint(
                condition=models.Q(province_code=Substr("region", 1, 2)), name="case_province_matches_region"
            ),
        ]

    def __str__(self) -> str:
        return self.code
