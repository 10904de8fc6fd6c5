"""case_open: the code, the checks on recipient, station and worker, and what is written with the case."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shegong.audit.models import AuditEntry
from shegong.casework.models import Case, CaseStageEvent
from shegong.casework.tests.factories import OPENED, open_case, setting_a, setting_b
from shegong.recipients.tests.factories import make_recipient, withdraw
from shegong.stations.tests.factories import make_worker
from shegong.testing.world import STREET_A

pytestmark = pytest.mark.django_db


def test_opening_writes_case_intake_event_and_audit(world):
    setting = setting_a(world)
    case = open_case(setting, actor=world.station_head_a)
    assert case.code == f"C440104{OPENED.year}00001"
    assert case.stage == Case.Stage.INTAKE
    assert case.region_id == setting.recipient.community_id and case.province_code == "44"
    assert case.agency == setting.station.agency
    assert case.intake.presenting_problem.startswith("独居")
    assert CaseStageEvent.objects.filter(case=case, from_stage="", to_stage="intake").count() == 1
    assert AuditEntry.objects.filter(object_type="casework.case", object_id=str(case.pk), action="create").exists()
    second = open_case(setting, actor=world.station_head_a)
    assert second.code == f"C440104{OPENED.year}00002"


def test_source_request_is_kept_on_the_intake(world):
    case = open_case(setting_a(world), source="request", source_request=4711)
    assert case.intake.source_request_id == 4711


def test_worker_without_a_post_at_the_station_is_refused(world):
    setting = setting_a(world)
    setting.worker = make_worker(region=STREET_A)
    with pytest.raises(ValidationError) as caught:
        open_case(setting, actor=world.station_head_a)
    assert caught.value.error_dict["worker"][0].code == "worker_not_at_station"


def test_recipient_outside_scope_or_withdrawn_is_refused(world):
    setting = setting_b(world)
    with pytest.raises(ValidationError) as caught:
        open_case(setting, actor=world.station_head_a)
    assert caught.value.error_dict["recipient"][0].code == "recipient"
    mine = setting_a(world)
    mine.recipient = withdraw(make_recipient("王五"))
    with pytest.raises(ValidationError) as caught:
        open_case(mine, actor=world.station_head_a)
    assert "recipient" in caught.value.error_dict


def test_station_must_cover_the_community(world):
    setting = setting_a(world)
    setting.recipient = make_recipient("赵六", "440104001007")  # another street of 越秀区
    with pytest.raises(ValidationError) as caught:
        open_case(setting)
    assert caught.value.error_dict["station"][0].code == "station_outside"


def test_bad_input_names_every_field(world):
    setting = setting_a(world)
    with pytest.raises(ValidationError) as caught:
        open_case(
            setting,
            domain="nope",
            source="x",
            presenting_problem=" ",
            opened_on=datetime.date.today() + datetime.timedelta(days=3),
        )
    assert {"domain", "source", "presenting_problem", "opened_on"} <= set(caught.value.error_dict)
    assert not Case.objects.exists()


def test_opening_needs_add_case(world):
    with pytest.raises(PermissionDenied):
        open_case(setting_a(world), actor=world.district_a_admin)


def test_a_worker_opens_their_own_case(world):
    setting = setting_b(world)
    case = open_case(setting, actor=world.worker_b)
    assert case.worker.account == world.worker_b
