from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from shegong.core.scope import DataScope


class Registration(models.Model):
    """An application for, and then the record of, a certificate's registration (职业水平证书登记).

    The life of a registration (《社会工作者职业水平证书登记办法》民发〔2009〕44号): submitted (待审核),
    reviewed first by the district civil-affairs bureau (初审通过 / 初审未通过), then by the city bureau, a different
    person (终审通过 / 终审未通过), registered (已登记) for 3 years, and expired (已到期) when that ends without
    renewal. A renewal (再登记) is a new registration pointing at the previous one; when it is registered the previous
    one becomes 已再登记 (superseded), which keeps "one registration in force per certificate" a database constraint
    while the renewal's period starts the day after the previous one ends. Every move is a service in services.py.
    """

    class Kind(models.TextChoices):
        FIRST = "first", _("首次登记")
        RENEWAL = "renewal", _("再登记")

    class State(models.TextChoices):
        PENDING = "pending", _("待审核")
        FIRST_APPROVED = "first_approved", _("初审通过")
        FIRST_REJECTED = "first_rejected", _("初审未通过")
        FINAL_APPROVED = "final_approved", _("终审通过")
        FINAL_REJECTED = "final_rejected", _("终审未通过")
        REGISTERED = "registered", _("已登记")
        EXPIRED = "expired", _("已到期")
        SUPERSEDED = "superseded", _("已再登记")

    OPEN_STATES = (State.PENDING, State.FIRST_APPROVED, State.FINAL_APPROVED)
    REVIEWED_FIRST = (
        State.FIRST_APPROVED,
        State.FIRST_REJECTED,
        State.FINAL_APPROVED,
        State.FINAL_REJECTED,
        State.REGISTERED,
        State.EXPIRED,
        State.SUPERSEDED,
    )
    REVIEWED_FINAL = (State.FINAL_APPROVED, State.FINAL_REJECTED, State.REGISTERED, State.EXPIRED, State.SUPERSEDED)
    WAS_REGISTERED = (State.REGISTERED, State.EXPIRED, State.SUPERSEDED)

    worker = models.ForeignKey(
        "workers.SocialWorker", verbose_name=_("社会工作者"), on_delete=models.PROTECT, related_name="registrations"
    )
    certificate = models.ForeignKey(
        "workers.Certificate", verbose_name=_("职业水平证书"), on_delete=models.PROTECT, related_name="registrations"
    )
    kind = models.CharField(_("登记类别"), max_length=10, choices=Kind.choices)
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.PENDING)
    previous = models.ForeignKey(
        "self",
        verbose_name=_("上次登记"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="renewals",
        help_text=_("再登记时为上一次的登记"),
    )
    submitted_at = models.DateTimeField(_("申请时间"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    first_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("初审人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    first_reviewed_at = models.DateTimeField(_("初审时间"), null=True, blank=True)
    first_review_note = models.TextField(_("初审意见"), blank=True)
    final_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("终审人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    final_reviewed_at = models.DateTimeField(_("终审时间"), null=True, blank=True)
    final_review_note = models.TextField(_("终审意见"), blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记办理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    registered_on = models.DateField(_("登记日期"), null=True, blank=True)
    valid_from = models.DateField(_("有效期起"), null=True, blank=True)
    valid_until = models.DateField(_("有效期至"), null=True, blank=True, help_text=_("有效期的最后一天（含当日）"))
    closed_at = models.DateTimeField(_("到期或再登记时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    data_scope = DataScope(region="worker__region", agency="worker__agency", owner="worker__account")

    class Meta:
        verbose_name = _("执业登记")
        verbose_name_plural = _("执业登记")
        ordering = ["-submitted_at", "-id"]
        permissions = [
            ("first_review_registration", _("初审执业登记（区县级）")),
            ("final_review_registration", _("终审并办理执业登记（地市级及以上）")),
        ]
        indexes = [
            models.Index(fields=["state", "valid_until"], name="registration_state_until_idx"),
            models.Index(fields=["certificate", "state"], name="registration_cert_state_idx"),
            # The lists' default order (newest first), read backwards along this index.
            models.Index(fields=["submitted_at", "id"], name="registration_submitted_idx"),
        ]
        constraints = [
            # 初审 and 终审 by two different people (双人审核).
            models.CheckConstraint(
                condition=Q(first_reviewed_by__isnull=True)
                | Q(final_reviewed_by__isnull=True)
                | ~Q(final_reviewed_by=F("first_reviewed_by")),
                name="registration_reviewers_differ",
                violation_error_message=_("初审和终审须由两个不同的人办理。"),
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True, valid_until__isnull=True)
                | Q(valid_from__isnull=False, valid_until__gt=F("valid_from")),
                name="registration_period_valid",
                violation_error_message=_("有效期的结束日期必须晚于开始日期。"),
            ),
            # At most one registration in force, and at most one application under review, per certificate.
            models.UniqueConstraint(
                fields=["certificate"],
                condition=Q(state="registered"),
                name="registration_one_in_force",
                violation_error_message=_("该证书已有一份有效的登记。"),
            ),
            models.UniqueConstraint(
                fields=["certificate"],
                condition=Q(state__in=["pending", "first_approved", "final_approved"]),
                name="registration_one_open_application",
                violation_error_message=_("该证书已有一份正在审核的登记申请，请等待审核结果。"),
            ),
            # A rejected renewal may be applied for again (within the window); anything else renews only once.
            models.UniqueConstraint(
                fields=["previous"],
                condition=Q(previous__isnull=False) & ~Q(state__in=["first_rejected", "final_rejected"]),
                name="registration_one_renewal_per_previous",
                violation_error_message=_("该登记已有再登记申请。"),
            ),
            models.CheckConstraint(
                condition=Q(kind="first", previous__isnull=True) | Q(kind="renewal", previous__isnull=False),
                name="registration_renewal_has_previous",
            ),
            models.CheckConstraint(
                condition=Q(state="pending") | Q(first_reviewed_by__isnull=False, first_reviewed_at__isnull=False),
                name="registration_first_review_recorded",
            ),
            models.CheckConstraint(
                condition=Q(state__in=["pending", "first_approved", "first_rejected"])
                | Q(final_reviewed_by__isnull=False, final_reviewed_at__isnull=False),
                name="registration_final_review_recorded",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["registered", "expired", "superseded"])
                | Q(registered_on__isnull=False, valid_from__isnull=False, registered_by__isnull=False),
                name="registration_registered_has_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker} · {self.certificate} · {self.get_kind_display()}"

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES

    @property
    def in_force(self) -> bool:
        return self.state == self.State.REGISTERED


class TrainingRecord(models.Model):
    """Continuing education (继续教育), other social work training (培训), or a social work degree (学历教育) of a
    worker, with the hours it counts for.

    Continuing education counts toward the hours a renewal needs (民发〔2009〕123号); continuing education and training
    both count toward the front-line training target (seed 001 §三); a degree counts a fixed number of hours (90 by
    default) once per person, so its own hours are 0. Only verified records count toward a renewal.
    """

    class Kind(models.TextChoices):
        CONTINUING = "continuing", _("继续教育")
        TRAINING = "training", _("培训")
        DEGREE = "degree", _("社会工作学历教育")

    worker = models.ForeignKey(
        "workers.SocialWorker", verbose_name=_("社会工作者"), on_delete=models.CASCADE, related_name="training_records"
    )
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("名称"), max_length=200)
    provider = models.CharField(_("举办单位"), max_length=200)
    hours = models.DecimalField(_("学时"), max_digits=6, decimal_places=1, help_text=_("学历教育不填学时，按规定折算"))
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"))
    evidence = models.FileField(_("证明材料"), upload_to="training/%Y/", blank=True)
    note = models.CharField(_("备注"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("录入人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("核验人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("核验时间"), null=True, blank=True)

    data_scope = DataScope(region="worker__region", agency="worker__agency", owner="worker__account")

    class Meta:
        verbose_name = _("继续教育记录")
        verbose_name_plural = _("继续教育记录")
        ordering = ["worker", "-end_date", "-id"]
        permissions = [("verify_trainingrecord", _("核验继续教育记录"))]
        indexes = [
            models.Index(fields=["worker", "kind", "end_date"], name="training_worker_kind_end_idx"),
            models.Index(fields=["end_date", "id"], name="training_end_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="degree", hours=0) | (~Q(kind="degree") & Q(hours__gt=0)),
                name="training_hours_positive",
                violation_error_message=_("学时必须大于 0（学历教育按规定折算，不填学时）。"),
            ),
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="training_dates_ordered",
                violation_error_message=_("结束日期不能早于开始日期。"),
            ),
            models.CheckConstraint(
                condition=Q(verified_by__isnull=True, verified_at__isnull=True)
                | Q(verified_by__isnull=False, verified_at__isnull=False),
                name="training_verification_complete",
            ),
            models.UniqueConstraint(
                fields=["worker", "kind", "title", "start_date"],
                name="training_no_duplicate",
                violation_error_message=_("该社会工作者已有同一类别、同一名称、同日开始的学习记录。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker} · {self.title}"

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None
