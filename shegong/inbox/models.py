"""The in-app inbox (站内消息): alerts for a person (crisis flags, overdue requests, assignments, referrals).

Every alert is first a row here, written in the same transaction as the event that raised it, so nothing is lost when an
outside channel (SMS, WeChat) is down; outside channels are delivered afterwards by the task queue (see channels.py) and
each attempt is recorded on the row.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shegong.core.scope import DataScope


class Notification(models.Model):
    class Kind(models.TextChoices):
        CRISIS = "crisis", _("危机预警")
        OVERDUE = "overdue", _("超时提醒")
        ASSIGNMENT = "assignment", _("派单")
        REFERRAL = "referral", _("转介")
        REVIEW = "review", _("督导审阅")
        NOTICE = "notice", _("通知")

    class Urgency(models.TextChoices):
        NORMAL = "normal", _("一般")
        URGENT = "urgent", _("紧急")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("接收人"), on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    urgency = models.CharField(_("紧急程度"), max_length=8, choices=Urgency.choices, default=Urgency.NORMAL)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    # The event an alert is about ("casework.case:12"): the same event alerts a person once however often it is raised.
    subject = models.CharField(_("关联事项"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    deliveries = models.JSONField(_("外部渠道投递记录"), default=list, blank=True)

    data_scope = DataScope(owner="user")

    class Meta:
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at", "created_at"], name="notification_inbox_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "subject"],
                condition=~models.Q(subject=""),
                name="notification_once_per_subject",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=["crisis", "overdue", "assignment", "referral", "review", "notice"]),
                name="notification_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
