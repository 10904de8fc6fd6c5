"""Recipients (服务对象): the people social workers serve, the most sensitive records of the platform.

ID number, phone and the guardian's phone are stored encrypted (shegong.core.fields); the ID number is unique through
its keyed hash (a database constraint, for the people who have one). People without an ID number are recorded with the
reason (无证件 / 外籍 / 未成年未办证 …), and their birth date and sex are entered instead of read from the number.

Consent (知情同意) and its withdrawal. Withdrawing consent does not delete the row: the record of the services already
given is kept because the law requires it (《个人信息保护法》第四十七条 lets a retention period set by law or
regulation prevail over deletion; 《社会工作服务记录》 and the 民政 archive rules keep service records for audit and
for the funder's inspection of government-purchased services). From the moment of withdrawal the person is hidden from
every list, search, count, export, detail page, personal-data reveal and API answer of everyone: the default manager
`Recipient.objects` leaves them out, so every scoped query does too. Only the bureau's oversight permission
(OVERSEE_WITHDRAWN) sees them, on the separate "已撤回同意" view, with minimal fields (name, community, dates of consent
and withdrawal, reason) — never the ID number or phone. `Recipient.all_records` is used only there and by
deduplication (a withdrawn person still holds their ID number).
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _

from shegong.core.fields import BlindIndexField, EncryptedCharField
from shegong.core.scope import DataScope
from shegong.recipients.levels import AttentionLevel, visit_interval_days

CATEGORY_DICTIONARY = "recipient_category"
PATTERN_OPS = "varchar_pattern_ops"


class ConsentScope(models.TextChoices):
    SERVICE_RECORD = "service_record", _("服务记录")
    REFERRAL_SHARING = "referral_sharing", _("信息共享（转介）")
    FOLLOW_UP = "follow_up", _("联系回访")
    PUBLICITY = "publicity", _("宣传报道（匿名）")


class ConsentedManager(models.Manager):
    """Recipients whose consent is not withdrawn: the only rows any list, search, export or API may show."""

    def get_queryset(self):
        return super().get_queryset().filter(consent_withdrawn_on__isnull=True)


class Recipient(models.Model):
    """A person served (服务对象) in a community (村/社区, a level-5 region), optionally by a station."""

    class Sex(models.TextChoices):
        MALE = "M", _("男")
        FEMALE = "F", _("女")

    class NoIdReason(models.TextChoices):
        NO_DOCUMENT = "no_document", _("无证件")
        FOREIGN = "foreign", _("外籍")
        MINOR_UNREGISTERED = "minor", _("未成年未办证")
        HK_MACAO_TAIWAN = "hmt", _("港澳台居民")
        OTHER = "other", _("其他")

    name = models.CharField(_("姓名"), max_length=50)
    name_initials = models.CharField(_("姓名拼音首字母"), max_length=50, blank=True, editable=False)
    id_number = EncryptedCharField(_("身份证号"), kind="id_number", index_field="id_number_index", blank=True)
    id_number_index = BlindIndexField()
    no_id_reason = models.CharField(_("无身份证号原因"), max_length=20, choices=NoIdReason.choices, blank=True)
    birth_date = models.DateField(_("出生日期"))
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices)
    phone = EncryptedCharField(_("联系电话"), kind="phone", index_field="phone_index", blank=True)
    phone_index = BlindIndexField()
    community = models.ForeignKey(
        "regions.Region", verbose_name=_("所在村（社区）"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    province_code = models.CharField(_("省级代码"), max_length=2, editable=False)
    station = models.ForeignKey(
        "stations.Station",
        verbose_name=_("服务站点"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="recipients",
        help_text=_("为其服务的村社社工室或镇街社工站"),
    )
    categories = models.ManyToManyField(
        "refdata.DictionaryItem",
        verbose_name=_("服务对象类别"),
        through="RecipientCategory",
        related_name="+",
        blank=True,
    )
    attention_level = models.PositiveSmallIntegerField(
        _("关注等级"), choices=AttentionLevel.choices, default=AttentionLevel.LEVEL_6
    )
    last_visit_on = models.DateField(_("最近探访日期"), null=True, blank=True)
    household_separated = models.BooleanField(_("人户分离"), default=False, help_text=_("户籍地与居住地不一致"))
    household_region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("户籍地"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    contact_name = models.CharField(_("监护人或联系人"), max_length=50, blank=True)
    contact_relation = models.CharField(_("与本人关系"), max_length=20, blank=True)
    contact_phone = EncryptedCharField(_("监护人或联系人电话"), kind="phone", blank=True)
    consent_given_on = models.DateField(_("知情同意日期"))
    consent_scopes = models.JSONField(_("同意范围"), default=list)
    consent_withdrawn_on = models.DateField(_("撤回同意日期"), null=True, blank=True)
    consent_withdrawal_reason = models.CharField(_("撤回原因"), max_length=500, blank=True)
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

    all_records = models.Manager()  # including withdrawn consent: the legally required record and deduplication only
    objects = ConsentedManager()

    data_scope = DataScope(region="community", agency="station__agency")

    class Meta:
        verbose_name = _("服务对象")
        verbose_name_plural = _("服务对象")
        default_manager_name = "objects"
        base_manager_name = "all_records"
        permissions = [("view_withdrawn_recipient", _("查看已撤回同意的服务对象（法定留存记录）"))]
        ordering = ["name_initials", "name", "id"]
        indexes = [
            models.Index(fields=["phone_index"], name="recipient_phone_lookup_idx"),
            models.Index(fields=["community", "attention_level"], name="recipient_community_idx"),
            models.Index(fields=["station"], name="recipient_station_idx"),
            models.Index(fields=["name_initials", "name", "id"], name="recipient_pinyin_order_idx"),
            models.Index(fields=["name_initials"], name="recipient_initials_prefix_idx", opclasses=[PATTERN_OPS]),
            models.Index(fields=["name"], name="recipient_name_prefix_idx", opclasses=[PATTERN_OPS]),
            models.Index(fields=["consent_withdrawn_on"], name="recipient_withdrawn_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_index"],
                condition=models.Q(id_number_index__isnull=False),
                name="recipient_id_number_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(id_number_index__isnull=False, no_id_reason="")
                | models.Q(id_number_index__isnull=True, no_id_reason__gt=""),
                name="recipient_id_number_or_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(province_code=Substr("community", 1, 2)), name="recipient_province_matches_region"
            ),
            models.CheckConstraint(condition=models.Q(sex__in=["M", "F"]), name="recipient_sex_valid"),
            models.CheckConstraint(
                condition=models.Q(attention_level__gte=1, attention_level__lte=6),
                name="recipient_attention_level_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(household_separated=True) | models.Q(household_region__isnull=True),
                name="recipient_household_region_only_if_separated",
            ),
            models.CheckConstraint(
                condition=models.Q(consent_withdrawn_on__isnull=True)
                | models.Q(consent_withdrawn_on__gte=models.F("consent_given_on"), consent_withdrawal_reason__gt=""),
                name="recipient_withdrawal_complete",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def consent_withdrawn(self) -> bool:
        return self.consent_withdrawn_on is not None

    @property
    def visit_interval_days(self) -> int:
        return visit_interval_days(self.attention_level)

    @property
    def next_visit_due(self) -> datetime.date | None:
        """The day the next visit is due: the last visit plus the level's interval (None before the first visit)."""
        if self.last_visit_on is None:
            return None
        return self.last_visit_on + datetime.timedelta(days=self.visit_interval_days)

    def consent_scope_labels(self) -> list[str]:
        labels = dict(ConsentScope.choices)
        return [str(labels.get(code, code)) for code in self.consent_scopes]


class RecipientCategory(models.Model):
    """A recipient belongs to a category (an item of the recipient_category dictionary); one person may be in many."""

    recipient = models.ForeignKey(
        Recipient, verbose_name=_("服务对象"), on_delete=models.CASCADE, related_name="category_links"
    )
    category = models.ForeignKey(
        "refdata.DictionaryItem",
        verbose_name=_("类别"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"dictionary__code": CATEGORY_DICTIONARY},
    )

    data_scope = DataScope(region="recipient__community", agency="recipient__station__agency")

    class Meta:
        verbose_name = _("服务对象类别")
        verbose_name_plural = _("服务对象类别")
        ordering = ["recipient", "category"]
        indexes = [models.Index(fields=["category", "recipient"], name="recipient_category_lookup_idx")]
        constraints = [models.UniqueConstraint(fields=["recipient", "category"], name="recipient_category_unique")]

    def __str__(self) -> str:
        return f"{self.recipient_id} · {self.category_id}"
