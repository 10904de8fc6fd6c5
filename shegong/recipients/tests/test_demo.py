"""The recipients demo on a small run: real encrypted numbers, people without a number, withdrawn consents hidden,
categories, stations that serve the community, and a second load that changes nothing."""

import io

import pytest

from shegong.recipients import demo
from shegong.recipients.identity import parse_recipient_id
from shegong.recipients.models import Recipient, RecipientCategory
from shegong.recipients.tests.factories import COMMUNITY_A, Kind, make_station

pytestmark = pytest.mark.django_db


def test_demo_loads_once(monkeypatch, world):
    monkeypatch.setattr(demo, "COUNT", 400)
    room = make_station(Kind.ROOM, COMMUNITY_A)
    out = io.StringIO()
    demo.load({"stdout": out})
    everyone = Recipient.all_records.all()
    assert everyone.count() == 400
    assert "服务对象：400 人" in out.getvalue()
    with_id = everyone.exclude(id_number_index=None)
    for person in with_id[:50]:
        facts = parse_recipient_id(person.id_number)
        assert (facts.birth_date, facts.sex) == (person.birth_date, person.sex)
    assert everyone.filter(id_number_index=None).exclude(no_id_reason="").exists()
    assert everyone.filter(consent_withdrawn_on__isnull=False).exists()
    assert Recipient.objects.count() < 400  # the withdrawn ones are hidden
    assert RecipientCategory.objects.count() >= 400
    assert everyone.filter(station=room).exists()
    assert not everyone.filter(station=room).exclude(community_id=COMMUNITY_A).exists()
    demo.load({"stdout": io.StringIO()})
    assert Recipient.all_records.count() == 400
