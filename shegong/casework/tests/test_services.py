"""Crisis alerts, supervisor review, 服务人次 written and erased with sessions, closure closing requests."""

import datetime
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shegong.casework import services
from shegong.casework.models import Case, CaseCrisis
from shegong.casework.tests.factories import OPENED, fill, open_case, post, setting_a, setting_b, walk
from shegong.inbox.models import Notification
from shegong.persontimes.models import PersonTime
from shegong.stations.tests.factories import make_user, make_worker
from shegong.testing.world import STREET_A

pytestmark = pytest.mark.django_db


def test_raising_a_crisis_alerts_the_head_at_once(world):
    setting = setting_a(world)
    supervisor = make_user("supervisor_x", "supervisor", region=STREET_A)
    post(setting.station, make_worker(region=STREET_A, account=supervisor), role="supervisor")
    case = open_case(setting)
    crisis = services.crisis_raise(case=case, actor=world.station_head_a, kind="self_harm", note="表达自伤意念")
    case.refresh_from_db()
    assert case.crisis
    alerts = Notification.objects.filter(kind=Notification.Kind.CRISIS)
    assert {alert.user for alert in alerts} == {world.station_head_a, supervisor}
    alert = alerts.get(user=world.station_head_a)
    assert alert.urgency == Notification.Urgency.URGENT
    assert case.code in alert.title and alert.url.endswith(f"/casework/{case.pk}/")
    assert alert.subject == f"casework.casecrisis:{crisis.pk}"


def test_the_workers_own_supervisor_is_alerted_too(world):
    from django.utils import timezone

    from shegong.talent.models import SupervisionSession, SupervisorProfile

    setting = setting_a(world)
    mentor = make_user("mentor_x", "supervisor", region=STREET_A)
    profile = SupervisorProfile.objects.create(
        worker=make_worker(region=STREET_A, account=mentor), grade="junior", grade_since=OPENED
    )
    session = SupervisionSession.objects.create(
        supervisor=profile,
        held_on=timezone.localdate(),
        hours=2,
        topic="个案督导",
        mode="individual",
        recorded_by=mentor,
    )
    session.supervisees.add(setting.worker)
    case = open_case(setting)
    services.crisis_raise(case=case, actor=None, kind="violence", note="家暴")
    assert set(Notification.objects.filter(kind="crisis").values_list("user__username", flat=True)) == {
        "station_head_a",
        "mentor_x",
    }


def test_a_crisis_cannot_be_raised_twice_and_clearing_needs_a_note(world):
    case = open_case(setting_a(world))
    services.crisis_raise(case=case, actor=None, kind="abuse", note="疑似虐待")
    with pytest.raises(ValidationError) as caught:
        services.crisis_raise(case=case, actor=None, kind="abuse", note="再次")
    assert caught.value.error_list[0].code == "crisis_open"
    with pytest.raises(ValidationError) as caught:
        services.crisis_clear(case=case, actor=None, note=" ")
    assert "note" in caught.value.error_dict
    services.crisis_clear(case=case, actor=None, note="已安置，风险解除")
    case.refresh_from_db()
    assert not case.crisis
    assert CaseCrisis.objects.get(case=case).clear_note == "已安置，风险解除"
    services.crisis_raise(case=case, actor=None, kind="other", note="新情况")
    assert Notification.objects.filter(kind="crisis").count() == 2  # a new flag alerts again


def test_the_crisis_and_its_alert_commit_together(world):
    case = open_case(setting_a(world))
    failing = mock.patch("shegong.casework.services.record", side_effect=RuntimeError("audit down"))
    with failing, pytest.raises(RuntimeError):
        services.crisis_raise(case=case, actor=None, kind="violence", note="家暴")
    case.refresh_from_db()
    assert not case.crisis
    assert not Notification.objects.exists() and not CaseCrisis.objects.exists()


def test_review_notifies_the_worker(world):
    setting = setting_b(world)
    case = open_case(setting)
    head_b = make_user("head_b", "station_head", region=case.station.region_id)
    review = services.review_add(case=case, actor=head_b, decision="revise", comment="请补充风险评估")
    assert review.stage == Case.Stage.INTAKE
    alert = Notification.objects.get(kind=Notification.Kind.REVIEW)
    assert alert.user == world.worker_b and "需修改" in alert.title


