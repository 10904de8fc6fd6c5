"""A recipient's ID number (居民身份证号码, GB 11643), read the way the talent pool reads it but without its age
floor: children are served too. Validation is `shegong.workers.identity.parse_id_number` (python-stdnum's check
character, a real birth date, a known province); its refusal of people under sixteen does not apply here."""

import datetime as dt

from django.core.exceptions import ValidationError

from shegong.workers.identity import IdentityFacts, parse_id_number

UNDERAGE = "id_underage"


def parse_recipient_id(value: str, *, today: dt.date | None = None) -> IdentityFacts:
    """The number's canonical form, birth date and sex; ValidationError (Chinese, never repeating the number)."""
    try:
        return parse_id_number(value, today=today)
    except ValidationError as exc:
        if exc.code != UNDERAGE:
            raise
    # Every other check has passed (the age floor is the last one): read the facts as parse_id_number would.
    number = value.strip().upper().replace(" ", "")
    birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    return IdentityFacts(id_number=number, birth_date=birth, sex="M" if int(number[16]) % 2 else "F")
