"""Reading uploaded workbooks safely and writing templates, error reports and exports (openpyxl)."""

import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from shegong.tabular.spec import ImportSpec

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
REQUIRED_FONT = Font(bold=True, color="C00000")
ERROR_FILL = PatternFill("solid", fgColor="FCE4D6")
REASON_HEADER = "错误原因"
ROW_HEADER = "原行号"


class WorkbookError(Exception):
    """The file as a whole cannot be imported; the message says why, in the user's language."""


@dataclass
class SheetRows:
    headers: list[str]
    rows: list[tuple[int, tuple]]  # (row number in the sheet, cell values)


def read_rows(data: bytes) -> SheetRows:
    """The first sheet's header row and data rows; refuses anything that is not a sane .xlsx workbook."""
    if not data:
        raise WorkbookError(_("文件是空的。"))
    if len(data) > settings.IMPORT_MAX_BYTES:
        raise WorkbookError(
            _("文件太大（%(size).1f MB），上限为 %(max).1f MB。")
            % {"size": len(data) / 1048576, "max": settings.IMPORT_MAX_BYTES / 1048576}
        )
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise WorkbookError(
            _("这不是 Excel 工作簿（.xlsx）文件。请用下载的模板填写后上传；.xls 旧格式请先另存为 .xlsx。")
        )
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged file; each means the same to the user
        raise WorkbookError(_("无法读取这个 Excel 文件，文件可能已损坏。")) from None
    try:
        sheet = workbook.worksheets[0]
        lines = sheet.iter_rows(values_only=True)
        header_row = next(lines, None)
        if header_row is None:
            raise WorkbookError(_("工作表是空的：第一行应为列标题。"))
        headers = [str(value).strip().rstrip("*").strip() if value is not None else "" for value in header_row]
        rows = []
        for number, values in enumerate(lines, start=2):
            if values is None or all(value is None or str(value).strip() == "" for value in values):
                continue
            if len(rows) >= settings.IMPORT_MAX_ROWS:
                raise WorkbookError(_("数据行超过 %(max)d 行，请分批导入。") % {"max": settings.IMPORT_MAX_ROWS})
            rows.append((number, tuple(values)))
    finally:
        workbook.close()
    if not rows:
        raise WorkbookError(_("文件中没有数据行。"))
    return SheetRows(headers=headers, rows=rows)


def column_positions(spec: ImportSpec, headers: list[str]) -> dict[str, int]:
    """Where each of the spec's columns is in this file, by header text; missing required columns are an error."""
    positions = {}
    missing = []
    for column in spec.columns:
        # A template downloaded in English has English headers; the background run reads them in any language.
        labels = [label for label in header_labels(column.header) if label in headers]
        if labels:
            positions[column.key] = headers.index(labels[0])
        elif column.required:
            missing.append(str(column.header))
    if missing:
        raise WorkbookError(_("缺少必填列：%(columns)s。请使用下载的模板。") % {"columns": "、".join(missing)})
    return positions


def header_labels(header) -> list[str]:
    """The column's header in every interface language (the Chinese source first)."""
    labels = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            label = str(header)
        if label not in labels:
            labels.append(label)
    return labels


def _autosize(sheet, widths: Iterable[int]) -> None:
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def template(spec: ImportSpec) -> bytes:
    """The downloadable template: headers (required ones marked * in red), one example row, and a notes sheet."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(spec.title)[:31]
    for index, column in enumerate(spec.columns, start=1):
        cell = sheet.cell(row=1, column=index, value=f"{column.header}*" if column.required else str(column.header))
        cell.fill = HEADER_FILL
        if column.required:
            cell.font = REQUIRED_FONT
        sheet.cell(row=2, column=index, value=column.example)
    sheet.freeze_panes = "A2"
    _autosize(sheet, [column.width for column in spec.columns])
    notes = workbook.create_sheet(_("填写说明"))
    notes.append([_("列"), _("必填"), _("说明")])
    for column in spec.columns:
        notes.append([str(column.header), _("是") if column.required else _("否"), str(column.help)])
    notes.append([])
    notes.append([_("第 2 行是示例，导入前请删除或替换。标 * 的列必须填写。")])
    _autosize(notes, [18, 8, 80])
    return _save(workbook)


def error_report(headers: list[str], failures: list[tuple[int, tuple, list[str]]]) -> bytes:
    """The rows that failed, as uploaded, with their sheet row number and the reasons in the last column."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("错误报告")
    sheet.append([_(ROW_HEADER), *headers, _(REASON_HEADER)])
    for cell in sheet[1]:
        cell.fill = HEADER_FILL
        cell.font = Font(bold=True)
    for number, values, reasons in failures:
        padded = list(values) + [None] * (len(headers) - len(values))
        sheet.append([number, *padded[: len(headers)], "；".join(reasons)])
        reason_cell = sheet.cell(row=sheet.max_row, column=len(headers) + 2)
        reason_cell.fill = ERROR_FILL
        reason_cell.alignment = Alignment(wrap_text=True)
    sheet.freeze_panes = "B2"
    _autosize(sheet, [8, *[16] * len(headers), 60])
    return _save(workbook)


def export(title: str, headers: list[str], rows: Iterator[Iterable]) -> bytes:
    """A list as a workbook (write-only mode, so a long list streams in constant memory)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(str(title)[:31])
    sheet.freeze_panes = "A2"
    for index in range(1, len(headers) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 18
    sheet.append([str(header) for header in headers])
    for row in rows:
        sheet.append(list(row))
    return _save(workbook)


def _save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
