import datetime

from django.conf import settings
from django.db import models
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shegong.agencies.fields import PinyinInitialsField, ProvinceCodeField
from shegong.agencies.validators import validate_credit_code
from shegong.core.fields import EncryptedCharField
from shegong.core.scope import DataScope

SERVICE_DOMAIN_DICTIONARY = "service_domain"


class AgencyStatus(models.TextChoices):
    """Supervision status (综合监管): the abnormal list (异常名录) and the blacklist (黑名单, 严重违法失信名单)."""

    NORMAL = "normal", _("正常")
    ABNORMAL = "abnormal", _("异常名录")
    BLACKLIST = "blacklist", _("黑名单")


class LegalForm(models.TextChoices):
    """组织形式: how the agency is registered."""

    SOCIAL_SERVICE = "social_service", _("社会服务机构")
    SOCIAL_GROUP = "social_group", _("社会团体")
    FOUNDATION = "foundation", _("基金会")
    PUBLIC_INSTITUTION = "public_institution", _("事业单位")
    ENTERPRISE = "enterprise", _("企业")


class RatingLevel(models.IntegerChoices):
    """社会组织评估等级 (民政部令第39号《社会组织评估管理办法》): 1A (A) to 5A (AAAAA)."""

    A1 = 1, "1A"
    A2 = 2, "2A"
    A3 = 3, "3A"
    A4 = 4, "4A"
    A5 = 5, "5A"


