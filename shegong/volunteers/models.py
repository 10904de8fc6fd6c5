"""Volunteers (志愿者) and their teams (志愿服务队): real-name registration in the shape of the national rules
(《志愿服务记录与证明出具办法》, in force 2021-02-01), managed by a station or an agency.

The ID number is encrypted with a keyed hash for lookups and uniqueness (as for recipients and workers); the
volunteer number (志愿者编号) is the platform's own, unique. A volunteer may have an account (the 志愿者 role) to sign
up for needs, check in and download certificates; the account is the row's owner in the data scope.
"""

from django.conf import settings
from django.db import models
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _

from shegong.core.fields import BlindIndexField, EncryptedCharField
from shegong.core.scope import DataScope

SKILL_DICTIONARY = "volunteer_skill"


class Volunteer(models.Model):
    class Sex(models.TextChoices):
        MALE = "M", _("男")
        FEMALE = "F", _("女")

    class Status(models.TextChoices):
        ACTIVE = "active", _("在册")
        SUSPENDED = "suspended", _("暂停")
        LEFT = "left", _("已注销")

    number = models.CharField(_("志愿者编号"), max_length=20, unique=True)
    name = models.CharField(_("姓名"), max_length=50)
    id_number = EncryptedCharField(_("身份证号"), kind="id_number", index_field="id_number_index")
    id_number_index = BlindIndexField()
    birth_date = models.DateField(_("出生日期"))
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices)
    phone = EncryptedCharField(_("联系电话"), kind="phone", index_field="phone_index", blank=True)
    phone_index = BlindIndexField()
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("所在地区"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    province_code = models.CharField(_("省级代码"), max_length=2, editable=False)
    station = models.ForeignKey(
        "stations.Station",
        verbose_name=_("管理站点"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="volunteers",
    )
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("管理机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="volunteers",
    )
    skills = models.ManyToManyField(
        "refdata.DictionaryItem",
        verbose_name=_("技能特长"),
        related_name="+",
        blank=True,
        limit_choices_to={"dictionary__code": SKILL_DICTIONARY},
    )
    preferred_regions = models.ManyToManyField(
        "regions.Region", verbose_name=_("意向服务地区"), related_name="+", blank=True
    )
    availability = models.CharField(
        _("可服务时间"), max_length=200, blank=True, help_text=_("如：周末上午、工作日晚上")
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    registered_on = models.DateField(_("注册日期"))
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登录账户"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="volunteer",
    )
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

    data_scope = DataScope(region="region", agency="agency", owner="account")

    class Meta:
        verbose_name = _("志愿者")
        verbose_name_plural = _("志愿者")
        ordering = ["number"]
        indexes = [
            models.Index(fields=["region", "status"], name="volunteer_region_status_idx"),
            models.Index(fields=["station", "status"], name="volunteer_station_idx"),
            models.Index(fields=["phone_index"], name="volunteer_phone_lookup_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["id_number_index"], name="volunteer_id_number_unique"),
            models.CheckConstraint(
                condition=models.Q(province_code=Substr("region", 1, 2)), name="volunteer_province_matches_region"
            ),
            models.CheckConstraint(condition=models.Q(sex__in=["M", "F"]), name="volunteer_sex_valid"),
            models.CheckConstraint(
                condition=models.Q(status__in=["active", "suspended", "left"]), name="volunteer_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.number}）"


class VolunteerTeam(models.Model):
    """A 志愿服务队, managed by a station or an agency, with its leader (队长) among its members."""

    name = models.CharField(_("队名"), max_length=100)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("所在地区"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    province_code = models.CharField(_("省级代码"), max_length=2, editable=False)
    station = models.ForeignKey(
        "stations.Station",
        verbose_name=_("管理站点"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="volunteer_teams",
    )
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("管理机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="volunteer_teams",
    )
    leader = models.ForeignKey(
        Volunteer, verbose_name=_("队长"), null=True, blank=True, on_delete=models.PROTECT, related_name="led_teams"
    )
    members = models.ManyToManyField(Volunteer, verbose_name=_("队员"), related_name="teams", blank=True)
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)
    is_active = models.BooleanField(_("活跃"), default=True)

    data_scope = DataScope(region="region", agency="agency")

    class Meta:
        verbose_name = _("志愿服务队")
        verbose_name_plural = _("志愿服务队")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="volunteer_team_name_unique_in_region"),
            models.CheckConstraint(
                condition=models.Q(province_code=Substr("region", 1, 2)), name="volunteer_team_province_matches"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ServiceRecord(models.Model):
    """A volunteer's service (志愿服务记录): date, hours and content, recorded and confirmed by the organiser who ran
    it ("谁记录谁证明", 《志愿服务记录与证明出具办法》). Hours count only once confirmed; a confirmed record is changed
    only by a correction with a reason (audited). `source` names what the service was for (a volunteer need of a
    community activity, group or project, or a manual entry).

    It is also issue 7's fact table for volunteer hours (as persontimes.PersonTime is for 服务人次): each row carries
    region, province, station, date and hours, and the confirmed rows are the hours that count
    (`shegong.volunteers.selectors.volunteer_totals`)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待确认")
        CONFIRMED = "confirmed", _("已确认")
        VOID = "void", _("已作废")

    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("志愿者"), on_delete=models.PROTECT, related_name="service_records"
    )
    service_date = models.DateField(_("服务日期"))
    hours = models.DecimalField(_("服务时长（小时）"), max_digits=5, decimal_places=1)
    content = models.CharField(_("服务内容"), max_length=300)
    place = models.CharField(_("服务地点"), max_length=200, blank=True)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("服务地区"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    province_code = models.CharField(_("省级代码"), max_length=2, editable=False)
    station = models.ForeignKey(
        "stations.Station",
        verbose_name=_("组织站点"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="volunteer_records",
    )
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("组织机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="volunteer_records",
    )
    organiser = models.ForeignKey(
        "workers.SocialWorker",
        verbose_name=_("组织社工"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="volunteer_records",
    )
    source = models.CharField(_("来源"), max_length=60, blank=True, help_text=_("如 need:12（志愿需求）"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    void_reason = models.CharField(_("作废原因"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    data_scope = DataScope(region="region", agency="agency", owner="volunteer__account")

    class Meta:
        verbose_name = _("志愿服务记录")
        verbose_name_plural = _("志愿服务记录")
        ordering = ["-service_date", "-id"]
        permissions = [("confirm_servicerecord", _("确认志愿服务时长"))]
        indexes = [
            models.Index(fields=["volunteer", "status", "service_date"], name="vrecord_volunteer_idx"),
            models.Index(fields=["region", "service_date"], name="vrecord_region_date_idx"),
            models.Index(fields=["station", "service_date"], name="vrecord_station_date_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(hours__gt=0, hours__lte=24), name="vrecord_hours_in_a_day"),
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "confirmed", "void"]), name="vrecord_status_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="confirmed")
                | models.Q(confirmed_by__isnull=False, confirmed_at__isnull=False),
                name="vrecord_confirmed_has_confirmer",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="void") | ~models.Q(void_reason=""), name="vrecord_void_has_reason"
            ),
            models.CheckConstraint(
                condition=models.Q(province_code=Substr("region", 1, 2)), name="vrecord_province_matches_region"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer_id} · {self.service_date} · {self.hours}h"


class VolunteerNumberSequence(models.Model):
    """The last volunteer number handed out per province and year: the row is locked while a number is taken, so two
    registrations at once never get the same number (the unique constraint on Volunteer.number backs it)."""

    province_code = models.CharField(_("省级代码"), max_length=2)
    year = models.PositiveSmallIntegerField(_("年份"))
    last = models.PositiveIntegerField(_("已用序号"), default=0)

    class Meta:
        verbose_name = _("志愿者编号序列")
        verbose_name_plural = _("志愿者编号序列")
        ordering = ["province_code", "year"]
        constraints = [
            models.UniqueConstraint(fields=["province_code", "year"], name="volunteer_number_sequence_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.province_code}-{self.year}: {self.last}"


class ServiceRecordCorrection(models.Model):
    """A correction of a confirmed service record: hours and content before and after, with the reason (audited)."""

    record = models.ForeignKey(
        ServiceRecord, verbose_name=_("服务记录"), on_delete=models.PROTECT, related_name="corrections"
    )
    hours_before = models.DecimalField(_("更正前时长"), max_digits=5, decimal_places=1)
    hours_after = models.DecimalField(_("更正后时长"), max_digits=5, decimal_places=1)
    content_before = models.CharField(_("更正前内容"), max_length=300)
    content_after = models.CharField(_("更正后内容"), max_length=300)
    reason = models.CharField(_("更正原因"), max_length=300)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("更正人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    corrected_at = models.DateTimeField(_("更正时间"), auto_now_add=True)

    data_scope = DataScope(region="record__region", agency="record__agency", owner="record__volunteer__account")

    class Meta:
        verbose_name = _("服务记录更正")
        verbose_name_plural = _("服务记录更正")
        ordering = ["-corrected_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(reason=""), name="vcorrection_reason_required"),
        ]

    def __str__(self) -> str:
        return f"{self.record_id}: {self.hours_before} → {self.hours_after}"


class VolunteerTraining(models.Model):
    """A training the volunteer took (培训记录 of the national record): date, title, hours, organiser."""

    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("志愿者"), on_delete=models.PROTECT, related_name="trainings"
    )
    trained_on = models.DateField(_("培训日期"))
    title = models.CharField(_("培训内容"), max_length=200)
    hours = models.DecimalField(_("培训时长（小时）"), max_digits=5, decimal_places=1)
    organiser = models.CharField(_("培训组织单位"), max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    data_scope = DataScope(region="volunteer__region", agency="volunteer__agency", owner="volunteer__account")

    class Meta:
        verbose_name = _("志愿者培训记录")
        verbose_name_plural = _("志愿者培训记录")
        ordering = ["-trained_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(hours__gt=0, hours__lte=200), name="vtraining_hours_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.trained_on} {self.title}"


class VolunteerAward(models.Model):
    """An award (表彰奖励 of the national record): date, title, the body that gave it."""

    volunteer = models.ForeignKey(Volunteer, verbose_name=_("志愿者"), on_delete=models.PROTECT, related_name="awards")
    awarded_on = models.DateField(_("表彰日期"))
    title = models.CharField(_("表彰名称"), max_length=200)
    awarded_by = models.CharField(_("表彰单位"), max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    data_scope = DataScope(region="volunteer__region", agency="volunteer__agency", owner="volunteer__account")

    class Meta:
        verbose_name = _("志愿者表彰记录")
        verbose_name_plural = _("志愿者表彰记录")
        ordering = ["-awarded_on", "-id"]

    def __str__(self) -> str:
        return f"{self.awarded_on} {self.title}"


class VolunteerEvaluation(models.Model):
    """An evaluation of the volunteer (评价 of the national record) by the organisation that manages them."""

    class Grade(models.TextChoices):
        EXCELLENT = "excellent", _("优秀")
        GOOD = "good", _("良好")
        PASS = "pass", _("合格")
        FAIL = "fail", _("不合格")

    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("志愿者"), on_delete=models.PROTECT, related_name="evaluations"
    )
    evaluated_on = models.DateField(_("评价日期"))
    grade = models.CharField(_("评价等级"), max_length=10, choices=Grade.choices)
    comment = models.CharField(_("评语"), max_length=500, blank=True)
    evaluator = models.CharField(_("评价单位"), max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    data_scope = DataScope(region="volunteer__region", agency="volunteer__agency", owner="volunteer__account")

    class Meta:
        verbose_name = _("志愿者评价")
        verbose_name_plural = _("志愿者评价")
        ordering = ["-evaluated_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(grade__in=["excellent", "good", "pass", "fail"]), name="vevaluation_grade_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.evaluated_on} {self.get_grade_display()}"


# --- Volunteer service certificates (志愿服务记录证明, helper V1b) ----------------------------------------------------


class CertificateSequence(models.Model):
    """The last certificate number handed out by one issuer in one year. Issuing locks this row, so two
    certificates issued at once by the same issuer never share a number and the numbers have no gaps."""

    issuer_code = models.CharField(_("出具单位编码"), max_length=24)
    year = models.PositiveSmallIntegerField(_("年度"))
    last = models.PositiveIntegerField(_("已用序号"), default=0)

    class Meta:
        verbose_name = _("证明编号序列")
        verbose_name_plural = _("证明编号序列")
        ordering = ["issuer_code", "year"]
        constraints = [
            models.UniqueConstraint(fields=["issuer_code", "year"], name="vcert_sequence_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.issuer_code} {self.year}: {self.last}"


class Certificate(models.Model):
    """A 志愿服务记录证明 (《志愿服务记录与证明出具办法》): issued free of charge by the organisation that recorded
    the service ("谁记录谁证明": a station or an agency), for the confirmed hours of its own records in a period.

    Everything the certificate says is copied at issue time (issuer's name, person in charge, handler, contact, the
    service lines in `lines` and their total), so a later correction of a record never changes an issued certificate;
    a wrong certificate is revoked (with a reason) and a new one issued. The number is the issuer's code, the year and
    a sequence of that issuer in that year (CertificateSequence); the public page /v/<number>/ verifies it."""

    number = models.CharField(_("证明编号"), max_length=40, unique=True)
    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("志愿者"), on_delete=models.PROTECT, related_name="certificates"
    )
    volunteer_name = models.CharField(_("姓名"), max_length=50)
    volunteer_number = models.CharField(_("志愿者编号"), max_length=20)
    id_number_masked = models.CharField(_("证件号码（脱敏）"), max_length=30)
    station = models.ForeignKey(
        "stations.Station",
        verbose_name=_("出具站点"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="volunteer_certificates",
    )
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("出具机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="volunteer_certificates",
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("出具单位所在地区"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    province_code = models.CharField(_("省级代码"), max_length=2, editable=False)
    issuer_code = models.CharField(_("出具单位编码"), max_length=24)
    issuer_name = models.CharField(_("出具单位"), max_length=200)
    person_in_charge = models.CharField(_("负责人"), max_length=50, blank=True)
    handler = models.CharField(_("经办人"), max_length=50, blank=True, help_text=_("志愿者自助申请时为空"))
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    year = models.PositiveSmallIntegerField(_("年度"))
    sequence = models.PositiveIntegerField(_("序号"))
    issued_on = models.DateField(_("出具日期"))
    period_start = models.DateField(_("服务起始日期"))
    period_end = models.DateField(_("服务截止日期"))
    total_hours = models.DecimalField(_("服务总时长（小时）"), max_digits=8, decimal_places=1)
    lines = models.JSONField(_("服务记录"), default=list, help_text=_("出具时的服务记录：日期、时长、内容"))
    self_service = models.BooleanField(_("志愿者自助申请"), default=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("出具操作人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_reason = models.CharField(_("撤销原因"), max_length=300, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("撤销人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    data_scope = DataScope(region="region", agency="agency", owner="volunteer__account")

    class Meta:
        verbose_name = _("志愿服务记录证明")
        verbose_name_plural = _("志愿服务记录证明")
        ordering = ["-issued_on", "-id"]
        indexes = [
            models.Index(fields=["region", "issued_on"], name="vcert_region_date_idx"),
            models.Index(fields=["volunteer", "issued_on"], name="vcert_volunteer_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["issuer_code", "year", "sequence"], name="vcert_issuer_sequence_unique"),
            models.CheckConstraint(
                condition=models.Q(station__isnull=False) | models.Q(agency__isnull=False), name="vcert_has_issuer"
            ),
            models.CheckConstraint(condition=models.Q(total_hours__gt=0), name="vcert_hours_positive"),
            models.CheckConstraint(
                condition=models.Q(period_start__lte=models.F("period_end")), name="vcert_period_ordered"
            ),
            models.CheckConstraint(
                condition=models.Q(revoked_at__isnull=True, revoked_reason="")
                | models.Q(revoked_at__isnull=False) & ~models.Q(revoked_reason=""),
                name="vcert_revoked_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(province_code=Substr("region", 1, 2)), name="vcert_province_matches_region"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def save(self, *args, **kwargs):
        self.province_code = str(self.region_id or "")[:2]
        super().save(*args, **kwargs)

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
