"""The station network (社工站点).

Seed 002 (重庆): "一区县一中心、一镇街一站、一村社一室": a 区县社会工作指导中心 on each county-level region,
a 镇街社工站 on each township or street, a 村社社工室 on each community. Specialised stations
(a 学校社工站, seed 004 昆明; a station merged with a 未成年人保护工作站, seed 004 黑龙江 "两站合一")
sit beside them and are not counted in coverage.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shegong.core.scope import DataScope


class Station(models.Model):
    class Kind(models.TextChoices):
        CENTRE = "centre", _("区县社会工作指导中心")
        STATION = "station", _("镇街社工站")
        ROOM = "room", _("村社社工室")
        SCHOOL = "school", _("学校社工站")
        MINOR_PROTECTION = "minor_protection", _("社工站（未成年人保护工作站）")

    class Status(models.TextChoices):
        PREPARING = "preparing", _("筹建")
        OPERATING = "operating", _("运营")
        SUSPENDED = "suspended", _("暂停")
        REVOKED = "revoked", _("撤销")

    # The region level each kind of the three-level network must sit on.
    LEVEL_OF_KIND = {Kind.CENTRE: 3, Kind.STATION: 4, Kind.ROOM: 5}
    NETWORK_KINDS = (Kind.CENTRE, Kind.STATION, Kind.ROOM)

    code = models.CharField(_("站点编码"), max_length=16, unique=True, help_text=_("二维码和公开页面使用的编码"))
    name = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    region = models.ForeignKey("regions.Region", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+")
    province_code = models.CharField(_("省级代码"), max_length=2, editable=False)
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("承接机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="stations",
    )
    host_institution = models.CharField(_("依托单位"), max_length=200, blank=True, help_text=_("学校等，专门站点填写"))
    opened_on = models.DateField(_("启用日期"), null=True, blank=True)
    address = models.CharField(_("地址"), max_length=300, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    service_hours = models.CharField(_("服务时间"), max_length=200, blank=True)
    # A copy of the newest StationStatusEvent, so lists filter and count without reading the history.
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.PREPARING)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    data_scope = DataScope(region="region", agency="agency")

    class Meta:
        verbose_name = _("社工站点")
        verbose_name_plural = _("社工站点")
        ordering = ["region", "kind", "name"]
        indexes = [
            models.Index(fields=["region", "kind", "status"], name="station_region_kind_idx"),
            models.Index(fields=["province_code", "region"], name="station_province_region_idx"),
            models.Index(fields=["kind", "status", "region"], name="station_kind_status_idx"),
        ]
        constraints = [
            # 一区县一中心、一镇街一站、一村社一室: at most one live station of each network kind on a region.
            models.UniqueConstraint(
                fields=["region", "kind"],
                condition=models.Q(kind__in=["centre", "station", "room"]) & ~models.Q(status="revoked"),
                name="station_one_per_region_and_kind",
            ),
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True, longitude__isnull=True)
                | models.Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="station_coordinates_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=["centre", "station", "room", "school", "minor_protection"]),
                name="station_kind_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["preparing", "operating", "suspended", "revoked"]),
                name="station_status_valid",
            ),
            # A specialised station (学校社工站, 两站合一) is known by the institution that hosts it.
            models.CheckConstraint(
                condition=models.Q(kind__in=["centre", "station", "room"]) | ~models.Q(host_institution=""),
                name="station_specialised_has_host",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def counts_in_coverage(self) -> bool:
        return self.kind in self.NETWORK_KINDS


class StationStatusEvent(models.Model):
    """The status history of a station (筹建 / 运营 / 暂停 / 撤销)."""

    station = models.ForeignKey(Station, verbose_name=_("站点"), on_delete=models.CASCADE, related_name="status_events")
    status = models.CharField(_("状态"), max_length=12, choices=Station.Status.choices)
    effective_on = models.DateField(_("生效日期"))
    reason = models.CharField(_("原因"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    data_scope = DataScope(region="station__region", agency="station__agency")

    class Meta:
        verbose_name = _("站点状态记录")
        verbose_name_plural = _("站点状态记录")
        ordering = ["station", "-effective_on", "-id"]

    def __str__(self) -> str:
        return f"{self.station} · {self.get_status_display()} · {self.effective_on}"


class StationService(models.Model):
    """One item of a station's service list (服务清单)."""

    station = models.ForeignKey(Station, verbose_name=_("站点"), on_delete=models.CASCADE, related_name="services")
    domain = models.CharField(_("服务领域"), max_length=50, help_text=_("字典 service_domain 的代码"))
    title = models.CharField(_("服务项目"), max_length=200)
    description = models.TextField(_("说明"), blank=True)
    is_active = models.BooleanField(_("提供中"), default=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    data_scope = DataScope(region="station__region", agency="station__agency")

    class Meta:
        verbose_name = _("服务项目")
        verbose_name_plural = _("服务清单")
        ordering = ["station", "sort_order", "id"]
        constraints = [models.UniqueConstraint(fields=["station", "title"], name="station_service_title_unique")]

    def __str__(self) -> str:
        return self.title


class StaffAssignment(models.Model):
    """A worker's post at a station for a period. A worker is full-time at one station at most on any day (checked by
    the assignment service under a lock on the worker, and by an exclusion constraint on PostgreSQL)."""

    class Role(models.TextChoices):
        HEAD = "head", _("站长")
        DEPUTY = "deputy", _("副站长")
        FULL_TIME = "full_time", _("专职社工")
        ASSISTANT = "assistant", _("辅助岗")
        RESIDENT = "resident", _("驻点社工")
        SUPERVISOR = "supervisor", _("督导")

    station = models.ForeignKey(Station, verbose_name=_("站点"), on_delete=models.PROTECT, related_name="assignments")
    worker = models.ForeignKey(
        "workers.SocialWorker",
        verbose_name=_("社会工作者"),
        on_delete=models.PROTECT,
        related_name="station_assignments",
    )
    role = models.CharField(_("岗位"), max_length=12, choices=Role.choices)
    full_time = models.BooleanField(_("专职"), default=True)
    start_date = models.DateField(_("起始日期"))
    end_date = models.DateField(_("结束日期"), null=True, blank=True, help_text=_("含当日；留空表示至今"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    data_scope = DataScope(region="station__region", agency="station__agency", owner="worker__account")

    class Meta:
        verbose_name = _("站点人员")
        verbose_name_plural = _("站点人员")
        ordering = ["station", "role", "start_date"]
        indexes = [
            models.Index(fields=["worker", "start_date"], name="assignment_worker_start_idx"),
            models.Index(fields=["station", "end_date"], name="assignment_station_end_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
                name="assignment_period_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=["head", "deputy", "full_time", "assistant", "resident", "supervisor"]),
                name="assignment_role_valid",
            ),
            # On PostgreSQL, migration 0003 adds the exclusion constraint assignment_no_double_full_time (one
            # full-time post per worker on any day); Django's ExclusionConstraint would tie the model to PostgreSQL.
        ]

    def __str__(self) -> str:
        return f"{self.worker} · {self.station} · {self.get_role_display()}"


class PresenceCheckIn(models.Model):
    """A day the community's social worker was in the community (seed 003 广州 "一社区一社工", ≥ 3 days a week)."""

    class Method(models.TextChoices):
        QR = "qr", _("扫码签到")
        LOCATION = "location", _("定位签到")
        MANUAL = "manual", _("补录")

    worker = models.ForeignKey(
        "workers.SocialWorker", verbose_name=_("社会工作者"), on_delete=models.PROTECT, related_name="check_ins"
    )
    station = models.ForeignKey(Station, verbose_name=_("站点"), on_delete=models.PROTECT, related_name="check_ins")
    community = models.ForeignKey("regions.Region", verbose_name=_("社区"), on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("日期"))
    method = models.CharField(_("方式"), max_length=10, choices=Method.choices)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    data_scope = DataScope(region="community", agency="station__agency", owner="worker__account")

    class Meta:
        verbose_name = _("驻点签到")
        verbose_name_plural = _("驻点签到")
        ordering = ["-date", "worker"]
        indexes = [
            models.Index(fields=["station", "date"], name="checkin_station_date_idx"),
            # The weekly presence of a whole subtree: one week's dates, then a range of community codes.
            models.Index(fields=["date", "community"], name="checkin_date_community_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["worker", "community", "date"], name="checkin_once_per_day"),
            models.CheckConstraint(
                condition=models.Q(method__in=["qr", "location", "manual"]), name="checkin_method_valid"
            ),
            # A manual entry (补录) says why it was entered by someone else.
            models.CheckConstraint(condition=~models.Q(method="manual", note=""), name="checkin_manual_has_note"),
        ]

    def __str__(self) -> str:
        return f"{self.worker} · {self.community} · {self.date}"
