"""服务人次 (service person-times), counted one way for every kind of service.

One row per service event that reaches people: a casework session (个案面谈/服务, 1 person-time for the case's
recipient), a group session (小组节次, one person-time per member present) or a community activity (社区活动, its
participant count). The casework, group-work and activity services write the row in the same transaction as the event
itself, through `persontimes.services.record`, and take it back with `erase` when the event is deleted; nothing else
writes here. So "服务人次" has one definition, and the projects' actual outputs and the indicators (issue 7) sum this
table instead of re-counting three kinds of records three ways.

The row carries the community (or the station's region when the service was not in one community) so that every
region level is a code prefix, and the province code so that the table shards by province (DESIGN.md §5).
"""

from django.db import models
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _

from shegong.core.scope import DataScope


class PersonTime(models.Model):
    class Kind(models.TextChoices):
        CASE_SESSION = "case_session", _("个案服务")
        GROUP_SESSION = "group_session", _("小组活动")
        ACTIVITY = "activity", _("社区活动")

    kind = models.CharField(_("服务类型"), max_length=16, choices=Kind.choices)
    source_id = models.PositiveBigIntegerField(_("来源记录"))
    occurred_on = models.DateField(_("服务日期"))
    count = models.PositiveIntegerField(_("服务人次"))
    domain = models.CharField(_("服务领域"), max_length=50, blank=True, help_text=_("字典 service_domain 的代码"))
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("服务地区"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    province_code = models.CharField(_("省级代码"), max_length=2, editable=False)
    station = models.ForeignKey(
        "stations.Station", verbose_name=_("站点"), on_delete=models.PROTECT, related_name="person_times"
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
        related_name="person_times",
    )
    worker = models.ForeignKey(
        "workers.SocialWorker",
        verbose_name=_("社会工作者"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now=True)

    data_scope = DataScope(region="region", agency="agency", owner="worker__account")

    class Meta:
        verbose_name = _("服务人次")
        verbose_name_plural = _("服务人次")
        ordering = ["-occurred_on", "kind", "source_id"]
        indexes = [
            models.Index(fields=["region", "occurred_on"], name="persontime_region_date_idx"),
            models.Index(fields=["province_code", "occurred_on"], name="persontime_province_date_idx"),
            models.Index(fields=["station", "occurred_on"], name="persontime_station_date_idx"),
            models.Index(fields=["project", "occurred_on"], name="persontime_project_date_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["kind", "source_id"], name="persontime_one_row_per_event"),
            models.CheckConstraint(
                condition=models.Q(kind__in=["case_session", "group_session", "activity"]), name="persontime_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(province_code=Substr("region", 1, 2)), name="persontime_province_matches_region"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_on} × {self.count}"
