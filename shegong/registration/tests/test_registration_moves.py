"""The registration state machine: every move allowed and forbidden, who may make it, the first-registration period,
renewals (window, hours, violations) and expiry."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from shegong.audit.models import AuditEntry
from shegong.policies.models import PolicyProfile, PolicyRule
from shegong.policies.registry import get as rule_kind
from shegong.registration import services
from shegong.registration.models import Registration, TrainingRecord
from shegong.registration.tests.factories import (
    make_certificate,
    make_registration,
    make_training,
    make_violation,
    make_worker,
    registered,
)
from shegong.testing.world import DISTRICT_A, DISTRICT_B

pytestmark = pytest.mark.django_db
State = Registration.State
TODAY = datetime.date(2026, 5, 15)


def audit_notes(registration) -> list[str]:
    return list(
        AuditEntry.objects.filter(object_type="registration.registration", object_id=str(registration.pk))
        .order_by("sequence")
        .values_list("action", flat=True)
    )


# --- The happy path --------------------------------------------------------------------------------------------------


def test_first_registration_from_submission_to_registered(world, certificate, worker):
    registration = services.registration_submit(certificate=certificate, actor=worker.account)
    assert registration.state == State.PENDING and registration.kind == Registration.Kind.FIRST

    services.registration_first_approve(registration=registration, actor=world.district_a_admin, note="材料齐全")
    services.registration_final_approve(registration=registration, actor=world.city_admin)
    registration = services.registration_register(registration=registration, actor=world.city_admin, today=TODAY)

    registration.refresh_from_db()
    assert registration.state == State.REGISTERED
    assert (registration.first_reviewed_by, registration.final_reviewed_by) == (
        world.district_a_admin,
        world.city_admin,
    )
    assert registration.first_review_note == "材料齐全"
    assert (registration.registered_on, registration.valid_from) == (TODAY, TODAY)
    assert registration.valid_until == datetime.date(2029, 5, 14)  # 3 years, the last day included
    assert audit_notes(registration) == ["create", "transition", "transition", "transition"]


# --- Every move, allowed and forbidden -------------------------------------------------------------------------------


MOVES = {
    "first_approve": (State.PENDING, State.FIRST_APPROVED),
    "first_reject": (State.PENDING, State.FIRST_REJECTED),
    "final_approve": (State.FIRST_APPROVED, State.FINAL_APPROVED),
    "final_reject": (State.FIRST_APPROVED, State.FINAL_REJECTED),
    "register": (State.FINAL_APPROVED, State.REGISTERED),
}


def run_move(move: str, registration, world):
    if move.startswith("first"):
        func = getattr(services, f"registration_{move}")
        return func(registration=registration, actor=world.district_a_admin, note="意见")
    if move.startswith("final"):
        func = getattr(services, f"registration_{move}")
        return func(registration=registration, actor=world.city_admin, note="意见")
    return services.registration_register(registration=registration, actor=world.city_admin)


@pytest.mark.parametrize("state", State.values)
@pytest.mark.parametrize("move", list(MOVES))
def test_each_move_only_from_its_state(world, worker, state, move):
    registration = make_registration(
        make_certificate(worker),
        state=state,
        first_by=world.district_a_admin,
        final_by=world.city_admin,
        submitted_by=worker.account,
    )
    source, target = MOVES[move]
    if state == source:
        if move.startswith("final"):
            # The first review was someone else's, so the city admin may make the final one.
            Registration.objects.filter(pk=registration.pk).update(first_reviewed_by=world.district_b_admin)
            registration.refresh_from_db()
        run_move(move, registration, world)
        registration.refresh_from_db()
        assert registration.state == target
    else:
        with pytest.raises(ValidationError) as refused:
            run_move(move, registration, world)
        assert "当前状态为" in refused.value.messages[0]
        registration.refresh_from_db()
        assert registration.state == state


def test_rejections_need_a_note(world, certificate):
    registration = make_registration(certificate, submitted_by=world.district_a_admin)
    with pytest.raises(ValidationError) as refused:
        services.registration_first_reject(registration=registration, actor=world.district_a_admin, note="  ")
    assert "必须填写意见" in str(refused.value)
    services.registration_first_reject(registration=registration, actor=world.district_a_admin, note="证书信息不符")
    registration.refresh_from_db()
    assert registration.state == State.FIRST_REJECTED and registration.first_review_note == "证书信息不符"


# --- Who reviews ------------------------------------------------------------------------------------------------------


def test_first_review_needs_a_district_level_admin_covering_the_worker(world, certificate):
    registration = make_registration(certificate, submitted_by=world.district_a_admin)
    for user, message in [
        (world.city_admin, "区县"),  # the right role, the wrong level
        (world.outsider, "区县"),  # another city
        (world.station_head_a, "没有初审"),  # no such permission
        (world.agency_admin_a, "没有初审"),
        (world.worker_b, "没有初审"),
    ]:
        with pytest.raises(PermissionDenied) as refused:
            services.registration_first_approve(registration=registration, actor=user)
        assert message in str(refused.value), user
    with pytest.raises(PermissionDenied):
        services.registration_first_approve(registration=registration, actor=world.district_b_admin)  # district B
    registration.refresh_from_db()
    assert registration.state == State.PENDING


def test_final_review_needs_a_city_level_admin(world, certificate):
    registration = make_registration(
        certificate, state=State.FIRST_APPROVED, first_by=world.district_a_admin, submitted_by=world.district_a_admin
    )
    for user in (world.district_b_admin, world.outsider, world.station_head_a, world.agency_admin_a):
        with pytest.raises(PermissionDenied):
            services.registration_final_approve(registration=registration, actor=user)
    registration.refresh_from_db()
    assert registration.state == State.FIRST_APPROVED
    approved = make_registration(
        make_certificate(registration.worker, level="senior"),
        state=State.FINAL_APPROVED,
        first_by=world.district_a_admin,
        final_by=world.city_admin,
    )
    with pytest.raises(PermissionDenied):
        services.registration_register(registration=approved, actor=world.district_a_admin)


def test_the_same_person_cannot_review_twice(world, certificate, both_levels):
    registration = make_registration(certificate, submitted_by=both_levels)
    services.registration_first_approve(registration=registration, actor=both_levels)
    with pytest.raises(ValidationError) as refused:
        services.registration_final_approve(registration=registration, actor=both_levels)
    assert "另一人" in refused.value.messages[0]
    with pytest.raises(ValidationError):
        services.registration_final_reject(registration=registration, actor=both_levels, note="不同意")
    registration.refresh_from_db()
    assert registration.state == State.FIRST_APPROVED and registration.final_reviewed_by is None
    services.registration_final_approve(registration=registration, actor=world.city_admin)  # someone else may


def test_database_constraints(world, certificate):
    registration = make_registration(
        certificate, state=State.FIRST_APPROVED, first_by=world.district_a_admin, submitted_by=world.district_a_admin
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Registration.objects.filter(pk=registration.pk).update(
            state=State.FINAL_APPROVED, final_reviewed_by=world.district_a_admin, final_reviewed_at=timezone.now()
        )
    in_force = registered(certificate, world, valid_until=TODAY + datetime.timedelta(days=400))
    with pytest.raises(IntegrityError), transaction.atomic():
        make_registration(
            certificate, state=State.REGISTERED, first_by=world.district_a_admin, final_by=world.city_admin
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Registration.objects.filter(pk=in_force.pk).update(valid_until=in_force.valid_from)


# --- Submitting ---------------------------------------------------------------------------------------------------


def test_first_registration_within_one_year_of_the_year_passed(world, worker):
    certificate = make_certificate(worker, year=2025)
    # Passed in 2025: the first registration is accepted until 2026-12-31 (see policy.py).
    with pytest.raises(ValidationError) as refused:
        services.registration_submit(certificate=certificate, actor=worker.account, today=datetime.date(2027, 1, 1))
    assert "2026-12-31" in refused.value.messages[0] and "已逾期" in refused.value.messages[0]
    assert not Registration.objects.filter(certificate=certificate).exists()
    registration = services.registration_submit(
        certificate=certificate, actor=worker.account, today=datetime.date(2026, 12, 31)
    )
    assert registration.state == State.PENDING


def test_one_open_application_and_no_second_first_registration(world, certificate, worker):
    services.registration_submit(certificate=certificate, actor=worker.account)
    with pytest.raises(ValidationError) as refused:
        services.registration_submit(certificate=certificate, actor=worker.account)
    assert "正在审核" in refused.value.messages[0]
    Registration.objects.filter(certificate=certificate).update(
        state=State.FIRST_REJECTED, first_reviewed_by=world.district_a_admin, first_reviewed_at=timezone.now()
    )
    services.registration_submit(certificate=certificate, actor=worker.account)  # after a rejection, apply again
    other = make_certificate(worker, level="senior")
    registered(other, world, valid_until=timezone.localdate() + datetime.timedelta(days=500))
    with pytest.raises(ValidationError) as refused:
        services.registration_submit(certificate=other, actor=worker.account)
    assert "再登记" in refused.value.messages[0]


def test_who_may_apply(world, certificate):
    services.registration_submit(certificate=certificate, actor=world.agency_admin_a)  # the worker's agency
    Registration.objects.all().delete()
    for user in (world.district_b_admin, world.worker_b, world.station_head_a, world.no_role):
        with pytest.raises(PermissionDenied):
            services.registration_submit(certificate=certificate, actor=user)


# --- Renewal ---------------------------------------------------------------------------------------------------------

UNTIL = datetime.date(2026, 6, 30)  # the last valid day; the renewal window opens on 2026-04-01


def enough_hours(worker, world, hours="90"):
    make_training(worker, hours=hours, end=datetime.date(2025, 3, 1), days=10, verified_by=world.district_a_admin)


def test_renewal_in_the_window_with_the_hours_and_then_registered(world, certificate, worker):
    previous = registered(certificate, world, valid_until=UNTIL)
    enough_hours(worker, world)
    renewal = services.registration_renew(previous=previous, actor=worker.account, today=datetime.date(2026, 4, 1))
    assert renewal.kind == Registration.Kind.RENEWAL and renewal.previous == previous
    services.registration_first_approve(
        registration=renewal, actor=world.district_a_admin, today=datetime.date(2026, 4, 2)
    )
    services.registration_final_approve(registration=renewal, actor=world.city_admin, today=datetime.date(2026, 4, 3))
    services.registration_register(registration=renewal, actor=world.city_admin, today=datetime.date(2026, 4, 5))
    renewal.refresh_from_db()
    previous.refresh_from_db()
    assert previous.state == State.SUPERSEDED
    assert renewal.state == State.REGISTERED
    assert (renewal.valid_from, renewal.valid_until) == (datetime.date(2026, 7, 1), datetime.date(2029, 6, 30))


@pytest.mark.parametrize("day", [datetime.date(2026, 3, 31), datetime.date(2026, 7, 1), datetime.date(2025, 1, 1)])
def test_renewal_outside_the_last_three_months_is_refused(world, certificate, worker, day):
    previous = registered(certificate, world, valid_until=UNTIL)
    enough_hours(worker, world)
    with pytest.raises(ValidationError) as refused:
        services.registration_renew(previous=previous, actor=worker.account, today=day)
    assert "2026-04-01 至 2026-06-30" in refused.value.messages[0]
    assert not Registration.objects.filter(previous=previous).exists()


def test_renewal_of_an_expired_registration_is_refused(world, certificate, worker):
    previous = registered(certificate, world, valid_until=UNTIL)
    services.registrations_expire(today=datetime.date(2026, 7, 1))
    with pytest.raises(ValidationError) as refused:
        services.registration_renew(previous=previous, actor=worker.account, today=datetime.date(2026, 7, 2))
    assert "已于 2026-06-30 到期" in refused.value.messages[0]


def test_renewal_without_enough_hours_is_refused_with_the_figures(world, certificate, worker):
    previous = registered(certificate, world, valid_until=UNTIL)
    make_training(worker, hours="40", end=datetime.date(2025, 3, 1), days=5, verified_by=world.district_a_admin)
    make_training(worker, hours="30", end=datetime.date(2025, 5, 1), days=5, created_by=worker.account)  # unverified
    make_training(worker, hours="60", end=datetime.date(2023, 6, 30), days=6, verified_by=world.district_a_admin)
    with pytest.raises(ValidationError) as refused:
        services.registration_renew(previous=previous, actor=worker.account, today=datetime.date(2026, 5, 1))
    message = refused.value.messages[0]
    assert "2023-07-01 至 2026-06-30" in message  # only hours of this registration period count
    assert "继续教育为 40 小时" in message and "社会工作师须不少于 90 小时" in message and "还差 50 小时" in message


def test_assistant_level_needs_72_hours(world, worker):
    certificate = make_certificate(worker, level="assistant")
    previous = registered(certificate, world, valid_until=UNTIL)
    make_training(worker, hours="71.5", end=datetime.date(2025, 3, 1), days=10, verified_by=world.district_a_admin)
    with pytest.raises(ValidationError) as refused:
        services.registration_renew(previous=previous, actor=worker.account, today=datetime.date(2026, 5, 1))
    assert "助理社会工作师须不少于 72 小时，还差 0.5 小时" in refused.value.messages[0]
    make_training(worker, hours="0.5", end=datetime.date(2025, 4, 1), days=1, verified_by=world.district_a_admin)
    services.registration_renew(previous=previous, actor=worker.account, today=datetime.date(2026, 5, 1))


def test_renewal_with_an_open_violation_is_refused(world, certificate, worker):
    previous = registered(certificate, world, valid_until=UNTIL)
    enough_hours(worker, world)
    violation = make_violation(
        worker, world.district_a_admin, title="未按规定签订服务协议", occurred_on=datetime.date(2026, 1, 5)
    )
    with pytest.raises(ValidationError) as refused:
        services.registration_renew(previous=previous, actor=worker.account, today=datetime.date(2026, 5, 1))
    assert "未办结的违规记录（未按规定签订服务协议）" in refused.value.messages[0]
    violation.closed_on = datetime.date(2026, 4, 20)
    violation.save()
    services.registration_renew(previous=previous, actor=worker.account, today=datetime.date(2026, 5, 1))


def test_a_violation_during_review_blocks_approval(world, certificate, worker):
    previous = registered(certificate, world, valid_until=UNTIL)
    enough_hours(worker, world)
    renewal = services.registration_renew(previous=previous, actor=worker.account, today=datetime.date(2026, 5, 1))
    make_violation(worker, world.district_a_admin, occurred_on=datetime.date(2026, 5, 2))
    with pytest.raises(ValidationError) as refused:
        services.registration_first_approve(
            registration=renewal, actor=world.district_a_admin, today=datetime.date(2026, 5, 3)
        )
    assert "违规" in " ".join(refused.value.messages)
    services.registration_first_reject(registration=renewal, actor=world.district_a_admin, note="有未办结的违规记录")


def test_the_hours_come_from_the_policy_profile_in_force(world, certificate, worker):
    kind = rule_kind("continuing_education_hours")
    profile = PolicyProfile.objects.create(
        name="越秀区继续教育（测试）", region_id=DISTRICT_A, valid_from=datetime.date(2020, 1, 1)
    )
    PolicyRule.objects.create(
        profile=profile,
        kind=kind.code,
        params=kind.clean_params(
            {"assistant_hours": 72, "intermediate_hours": 100, "senior_hours": 100, "period_years": 3}
        ),
    )
    previous = registered(certificate, world, valid_until=UNTIL)
    enough_hours(worker, world, hours="90")
    with pytest.raises(ValidationError) as refused:
        services.registration_renew(previous=previous, actor=worker.account, today=datetime.date(2026, 5, 1))
    assert "不少于 100 小时，还差 10 小时" in refused.value.messages[0]
    # A worker of district B is not bound by district A's profile.
    worker_b = make_worker(region=DISTRICT_B)
    previous_b = registered(make_certificate(worker_b), world, valid_until=UNTIL)
    make_training(worker_b, hours="90", end=datetime.date(2025, 3, 1), days=10, verified_by=world.district_b_admin)
    services.registration_renew(previous=previous_b, actor=world.district_b_admin, today=datetime.date(2026, 5, 1))


def test_degree_counts_once_toward_the_period(world, certificate, worker):
    previous = registered(certificate, world, valid_until=UNTIL)
    make_training(
        worker, kind=TrainingRecord.Kind.DEGREE, end=datetime.date(2024, 7, 1), days=1000, verified_by=world.city_admin
    )
    make_training(
        worker, kind=TrainingRecord.Kind.DEGREE, end=datetime.date(2025, 7, 1), days=700, verified_by=world.city_admin
    )
    renewal = services.registration_renew(previous=previous, actor=worker.account, today=datetime.date(2026, 5, 1))
    assert renewal.state == State.PENDING  # 90 h from the (first) degree: exactly enough for 社会工作师


# --- Expiry ----------------------------------------------------------------------------------------------------------


def test_expire_moves_only_past_registrations_and_is_idempotent(world, worker):
    past = registered(make_certificate(worker, level="assistant"), world, valid_until=datetime.date(2026, 5, 14))
    last_day = registered(make_certificate(worker, level="intermediate"), world, valid_until=datetime.date(2026, 5, 15))
    pending = make_registration(make_certificate(worker, level="senior"), submitted_by=world.district_a_admin)
    assert services.registrations_expire(today=TODAY) == 1
    assert services.registrations_expire(today=TODAY) == 0
    for registration in (past, last_day, pending):
        registration.refresh_from_db()
    assert (past.state, last_day.state, pending.state) == (State.EXPIRED, State.REGISTERED, State.PENDING)
    assert past.closed_at is not None
    entry = AuditEntry.objects.get(object_type="registration.registration", object_id=str(past.pk))
    assert entry.action == "transition" and entry.actor_username == "system" and "2026-05-14" in entry.note


def test_expire_command(world, worker, capsys):
    past = registered(make_certificate(worker), world, valid_until=datetime.date(2026, 5, 14))
    call_command("registration", "expire", "--date", "2026-05-15")
    call_command("registration", "expire", "--date", "2026-05-15")
    out = capsys.readouterr().out
    assert "1 registration(s) expired" in out and "0 registration(s) expired" in out
    past.refresh_from_db()
    assert past.state == State.EXPIRED


def test_hours_sums_are_decimal(world, certificate, worker):
    from shegong.registration.policy import policy_for
    from shegong.registration.selectors import hours_between

    make_training(worker, hours="1.5", end=datetime.date(2025, 1, 1), days=1, verified_by=world.district_a_admin)
    make_training(worker, hours="2.5", end=datetime.date(2025, 1, 2), days=1, verified_by=world.district_a_admin)
    hours = hours_between(worker, policy_for(worker.region))
    assert hours.continuing == Decimal("4.0")


def test_a_rejected_renewal_may_be_applied_for_again(world, certificate, worker):
    previous = registered(certificate, world, valid_until=UNTIL)
    enough_hours(worker, world)
    day = datetime.date(2026, 5, 1)
    renewal = services.registration_renew(previous=previous, actor=worker.account, today=day)
    with pytest.raises(ValidationError) as refused:
        services.registration_renew(previous=previous, actor=worker.account, today=day)
    assert "正在审核" in refused.value.messages[0] or "已有再登记申请" in refused.value.messages[0]
    services.registration_first_reject(registration=renewal, actor=world.district_a_admin, note="证明材料缺页")
    again = services.registration_renew(previous=previous, actor=worker.account, today=day)
    assert again.state == State.PENDING and list(previous.renewals.order_by("id")) == [renewal, again]