def test_review_needs_the_permission_and_scope(world):
    case = open_case(setting_b(world))
    with pytest.raises(PermissionDenied):
        services.review_add(case=case, actor=world.worker_b, decision="approved", comment="自审")
    with pytest.raises(PermissionDenied):
        services.review_add(case=case, actor=world.station_head_a, decision="approved", comment="越界")
    with pytest.raises(ValidationError) as caught:
        services.review_add(case=case, actor=None, decision="maybe", comment="")
    assert {"decision", "comment"} <= set(caught.value.error_dict)


def _person_times(session):
    return PersonTime.objects.filter(kind=PersonTime.Kind.CASE_SESSION, source_id=session.pk)


def test_sessions_count_person_times_and_erase_them(world):
    case = walk(open_case(setting_a(world)), Case.Stage.INTERVENTION)
    session = services.session_add(
        case=case, actor=None, held_on=OPENED, kind="interview", duration_minutes=30, notes="面谈"
    )
    row = _person_times(session).get()
    assert (row.count, row.occurred_on, row.region_id, row.station_id, row.domain, row.worker_id) == (
        1,
        OPENED,
        case.region_id,
        case.station_id,
        case.domain,
        case.worker_id,
    )
    later = OPENED + datetime.timedelta(days=3)
    services.session_update(session=session, actor=None, held_on=later, kind="phone", duration_minutes=10, notes="电话")
    assert _person_times(session).get().occurred_on == later
    services.session_delete(session=session, actor=None)
    assert not _person_times(session).exists()


def test_bad_session_input(world):
    case = walk(open_case(setting_a(world)), Case.Stage.INTERVENTION)
    with pytest.raises(ValidationError) as caught:
        services.session_add(
            case=case,
            actor=None,
            held_on=OPENED - datetime.timedelta(days=1),
            kind="dance",
            duration_minutes=0,
            notes="",
        )
    assert {"held_on", "kind", "duration_minutes", "notes"} == set(caught.value.error_dict)
    assert not PersonTime.objects.exists()


def test_assessment_rules(world):
    case = walk(open_case(setting_a(world)), Case.Stage.ASSESSMENT)
    with pytest.raises(ValidationError) as caught:
        services.assessment_save(case=case, actor=None, needs={}, risk_level="high", assessed_on=OPENED)
    assert {"needs", "risk_factors"} == set(caught.value.error_dict)
    with pytest.raises(ValidationError):
        services.assessment_save(case=case, actor=None, needs={"moon": "x"}, risk_level="low", assessed_on=OPENED)


def test_closing_closes_the_requests_of_the_case(world):
    case = open_case(setting_a(world))
    with mock.patch("shegong.servicerequests.services.requests_close_for_case", return_value=1) as hook:
        services.case_move(
            case=case, to="closed", actor=None, closure_reason="client_ended", closure_summary="本人拒绝"
        )
    hook.assert_called_once()
    assert hook.call_args.kwargs["case"].pk == case.pk


def test_handing_a_case_over_moves_its_person_times(world):
    setting = setting_a(world)
    case = walk(open_case(setting), Case.Stage.INTERVENTION)
    fill(case)
    colleague = post(setting.station, make_worker(region=STREET_A))
    services.case_update(case=case, actor=world.station_head_a, worker=colleague)
    assert PersonTime.objects.get(kind="case_session").worker == colleague
    stranger = make_worker(region=STREET_A)
    with pytest.raises(ValidationError):
        services.case_update(case=case, actor=world.station_head_a, worker=stranger)


def test_a_supervisor_of_the_district_reviews(world):
    case = open_case(setting_b(world))
    supervisor = make_user("supervisor_b", "supervisor", region="440105000000")
    services.review_add(case=case, actor=supervisor, decision="approved", comment="计划可行")
    assert case.reviews.get().reviewer == supervisor
    outside = make_user("supervisor_a", "supervisor", region="440104000000")
    with pytest.raises(PermissionDenied):
        services.review_add(case=case, actor=outside, decision="approved", comment="越界")
