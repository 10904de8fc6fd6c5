"""Staff assignments: one full-time post per worker on any day (in the service under the worker's lock, and on
PostgreSQL in an exclusion constraint, also for two requests at once), part-time posts beside it, no blacklisted
worker, one resident social worker per room (一社区一社工); and the presence check-ins a station head records."""

import datetime
import threading
import time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from shegong.audit.models import AuditEntry
from shegong.stations import selectors, services
from shegong.stations.models import PresenceCheckIn, StaffAssignment, Station
from shegong.stations.tests.factories import LONG_AGO, blacklist, make_station, make_worker
from shegong.testing.baseline import ensure_baseline
from shegong.testing.world import COMMUNITY_A, STREET_A, build_world

Kind = Station.Kind
Role = StaffAssignment.Role
STREET_A2 = "440104001000"  # 洪桥街道, 越秀区
COMMUNITY_A2 = "440104003107"  # 龙藏社区居委会, 北京街道
D = datetime.date


JAN_2024 = D(2024, 1, 1)


def assign(station, worker, *, actor=None, role=Role.FULL_TIME, full_time=True, start=JAN_2024, end=None):
    return services.staff_assign(
        actor=actor, station=station, worker=worker, role=role, full_time=full_time, start_date=start, end_date=end
    )


def text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@pytest.fixture
def two_stations(world):
    return make_station(Kind.STATION, STREET_A, name="北京街社工站"), make_station(
        Kind.STATION, STREET_A2, name="洪桥街社工站"
    )


@pytest.mark.django_db
class TestFullTime:
    def test_a_second_full_time_post_on_a_shared_day_is_refused(self, two_stations):
        first, second = two_stations
        worker = make_worker(name="陈小红")
        assign(first, worker, start=D(2024, 1, 1), end=D(2024, 6, 30))
        with pytest.raises(ValidationError) as caught:
            assign(second, worker, start=D(2024, 6, 30))
        message = text(caught.value)
        assert "陈小红 已在“北京街社工站”专职（2024-01-01 至 2024-06-30）" in message
        assert "同一人同一天只能在一个站点专职" in message
        assert caught.value.message_dict["full_time"]
        assert StaffAssignment.objects.filter(worker=worker).count() == 1

    def test_an_open_ended_post_blocks_every_later_day(self, two_stations):
        first, second = two_stations
        worker = make_worker()
        assign(first, worker, start=D(2024, 1, 1))
        with pytest.raises(ValidationError):
            assign(second, worker, start=D(2030, 1, 1), end=D(2030, 1, 31))

    def test_consecutive_full_time_posts_are_allowed(self, two_stations):
        first, second = two_stations
        worker = make_worker()
        assign(first, worker, start=D(2024, 1, 1), end=D(2024, 6, 30))
        assign(second, worker, start=D(2024, 7, 1))
        assert StaffAssignment.objects.filter(worker=worker, full_time=True).count() == 2

    def test_a_part_time_second_post_is_allowed(self, two_stations):
        first, second = two_stations
        worker = make_worker()
        assign(first, worker)
        part = assign(second, worker, role=Role.SUPERVISOR, full_time=False)
        assert not part.full_time
        # …and a full-time post cannot then be added beside the first through a change either.
        with pytest.raises(ValidationError) as caught:
            services.staff_assignment_change(
                actor=None,
                assignment=part,
                role=Role.SUPERVISOR,
                full_time=True,
                start_date=part.start_date,
                end_date=None,
            )
        assert "同一人同一天只能在一个站点专职" in text(caught.value)

    def test_two_posts_at_the_same_station_overlapping_are_refused(self, two_stations):
        first, _second = two_stations
        worker = make_worker(name="李明")
        assign(first, worker, role=Role.HEAD)
        with pytest.raises(ValidationError) as caught:
            assign(first, worker, role=Role.ASSISTANT, full_time=False, start=D(2025, 1, 1))
        assert "李明 在这段时间已在本站任站长" in text(caught.value)

    def test_ending_then_extending_a_post_is_checked_again(self, two_stations):
        first, second = two_stations
        worker = make_worker()
        post = assign(first, worker)
        services.staff_assignment_end(actor=None, assignment=post, end_date=D(2024, 3, 31))
        assign(second, worker, start=D(2024, 4, 1))
        with pytest.raises(ValidationError):
            services.staff_assignment_end(actor=None, assignment=post, end_date=D(2024, 4, 1))
        with pytest.raises(ValidationError) as caught:
            services.staff_assignment_end(actor=None, assignment=post, end_date=D(2023, 12, 31))
        assert "结束日期不能早于起始日期" in text(caught.value)
        post.refresh_from_db()
        assert post.end_date == D(2024, 3, 31)


