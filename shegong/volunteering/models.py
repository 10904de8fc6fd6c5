"""Volunteer needs (志愿需求) posted by a social worker on a community activity, a group or a project; shifts with
how many volunteers they need; sign-ups of volunteers to shifts; on-site check-in and check-out; and the hours the
organiser confirms into the volunteer's service record ("谁记录谁证明").

A shift's places are taken by applied and accepted sign-ups; the sign-up service counts them under a lock on the
shift, so two volunteers taking the last place at once cannot both get it.
"""

from django.conf import settings
from django.db import models
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _

from shegong.core.scope import DataScope


class VolunteerNeed(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("招募中")
        CLOSED = "closed", _("已截止")
        CANCELLED = "cancelled", _("已取消")

    code = models.CharField(_("签到码"), max_length=12, unique=True, editable=False)
    title = models.CharField(_("需求名称"), max_length=200)
    roles = models.CharField(_("所需岗位"), max_length=300, help_text=_("如：引导员、摄影、长者陪伴"))
    place = models.CharField(_("服务地点"), max_length=200)
    description = models.TextField(_("服务内容"), blank=True)
    activity = models.ForeignKey(
        "groupwork.CommunityActivity",
        verbose_name=_("社区活动"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="volunteer_needs",
    )
    group = models.ForeignKey(
        "groupwork.GroupWork",
        verbose_name=_("小组"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="volunteer_needs",
    )
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("服务项目"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="volunteer_needs",
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("服务地区"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    province_code = models.CharField(_("省级代码"), max_length=2, editable=False)
    station = models.ForeignKey(
        "stations.Station",
        verbose_name=_("站点"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="volunteer_needs",
    )
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("机构"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    organiser = models.ForeignKey(
        "workers.SocialWorker", verbose_name=_("组织社工"), on_delete=models.PROTECT, related_name="volunteer_needs"
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("发布时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    data_scope = DataScope(region="region", agency="agency", owner="organiser__account")

    class Meta:
        verbose_name = _("志愿需求")
        verbose_name_plural = _("志愿需求")
        default_permissions = ("add", "change", "view")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["region", "status"], name="vneed_region_status_idx"),
            models.Index(fields=["station", "status"], name="vneed_station_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(activity__isnull=False, group__isnull=True, project__isnull=True)
                | models.Q(activity__isnull=True, group__isnull=False, project__isnull=True)
                | models.Q(activity__isnull=True, group__isnull=True, project__isnull=False),
                name="vneed_exactly_one_target",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["open", "closed", "cancelled"]), name="vneed_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(province_code=Substr("region", 1, 2)), name="vneed_province_matches_region"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def target(self):
        return self.activity or self.group or self.project


class NeedShift(models.Model):
    """One shift (班次) of a need: a day, a time span and how many volunteers it needs."""

    need = models.ForeignKey(VolunteerNeed, verbose_name=_("志愿需求"), on_delete=models.CASCADE, related_name="shifts")
    day = models.DateField(_("日期"))
    starts_at = models.TimeField(_("开始时间"))
    ends_at = models.TimeField(_("结束时间"))
    needed = models.PositiveSmallIntegerField(_("需要人数"))

    data_scope = DataScope(region="need__region", agency="need__agency", owner="need__organiser__account")

    class Meta:
        verbose_name = _("班次")
        verbose_name_plural = _("班次")
        default_permissions = ()
        ordering = ["day", "starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="vshift_ends_after_start"
            ),
            models.CheckConstraint(condition=models.Q(needed__gte=1, needed__lte=500), name="vshift_needed_range"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.starts_at:%H:%M}-{self.ends_at:%H:%M}"


class SignUp(models.Model):
    """A volunteer's sign-up (报名) for a shift: applied, then accepted or declined by the organiser, or withdrawn by
    the volunteer; attendance times; the hours the organiser confirmed (into a volunteers.ServiceRecord)."""

    class Status(models.TextChoices):
        APPLIED = "applied", _("已报名")
        ACCEPTED = "accepted", _("已录用")
        DECLINED = "declined", _("未录用")
        WITHDRAWN = "withdrawn", _("已撤回")

    TAKING_PLACES = ("applied", "accepted")

    shift = models.ForeignKey(NeedShift, verbose_name=_("班次"), on_delete=models.PROTECT, related_name="signups")
    volunteer = models.ForeignKey(
        "volunteers.Volunteer", verbose_name=_("志愿者"), on_delete=models.PROTECT, related_name="signups"
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.APPLIED)
    reason = models.CharField(_("原因"), max_length=300, blank=True)
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("签退时间"), null=True, blank=True)
    record = models.OneToOneField(
        "volunteers.ServiceRecord",
        verbose_name=_("服务记录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="signup",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("报名时间"), auto_now_add=True)

    data_scope = DataScope(region="shift__need__region", agency="shift__need__agency", owner="volunteer__account")

    class Meta:
        verbose_name = _("志愿报名")
        verbose_name_plural = _("志愿报名")
        default_permissions = ("add", "change", "view")
        ordering = ["shift", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["shift", "volunteer"], name="vsignup_once_per_shift"),
            models.CheckConstraint(
                condition=models.Q(status__in=["applied", "accepted", "declined", "withdrawn"]),
                name="vsignup_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(checked_out_at__isnull=True)
                | models.Q(checked_in_at__isnull=False, checked_out_at__gte=models.F("checked_in_at")),
                name="vsignup_out_after_in",
            ),
            models.CheckConstraint(
                condition=models.Q(checked_in_at__isnull=True) | models.Q(status="accepted"),
                name="vsignup_attendance_only_accepted",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer_id} · {self.shift}"
