"""Reading an official NBS division file (统计用区划代码和城乡划分代码) saved as CSV or TSV.

The NBS publishes, per village-level row, the 12-digit statistical code, the 3-digit urban-rural class code
(城乡分类代码, 统计上划分城乡的规定: 111 主城区, 112 城乡结合区, 121 镇中心区, 122 镇乡结合区, 123 特殊区域,
210 乡中心区, 220 村庄) and the name; rows above village level have no class. This module validates a whole
file before anything is written and reports every bad line in Chinese; the service (services.regions_import_nbs)
then loads the rows with the same engine as the shipped divisions, in one transaction."""

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from shegong.regions.codes import CODE_LENGTH, ancestor_codes, level_from_zeros
from shegong.regions.loading import Row, area_class_from_name, area_class_from_nbs
from shegong.regions.models import URBAN_RURAL_CODES, Region

LEVEL_WORDS = {"省级": 1, "地级": 2, "县级": 3, "乡级": 4, "村级": 5}
HEADERS = {
    "code": ("统计用区划代码", "区划代码", "代码", "code"),
    "class": ("城乡分类代码", "城乡分类", "urban_rural_code", "class"),
    "name": ("名称", "name"),
    "level": ("级别", "层级", "level"),
}
NAME_MAX = Region._meta.get_field("name").max_length
ERRORS_SHOWN = 200

FORMAT_HELP = """\
Accepted file:
  * CSV (comma-separated) or TSV (tab-separated), told apart by the header line;
    UTF-8 (with or without BOM) or GB18030 (what Excel saves for Chinese text).
  * The first line names the columns, in any order (Chinese or English names; other columns are ignored):
      统计用区划代码 | 区划代码 | code     required; 12 digits, e.g. 440104003001
      城乡分类代码 | 城乡分类 | class     required column; 111 112 121 122 123 210 220,
                                         empty allowed above village level, required at village level
      名称 | name                        required; at most 100 characters
      级别 | 层级 | level                 optional; 1-5 or 省级 地级 县级 乡级 村级
  * One region per line; blank lines are ignored; codes must be unique in the file.
  * The level is read from the code's segments (2+2+2+3+3 digits: the deepest non-zero segment); a level column,
    where present and filled, must agree with it. The parent is the nearest ancestor code found in the file or
    already in the database: the towns of 东莞市 (441900003000 …) attach to the city 441900000000, which has no
    county level.
  * The class code decides urban/rural (1xx urban, 2xx rural) and wins over the name; rows without one are
    classified from their name.
  * All or nothing: if any line is bad, every bad line is listed (第 N 行：…) and nothing is written.
    Regions not in the file are left as they are.

Example (TSV):
  统计用区划代码\t城乡分类代码\t名称
  440000000000\t\t广东省
  440104003001\t111\t广卫社区居委会"""


class NbsFileError(Exception):
    """The file cannot be imported; `messages` lists every problem (each naming its line), in Chinese."""

    def __init__(self, messages: list[str]):
        shown = messages[:ERRORS_SHOWN]
        if len(messages) > ERRORS_SHOWN:
            shown.append(_("……另有 %(count)d 处错误未列出") % {"count": len(messages) - ERRORS_SHOWN})
        self.messages = shown
        self.error_count = len(messages)
        super().__init__(self.summary)

    @property
    def summary(self) -> str:
        return ngettext(
            "导入失败：发现 %(count)d 处错误，未写入任何数据。",
            "导入失败：发现 %(count)d 处错误，未写入任何数据。",
            self.error_count,
        ) % {"count": self.error_count}


@dataclass(slots=True)
class _Line:
    number: int
    code: str
    name: str
    level: int | None
    urban_rural_code: str


def read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise NbsFileError([_("无法读取文件 %(path)s：%(error)s") % {"path": path, "error": exc.strerror}]) from None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise NbsFileError([_("无法识别文件编码：请另存为 UTF-8 或 GB18030 编码的 CSV/TSV 文件。")])


def parse(text: str) -> list[Row]:
    """Validate the whole file and return its rows sorted level by level; raise NbsFileError listing every bad line."""
    first_line = text[: text.find("\n")] if "\n" in text else text
    if not first_line.strip():
        raise NbsFileError([_("文件是空的，或第一行不是表头。")])
    reader = csv.reader(_lines(text), delimiter="\t" if "\t" in first_line else ",")
    columns = _columns(next(reader))
    errors: list[str] = []
    parsed: list[_Line] = []
    position: dict[str, int] = {}  # code -> index in parsed: duplicates, and the file's codes for parents
    for record in reader:
        number = reader.line_num  # the file's line, even after a quoted name spanning lines
        if not any(cell.strip() for cell in record):
            continue
        line = _parse_line(number, record, columns, errors)
        if line is None:
            continue
        if line.code in position:
            errors.append(
                _("第 %(line)d 行：区划代码 %(code)s 与第 %(first)d 行重复。")
                % {"line": number, "code": line.code, "first": parsed[position[line.code]].number}
            )
            continue
        position[line.code] = len(parsed)
        parsed.append(line)
    if not parsed and not errors:
        errors.append(_("文件里只有表头，没有区划数据。"))
    rows = _with_parents(parsed, position, errors)
    if errors:
        raise NbsFileError(errors)
    rows.sort(key=lambda row: (row.level, row.code))
    return rows


