from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shegong.core.scope import DataScope


class AuditEntry(models.Model):
    """One audited event (操作日志 / 登录日志). Append-only: rows are never updated or deleted (database triggers
    refuse it), and each row's hash covers the previous row's hash, so `shegong audit verify` finds any tampering."""

    class Action(models.TextChoices):
        CREATE = "create", _("新增")
        UPDATE = "update", _("修改")
        DELETE = "delete", _("删除")
        TRANSITION = "transition", _("状态变更")
        LOGIN = "login", _("登录")
        LOGOUT = "logout", _("退出")
        LOGIN_FAILED = "login_failed", _("登录失败")
        LOCKED = "locked", _("账户锁定")
        REVEAL = "reveal", _("查看敏感信息")
        EXPORT = "export", _("导出")
        IMPORT = "import", _("导入")

    sequence = models.BigAutoField(primary_key=True)
    created_at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_username = models.CharField(_("操作人账号"), max_length=150, blank=True)
    action = models.CharField(_("操作"), max_length=20, choices=Action.choices)
    object_type = models.CharField(_("对象类型"), max_length=100, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    changes = models.JSONField(_("变更内容"), default=dict, blank=True)
    note = models.TextField(_("说明"), blank=True)
    ip = models.CharField(_("IP 地址"), max_length=45, blank=True)
    user_agent = models.CharField(_("客户端"), max_length=500, blank=True)
    previous_hash = models.CharField(_("前一条的哈希"), max_length=64)
    entry_hash = models.CharField(_("本条哈希"), max_length=64, unique=True)

    # Only the audit admin reads the log, over the whole installation (等保 三员分立).
    data_scope = DataScope()

    class Meta:
        verbose_name = _("操作日志")
        verbose_name_plural = _("操作日志")
        ordering = ["-sequence"]
        # Each search filter is an equality on the leading columns and the page is "newest first", so every index
        # ends in `sequence`: a filtered page is one index range scan read backwards, however long the log grows.
        indexes = [
            models.Index(fields=["actor_username", "sequence"], name="audit_actor_seq_idx"),
            models.Index(fields=["action", "sequence"], name="audit_action_seq_idx"),
            models.Index(fields=["object_type", "object_id", "sequence"], name="audit_object_seq_idx"),
            models.Index(fields=["ip", "sequence"], name="audit_ip_seq_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.actor_username} {self.action} {self.object_repr}"


class AuditChainHead(models.Model):
    """The single row that holds the newest entry's hash; locking it serialises appends so the chain never forks."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_sequence = models.BigIntegerField(_("最新序号"), default=0)
    last_hash = models.CharField(_("最新哈希"), max_length=64)

    class Meta:
        verbose_name = _("日志链头")
        verbose_name_plural = _("日志链头")
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="audit_chain_head_singleton")]

    def __str__(self) -> str:
        return f"#{self.last_sequence} {self.last_hash[:12]}"
