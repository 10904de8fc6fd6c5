"""Residents' requests (服务需求, 码上办): what a resident asks for from the page behind a station's or a community's QR
code, with no account (seed 001 "零距离、精准化供需对接"; seed 003 社区随约服务).

A request is routed to a station (the community's room when it has a resident social worker, else the street's
station, else the district centre), waits in that station's queue, is assigned to a worker (by the head, one by one
or all at once through the optimal matching of `matching.py`), accepted or declined by the worker, served (possibly
as a case) and closed; the resident follows it with its tracking code and rates the service once it is closed.

    待派单 pending → 已派单 assigned → 已接单 accepted → 服务中 in_service → 已办结 closed
    已派单 --拒单 (reason)--> 待派单        待派单 / 已派单 --不予受理 (reason)--> dismissed (final)

A decline is not a status: it is a RequestEvent that sends the request back to the queue and keeps that worker out
of its re-matching. Every change is a RequestEvent (who, from, to, reason, the match's explanation).

The resident's phone is encrypted (shegong.core.fields) and may be given only with consent to be contacted. The
client address is never stored here, only a keyed hash of it (for rate limiting and abuse review); the audit log
keeps the address like for every write. A request that became a case of a recipient whose consent is withdrawn is
hidden from every list, export and API answer, as the recipient is (`ServiceRequest.objects`).
"""

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _

from shegong.core.fields import BlindIndexField, EncryptedCharField
from shegong.core.scope import DataScope

# Tracking codes: 8 characters without 0/O/1/I, easy to read out on the phone.
TRACKING_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
TRACKING_LENGTH = 8
DOMAIN_DICTIONARY = "service_domain"
DEFAULT_CAPACITY = 5
MAX_CAPACITY = 50


class Status(models.TextChoices):
    PENDING = "pending", _("待派单")
    ASSIGNED = "assigned", _("已派单")
    ACCEPTED = "accepted", _("已接单")
    IN_SERVICE = "in_service", _("服务中")
    CLOSED = "closed", _("已办结")
    DISMISSED = "dismissed", _("不予受理")


# Statuses in which a worker holds the request (and it counts toward the worker's open load).
HELD = (Status.ASSIGNED, Status.ACCEPTED, Status.IN_SERVICE)
OPEN = (Status.PENDING, *HELD)
FINAL = (Status.CLOSED, Status.DISMISSED)


class VisibleManager(models.Manager):
    """Requests that did not become a case of a recipient whose consent is withdrawn: the only rows lists, exports
    and the API show (the rows themselves are kept)."""

    def get_queryset(self):
        from shegong.recipients.models import Recipient

        withdrawn = Recipient.all_records.filter(consent_withdrawn_on__isnull=False, cases=OuterRef("case_id"))
        return super().get_queryset().exclude(Exists(withdrawn))


