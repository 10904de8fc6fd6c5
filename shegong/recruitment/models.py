"""Recruitment (招聘录用信息平台) and pay (职级薪酬体系).

Seed 000 (深圳《若干措施》): "依托行业组织，建立完善从业人员准入和退出机制，
建立全市统一的从业人员备案和招聘录用信息平台" and "健全社会工作者职级体系和薪酬保障". Agencies post openings,
workers apply, the agency hires, and the hire is recorded as an Employment that also moves the worker's record to the
new employer. A worker's pay is seen only by the employer's administrators and the civil-affairs administrators of
the worker's region, and is compared with the pay guidance in force (guidance.py).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shegong.core.scope import DataScope


class JobOpening(models.Model):
    """A post an agency wants to fill (招聘岗位)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        OPEN = "open", _("招聘中")
        CLOSED = "closed", _("已结束")

    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("招聘机构"), on_delete=models.PROTECT, related_name="job_openings"
    )
    title = models.CharField(_("岗位名称"), max_length=100)
    post_type = models.CharField(_("岗位类型"), max_length=50, help_text=_("字典 post_type 的代码"))
    service_domain = models.ForeignKey(
        "refdata.DictionaryItem",
        verbose_name=_("服务领域"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"dictionary__code": "service_domain"},
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("工作地区划"), on_delete=models.PROTECT, related_name="+"
    )
    headcount = models.PositiveSmallIntegerField(_("招聘人数"), default=1)
    pay_min = models.PositiveIntegerField(_("月薪下限（元）"))
    pay_max = models.PositiveIntegerField(_("月薪上限（元）"))
    government_funded = models.BooleanField(
        _("政府购买服务岗位"),
        default=True,
        help_text=_("政府购买服务项目中的岗位：列入黑名单的人员不得录用。"),
    )
    description = models.TextField(_("岗位说明"), blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    opens_on = models.DateField(_("报名开始日期"))
    closes_on = models.DateField(_("报名截止日期"), null=True, blank=True, help_text=_("留空表示招满为止"))
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发布人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    data_scope = DataScope(region="region", agency="agency")

    class Meta:
        verbose_name = _("招聘岗位")
        verbose_name_plural = _("招聘岗位")
        ordering = ["-opens_on", "-id"]
        indexes = [
            models.Index(fields=["status", "region"], name="opening_status_region_idx"),
            models.Index(fields=["agency", "status"], name="opening_agency_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(pay_min__lte=models.F("pay_max")), name="opening_pay_range"),
            models.CheckConstraint(condition=models.Q(headcount__gte=1), name="opening_headcount_positive"),
            models.CheckConstraint(
                condition=models.Q(closes_on__isnull=True) | models.Q(closes_on__gte=models.F("opens_on")),
                name="opening_dates_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["draft", "open", "closed"]), name="opening_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency} · {self.title}"

    def accepting(self, on) -> bool:
        """Whether the opening takes applications on the date: open, and within its dates."""
        return (
            self.status == self.Status.OPEN and self.opens_on <= on and (self.closes_on is None or on <= self.closes_on)
        )


class JobApplication(models.Model):
    """A worker's application to an opening: submitted → shortlisted → hired / rejected / withdrawn."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("已投递")
        SHORTLISTED = "shortlisted", _("进入面试")
        HIRED = "hired", _("已录用")
        REJECTED = "rejected", _("未录用")
        WITHDRAWN = "withdrawn", _("已撤回")

    opening = models.ForeignKey(
        JobOpening, verbose_name=_("招聘岗位"), on_delete=models.PROTECT, related_name="applications"
    )
    worker = models.ForeignKey(
        "workers.SocialWorker", verbose_name=_("应聘人"), on_delete=models.PROTECT, related_name="job_applications"
    )
    cover_note = models.TextField(_("自我介绍"), blank=True)
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.SUBMITTED)
    submitted_at = models.DateTimeField(_("投递时间"), auto_now_add=True)
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decision_note = models.TextField(_("处理说明"), blank=True)

    data_scope = DataScope(region="opening__region", agency="opening__agency", owner="worker__account")

    class Meta:
        verbose_name = _("应聘申请")
        verbose_name_plural = _("应聘申请")
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["opening", "state"], name="application_opening_state_idx")]
        constraints = [
            models.UniqueConstraint(fields=["opening", "worker"], name="application_once_per_opening"),
            models.CheckConstraint(
                condition=models.Q(state__in=["submitted", "shortlisted", "hired", "rejected", "withdrawn"]),
                name="application_state_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker} → {self.opening.title}"


class Employment(models.Model):
    """A worker's employment by an agency in a post (聘用记录), recorded by a hire or directly."""

    worker = models.ForeignKey(
        "workers.SocialWorker", verbose_name=_("社会工作者"), on_delete=models.PROTECT, related_name="employments"
    )
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("聘用机构"), on_delete=models.PROTECT, related_name="employments"
    )
    post_type = models.CharField(_("岗位类型"), max_length=50, help_text=_("字典 post_type 的代码"))
    title = models.CharField(_("岗位名称"), max_length=100, blank=True)
    started_on = models.DateField(_("入职日期"))
    ended_on = models.DateField(_("离职日期"), null=True, blank=True)
    application = models.OneToOneField(
        JobApplication,
        verbose_name=_("应聘申请"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="employment",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    data_scope = DataScope(region="worker__region", agency="agency", owner="worker__account")

    class Meta:
        verbose_name = _("聘用记录")
        verbose_name_plural = _("聘用记录")
        ordering = ["-started_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True) | models.Q(ended_on__gte=models.F("started_on")),
                name="employment_period_valid",
            ),
            models.UniqueConstraint(
                fields=["worker"], condition=models.Q(ended_on__isnull=True), name="employment_one_current_per_worker"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker} · {self.agency} ({self.started_on})"


class WorkerPay(models.Model):
    """A worker's monthly pay from a date (薪酬), set by the employer's administrator or a civil-affairs
    administrator of the worker's region. Scoped by the worker's current employer and region only — no owner and no
    other agency — so peers and other agencies never see it."""

    worker = models.ForeignKey(
        "workers.SocialWorker", verbose_name=_("社会工作者"), on_delete=models.PROTECT, related_name="pay_records"
    )
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("发薪机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("登记时社会工作者所在的机构"),
    )
    effective_from = models.DateField(_("执行日期"))
    monthly_pay = models.DecimalField(_("月薪（元）"), max_digits=10, decimal_places=2)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    data_scope = DataScope(region="worker__region", agency="worker__agency")

    class Meta:
        verbose_name = _("薪酬记录")
        verbose_name_plural = _("薪酬记录")
        ordering = ["worker", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["worker", "effective_from"], name="pay_once_per_date"),
            models.CheckConstraint(condition=models.Q(monthly_pay__gt=0), name="pay_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.worker} · {self.effective_from}"
