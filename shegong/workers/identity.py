"""A person's identity as the talent pool reads it: the 居民身份证号码 (GB 11643) and the name's pinyin initials.

The ID number is checked with python-stdnum (`stdnum.cn.ric`): 18 characters, 17 digits and the ISO 7064 MOD 11-2
check character, a real birth date, and an address code whose province exists (stdnum's own table). We do not use
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
from stdnum.exceptions import ValidationError as StdnumError

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

    The message never repeats the number itself, so it can be shown or logged without spreading it further.
    """
    raw = (value or "").strip().upper().replace(" ", "")
    if not raw:
        raise ValidationError(_("请填写身份证号。"), code="required")
    number = ric.compact(raw)
    if len(number) != 18:
        raise ValidationError(_("身份证号应为 18 位。"), code="id_length")
    if not number[:17].isdigit() or not number[:17].isascii():
        raise ValidationError(_("身份证号前 17 位应全部为数字。"), code="id_format")
    if number[17] != ric.calc_check_digit(number):
        raise ValidationError(_("身份证号校验位不正确，请核对是否有输错的数字。"), code="id_checksum")
    try:
        birth_date = ric.get_birth_date(number)
    except StdnumError:
        raise ValidationError(_("身份证号中的出生日期不存在。"), code="id_birth_date") from None
    if not _known_province(number[:2]):
        raise ValidationError(_("身份证号前两位不是有效的省级行政区划代码。"), code="id_province")
    today = today or timezone.localdate()
    if birth_date > today:
        raise ValidationError(_("身份证号中的出生日期晚于今天。"), code="id_future")
    if birth_date.year < EARLIEST_BIRTH_YEAR:
        raise ValidationError(_("身份证号中的出生日期早于 1900 年。"), code="id_too_old")
    if age_on(birth_date, today) < MINIMUM_AGE:
        raise ValidationError(
            _("按身份证号计算未满 %(age)d 周岁，不能登记为从业人员。") % {"age": MINIMUM_AGE}, code="id_underage"
        )
    return IdentityFacts(id_number=number, birth_date=birth_date, sex="M" if int(number[16]) % 2 else "F")


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
# typing the initials a person would say finds them. Compound surnames are read right by pypinyin's phrase table.
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
COMPOUND_SURNAMES = {"长孙", "万俟", "尉迟", "单于"}
_NOT_INITIAL = re.compile(r"[^a-z0-9]")


def name_initials(name: str) -> str:
    """Lower-case pinyin initials of a name (张三 → zs, 曾志伟 → zzw); letters of a non-Chinese name are kept whole."""
    name = (name or "").strip()
    if not name:
        return ""
    # One item per Chinese character (read with pypinyin's phrase table), one per run of other characters.
    letters = lazy_pinyin(name, style=Style.FIRST_LETTER)
    if name[0] in SURNAME_INITIALS and name[:2] not in COMPOUND_SURNAMES:
        letters[0] = SURNAME_INITIALS[name[0]]
    return _NOT_INITIAL.sub("", "".join(letters).lower())[:50]
