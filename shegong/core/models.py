from django.db import models
from django.utils.translation import gettext_lazy as _


class Task(models.Model):
    """A unit of background work (imports, exports, recomputation, notifications): the queue is this table.

    `TASKS_MODE=thread` (default) runs a task in a thread of the web process right after the transaction that queued it
    commits; `TASKS_MODE=worker` leaves it to `shegong worker` processes, which claim tasks with SKIP LOCKED on
    PostgreSQL so that any number of them can run; `TASKS_MODE=immediate` runs it in place (tests, scripts).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("运行中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    name = models.CharField(_("任务"), max_length=100)
    payload = models.JSONField(_("参数"), default=dict)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    error = models.TextField(_("错误"), blank=True)

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["status", "created_at"], name="task_status_created_idx")]

    def __str__(self) -> str:
        return f"{self.name} #{self.pk} ({self.status})"
