"""The audit log as an Excel workbook (write-only openpyxl: rows stream to a temporary file, not into memory)."""

import json
import tempfile

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from shegong.audit.models import AuditEntry
from shegong.audit.selectors import object_type_label

MAX_ROWS = 100_000
CHUNK = 2000


def _columns() -> list[str]:
    return [
        _("序号"),
        _("时间"),
        _("操作人账号"),
        _("操作"),
        _("对象类型"),
        _("对象编号"),
        _("对象"),
        _("变更内容"),
        _("说明"),
        _("IP 地址"),
        _("客户端"),
        _("本条哈希"),
    ]


def _text_cell(sheet, value):
    # Text typed by anyone (an object's name, a user agent) must stay text: a leading "=" would otherwise be stored as
    # a formula and run when the auditor opens the file.
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def workbook(entries: QuerySet[AuditEntry]) -> tuple:
    """A temporary file holding the .xlsx of `entries` (in their order), and the number of rows; the caller closes
    the file (FileResponse does)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=str(AuditEntry._meta.verbose_name))
    sheet.append(_columns())
    labels = dict(AuditEntry.Action.choices)
    written = 0
    for entry in entries.iterator(chunk_size=CHUNK):
        written += 1
        row = [
            entry.sequence,
            timezone.localtime(entry.created_at).replace(tzinfo=None),
            entry.actor_username,
            str(labels.get(entry.action, entry.action)),
            object_type_label(entry.object_type),
            entry.object_id,
            entry.object_repr,
            json.dumps(entry.changes, ensure_ascii=False) if entry.changes else "",
            entry.note,
            entry.ip,
            entry.user_agent,
            entry.entry_hash,
        ]
        sheet.append([_text_cell(sheet, value) for value in row])
    output = tempfile.TemporaryFile()  # noqa: SIM115  (handed to FileResponse, which closes it)
    book.save(output)
    output.seek(0)
    return output, written
