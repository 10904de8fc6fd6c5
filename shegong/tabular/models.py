from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shegong.core.scope import DataScope


class ImportJob(models.Model):
    """One upload of a workbook for one kind of record, run in the background, with its progress and error report."""

    class Mode(models.TextChoices):
        ALL_OR_NOTHING = "all_or_nothing", _("全部成功才导入")
        GOOD_ROWS = "good_rows", _("只导入无误的行")

    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("处理中")
        DONE = "done", _("已完成")
        REJECTED = "rejected", _("有错误，未导入")
        FAILED = "failed", _("处理失败")

    kind = models.SlugField(_("导入类型"), max_length=50)
    mode = models.CharField(_("导入方式"), max_length=20, choices=Mode.choices)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("导入人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    original_name = models.CharField(_("文件名"), max_length=255)
    source = models.FileField(_("上传文件"), upload_to="imports/%Y/%m/")
    report = models.FileField(_("错误报告"), upload_to="imports/%Y/%m/", blank=True)
    total_rows = models.PositiveIntegerField(_("总行数"), default=0)
    processed_rows = models.PositiveIntegerField(_("已检查"), default=0)
    written_rows = models.PositiveIntegerField(_("已导入"), default=0)
    error_rows = models.PositiveIntegerField(_("错误行数"), default=0)
    message = models.TextField(_("说明"), blank=True)

    data_scope = DataScope(owner="created_by")

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"], name="importjob_status_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(processed_rows__lte=models.F("total_rows")) | models.Q(total_rows=0),
                name="importjob_progress_bounded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} · {self.original_name}"

    @property
    def percent(self) -> int:
        return int(100 * self.processed_rows / self.total_rows) if self.total_rows else 0

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.REJECTED, self.Status.FAILED}
