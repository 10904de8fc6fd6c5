import datetime

import pytest
from stdnum.cn import uscc

from shegong.agencies.models import SERVICE_DOMAIN_DICTIONARY

# Names no seeded dictionary uses, so lookups by name find exactly these items.
DOMAINS = [("t_assistance", "测试救助"), ("t_family", "测试婚姻家庭"), ("t_youth", "测试青少年事务")]


def code(serial: int, region: str = "440104") -> str:
    """A checksum-valid credit code for tests (serials from 1000 up do not collide with the world's agencies)."""
    body = f"52{region}MJ{serial:07d}"
    return body + uscc.calc_check_digit(body)


def bad_code(serial: int) -> str:
    good = code(serial)
    return good[:-1] + ("1" if good[-1] != "1" else "2")


@pytest.fixture
def domains(db):
    """Three active service domains (created here so the tests do not depend on the seeded dictionary's codes)."""
    from shegong.refdata.models import Dictionary, DictionaryItem

    dictionary, _created = Dictionary.objects.get_or_create(
        code=SERVICE_DOMAIN_DICTIONARY, defaults={"name": "服务领域"}
    )
    items = []
    for order, (item_code, name) in enumerate(DOMAINS, start=900):
        item, _created = DictionaryItem.objects.get_or_create(
            dictionary=dictionary, code=item_code, defaults={"name": name, "sort_order": order}
        )
        items.append(item)
    return items


@pytest.fixture
def today():
    from django.utils import timezone

    return timezone.localdate()


def days_ago(days: int) -> datetime.date:
    from django.utils import timezone

    return timezone.localdate() - datetime.timedelta(days=days)
