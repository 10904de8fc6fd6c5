"""Imports and exports. An import is all-or-nothing or good-rows-only, as the user chooses; either way nothing is
half-written: the good rows go in one transaction, and a failure there rolls all of them back."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.audit.models import AuditEntry
from shegong.audit.services import record
from shegong.core.tasks import enqueue, task
from shegong.tabular import spec as specs
from shegong.tabular import workbooks
from shegong.tabular.models import ImportJob
from shegong.tabular.parsers import as_text

PROGRESS_EVERY = 2000


def _spec_for(kind: str, actor) -> specs.ImportSpec:
    spec = specs.get(kind)
    if spec is None:
        raise ValidationError(_("不支持的导入类型：%(kind)s。") % {"kind": kind})
    if spec.permission and not actor.has_perm(spec.permission):
        raise PermissionDenied(_("您没有导入%(title)s的权限。") % {"title": spec.title})
    return spec


@transaction.atomic
def import_start(*, actor, kind: str, upload, mode: str) -> ImportJob:
    """Store the upload and queue its processing; the job page shows progress and, at the end, the error report."""
    spec = _spec_for(kind, actor)
    if mode not in ImportJob.Mode.values:
        raise ValidationError(_("请选择导入方式。"))
    from django.conf import settings

    if upload.size > settings.IMPORT_MAX_BYTES:
        raise ValidationError(
            _("文件太大（%(size).1f MB），上限为 %(max).1f MB。")
            % {"size": upload.size / 1048576, "max": settings.IMPORT_MAX_BYTES / 1048576}
        )
    job = ImportJob(kind=spec.kind, mode=mode, created_by=actor, original_name=upload.name[:255])
    job.source.save(f"{spec.kind}.xlsx", upload, save=False)
    job.save()
    record(actor=actor, action=AuditEntry.Action.IMPORT, obj=job, note=_("已上传，等待处理"))
    enqueue("tabular.run_import", job_id=job.pk)
    return job


def _progress(job: ImportJob, **fields) -> None:
    ImportJob.objects.filter(pk=job.pk).update(**fields)


def _finish(job: ImportJob, status: str, message: str = "", **fields) -> None:
    _progress(job, status=status, message=message, finished_at=timezone.now(), **fields)


def check_rows(spec: specs.ImportSpec, sheet: workbooks.SheetRows, positions: dict, context: dict, actor, job=None):
    """Parse and check every row; returns (good rows as dicts, failures as (row number, values, reasons))."""
    good: list[dict] = []
    failures: list[tuple[int, tuple, list[str]]] = []
    first_seen: dict[tuple, int] = {}  # (column keys, values) -> first row number
    for index, (number, values) in enumerate(sheet.rows, start=1):
        cleaned: dict = {}
        reasons: list[str] = []
        for column in spec.columns:
            position = positions.get(column.key)
            raw = values[position] if position is not None and position < len(values) else None
            if raw is None or as_text(raw) == "":
                cleaned[column.key] = None
                if column.required:
                    reasons.append(_("%(column)s：必须填写") % {"column": column.header})
                continue
            try:
                cleaned[column.key] = column.parse(raw)
            except ValidationError as exc:
                reasons.append(f"{column.header}：{'；'.join(exc.messages)}")
        if not reasons:
            for keys in spec.unique_together:
                key = tuple(cleaned.get(name) for name in keys)
                if any(part in (None, "") for part in key):
                    continue
                if (keys, key) in first_seen:
                    labels = "、".join(str(c.header) for c in spec.columns if c.key in keys)
                    reasons.append(
                        _("%(columns)s与文件第 %(row)d 行重复") % {"columns": labels, "row": first_seen[(keys, key)]}
                    )
                else:
                    first_seen[(keys, key)] = number
        if not reasons:
            reasons.extend(spec.check_row(cleaned, context, actor))
        if reasons:
            failures.append((number, values, reasons))
        else:
            cleaned["_row"] = number
            good.append(cleaned)
        if job is not None and index % PROGRESS_EVERY == 0:
            _progress(job, processed_rows=index)
    return good, failures


@task("tabular.run_import")
def run_import(*, job_id: int) -> None:
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    actor = job.created_by
    spec = specs.get(job.kind)
    _progress(job, status=ImportJob.Status.RUNNING)
    try:
        with job.source.open("rb") as handle:
            sheet = workbooks.read_rows(handle.read())
        positions = workbooks.column_positions(spec, sheet.headers)
    except workbooks.WorkbookError as exc:
        _finish(job, ImportJob.Status.REJECTED, str(exc))
        return
    _progress(job, total_rows=len(sheet.rows))
    context = spec.prepare(actor)
    good, failures = check_rows(spec, sheet, positions, context, actor, job)
    report_fields = {"processed_rows": len(sheet.rows), "error_rows": len(failures)}
    if failures:
        job.report.save(
            f"{job.kind}-errors.xlsx", ContentFile(workbooks.error_report(sheet.headers, failures)), save=False
        )
        report_fields["report"] = job.report.name
    if failures and job.mode == ImportJob.Mode.ALL_OR_NOTHING:
        _finish(
            job,
            ImportJob.Status.REJECTED,
            _("%(bad)d 行有错误，按“全部成功才导入”未导入任何数据。请下载错误报告，改正后重新上传。")
            % {"bad": len(failures)},
            **report_fields,
        )
        return
    try:
        with transaction.atomic():
            written = (
                spec.write([{k: v for k, v in row.items() if k != "_row"} for row in good], context, actor)
                if good
                else 0
            )
            record(
                actor=actor,
                action=AuditEntry.Action.IMPORT,
                obj=job,
                changes={"written_rows": [None, written], "error_rows": [None, len(failures)]},
                note=str(spec.title),
            )
    except (ValidationError, DatabaseError) as exc:
        detail = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)[:500]
        _finish(
            job,
            ImportJob.Status.FAILED,
            _("写入时出错，已全部撤销，没有导入任何数据：%(detail)s") % {"detail": detail},
            **report_fields,
        )
        return
    message = _("已导入 %(written)d 行。") % {"written": written}
    if failures:
        message += _("另有 %(bad)d 行有错误未导入，请下载错误报告。") % {"bad": len(failures)}
    _finish(job, ImportJob.Status.DONE, message, written_rows=written, **report_fields)


@transaction.atomic
def export_list(*, actor, title: str, headers: list[str], rows, object_type: str, filters: dict | None = None) -> bytes:
    """A list as an Excel workbook; the export itself is audited with the filters that produced it."""
    rows = list(rows)
    data = workbooks.export(title, headers, iter(rows))
    record(
        actor=actor,
        action=AuditEntry.Action.EXPORT,
        object_type=object_type,
        object_repr=str(title)[:200],
        changes={"rows": [None, len(rows)], "filters": [None, filters or {}]},
    )
    return data
