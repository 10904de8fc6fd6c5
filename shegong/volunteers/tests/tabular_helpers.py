"""Running an Excel import in a test the way the page does (upload, job, immediate task) and reading its report."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from shegong.tabular import services as tabular
from shegong.tabular import spec as specs
from shegong.tabular.models import ImportJob


def use_immediate_tasks(settings, tmp_path) -> None:
    settings.TASKS_MODE = "immediate"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }


def workbook(kind: str, rows: list[dict]) -> bytes:
    """A workbook with the spec's headers and one line per dict (column key -> value)."""
    columns = specs.get(kind).columns
    book = Workbook()
    sheet = book.active
    sheet.append([str(column.header) for column in columns])
    for row in rows:
        sheet.append([row.get(column.key) for column in columns])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def run(kind: str, actor, captured, rows: list[dict], mode=ImportJob.Mode.ALL_OR_NOTHING) -> ImportJob:
    with captured(execute=True):
        upload = SimpleUploadedFile("f.xlsx", workbook(kind, rows))
        job = tabular.import_start(actor=actor, kind=kind, upload=upload, mode=mode)
    job.refresh_from_db()
    return job


def report(job) -> list[tuple]:
    """The error report's rows (header left out): the original cells, then the reasons."""
    return list(load_workbook(job.report.open("rb")).worksheets[0].iter_rows(values_only=True))[1:]


def reasons_by(job, position: int) -> dict:
    """The reasons of each failed row, by the value of its cell at `position` (e.g. a name column)."""
    return {row[position]: row[-1] for row in report(job)}
