"""The register's and the service records' rules: real name, dedup, numbers, teams, 谁记录谁证明, corrections, void."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from shegong.audit.models import AuditEntry
from shegong.volunteers import selectors, services
from shegong.volunteers.models import ServiceRecord, ServiceRecordCorrection, Volunteer
from shegong.volunteers.tests.factories import (
    COMMUNITY_A,
    COMMUNITY_B,
    id_number,
    make_user,
    make_volunteer,
    make_worker,
    station_a,
    station_b,
)

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 3, 1)


def test_registration_reads_birth_date_and_sex_and_numbers_by_province_and_year(world):
    volunteer = make_volunteer(id_number=id_number("19851203", sequence=13), actor=world.station_head_a)
    assert volunteer.birth_date == datetime.date(1985, 12, 3) and volunteer.sex == "M"
    assert volunteer.number == "V442026000001" and volunteer.province_code == "44"
    assert make_volunteer("第二人").number == "V442026000002"
    assert Volunteer.objects.get(pk=volunteer.pk).id_number.startswith("440104")
    assert AuditEntry.objects.filter(object_type="volunteers.volunteer", action="create").count() == 2


@pytest.mark.parametrize(
    ("number", "code"),
    [("4401041990010100", "id_length"), ("44010419900101001A", "id_checksum"), ("", "required")],
)
def test_bad_id_numbers_are_refused_with_a_reason(world, number, code):
    with pytest.raises(ValidationError) as caught:
        make_volunteer(id_number=number)
    assert "id_number" in caught.value.message_dict
    assert caught.value.error_dict["id_number"][0].code == code or caught.value.message_dict["id_number"]
    assert not Volunteer.objects.exists()


def test_one_person_one_volunteer(world):
    number = id_number()
    first = make_volunteer("甲", id_number=number)
    with pytest.raises(ValidationError) as caught:
        make_volunteer("乙", id_number=number, actor=world.station_head_a)
    assert first.number in caught.value.message_dict["id_number"][0]
    with pytest.raises(ValidationError) as caught:
        make_volunteer("丙", COMMUNITY_B, id_number=number, actor=None)
    assert Volunteer.objects.count() == 1


def test_duplicate_message_names_nothing_out_of_scope(world):
    number = id_number()
    holder = make_volunteer("甲", COMMUNITY_B, id_number=number)
    with pytest.raises(ValidationError) as caught:
        make_volunteer("乙", id_number=number, actor=world.station_head_a)
    assert holder.number not in str(caught.value) and "甲" not in str(caught.value)


def test_keepers_register_only_in_their_scope_and_bureaus_do_not_register(world):
    with pytest.raises(ValidationError) as caught:
        make_volunteer("越界", COMMUNITY_B, actor=world.station_head_a)
    assert "region" in caught.value.message_dict
    with pytest.raises(PermissionDenied):
        make_volunteer("无权", actor=world.district_a_admin)
    assert not Volunteer.objects.filter(name__in=["越界", "无权"]).exists()


def test_station_must_cover_the_region(world):
    with pytest.raises(ValidationError) as caught:
        make_volunteer("错站", COMMUNITY_A, station=station_b())
    assert "station" in caught.value.message_dict


def test_status_change_needs_a_reason_and_is_audited(world):
    volunteer = make_volunteer(actor=world.station_head_a)
    with pytest.raises(ValidationError):
        services.volunteer_set_status(actor=world.station_head_a, volunteer=volunteer, status="suspended", reason=" ")
    services.volunteer_set_status(actor=world.station_head_a, volunteer=volunteer, status="suspended", reason="出国")
    volunteer.refresh_from_db()
    assert volunteer.status == "suspended"
    assert AuditEntry.objects.filter(object_id=str(volunteer.pk), action="transition", note="出国").exists()


def test_link_account_requires_the_volunteer_role(world):
    volunteer = make_volunteer()
    with pytest.raises(ValidationError):
        services.volunteer_link_account(actor=world.station_head_a, volunteer=volunteer, account=world.no_role)
    account = make_user("vol_person", "volunteer", region=COMMUNITY_A)
    services.volunteer_link_account(actor=world.station_head_a, volunteer=volunteer, account=account)
    assert Volunteer.objects.get(account=account) == volunteer
    other = make_volunteer("另一人")
    with pytest.raises(ValidationError):
        services.volunteer_link_account(actor=None, volunteer=other, account=account)
    services.volunteer_unlink_account(actor=world.station_head_a, volunteer=volunteer)
    assert not Volunteer.objects.filter(account=account).exists()


def test_team_leader_must_be_a_member(world):
    head = world.station_head_a
    team = services.team_create(actor=head, name="北京街助老队", region=station_a().region, station=station_a())
    member = make_volunteer("队员")
    with pytest.raises(ValidationError) as caught:
        services.team_set_leader(actor=head, team=team, volunteer=member)
    assert "leader" in caught.value.message_dict
    services.team_add_member(actor=head, team=team, volunteer=member)
    services.team_set_leader(actor=head, team=team, volunteer=member)
    with pytest.raises(ValidationError):
        services.team_remove_member(actor=head, team=team, volunteer=member)
    with pytest.raises(ValidationError):
        services.team_create(actor=head, name="北京街助老队", region=station_a().region, station=station_a())
    outsider_team = services.team_create(actor=None, name="海珠队", region=station_b().region, station=station_b())
    with pytest.raises(PermissionDenied):
        services.team_add_member(actor=head, team=outsider_team, volunteer=member)


def _organiser_b(world):
    from shegong.workers.models import SocialWorker

    return SocialWorker.objects.filter(account=world.worker_b).first() or make_worker(
        region="440105000000", account=world.worker_b
    )


def _record(world, volunteer=None, **values):
    _organiser_b(world)
    volunteer = volunteer or make_volunteer("海珠志愿者", COMMUNITY_B)
    values.setdefault("hours", "2.5")
    return services.service_record_create(
        actor=world.worker_b, volunteer=volunteer, service_date=DAY, content="长者探访陪伴", place="下渡社区", **values
    )


def test_record_then_confirm_by_the_organiser(world):
    entry = _record(world)
    assert entry.status == "pending" and entry.organiser.account == world.worker_b
    assert entry.station == station_b() and entry.region_id == station_b().region_id
    services.service_record_confirm(actor=world.worker_b, record_=entry)
    entry.refresh_from_db()
    assert entry.status == "confirmed" and entry.confirmed_by == world.worker_b and entry.confirmed_at
    with pytest.raises(ValidationError):
        services.service_record_confirm(actor=world.worker_b, record_=entry)


def test_a_volunteer_never_confirms_their_own_hours(world):
    account = make_user("self_confirm", "volunteer", region=COMMUNITY_B)
    volunteer = make_volunteer("自己", COMMUNITY_B)
    services.volunteer_link_account(actor=None, volunteer=volunteer, account=account)
    entry = _record(world, volunteer)
    with pytest.raises(PermissionDenied):
        services.service_record_confirm(actor=account, record_=entry)
    with pytest.raises(PermissionDenied):
        services.service_record_create(
            actor=account, volunteer=volunteer, service_date=DAY, hours=3, content="自报时长"
        )
    assert ServiceRecord.objects.get(pk=entry.pk).status == "pending"


def test_only_the_organiser_or_a_keeper_of_the_organiser_confirms(world):
    entry = _record(world)
    other_worker = make_user("other_worker_b", "social_worker", region="440105000000")
    for stranger in (other_worker, world.district_b_admin, world.station_head_a):
        with pytest.raises(PermissionDenied):
            services.service_record_confirm(actor=stranger, record_=entry)
    keeper = make_user("head_b", "station_head", region="440105001000")
    services.service_record_confirm(actor=keeper, record_=entry)
    assert ServiceRecord.objects.get(pk=entry.pk).confirmed_by == keeper


def test_hours_are_checked(world):
    for hours in ("0", "24.5", "abc"):
        with pytest.raises(ValidationError) as caught:
            _record(world, hours=hours)
        assert "hours" in caught.value.message_dict
    with pytest.raises(ValidationError):
        services.service_record_create(
            actor=None,
            volunteer=make_volunteer("未来"),
            service_date=datetime.date.today() + datetime.timedelta(days=2),
            hours=1,
            content="x",
        )


def test_correction_needs_a_reason_and_is_kept_and_audited(world):
    entry = services.service_record_confirm(actor=world.worker_b, record_=_record(world))
    with pytest.raises(ValidationError) as caught:
        services.service_record_correct(actor=world.worker_b, record_=entry, hours="3", reason="")
    assert "reason" in caught.value.message_dict
    services.service_record_correct(actor=world.worker_b, record_=entry, hours="3", reason="签退漏记半小时")
    entry.refresh_from_db()
    assert entry.hours == Decimal("3.0")
    correction = ServiceRecordCorrection.objects.get(record=entry)
    assert (correction.hours_before, correction.hours_after) == (Decimal("2.5"), Decimal("3.0"))
    audit = AuditEntry.objects.get(object_id=str(entry.pk), object_type="volunteers.servicerecord", action="update")
    assert audit.changes["hours"] == ["2.5", "3.0"] and "签退漏记半小时" in audit.note
    with pytest.raises(PermissionDenied):
        services.service_record_correct(actor=world.district_b_admin, record_=entry, hours="9", reason="想改")


def test_void_needs_a_reason_and_drops_the_hours(world):
    entry = services.service_record_confirm(actor=world.worker_b, record_=_record(world))
    assert selectors.volunteer_totals(world.district_b_admin, date_to=DAY).confirmed_hours == Decimal("2.5")
    with pytest.raises(ValidationError):
        services.service_record_void(actor=world.worker_b, record_=entry, reason="")
    services.service_record_void(actor=world.worker_b, record_=entry, reason="重复登记")
    entry.refresh_from_db()
    assert entry.status == "void" and entry.void_reason == "重复登记"
    assert selectors.volunteer_totals(world.district_b_admin, date_to=DAY).confirmed_hours == 0


def test_totals_count_registered_active_and_hours_in_scope(world):
    _record(world)
    services.service_record_confirm(actor=world.worker_b, record_=ServiceRecord.objects.get())
    make_volunteer("没服务过", COMMUNITY_B)
    make_volunteer("越秀人")
    totals = selectors.volunteer_totals(world.district_b_admin, date_to=DAY)
    assert (totals.registered, totals.active, totals.confirmed_hours, totals.services) == (2, 1, Decimal("2.5"), 1)
    assert selectors.volunteer_totals(world.city_admin, date_to=DAY).registered == 3
    assert selectors.volunteer_totals(world.outsider, date_to=DAY).registered == 0
    later = selectors.volunteer_totals(world.district_b_admin, date_to=DAY + datetime.timedelta(days=400))
    assert later.active == 0


def test_training_awards_evaluations(world):
    volunteer = make_volunteer()
    head = world.station_head_a
    services.training_add(
        actor=head, volunteer=volunteer, trained_on=DAY, title="急救培训", hours="4", organiser="红十字会"
    )
    services.award_add(actor=head, volunteer=volunteer, awarded_on=DAY, title="优秀志愿者", awarded_by="越秀区民政局")
    services.evaluation_add(
        actor=head, volunteer=volunteer, evaluated_on=DAY, grade="excellent", evaluator="北京街社工站"
    )
    with pytest.raises(ValidationError):
        services.evaluation_add(actor=head, volunteer=volunteer, evaluated_on=DAY, grade="best", evaluator="x")
    assert (volunteer.trainings.count(), volunteer.awards.count(), volunteer.evaluations.count()) == (1, 1, 1)
    with pytest.raises(PermissionDenied):
        services.award_add(actor=world.worker_b, volunteer=volunteer, awarded_on=DAY, title="x", awarded_by="y")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL; SQLite serialises writes")
@pytest.mark.django_db(transaction=True)
def test_numbers_stay_unique_under_concurrent_registrations(world):
    from django.db import connections

    station_a()  # the managing station exists before the race (the race is for numbers)
    numbers, errors = [], []
    barrier = threading.Barrier(6)

    def register(index):
        try:
            barrier.wait()
            numbers.append(make_volunteer(f"并发{index}", id_number=id_number(sequence=500 + index)).number)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=register, args=(index,)) for index in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(set(numbers)) == 6 and sorted(numbers)[-1] == "V442026000006"


def test_a_teams_hours_are_its_members_confirmed_hours(world):
    station = station_a()
    team = services.team_create(actor=None, name="合计队", region=station.region, station=station)
    member = make_volunteer()
    services.team_add_member(actor=None, team=team, volunteer=member)
    kept = services.service_record_create(
        actor=world.station_head_a, volunteer=member, service_date=DAY, hours="2.5", content="探访", station=station
    )
    services.service_record_confirm(actor=world.station_head_a, record_=kept)
    services.service_record_create(  # pending: does not count
        actor=world.station_head_a, volunteer=member, service_date=DAY, hours="4", content="探访", station=station
    )
    assert selectors.team_confirmed_hours(team) == Decimal("2.5")
