"""The list's text search: the start of a name, pinyin initials, an exact ID number or mobile (keyed hashes)."""

import pytest
from django.urls import reverse

from shegong.recipients.tests.factories import id_number, make_recipient

pytestmark = pytest.mark.django_db


def test_search_by_name_initials_id_number_and_phone(client, world):
    number = id_number()
    make_recipient("张三", id_number=number, phone="13900000001")
    make_recipient("张小明")
    make_recipient("章子")
    make_recipient("欧阳娜娜")
    client.force_login(world.station_head_a)

    def found(q):
        return sorted(row.name for row in client.get(reverse("recipients:list"), {"q": q}).context["page"])

    assert found("张") == ["张三", "张小明"]
    assert found("zs") == ["张三"]
    assert found("欧阳") == ["欧阳娜娜"]
    assert found(number.lower()) == ["张三"]
    assert found("13900000001") == ["张三"]
    assert found(number[:-1] + ("1" if number[-1] != "1" else "2")) == []
