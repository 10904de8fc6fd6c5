"""Cell parsers for imports: each takes the raw cell value (str, int, float, date, None) and returns a clean Python
value, or raises ValidationError with a message in Chinese that the error report shows beside the row."""

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumError

Parser = Callable[[object], object]


def as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def text(max_length: int = 200) -> Parser:
    def parse(value):
        result = as_text(value)
        if len(result) > max_length:
            raise ValidationError(
                _("内容过长：最多 %(max)d 个字符，实际 %(len)d 个。") % {"max": max_length, "len": len(result)}
            )
        return result

    return parse


def integer(minimum: int | None = None, maximum: int | None = None) -> Parser:
    def parse(value):
        raw = as_text(value)
        if not re.fullmatch(r"-?\d+", raw):
            raise ValidationError(_("“%(value)s”不是整数。") % {"value": raw})
        number = int(raw)
        if minimum is not None and number < minimum:
            raise ValidationError(_("不能小于 %(min)d。") % {"min": minimum})
        if maximum is not None and number > maximum:
            raise ValidationError(_("不能大于 %(max)d。") % {"max": maximum})
        return number

    return parse


def decimal(places: int = 2, minimum: Decimal | None = None) -> Parser:
    def parse(value):
        raw = as_text(value).replace(",", "").replace("，", "")
        try:
            number = Decimal(raw)
        except InvalidOperation:
            raise ValidationError(_("“%(value)s”不是数字。") % {"value": raw}) from None
        if not number.is_finite():
            raise ValidationError(_("“%(value)s”不是数字。") % {"value": raw})
        if minimum is not None and number < minimum:
            raise ValidationError(_("不能小于 %(min)s。") % {"min": minimum})
        return number.quantize(Decimal(1).scaleb(-places))

    return parse


DATE_PATTERNS = [
    (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"), "ymd"),
    (re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})"), "ymd"),
    (re.compile(r"(\d{4})\.(\d{1,2})\.(\d{1,2})"), "ymd"),
    (re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日?"), "ymd"),
    (re.compile(r"(\d{4})(\d{2})(\d{2})"), "ymd"),
]


def date() -> Parser:
    """A date cell, or text such as 2024-03-01, 2024/3/1, 2024.3.1, 2024年3月1日 or 20240301."""

    def parse(value):
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        raw = as_text(value)
        for pattern, _order in DATE_PATTERNS:
            match = pattern.fullmatch(raw)
            if match:
                year, month, day = (int(part) for part in match.groups())
                try:
                    return dt.date(year, month, day)
                except ValueError:
                    break
        raise ValidationError(_("“%(value)s”不是有效日期，请写成 2024-03-01。") % {"value": raw})

    return parse


def choice(options: dict[str, str]) -> Parser:
    """Accepts an option's label (as shown to users) or its code; returns the code."""
    by_label = {str(label): code for code, label in options.items()}

    def parse(value):
        raw = as_text(value)
        if raw in options:
            return raw
        if raw in by_label:
            return by_label[raw]
        allowed = "、".join(str(label) for label in options.values())
        raise ValidationError(_("“%(value)s”不在可选范围内（%(allowed)s）。") % {"value": raw, "allowed": allowed})

    return parse


def boolean() -> Parser:
    truthy, falsy = {"是", "y", "yes", "true", "1", "√"}, {"否", "n", "no", "false", "0", "×"}

    def parse(value):
        raw = as_text(value).lower()
        if raw in truthy:
            return True
        if raw in falsy:
            return False
        raise ValidationError(_("请填写“是”或“否”，而不是“%(value)s”。") % {"value": raw})

    return parse


def id_number() -> Parser:
    """居民身份证号码 (GB 11643): 18 characters, a real birth date and the ISO 7064 MOD 11-2 check character.

    Not stdnum's `ric.validate` as a whole: it also requires the address code to have existed in the birth year, which
    refuses real people whose county was created or renamed later (e.g. 越秀区 440104 dates from 1983)."""

    def parse(value):
        raw = as_text(value).upper().replace(" ", "")
        if len(raw) != 18 or not raw[:17].isdigit() or not raw[:17].isascii():
            raise ValidationError(_("身份证号无效：应为 18 位，前 17 位为数字。"))
        if raw[17] != ric.calc_check_digit(raw):
            raise ValidationError(_("身份证号无效：校验位不正确，请核对是否有输错的数字。"))
        try:
            born = dt.date(int(raw[6:10]), int(raw[10:12]), int(raw[12:14]))
        except ValueError:
            raise ValidationError(_("身份证号无效：其中的出生日期不存在。")) from None
        if born > dt.date.today() or born.year < 1900:
            raise ValidationError(_("身份证号无效：其中的出生日期不合理。"))
        return raw

    return parse


def credit_code() -> Parser:
    def parse(value):
        raw = as_text(value).upper().replace(" ", "")
        try:
            return uscc.validate(raw)
        except StdnumError:
            raise ValidationError(
                _("统一社会信用代码“%(value)s”无效（应为 18 位且校验位正确）。") % {"value": raw}
            ) from None

    return parse


def phone() -> Parser:
    def parse(value):
        raw = re.sub(r"[\s-]", "", as_text(value))
        if not re.fullmatch(r"(\+?86)?1[3-9]\d{9}|0\d{2,3}\d{7,8}", raw):
            raise ValidationError(_("电话号码“%(value)s”格式不正确。") % {"value": raw})
        return raw

    return parse
