"""A person's identity as the talent pool reads it: the 居民身份证号码 (GB 11643) and the name's pinyin initials.

The ID number must have 18 characters, 17 digits and the right ISO 7064 MOD 11-2 check character (python-stdnum's
`stdnum.cn.ric.calc_check_digit`), a real birth date, and an address code whose province exists (stdnum's table of
divisions). We do not use
`ric.validate` as a whole: it also requires the 6-digit address code to have existed in the birth year, but a number's
address code is that of the place where it was first issued, often years after birth, so real people fail it (a
resident of 越秀区 born before 1983 has 440104… although the code dates from 1983; see also python-stdnum issue #442 on
retired codes). The check character already catches every single wrong digit and every swap of two neighbours.

Birth date and sex are read from the number (GB 11643: digits 7-14 are the birth date, the 17th digit is odd for men
and even for women), so they are never typed.
"""

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from pypinyin import Style, lazy_pinyin
from stdnum import numdb
from stdnum.cn import ric

# 劳动法 第十五条: employers may not take on anyone under sixteen.
MINIMUM_AGE = 16
EARLIEST_BIRTH_YEAR = 1900


@dataclass(frozen=True)
class IdentityFacts:
    id_number: str  # canonical: 18 characters, upper-case X
    birth_date: dt.date
    sex: str  # "M" or "F", as SocialWorker.Sex


def parse_id_number(value: str, *, today: dt.date | None = None) -> IdentityFacts:
    """Validate an ID number and read its facts; raises ValidationError with the reason in Chinese.

    The message never repeats the number itself, so it can be shown or logged without spreading it further. (An import
    checks a hundred thousand numbers, so this avoids stdnum's general-purpose `compact`, which normalises Unicode
    character by character: the number is already reduced to ASCII here.)
    """
    number = (value or "").strip().upper().replace(" ", "")
    if not number:
        raise ValidationError(_("请填写身份证号。"), code="required")
    if len(number) != 18:
        raise ValidationError(_("身份证号应为 18 位。"), code="id_length")
    if not number[:17].isdigit() or not number[:17].isascii():
        raise ValidationError(_("身份证号前 17 位应全部为数字。"), code="id_format")
    if number[17] != ric.calc_check_digit(number):
        raise ValidationError(_("身份证号校验位不正确，请核对是否有输错的数字。"), code="id_checksum")
    try:
        birth_date = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(_("身份证号中的出生日期不存在。"), code="id_birth_date") from None
    if not _known_province(number[:2]):
        raise ValidationError(_("身份证号前两位不是有效的省级行政区划代码。"), code="id_province")
    today = today or _today()
    if birth_date > today:
        raise ValidationError(_("身份证号中的出生日期晚于今天。"), code="id_future")
    if birth_date.year < EARLIEST_BIRTH_YEAR:
        raise ValidationError(_("身份证号中的出生日期早于 1900 年。"), code="id_too_old")
    if age_on(birth_date, today) < MINIMUM_AGE:
        raise ValidationError(
            _("按身份证号计算未满 %(age)d 周岁，不能登记为从业人员。") % {"age": MINIMUM_AGE}, code="id_underage"
        )
    return IdentityFacts(id_number=number, birth_date=birth_date, sex="M" if int(number[16]) % 2 else "F")


def _today() -> dt.date:
    # The installation's own time zone, without the per-request time zone machinery (cheap enough to call per row).
    return timezone.now().astimezone(timezone.get_default_timezone()).date()


@cache
def _known_province(code: str) -> bool:
    return any(props.get("province") for _part, props in numdb.get("cn/loc").info(code))


def age_on(birth_date: dt.date, day: dt.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def id_number_from_body(body: str) -> str:
    """The full number for 17 digits (address code + birth date + sequence): appends the check character."""
    if len(body) != 17 or not body.isdigit():
        raise ValueError("an ID number body is 17 digits")
    # stdnum's calc_check_digit ignores the last character of what it is given (it expects the full number).
    return body + ric.calc_check_digit(body + "0")


# Surnames whose reading differs from the character's everyday one (曾 is zēng as a surname, not céng), so that
# typing the initials a person would say finds them; compound surnames likewise.
SURNAME_INITIALS = {
    "曾": "z",
    "单": "s",
    "解": "x",
    "仇": "q",
    "区": "o",
    "查": "z",
    "翟": "z",
    "缪": "m",
    "秘": "b",
    "召": "s",
    "朴": "p",
    "覃": "q",
    "乐": "y",
    "盖": "g",
    "员": "y",
    "繁": "p",
    "隗": "w",
    "种": "c",
    "柏": "b",
    "长": "c",
}
COMPOUND_SURNAMES = {"长孙": "zs", "万俟": "mq", "尉迟": "yc", "单于": "cy", "令狐": "lh", "欧阳": "oy"}
_NOT_INITIAL = re.compile(r"[^a-z0-9]")


def name_initials(name: str) -> str:
    """Lower-case pinyin initials of a name (张三 → zs, 曾志伟 → zzw); Latin letters and digits are kept as they are.

    Each character is read on its own (pypinyin's first reading, cached per character): a name is not a word, so
    pypinyin's phrase table would rather mislead, and per character an import reads 100,000 names in well under a
    second. The surname comes from the tables above when its reading differs.
    """
    name = (name or "").strip()
    if not name:
        return ""
    surname = COMPOUND_SURNAMES.get(name[:2])
    if surname is not None:
        head, rest = surname, name[2:]
    elif name[0] in SURNAME_INITIALS:
        head, rest = SURNAME_INITIALS[name[0]], name[1:]
    else:
        head, rest = "", name
    letters = head + "".join(_initial(ch) for ch in rest)
    return _NOT_INITIAL.sub("", letters)[:50]


@cache
def _initial(ch: str) -> str:
    if not _is_han(ch):
        return ch.lower()
    return lazy_pinyin(ch, style=Style.FIRST_LETTER)[0][:1].lower()


def _is_han(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or "\U00020000" <= ch <= "\U0002ffff"
