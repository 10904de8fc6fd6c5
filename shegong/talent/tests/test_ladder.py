"""The supervisor ladder: appointment, one step up, a named grade only with a reason, history and audit."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from shegong.audit.models import AuditEntry
from shegong.talent import services
from shegong.talent.models import SupervisorGrade, SupervisorGradeChange
from shegong.talent.tests.factories import make_user, make_worker
from shegong.testing.world import DISTRICT_B

pytestmark = pytest.mark.django_db

D = datetime.date
APPOINTED = D(2022, 3, 1)


def appoint(world, grade=SupervisorGrade.ASSISTANT, worker=None, since=APPOINTED):
    worker = worker or make_worker("李督导", agency=world.agency_a)
    return services.supervisor_appoint(
        worker=worker, grade=grade, grade_since=since, approving_authority="越秀区社会工作协会", actor=world.city_admin
    )


def test_appointment_starts_the_history(world):
    profile = appoint(world)
    assert profile.grade == SupervisorGrade.ASSISTANT
    (change,) = profile.grade_changes.all()
    assert change.kind == SupervisorGradeChange.Kind.APPOINTMENT and change.from_grade == ""
    assert AuditEntry.objects.filter(object_type="talent.supervisorprofile", object_id=str(profile.pk)).exists()


def test_a_worker_is_appointed_once(world):
    profile = appoint(world)
    with pytest.raises(ValidationError) as caught:
        appoint(world, worker=profile.worker)
    assert "已在督导人才库中" in str(caught.value)


def test_promotion_without_a_target_is_one_step_up(world):
    profile = appoint(world)
    change = services.supervisor_change_grade(
        profile=profile, changed_on=D(2023, 3, 1), approving_authority="市社工协会", actor=world.city_admin
    )
    profile.refresh_from_db()
    assert (change.kind, change.from_grade, change.to_grade) == ("promotion", "assistant", "trainee")
    assert profile.grade == SupervisorGrade.TRAINEE and profile.grade_since == D(2023, 3, 1)
    entry = AuditEntry.objects.filter(action="transition", object_id=str(profile.pk)).latest("sequence")
    assert entry.changes["grade"] == ["assistant", "trainee"]


def test_every_step_of_the_ladder_in_order(world):
    profile = appoint(world)
    for year, expected in zip(range(2023, 2027), ["trainee", "junior", "intermediate", "senior"], strict=True):
        services.supervisor_change_grade(
            profile=profile, changed_on=D(year, 1, 1), approving_authority="市社工协会", actor=world.city_admin
        )
        profile.refresh_from_db()
        assert profile.grade == expected
    with pytest.raises(ValidationError) as caught:
        services.supervisor_change_grade(
            profile=profile, changed_on=D(2026, 2, 1), approving_authority="市社工协会", actor=world.city_admin
        )
    assert "最高等级" in str(caught.value)


def test_skipping_steps_is_refused_without_a_reason(world):
    profile = appoint(world)
    with pytest.raises(ValidationError) as caught:
        services.supervisor_change_grade(
            profile=profile,
            to_grade=SupervisorGrade.INTERMEDIATE,
            changed_on=D(2023, 3, 1),
            approving_authority="市社工协会",
            actor=world.city_admin,
        )
    assert "reason" in caught.value.message_dict
    assert "跨越了 2 级" in caught.value.message_dict["reason"][0]
    profile.refresh_from_db()
    assert profile.grade == SupervisorGrade.ASSISTANT and profile.grade_changes.count() == 1


def test_skipping_steps_with_a_reason_is_recorded_as_such(world):
    profile = appoint(world)
    change = services.supervisor_change_grade(
        profile=profile,
        to_grade=SupervisorGrade.INTERMEDIATE,
        changed_on=D(2023, 3, 1),
        approving_authority="市社工协会",
        reason="穗社工协〔2023〕5号：引进资深督导，直接认定为中级督导",
        actor=world.city_admin,
    )
    assert change.kind == SupervisorGradeChange.Kind.SKIP
    assert change.reason.startswith("穗社工协")


def test_moving_down_needs_a_reason_and_the_same_grade_is_refused(world):
    profile = appoint(world, grade=SupervisorGrade.JUNIOR)
    with pytest.raises(ValidationError) as caught:
        services.supervisor_change_grade(
            profile=profile,
            to_grade=SupervisorGrade.TRAINEE,
            changed_on=D(2023, 3, 1),
            approving_authority="市社工协会",
            actor=world.city_admin,
        )
    assert "降级须写明理由" in str(caught.value)
    with pytest.raises(ValidationError):
        services.supervisor_change_grade(
            profile=profile,
            to_grade=SupervisorGrade.JUNIOR,
            changed_on=D(2023, 3, 1),
            approving_authority="市社工协会",
            actor=world.city_admin,
        )
    change = services.supervisor_change_grade(
        profile=profile,
        to_grade=SupervisorGrade.TRAINEE,
        changed_on=D(2023, 3, 1),
        approving_authority="市社工协会",
        reason="年度考核不合格",
        actor=world.city_admin,
    )
    assert change.kind == SupervisorGradeChange.Kind.DEMOTION


def test_dates_must_follow_the_current_grade_and_not_be_in_the_future(world):
    profile = appoint(world)
    with pytest.raises(ValidationError) as caught:
        services.supervisor_change_grade(
            profile=profile, changed_on=D(2021, 1, 1), approving_authority="市社工协会", actor=world.city_admin
        )
    assert "changed_on" in caught.value.message_dict
    with pytest.raises(ValidationError):
        services.supervisor_change_grade(
            profile=profile, changed_on=D(2999, 1, 1), approving_authority="市社工协会", actor=world.city_admin
        )


def test_the_approving_authority_is_required(world):
    profile = appoint(world)
    with pytest.raises(ValidationError) as caught:
        services.supervisor_change_grade(
            profile=profile, changed_on=D(2023, 1, 1), approving_authority=" ", actor=world.city_admin
        )
    assert "approving_authority" in caught.value.message_dict


def test_only_keepers_of_the_worker_move_the_grade(world):
    profile = appoint(world)
    other_agency_admin = make_user("agency_b_admin", "agency_admin", agency=world.agency_b)
    for outsider in (world.district_b_admin, other_agency_admin, world.worker_b, world.outsider):
        with pytest.raises(PermissionDenied):
            services.supervisor_change_grade(
                profile=profile, changed_on=D(2023, 1, 1), approving_authority="市社工协会", actor=outsider
            )
    services.supervisor_change_grade(
        profile=profile, changed_on=D(2023, 1, 1), approving_authority="机构", actor=world.agency_admin_a
    )


def test_the_grade_page_refuses_a_skip_without_reason_and_accepts_one_step(client, world):
    profile = appoint(world)
    client.force_login(world.district_a_admin)
    url = reverse("talent:supervisor_change_grade", args=[profile.pk])
    response = client.post(
        url, {"to_grade": "senior", "changed_on": "2023-05-01", "approving_authority": "区社工协会", "reason": ""}
    )
    assert response.status_code == 200
    assert "越级须写明理由" in response.content.decode()
    response = client.post(url, {"to_grade": "", "changed_on": "2023-05-01", "approving_authority": "区社工协会"})
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.grade == SupervisorGrade.TRAINEE
    page = client.get(reverse("talent:supervisor_detail", args=[profile.pk])).content.decode()
    assert "晋升" in page and "区社工协会" in page


def test_appointing_from_the_page_by_id_number(client, world):
    worker = make_worker("王新督", region=DISTRICT_B)
    client.force_login(world.district_b_admin)
    response = client.post(
        reverse("talent:supervisor_create"),
        {
            "worker": worker.id_number,
            "grade": "trainee",
            "grade_since": "2024-01-01",
            "approving_authority": "海珠区社会工作协会",
        },
    )
    assert response.status_code == 302
    assert worker.supervisor_profile.grade == "trainee"
    # A worker outside the user's scope is not found (and not confirmed to exist).
    stranger = make_worker("越秀某人")
    response = client.post(
        reverse("talent:supervisor_create"),
        {"worker": stranger.id_number, "grade": "trainee", "grade_since": "2024-01-01", "approving_authority": "x"},
    )
    assert response.status_code == 200
    assert "没有找到" in response.content.decode()