@pytest.mark.django_db
def test_a_blacklisted_worker_cannot_be_assigned(world, two_stations):
    first, _second = two_stations
    worker = make_worker(name="王五")
    blacklist(worker, world.city_admin, on=D(2023, 5, 1))
    with pytest.raises(ValidationError) as caught:
        assign(first, worker, start=D(2024, 1, 1))
    assert "王五 已被列入黑名单" in text(caught.value)
    assert "worker" in caught.value.message_dict
    left = make_worker(name="赵六", status="left")
    with pytest.raises(ValidationError) as caught:
        assign(first, left)
    assert "当前状态为“离职”" in text(caught.value)


@pytest.mark.django_db
def test_assignments_are_scoped_and_audited(world, two_stations):
    first, _second = two_stations
    station_b = make_station(Kind.STATION, "440105001000")
    worker = make_worker(region=STREET_A)
    with pytest.raises(PermissionDenied):
        assign(station_b, worker, actor=world.station_head_a)
    with pytest.raises(PermissionDenied):
        assign(first, worker, actor=world.worker_b)
    outside = make_worker(region="440105001000")
    with pytest.raises(ValidationError) as caught:
        assign(first, outside, actor=world.station_head_a)
    assert "该社工不在您的管辖范围内" in text(caught.value)
    post = assign(first, worker, actor=world.station_head_a)
    assert post.created_by == world.station_head_a
    entry = AuditEntry.objects.get(object_type="stations.staffassignment", object_id=str(post.pk))
    assert entry.action == "create" and entry.actor_username == "station_head_a"
    assert entry.changes["role"] == [None, "full_time"]


@pytest.mark.django_db
class TestResident:
    def test_one_resident_per_room_and_only_in_rooms(self, world):
        room = make_station(Kind.ROOM, COMMUNITY_A, name="流水井社区社工室")
        street = make_station(Kind.STATION, STREET_A)
        first, second = make_worker(name="周一"), make_worker(name="吴二")
        with pytest.raises(ValidationError) as caught:
            assign(street, first, role=Role.RESIDENT)
        assert "驻点社工只能安排在村社社工室" in text(caught.value)
        assert selectors.assigned_worker(room) is None
        assign(room, first, role=Role.RESIDENT, start=D(2024, 1, 1), end=D(2024, 12, 31))
        with pytest.raises(ValidationError) as caught:
            assign(room, second, role=Role.RESIDENT, start=D(2024, 12, 1))
        assert "已有驻点社工 周一（2024-01-01 至 2024-12-31）" in text(caught.value)
        assign(room, second, role=Role.RESIDENT, start=D(2025, 1, 1))
        assert selectors.assigned_worker(room, D(2024, 6, 1)) == first
        assert selectors.assigned_worker(room, D(2025, 6, 1)) == second
        assert selectors.assigned_worker(room, D(2023, 6, 1)) is None