class ServiceRequest(models.Model):
    """One resident's request, from the QR page of a station or a community."""

    Status = Status

    tracking_code = models.CharField(_("查询码"), max_length=TRACKING_LENGTH, unique=True, editable=False)
    source_code = models.CharField(_("来源二维码"), max_length=16, help_text=_("居民扫码所用的站点或社区编码"))
    community = models.ForeignKey(
        "regions.Region", verbose_name=_("所在村（社区）"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    province_code = models.CharField(_("省级代码"), max_length=2, editable=False)
    station = models.ForeignKey(
        "stations.Station",
        verbose_name=_("受理站点"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_requests",
    )
    preferred_worker = models.ForeignKey(
        "workers.SocialWorker",
        verbose_name=_("驻点社工"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("提交时该社区社工室的驻点社工"),
    )
    domain = models.CharField(_("服务领域"), max_length=50, blank=True, help_text=_("字典 service_domain 的代码"))
    topic = models.CharField(_("需求类别（自填）"), max_length=50, blank=True)
    description = models.TextField(_("需求描述"), max_length=1000)
    phone = EncryptedCharField(_("联系电话"), kind="phone", index_field="phone_index", blank=True)
    phone_index = BlindIndexField()
    contact_consent = models.BooleanField(_("同意社工联系"), default=False)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.PENDING)
    assigned_worker = models.ForeignKey(
        "workers.SocialWorker",
        verbose_name=_("承接社工"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_requests",
    )
    assigned_at = models.DateTimeField(_("派单时间"), null=True, blank=True)
    first_response_at = models.DateTimeField(_("首次响应时间"), null=True, blank=True)
    due_at = models.DateTimeField(_("响应时限"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("超时上报时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closing_note = models.CharField(_("办结说明"), max_length=500, blank=True)
    case = models.ForeignKey(
        "casework.Case",
        verbose_name=_("转为个案"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="source_requests",
    )
    rating = models.PositiveSmallIntegerField(_("满意度评分"), null=True, blank=True)
    rating_comment = models.CharField(_("评价"), max_length=500, blank=True)
    rated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)
    submission_token = models.CharField(_("提交令牌"), max_length=64, unique=True, editable=False)
    client_hash = models.CharField(_("提交端指纹"), max_length=64, blank=True, editable=False)
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_at = models.DateTimeField(_("提交时间"))
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    all_records = models.Manager()
    objects = VisibleManager()

    data_scope = DataScope(region="community", agency="station__agency", owner="assigned_worker__account")
    # The worker the request is assigned to may see the phone in full (audited) to call the resident, who left it
    # with their consent to be contacted; everyone else needs accounts.reveal_personal_data.
    reveal_to_owner = ("phone",)

    class Meta:
        verbose_name = _("服务需求")
        verbose_name_plural = _("服务需求")
        default_manager_name = "objects"
        base_manager_name = "all_records"
        ordering = ["-created_at", "-id"]
        permissions = [("dispatch_servicerequest", _("派单"))]
        indexes = [
            models.Index(fields=["station", "status"], name="request_station_status_idx"),
            models.Index(fields=["community", "status"], name="request_community_status_idx"),
            models.Index(fields=["assigned_worker", "status"], name="request_worker_status_idx"),
            models.Index(fields=["status", "due_at"], name="request_status_due_idx"),
            models.Index(fields=["province_code", "created_at"], name="request_province_created_idx"),
            models.Index(fields=["client_hash", "created_at"], name="request_client_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=Status.values), name="request_status_valid"),
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="request_rating_range",
            ),
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(status=Status.CLOSED, rated_at__isnull=False),
                name="request_rating_only_when_closed",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in HELD], assigned_worker__isnull=False)
                | (~models.Q(status__in=[s.value for s in HELD]) & models.Q(assigned_worker__isnull=True))
                | models.Q(status=Status.CLOSED),
                name="request_worker_iff_held",
            ),
            models.CheckConstraint(
                condition=models.Q(phone_index__isnull=True) | models.Q(contact_consent=True),
                name="request_phone_needs_consent",
            ),
            models.CheckConstraint(
                condition=models.Q(case__isnull=True) | models.Q(status__in=[Status.IN_SERVICE, Status.CLOSED]),
                name="request_case_only_in_service_or_closed",
            ),
            models.CheckConstraint(
                condition=~models.Q(domain="") | ~models.Q(topic=""), name="request_domain_or_topic"
            ),
            models.CheckConstraint(
                condition=models.Q(province_code=Substr("community", 1, 2)), name="request_province_matches_region"
            ),
        ]

    def __str__(self) -> str:
        return self.tracking_code

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    @property
    def can_be_rated(self) -> bool:
        return self.status == Status.CLOSED and self.rating is None


class Action(models.TextChoices):
    SUBMITTED = "submitted", _("提交需求")
    ASSIGNED = "assigned", _("派单")
    MATCHED = "matched", _("一键派单")
    ACCEPTED = "accepted", _("接单")
    DECLINED = "declined", _("拒单")
    DISMISSED = "dismissed", _("不予受理")
    CASE_OPENED = "case_opened", _("转为个案")
    CLOSED = "closed", _("办结")
    RATED = "rated", _("居民评价")
    ESCALATED = "escalated", _("超时上报")


class RequestEvent(models.Model):
    """One change of a request: who (an account, or the resident), what, from which status to which, why."""

    Action = Action

    request = models.ForeignKey(
        ServiceRequest, verbose_name=_("服务需求"), on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(_("操作"), max_length=12, choices=Action.choices)
    from_status = models.CharField(_("原状态"), max_length=12, choices=Status.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=12, choices=Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    worker = models.ForeignKey(
        "workers.SocialWorker",
        verbose_name=_("社工"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.CharField(_("原因或说明"), max_length=500, blank=True)
    explanation = models.JSONField(_("匹配依据"), default=list, blank=True)
    at = models.DateTimeField(_("时间"))

    data_scope = DataScope(
        region="request__community", agency="request__station__agency", owner="request__assigned_worker__account"
    )

    class Meta:
        verbose_name = _("服务需求记录")
        verbose_name_plural = _("服务需求记录")
        ordering = ["request", "at", "id"]
        indexes = [
            models.Index(fields=["request", "at"], name="request_event_request_idx"),
            models.Index(fields=["worker", "action"], name="request_event_worker_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(action__in=Action.values), name="request_event_action_valid"),
            models.CheckConstraint(
                condition=~models.Q(action__in=["declined", "dismissed"]) | ~models.Q(reason=""),
                name="request_event_reason_required",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request_id} · {self.get_action_display()}"


class WorkerCapacity(models.Model):
    """Whether a social worker takes residents' requests now, and how many open ones at most (set by the head)."""

    worker = models.OneToOneField(
        "workers.SocialWorker", verbose_name=_("社会工作者"), on_delete=models.CASCADE, related_name="request_capacity"
    )
    accepting = models.BooleanField(_("接收派单"), default=True)
    max_open = models.PositiveSmallIntegerField(
        _("最多在办需求数"), default=DEFAULT_CAPACITY, help_text=_("已派单、已接单和服务中的需求合计")
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("设置人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("设置时间"), auto_now=True)

    data_scope = DataScope(region="worker__region", agency="worker__agency", owner="worker__account")

    class Meta:
        verbose_name = _("社工接单容量")
        verbose_name_plural = _("社工接单容量")
        ordering = ["worker"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_open__gte=0, max_open__lte=MAX_CAPACITY), name="worker_capacity_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker_id} · {self.max_open}"