class Agency(models.Model):
    """A social work service agency (社会工作服务机构), identified by its 统一社会信用代码 (GB 32100).

    Ratings and supervision status are histories (AgencyRating, AgencyStatusEvent); the answer on any date comes from
    them (selectors.rating_in_force, selectors.status_on). The `latest_*` columns repeat the most recent entry of each
    history, kept by the services in the same transaction, so that a list can filter and mark thousands of agencies
    without a query per row: the latest entry never starts in the future (the services refuse that), so whether it is
    still in force today is a comparison of its end date with today's.
    """

    LegalForm = LegalForm
    Status = AgencyStatus

    name = models.CharField(_("机构名称"), max_length=200)
    name_initials = PinyinInitialsField(_("名称拼音首字母"), source="name", max_length=200)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True, validators=[validate_credit_code])
    registration_authority = models.CharField(
        _("登记管理机关"), max_length=100, blank=True, help_text=_("例如：广州市越秀区民政局")
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="agencies"
    )
    province_code = ProvinceCodeField(_("省级代码"), source="region")
    legal_form = models.CharField(_("组织形式"), max_length=20, choices=LegalForm.choices)
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)
    service_domains = models.ManyToManyField(
        "refdata.DictionaryItem",
        verbose_name=_("服务领域"),
        through="AgencyServiceDomain",
        related_name="+",
        blank=True,
    )
    contact_person = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = EncryptedCharField(_("联系电话"), kind="phone")
    address = models.CharField(_("地址"), max_length=200, blank=True)

    latest_status = models.CharField(
        _("最近状态"), max_length=10, choices=AgencyStatus.choices, default=AgencyStatus.NORMAL, editable=False
    )
    latest_status_from = models.DateField(_("最近状态起始日期"), null=True, blank=True, editable=False)
    latest_status_to = models.DateField(_("最近状态截止日期"), null=True, blank=True, editable=False)
    latest_rating_level = models.PositiveSmallIntegerField(
        _("最近评估等级"), choices=RatingLevel.choices, null=True, blank=True, editable=False
    )
    latest_rating_valid_until = models.DateField(_("最近评估等级有效期至"), null=True, blank=True, editable=False)

    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    data_scope = DataScope(region="region", agency="pk")

    class Meta:
        verbose_name = _("社会工作服务机构")
        verbose_name_plural = _("社会工作服务机构")
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["province_code", "region"], name="agency_province_region_idx"),
            # Covers the list's usual query (scope range, name search, name order) without reading the table.
            models.Index(fields=["region", "name", "name_initials"], name="agency_region_search_idx"),
            models.Index(fields=["name", "id"], name="agency_name_idx"),
            models.Index(fields=["name_initials"], name="agency_initials_idx"),
            models.Index(fields=["latest_status", "region"], name="agency_status_region_idx"),
            models.Index(fields=["latest_rating_level", "region"], name="agency_rating_region_idx"),
            models.Index(fields=["legal_form", "region"], name="agency_form_region_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(province_code=Substr("region", 1, 2)), name="agency_province_matches_region"
            ),
            models.CheckConstraint(
                condition=models.Q(legal_form__in=LegalForm.values),
                name="agency_legal_form_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(latest_status__in=AgencyStatus.values), name="agency_latest_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(latest_rating_level__isnull=True)
                | models.Q(latest_rating_level__gte=1, latest_rating_level__lte=5),
                name="agency_latest_rating_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        # The province column is derived when the row is written; derive it here too so that the constraint tying it
        # to the region is checked on the values that will be written.
        self.province_code = (self.region_id or "")[:2]

    def current_status(self, today: datetime.date | None = None) -> str:
        """The status in force today, from the cached latest event (see the class docstring)."""
        today = today or timezone.localdate()
        if self.latest_status_to is not None and self.latest_status_to <= today:
            return AgencyStatus.NORMAL
        return self.latest_status

    def current_status_label(self) -> str:
        return AgencyStatus(self.current_status()).label

    def current_rating_level(self, today: datetime.date | None = None) -> int | None:
        """The rating level in force today (None when never rated or the latest rating has lapsed)."""
        today = today or timezone.localdate()
        if self.latest_rating_level is None or self.latest_rating_valid_until is None:
            return None
        return self.latest_rating_level if today < self.latest_rating_valid_until else None


class AgencyServiceDomain(models.Model):
    """An agency works in a service domain (服务领域, an item of the service_domain dictionary)."""

    agency = models.ForeignKey(Agency, verbose_name=_("机构"), on_delete=models.CASCADE, related_name="domain_links")
    domain = models.ForeignKey(
        "refdata.DictionaryItem",
        verbose_name=_("服务领域"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"dictionary__code": SERVICE_DOMAIN_DICTIONARY},
    )

    data_scope = DataScope(region="agency__region", agency="agency")

    class Meta:
        verbose_name = _("机构服务领域")
        verbose_name_plural = _("机构服务领域")
        ordering = ["agency", "domain"]
        constraints = [models.UniqueConstraint(fields=["agency", "domain"], name="agency_domain_unique")]
        indexes = [models.Index(fields=["domain", "agency"], name="agency_domain_lookup_idx")]

    def __str__(self) -> str:
        return f"{self.agency_id} · {self.domain_id}"


class AgencyRating(models.Model):
    """One rating (社会组织评估等级) of an agency: the level, the score behind it, when it was given and until when it
    holds. The validity and the score cut-offs come from the policy profile in force for the agency's region on the
    rating date (rules.py); both are checked when the rating is recorded, and `valid_until` is computed, not typed."""

    Level = RatingLevel

    agency = models.ForeignKey(Agency, verbose_name=_("机构"), on_delete=models.PROTECT, related_name="ratings")
    level = models.PositiveSmallIntegerField(_("评估等级"), choices=RatingLevel.choices)
    score = models.DecimalField(_("评估得分"), max_digits=7, decimal_places=2)
    full_score = models.PositiveIntegerField(_("满分"), default=1000)
    rated_on = models.DateField(_("认定日期"))
    valid_until = models.DateField(_("有效期至"), help_text=_("不含当日"))
    source_document = models.CharField(_("依据文件"), max_length=200, help_text=_("评估结果公告的文件名称和文号"))
    policy_note = models.CharField(_("适用规则"), max_length=300, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("录入时间"), default=timezone.now, editable=False)

    data_scope = DataScope(region="agency__region", agency="agency")

    class Meta:
        verbose_name = _("机构评估等级")
        verbose_name_plural = _("机构评估等级")
        ordering = ["agency", "-rated_on"]
        constraints = [
            models.CheckConstraint(condition=models.Q(level__gte=1, level__lte=5), name="agency_rating_level_1_to_5"),
            models.CheckConstraint(
                condition=models.Q(score__gte=0, score__lte=models.F("full_score")), name="agency_rating_score_bounded"
            ),
            models.CheckConstraint(
                condition=models.Q(valid_until__gt=models.F("rated_on")), name="agency_rating_period_valid"
            ),
            models.UniqueConstraint(fields=["agency", "rated_on"], name="agency_rating_one_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.agency} · {self.get_level_display()} · {self.rated_on}"

    def is_valid_on(self, day: datetime.date) -> bool:
        return self.rated_on <= day < self.valid_until


class AgencyStatusEvent(models.Model):
    """An entry in an agency's supervision history: from `valid_from` its status is `status`, until `valid_to`
    (exclusive; empty = until a later entry). A later entry supersedes an earlier one from its own start date, so
    the status on a date is that of the latest entry started on or before it, or normal once that entry has ended
    (selectors.status_on). Entries are never edited: a removal from the list is a new entry with status normal."""

    agency = models.ForeignKey(Agency, verbose_name=_("机构"), on_delete=models.PROTECT, related_name="status_events")
    status = models.CharField(_("状态"), max_length=10, choices=AgencyStatus.choices)
    reason = models.TextField(_("原因"))
    source_document = models.CharField(_("依据文件"), max_length=200, help_text=_("决定书或公告的文件名称和文号"))
    valid_from = models.DateField(_("起始日期"))
    valid_to = models.DateField(_("截止日期"), null=True, blank=True, help_text=_("不含当日；留空表示直至另有决定"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("录入时间"), default=timezone.now, editable=False)

    data_scope = DataScope(region="agency__region", agency="agency")

    class Meta:
        verbose_name = _("机构监管状态记录")
        verbose_name_plural = _("机构监管状态记录")
        ordering = ["agency", "-valid_from"]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=AgencyStatus.values), name="agency_status_valid"),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gt=models.F("valid_from")),
                name="agency_status_period_valid",
            ),
            models.UniqueConstraint(fields=["agency", "valid_from"], name="agency_status_one_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.agency} · {self.get_status_display()} · {self.valid_from}"