@pytest.mark.django_db
class TestCheckIn:
    @pytest.fixture
    def room(self, world):
        room = make_station(Kind.ROOM, COMMUNITY_A)
        worker = make_worker(name="孙七")
        assign(room, worker, role=Role.RESIDENT, start=LONG_AGO)
        return room, worker

    def test_manual_entry_needs_a_note_and_a_day_counts_once(self, world, room):
        station, worker = room
        day = timezone.localdate() - datetime.timedelta(days=1)
        with pytest.raises(ValidationError) as caught:
            services.presence_check_in(
                actor=world.station_head_a, station=station, worker=worker, date=day, method="manual"
            )
        assert "补录须写明原因" in caught.value.message_dict["note"][0]
        entry = services.presence_check_in(
            actor=world.station_head_a,
            station=station,
            worker=worker,
            date=day,
            method="manual",
            note="忘记签到，已核实",
        )
        assert entry.community_id == COMMUNITY_A and entry.recorded_by == world.station_head_a
        with pytest.raises(ValidationError) as caught:
            services.presence_check_in(
                actor=world.station_head_a, station=station, worker=worker, date=day, method="qr"
            )
        assert "已在流水井社区居委会签到，同一天只记一次" in text(caught.value)
        assert PresenceCheckIn.objects.count() == 1
        assert AuditEntry.objects.filter(object_type="stations.presencecheckin").count() == 1

    def test_refusals(self, world, room):
        station, worker = room
        today = timezone.localdate()
        with pytest.raises(ValidationError) as caught:
            services.presence_check_in(
                actor=None, station=station, worker=worker, date=today + datetime.timedelta(days=1), method="qr"
            )
        assert "签到日期不能晚于今天" in text(caught.value)
        stranger = make_worker(name="郑八")
        with pytest.raises(ValidationError) as caught:
            services.presence_check_in(actor=None, station=station, worker=stranger, date=today, method="qr")
        assert "郑八 在" in text(caught.value) and "不在本站在岗" in text(caught.value)
        street = make_station(Kind.STATION, STREET_A)
        assign(street, stranger, full_time=False, role=Role.ASSISTANT)
        with pytest.raises(ValidationError) as caught:
            services.presence_check_in(actor=None, station=street, worker=stranger, date=today, method="qr")
        assert "请选择签到的社区" in text(caught.value)
        with pytest.raises(ValidationError) as caught:
            services.presence_check_in(
                actor=None, station=street, worker=stranger, date=today, method="qr", community=station.region.parent
            )
        assert "签到社区须是本站点辖区内的村或社区" in text(caught.value)
        from shegong.regions.models import Region

        services.presence_check_in(
            actor=None,
            station=street,
            worker=stranger,
            date=today,
            method="qr",
            community=Region.objects.get(pk=COMMUNITY_A2),
        )
        with pytest.raises(PermissionDenied):
            services.presence_check_in(
                actor=world.district_b_admin, station=station, worker=worker, date=today, method="qr"
            )


# --- PostgreSQL: the database's own guarantee, and two requests at once ----------------------------------------------

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the exclusion constraint and row locks (SELECT … FOR UPDATE) exist on PostgreSQL only; on SQLite a write "
    "locks the whole database, so two requests cannot interleave there",
)


@postgresql_only
@pytest.mark.django_db
def test_the_exclusion_constraint_refuses_a_writer_that_bypasses_the_service(two_stations, monkeypatch):
    first, second = two_stations
    worker = make_worker()
    assign(first, worker, start=D(2024, 1, 1), end=D(2024, 12, 31))
    with pytest.raises(IntegrityError), transaction.atomic():
        StaffAssignment.objects.create(
            station=second, worker=worker, role=Role.FULL_TIME, full_time=True, start_date=D(2024, 12, 31)
        )
    # Part-time rows are outside the constraint.
    StaffAssignment.objects.create(
        station=second, worker=worker, role=Role.ASSISTANT, full_time=False, start_date=D(2024, 6, 1)
    )
    # A service whose check was skipped meets the constraint, and the refusal reads the same.
    monkeypatch.setattr(services, "_check_assignment", lambda assignment: None)
    third = make_station(Kind.STATION, "440104004000")
    with pytest.raises(ValidationError) as caught:
        assign(third, worker, start=D(2024, 3, 1), end=D(2024, 3, 31))
    assert "在这段时间已在其他站点专职：同一人同一天只能在一个站点专职" in text(caught.value)


@pytest.fixture
def transactional_world(transactional_db):
    ensure_baseline()
    return build_world()


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_full_time_assignments_exactly_one_succeeds(transactional_world, monkeypatch):
    first = make_station(Kind.STATION, STREET_A, name="北京街社工站")
    second = make_station(Kind.STATION, STREET_A2, name="洪桥街社工站")
    worker = make_worker(name="并发社工")
    original = services._check_assignable

    def slow_check(*args, **kwargs):
        # Each request holds its place a moment after locking, so the other surely arrives meanwhile: without the
        # lock both would find no other post and both would write (the exclusion constraint would then refuse one).
        time.sleep(0.5)
        return original(*args, **kwargs)

    monkeypatch.setattr(services, "_check_assignable", slow_check)
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def request(station):
        try:
            barrier.wait(timeout=10)
            assign(station, worker, actor=transactional_world.city_admin, start=D(2024, 1, 1))
            outcomes[station.name] = "ok"
        except ValidationError as exc:
            outcomes[station.name] = text(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=request, args=(station,)) for station in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(outcomes) == 2, outcomes
    winners = [name for name, outcome in outcomes.items() if outcome == "ok"]
    assert len(winners) == 1, outcomes
    [refusal] = [outcome for outcome in outcomes.values() if outcome != "ok"]
    assert f"并发社工 已在“{winners[0]}”专职" in refusal
    assert StaffAssignment.objects.filter(worker=worker).count() == 1
    assert AuditEntry.objects.filter(object_type="stations.staffassignment").count() == 1
