from django.conf import settings
from django.db import models
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shegong.core.fields import BlindIndexField, EncryptedCharField
from shegong.core.scope import DataScope
from shegong.workers.grades import CertificateLevel, JobGrade

SERVICE_DOMAIN_DICTIONARY = "service_domain"
PATTERN_OPS = "varchar_pattern_ops"


class SocialWorker(models.Model):
    """A social worker or practitioner on the register (社会工作者 / 从业人员备案), the talent pool's unit.

    The ID number is stored encrypted and is unique through its keyed hash; birth date and sex are derived from it,
    never typed. Education, employer kind and post type are codes of reference-data dictionaries (字典, see
    vocabulary.py); service domains are items of the service_domain dictionary.
    """

    class Sex(models.TextChoices):
        MALE = "M", _("男")
        FEMALE = "F", _("女")

    class Status(models.TextChoices):
        ACTIVE = "active", _("在岗")
        LEFT = "left", _("离职")
        RETIRED = "retired", _("退休")

    name = models.CharField(_("姓名"), max_length=50)
    name_initials = models.CharField(_("姓名拼音首字母"), max_length=50, blank=True, editable=False)
    id_number = EncryptedCharField(_("身份证号"), kind="id_number", index_field="id_number_index")
    # Unique and indexed through Meta, not the field: a field-level index on PostgreSQL brings a second, LIKE-ready
    # copy (varchar_pattern_ops) that a keyed hash never needs and every insert would pay for.
    id_number_index = BlindIndexField()
    birth_date = models.DateField(_("出生日期"))
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices)
    phone = EncryptedCharField(_("手机号"), kind="phone", index_field="phone_index")
    phone_index = BlindIndexField()
    education = models.CharField(_("学历"), max_length=50, blank=True, help_text=_("字典 education_level 的代码"))
    major_social_work = models.BooleanField(_("社会工作专业"), default=False)
    # No index of its own: worker_region_status_idx starts with the region, and "under X" is a range over it.
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("工作地区划"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    province_code = models.CharField(_("省级代码"), max_length=2, editable=False)
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("所在机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="workers",
    )
    employer_kind = models.CharField(
        _("工作单位类型"), max_length=50, blank=True, help_text=_("不在社工机构时填写：字典 employer_kind 的代码")
    )
    employer_name = models.CharField(_("工作单位名称"), max_length=200, blank=True)
    post_type = models.CharField(_("岗位类型"), max_length=50, blank=True, help_text=_("字典 post_type 的代码"))
    job_grade = models.CharField(_("岗位等级"), max_length=20, choices=JobGrade.choices, blank=True)
    service_domains = models.ManyToManyField(
        "refdata.DictionaryItem",
        verbose_name=_("服务领域"),
        through="WorkerServiceDomain",
        related_name="+",
        blank=True,
    )
    # The highest certificate held, kept by the certificate services so that lists filter on it without a join.
    highest_certificate = models.CharField(
        _("最高证书等级"), max_length=20, choices=CertificateLevel.choices, blank=True, editable=False
    )
    is_frontline = models.BooleanField(_("一线社会工作者"), default=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登录账户"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="social_worker",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    data_scope = DataScope(region="region", agency="agency", owner="account")

    class Meta:
        verbose_name = _("社会工作者")
        verbose_name_plural = _("社会工作者")
        permissions = [("view_own_profile", _("查看本人的社工档案（我的档案）"))]
        # Pinyin order (by initials, then the name), the list's default sort and its keyset.
        ordering = ["name_initials", "name", "id"]
        indexes = [
            models.Index(fields=["phone_index"], name="worker_phone_lookup_idx"),
            models.Index(fields=["region", "status"], name="worker_region_status_idx"),
            models.Index(fields=["name_initials", "name", "id"], name="worker_pinyin_order_idx"),
            # Prefix search (LIKE 'zs%') whatever the database collation: pattern operators on PostgreSQL, a plain
            # index elsewhere (other databases ignore opclasses).
            models.Index(fields=["name_initials"], name="worker_initials_prefix_idx", opclasses=[PATTERN_OPS]),
            models.Index(fields=["name"], name="worker_name_prefix_idx", opclasses=[PATTERN_OPS]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["id_number_index"], name="worker_id_number_unique"),
            models.CheckConstraint(
                condition=~models.Q(agency__isnull=False, employer_kind__gt=""), name="worker_agency_or_other_employer"
            ),
            models.CheckConstraint(
                condition=models.Q(province_code=Substr("region", 1, 2)), name="worker_province_matches_region"
            ),
            models.CheckConstraint(condition=models.Q(sex__in=["M", "F"]), name="worker_sex_valid"),
            models.CheckConstraint(
                condition=models.Q(status__in=["active", "left", "retired"]), name="worker_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def age(self) -> int:
        from shegong.workers.identity import age_on

        return age_on(self.birth_date, timezone.localdate())


class WorkerServiceDomain(models.Model):
    """A worker serves in a service domain (服务领域, an item of the service_domain dictionary).

    A table rather than a list in a column, so that the list filters by domain through an index on every database.
    """

    worker = models.ForeignKey(
        SocialWorker, verbose_name=_("社会工作者"), on_delete=models.CASCADE, related_name="domain_links"
    )
    domain = models.ForeignKey(
        "refdata.DictionaryItem",
        verbose_name=_("服务领域"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"dictionary__code": SERVICE_DOMAIN_DICTIONARY},
    )

    data_scope = DataScope(region="worker__region", agency="worker__agency", owner="worker__account")

    class Meta:
        verbose_name = _("社工服务领域")
        verbose_name_plural = _("社工服务领域")
        ordering = ["worker", "domain"]
        indexes = [models.Index(fields=["domain", "worker"], name="worker_domain_lookup_idx")]
        constraints = [models.UniqueConstraint(fields=["worker", "domain"], name="worker_domain_unique")]

    def __str__(self) -> str:
        return f"{self.worker_id} · {self.domain_id}"


class Certificate(models.Model):
    """A 社会工作者职业水平证书 (助理社会工作师 / 社会工作师 / 高级社会工作师)."""

    worker = models.ForeignKey(
        SocialWorker, verbose_name=_("社会工作者"), on_delete=models.CASCADE, related_name="certificates"
    )
    level = models.CharField(_("等级"), max_length=20, choices=CertificateLevel.choices)
    number = models.CharField(_("证书编号"), max_length=50, unique=True)
    year_passed = models.PositiveSmallIntegerField(_("取得年份"))
    authority = models.CharField(_("发证机关"), max_length=100, blank=True)

    data_scope = DataScope(region="worker__region", agency="worker__agency", owner="worker__account")

    class Meta:
        verbose_name = _("职业水平证书")
        verbose_name_plural = _("职业水平证书")
        ordering = ["worker", "-year_passed"]
        constraints = [
            models.UniqueConstraint(fields=["worker", "level"], name="certificate_one_per_level"),
            models.CheckConstraint(
                condition=models.Q(year_passed__gte=2008, year_passed__lte=2100), name="certificate_year_plausible"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.number}"


class CreditEvent(models.Model):
    """A credit record (信用监管): a commendation or a violation with its severity.

    A violation is in force on a day from `occurred_on` through `effective_until` (open-ended when empty) unless it was
    closed (办结) on or before that day. A violation in force is "open" and blocks renewal of a registration; one of
    severity 列入黑名单 puts the person on the blacklist, which bars them from government-funded projects and posts
    (see selectors.assert_worker_assignable, used by every service that places a worker)."""

    class Kind(models.TextChoices):
        COMMENDATION = "commendation", _("表彰")
        VIOLATION = "violation", _("违规")

    class Severity(models.TextChoices):
        MINOR = "minor", _("一般")
        SERIOUS = "serious", _("严重")
        BLACKLIST = "blacklist", _("列入黑名单")

    worker = models.ForeignKey(
        SocialWorker, verbose_name=_("社会工作者"), on_delete=models.CASCADE, related_name="credit_events"
    )
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    severity = models.CharField(_("程度"), max_length=10, choices=Severity.choices, blank=True)
    title = models.CharField(_("事由"), max_length=200)
    description = models.TextField(_("详情"), blank=True)
    evidence = models.FileField(_("证明材料"), upload_to="credit/%Y/", blank=True)
    source_document = models.CharField(_("依据文件"), max_length=200, blank=True)
    occurred_on = models.DateField(_("发生日期"))
    effective_until = models.DateField(_("有效期至"), null=True, blank=True, help_text=_("留空表示长期"))
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)
    closing_note = models.CharField(_("办结说明"), max_length=500, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("办结人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Empty for records written by installation scripts (the demo) rather than a person.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    data_scope = DataScope(region="worker__region", agency="worker__agency", owner="worker__account")

    class Meta:
        verbose_name = _("信用记录")
        verbose_name_plural = _("信用记录")
        ordering = ["worker", "-occurred_on"]
        indexes = [models.Index(fields=["worker", "kind", "severity"], name="credit_worker_kind_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="commendation", severity="") | models.Q(kind="violation", severity__gt=""),
                name="credit_severity_only_for_violations",
            ),
            models.CheckConstraint(
                condition=models.Q(effective_until__isnull=True)
                | models.Q(effective_until__gte=models.F("occurred_on")),
                name="credit_period_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(closed_on__isnull=True) | models.Q(closed_on__gte=models.F("occurred_on")),
                name="credit_closed_after_occurred",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="violation") | models.Q(closed_on__isnull=True),
                name="credit_only_violations_close",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker} · {self.title}"

    def in_force_on(self, day) -> bool:
        """The Python twin of selectors.in_force_q, for one record already loaded."""
        return (
            self.occurred_on <= day
            and (self.effective_until is None or self.effective_until >= day)
            and (self.closed_on is None or self.closed_on > day)
        )

    def is_open_on(self, day) -> bool:
        return self.kind == self.Kind.VIOLATION and self.in_force_on(day)