def _lines(text: str) -> Iterator[str]:
    """The lines of `text` one at a time (a list or a StringIO of a whole country's file would cost hundreds of MB)."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end == -1 else end + 1
        yield text[start:end]
        start = end


def _columns(header: list[str]) -> dict[str, int]:
    names = [cell.strip().lstrip("\ufeff").lower() for cell in header]
    found = {}
    for key, aliases in HEADERS.items():
        for position, name in enumerate(names):
            if name in {alias.lower() for alias in aliases}:
                found[key] = position
                break
    missing = [HEADERS[key][0] for key in ("code", "class", "name") if key not in found]
    if missing:
        raise NbsFileError(
            [
                _("第 1 行（表头）缺少必需的列：%(columns)s。") % {"columns": "、".join(missing)}
                + _("表头应包含 统计用区划代码、城乡分类代码、名称（级别可选）。")
            ]
        )
    return found


def _parse_line(number: int, record: list[str], columns: dict[str, int], errors: list[str]) -> _Line | None:
    needed = max(columns.values()) + 1
    if len(record) < needed:
        errors.append(
            _("第 %(line)d 行：应至少有 %(expected)d 列，实际只有 %(got)d 列。")
            % {"line": number, "expected": needed, "got": len(record)}
        )
        return None
    code = record[columns["code"]].strip()
    name = record[columns["name"]].strip()
    urban_rural_code = record[columns["class"]].strip()
    level_text = record[columns["level"]].strip() if "level" in columns else ""
    problems = []
    if len(code) != CODE_LENGTH or not code.isascii() or not code.isdigit():
        problems.append(_("区划代码“%(code)s”应为 12 位数字") % {"code": code})
    if not name:
        problems.append(_("名称不能为空"))
    elif len(name) > NAME_MAX:
        problems.append(_("名称超过 %(max)d 个字") % {"max": NAME_MAX})
    if urban_rural_code and urban_rural_code not in URBAN_RURAL_CODES:
        problems.append(
            _("城乡分类代码“%(value)s”无效，应为 %(codes)s 之一或留空")
            % {"value": urban_rural_code, "codes": "、".join(URBAN_RURAL_CODES)}
        )
    level = None
    if level_text:
        level = LEVEL_WORDS.get(level_text) or (int(level_text) if level_text in {"1", "2", "3", "4", "5"} else None)
        if level is None:
            problems.append(
                _("级别“%(value)s”无效，应为 1 至 5 或 省级、地级、县级、乡级、村级") % {"value": level_text}
            )
    if not problems:
        # The code's segments fix its level (Region's constraint region_level_matches_code): a level column can only
        # confirm it. A row repeating its parent's code at a deeper level (东莞市 as its own county) is refused here.
        implied = level_from_zeros(code)
        if code.startswith("00"):
            problems.append(_("区划代码 %(code)s 的省级代码段不能为 00") % {"code": code})
        elif level is None:
            level = implied
        elif level != implied:
            problems.append(
                _("区划代码 %(code)s 是%(implied)s代码，与级别“%(level)s”不符")
                % {"code": code, "implied": Region.Level(implied).label, "level": level_text}
            )
        if level == 5 and not urban_rural_code:
            problems.append(_("村级区划必须填写城乡分类代码"))
    if problems:
        errors.append(_("第 %(line)d 行：%(problems)s。") % {"line": number, "problems": "；".join(problems)})
        return None
    return _Line(number, code, name, level, urban_rural_code)


def _with_parents(lines: list, position: dict[str, int], errors: list[str]) -> list[Row]:
    """Each row's parent: the nearest ancestor code in the file, else in the database (东莞's towns → the city).

    Turns `lines` into Rows in place, so a whole country's file is held once."""
    wanted = {
        candidate
        for line in lines
        for candidate in ancestor_codes(line.code, line.level)[1:]
        if candidate not in position
    }
    in_database: dict[str, int] = {}
    wanted_list = sorted(wanted)
    for start in range(0, len(wanted_list), 500):
        in_database.update(
            Region.objects.filter(code__in=wanted_list[start : start + 500]).values_list("code", "level").order_by()
        )

    def level_of(code: str) -> int | None:
        at = position.get(code)
        return lines[at].level if at is not None else in_database.get(code)

    bad = False
    for index, line in enumerate(lines):
        parent = None
        if line.level > 1:
            for candidate in ancestor_codes(line.code, line.level)[1:]:
                level = level_of(candidate) if candidate != line.code else None
                if level is not None and level < line.level:
                    at = position.get(candidate)
                    parent = lines[at].code if at is not None else candidate  # one string object per code
                    break
            if parent is None:
                errors.append(
                    _("第 %(line)d 行：找不到区划代码 %(code)s 的上级，文件和数据库中都没有它的上级区划。")
                    % {"line": line.number, "code": line.code}
                )
                bad = True
                continue
        area_class = (
            area_class_from_nbs(line.urban_rural_code)
            if line.urban_rural_code
            else area_class_from_name(line.name, line.level)
        )
        lines[index] = Row(line.code, line.name, line.level, parent, line.urban_rural_code, area_class)
    return [] if bad else lines


def read(path: Path) -> list[Row]:
    return parse(read_text(path))
