"""The volunteers demo on a small run: real encrypted numbers, unique volunteer numbers, teams whose leader is a
member, records (confirmed ones with their confirmer), the demo login linked, and a second load that changes nothing."""

import io

import pytest

from shegong.recipients.identity import parse_recipient_id
from shegong.volunteers import demo
from shegong.volunteers.models import Certificate, ServiceRecord, Volunteer, VolunteerTeam
from shegong.volunteers.tests.factories import make_user, make_worker, station_a, station_b

pytestmark = pytest.mark.django_db


def test_demo_loads_once(monkeypatch, world):
    monkeypatch.setattr(demo, "COUNT", 60)
    monkeypatch.setattr(demo, "RECORDS", 300)
    station_a(), station_b()
    login = make_user("volunteer", "volunteer", region="440105000000")
    make_worker(region="440105000000", account=world.worker_b)
    out = io.StringIO()
    demo.load({"stdout": out})
    everyone = Volunteer.objects.all()
    assert everyone.count() == 60 and "志愿者：60 人" in out.getvalue()
    assert len(set(everyone.values_list("number", flat=True))) == 60
    for person in everyone[:20]:
        facts = parse_recipient_id(person.id_number)
        assert (facts.birth_date, facts.sex) == (person.birth_date, person.sex)
    assert VolunteerTeam.objects.exists()
    for team in VolunteerTeam.objects.all():
        assert team.members.filter(pk=team.leader_id).exists()
    records = ServiceRecord.objects.all()
    assert records.count() == 300 and records.filter(status="confirmed").count() > 200
    assert not records.filter(status="confirmed", confirmed_by=None).exists()
    assert records.filter(region__code__startswith="440105", organiser__account=world.worker_b).exists()
    mine = Volunteer.objects.get(account=login)
    assert mine.region_id.startswith("440105") and mine.service_records.filter(status="confirmed").exists()
    # A few certificates through the service: the demo login's own (self-service) and some by a station's keeper.
    issued = Certificate.objects.all()
    assert 2 <= issued.count() <= demo.CERTIFICATES and "志愿服务记录证明" in out.getvalue()
    own = issued.get(volunteer=mine)
    assert own.self_service and own.total_hours > 0 and own.lines
    assert issued.filter(self_service=False).exclude(handler="").exists()
    assert len(set(issued.values_list("number", flat=True))) == issued.count()
    demo.load({"stdout": io.StringIO()})
    assert Volunteer.objects.count() == 60 and ServiceRecord.objects.count() == 300
    assert Certificate.objects.count() == issued.count()
