"""Two people writing casework at once (transactional, real threads): case codes never collide, within one station
(its row lock) or across stations of one district (the unique code and a retry), and two people moving the same case
from the same version: exactly one wins, the other is told the case changed. PostgreSQL only: SQLite runs one writer
at a time anyway, and its shared-cache test database answers a second writer "table is locked" at once."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from shegong.casework import services
from shegong.casework.models import Case
from shegong.casework.tests.factories import OPENED, Setting, fill, open_case, post, setting_a, walk
from shegong.recipients.tests.factories import make_recipient
from shegong.stations.tests.factories import Kind, make_station, make_worker
from shegong.testing.concurrency import each_at_once

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks between writers: PostgreSQL"),
]


def test_codes_of_one_station_never_collide(world):
    setting = setting_a(world)
    each_at_once(lambda _name: [open_case(setting) for _index in range(3)])
    codes = sorted(Case.objects.values_list("code", flat=True))
    assert codes == [f"C440104{OPENED.year}{number:05d}" for number in range(1, 7)]


def test_codes_of_two_stations_of_one_district_never_collide(world):
    first = setting_a(world)
    other = make_station(Kind.STATION, "440104001000")
    second = Setting(
        station=other,
        worker=post(other, make_worker(region="440104001000")),
        recipient=make_recipient("钟二", "440104001007"),
    )
    settings = {"甲": first, "乙": second}
    each_at_once(lambda name: [open_case(settings[name]) for _index in range(3)])
    codes = sorted(Case.objects.values_list("code", flat=True))
    assert codes == [f"C440104{OPENED.year}{number:05d}" for number in range(1, 7)]


def test_two_people_moving_one_case_at_once_one_wins(world):
    case = walk(open_case(setting_a(world)), Case.Stage.ASSESSMENT)
    fill(case)
    version = Case.objects.get(pk=case.pk).version
    outcomes = each_at_once(
        lambda _name: services.case_move(
            case=Case.objects.get(pk=case.pk), to=Case.Stage.PLANNING, actor=world.station_head_a, version=version
        )
    )
    refused = [outcome for outcome in outcomes.values() if isinstance(outcome, ValidationError)]
    assert len(refused) == 1 and refused[0].error_list[0].code == "stale"
    assert Case.objects.get(pk=case.pk).stage == Case.Stage.PLANNING
    assert case.stage_events.filter(to_stage=Case.Stage.PLANNING).count() == 1
