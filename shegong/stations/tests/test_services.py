"""Stations: kind against region level, one live station per region and kind, the code, status moves with their
history, the service list; permission and scope on every write; every write audited."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from shegong.audit.models import AuditEntry
from shegong.regions.models import Region
from shegong.stations import services
from shegong.stations.models import StaffAssignment, Station, StationService
from shegong.stations.tests.factories import LONG_AGO, make_station, make_worker, service_domain, staff
from shegong.testing.world import COMMUNITY_A, DISTRICT_A, DISTRICT_B, STREET_A

pytestmark = pytest.mark.django_db

Kind = Station.Kind
Status = Station.Status
STREET_B = "440105001000"  # 赤岗街道, 海珠区


def region(code: str) -> Region:
    return Region.objects.get(pk=code)


def create(actor, kind, where, **values):
    values.setdefault("name", "测试站点")
    return services.station_create(actor=actor, kind=kind, region=region(where), **values)


def messages(exc: ValidationError) -> str:
    return " ".join(exc.messages)


# --- Kind against level ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "where", "words"),
    [
        (Kind.CENTRE, STREET_A, ["区县社会工作指导中心只能设在区县（县级区划）", "北京街道", "乡级"]),
        (Kind.STATION, DISTRICT_A, ["镇街社工站只能设在街道或乡镇（乡级区划）", "越秀区", "县级"]),
        (Kind.STATION, COMMUNITY_A, ["镇街社工站只能设在街道或乡镇", "村级"]),
        (Kind.ROOM, STREET_A, ["村社社工室只能设在村或社区（村级区划）", "北京街道"]),
        (Kind.ROOM, DISTRICT_A, ["村社社工室只能设在村或社区"]),
    ],
)
def test_kind_must_match_the_region_level(world, kind, where, words):
    with pytest.raises(ValidationError) as caught:
        create(world.city_admin, kind, where)
    assert caught.value.code if hasattr(caught.value, "code") else True
    assert "region" in caught.value.message_dict
    for word in words:
        assert word in messages(caught.value)
    assert not Station.objects.exists()


def test_each_kind_on_its_own_level(world):
    centre = create(world.city_admin, Kind.CENTRE, DISTRICT_A, name="越秀区社会工作指导中心")
    station = create(world.city_admin, Kind.STATION, STREET_A, name="北京街社工站")
    room = create(world.city_admin, Kind.ROOM, COMMUNITY_A, name="流水井社区社工室")
    assert (centre.code, station.code, room.code) == ("C440104", "S440104003", "R440104003104")
    assert {centre.province_code, station.province_code, room.province_code} == {"44"}
    assert [s.status for s in (centre, station, room)] == [Status.PREPARING] * 3
    assert all(s.status_events.count() == 1 for s in (centre, station, room))


def test_specialised_stations_sit_on_a_county_or_below_with_a_host(world):
    school = create(world.city_admin, Kind.SCHOOL, STREET_A, name="育才学校社工站", host_institution="广州市育才中学")
    merged = create(
        world.city_admin, Kind.MINOR_PROTECTION, DISTRICT_A, name="越秀区两站合一", host_institution="越秀区民政局"
    )
    second_school = create(
        world.city_admin, Kind.SCHOOL, STREET_A, name="二中社工站", host_institution="广州市第二中学"
    )
    assert (school.code, merged.code, second_school.code) == ("X440104003", "M440104", "X440104003-2")
    with pytest.raises(ValidationError) as caught:
        create(world.city_admin, Kind.SCHOOL, STREET_A, name="无依托")
    assert "须填写依托单位" in caught.value.message_dict["host_institution"][0]
    with pytest.raises(ValidationError) as caught:
        create(world.city_admin, Kind.SCHOOL, "440100000000", name="全市", host_institution="某校")
    assert "须设在区县、街道乡镇或村社区" in messages(caught.value)


# --- One live station per region and kind ----------------------------------------------------------------------------


def test_second_live_station_of_a_kind_on_a_region_is_refused_until_the_first_is_revoked(world):
    first = create(world.city_admin, Kind.STATION, STREET_A, name="北京街社工站")
    with pytest.raises(ValidationError) as caught:
        create(world.city_admin, Kind.STATION, STREET_A, name="北京街第二社工站")
    text = messages(caught.value)
    assert "“北京街道”已有镇街社工站“北京街社工站”（编码 S440104003）" in text
    assert "一个区划只能设一个镇街社工站" in text
    services.station_set_status(actor=world.city_admin, station=first, status=Status.REVOKED, reason="合并")
    second = create(world.city_admin, Kind.STATION, STREET_A, name="北京街新社工站")
    assert second.code == "S440104003-2"
    # Another kind on the same region is another slot.
    assert create(world.city_admin, Kind.SCHOOL, STREET_A, host_institution="某校").code == "X440104003"


def test_the_database_constraint_backs_the_check_and_reads_the_same(world, monkeypatch):
    create(world.city_admin, Kind.STATION, STREET_A, name="北京街社工站")
    with pytest.raises(IntegrityError), transaction.atomic():
        Station.objects.create(
            code="RAW1", name="绕过服务", kind=Kind.STATION, region_id=STREET_A, province_code="44", status="operating"
        )
    # A writer that got past the check (a race the lock did not cover) meets the constraint, translated.
    monkeypatch.setattr(services, "_check_one_live", lambda station: None)
    monkeypatch.setattr(services, "new_code", lambda kind, region: "S-RACE")
    with pytest.raises(ValidationError) as caught:
        create(world.city_admin, Kind.STATION, STREET_A, name="并发创建")
    assert "一个区划只能设一个镇街社工站" in messages(caught.value)


def test_code_is_stable_when_the_station_is_corrected(world):
    station = create(world.city_admin, Kind.SCHOOL, STREET_A, name="学校站", host_institution="某校")
    services.station_update(actor=world.city_admin, station=station, name="育才学校社工站", region=region(COMMUNITY_A))
    station.refresh_from_db()
    assert (station.code, station.region_id, station.name) == ("X440104003", COMMUNITY_A, "育才学校社工站")


def test_update_checks_kind_and_level_again(world):
    station = create(world.city_admin, Kind.STATION, STREET_A, name="北京街社工站")
    with pytest.raises(ValidationError) as caught:
        services.station_update(actor=world.city_admin, station=station, region=region(DISTRICT_A))
    assert "镇街社工站只能设在街道或乡镇" in messages(caught.value)
    station.refresh_from_db()
    assert station.region_id == STREET_A


def test_fields_are_checked_with_clear_messages(world):
    with pytest.raises(ValidationError) as caught:
        create(world.city_admin, Kind.STATION, STREET_A, latitude=23.1, phone="call me")
    errors = caught.value.message_dict
    assert "请同时填写纬度和经度" in errors["longitude"][0]
    assert "联系电话只能包含数字" in errors["phone"][0]
    with pytest.raises(ValidationError) as caught:
        create(world.city_admin, Kind.STATION, STREET_A, status=Status.SUSPENDED)
    assert "新站点的状态只能是" in messages(caught.value)


# --- Permission and scope --------------------------------------------------------------------------------------------


def test_writes_need_the_permission_and_the_region_in_scope(world):
    with pytest.raises(ValidationError) as caught:
        create(world.district_a_admin, Kind.STATION, STREET_B)
    assert "不在您的管辖范围内" in messages(caught.value)
    with pytest.raises(PermissionDenied):
        create(world.station_head_a, Kind.ROOM, COMMUNITY_A)  # a station head does not set stations up
    with pytest.raises(PermissionDenied):
        create(world.worker_b, Kind.STATION, STREET_B)
    station_b = create(world.district_b_admin, Kind.STATION, STREET_B)
    with pytest.raises(PermissionDenied):
        services.station_update(actor=world.district_a_admin, station=station_b, name="改名")
    with pytest.raises(PermissionDenied):
        services.station_set_status(actor=world.station_head_a, station=station_b, status=Status.OPERATING)
    own = create(world.district_a_admin, Kind.STATION, STREET_A)
    with pytest.raises(PermissionDenied):
        services.station_set_status(actor=world.station_head_a, station=own, status=Status.OPERATING)
    updated = services.station_update(actor=world.station_head_a, station=own, service_hours="周一至周五 9:00-17:30")
    assert updated.service_hours == "周一至周五 9:00-17:30"


def test_every_write_is_audited(world):
    station = create(world.city_admin, Kind.STATION, STREET_A, name="北京街社工站")
    services.station_update(actor=world.city_admin, station=station, phone="020-83331234")
    services.station_set_status(actor=world.city_admin, station=station, status=Status.OPERATING)
    entries = AuditEntry.objects.filter(object_type="stations.station", object_id=str(station.pk)).order_by("sequence")
    assert [entry.action for entry in entries] == ["create", "update", "transition"]
    assert entries[0].changes["code"] == [None, "S440104003"]
    assert entries[1].changes == {"phone": ["", "020-83331234"]}
    assert entries[2].changes["status"] == ["preparing", "operating"]
    assert entries[2].actor_username == "city_admin"


# --- Status ----------------------------------------------------------------------------------------------------------


def test_status_moves_keep_history_and_the_copy_in_sync(world):
    station = create(world.city_admin, Kind.STATION, STREET_A)
    today = timezone.localdate()
    services.station_set_status(actor=world.city_admin, station=station, status=Status.OPERATING)
    services.station_set_status(actor=world.city_admin, station=station, status=Status.SUSPENDED, reason="装修")
    services.station_set_status(actor=world.city_admin, station=station, status=Status.OPERATING)
    station.refresh_from_db()
    assert station.status == Status.OPERATING
    assert station.opened_on == today  # set on first opening
    history = list(station.status_events.order_by("effective_on", "id").values_list("status", flat=True))
    assert history == ["preparing", "operating", "suspended", "operating"]


@pytest.mark.parametrize(
    ("path", "target", "words"),
    [
        ([], Status.SUSPENDED, "不能从“筹建”变为“暂停”，只能变为：运营、撤销"),
        ([], Status.PREPARING, "站点当前已是“筹建”"),
        ([Status.OPERATING], Status.PREPARING, "不能从“运营”变为“筹建”"),
        ([Status.REVOKED], Status.OPERATING, "撤销是最终状态"),
    ],
)
def test_refused_status_moves(world, path, target, words):
    station = create(world.city_admin, Kind.STATION, STREET_A)
    for status in path:
        services.station_set_status(actor=world.city_admin, station=station, status=status, reason="测试")
    with pytest.raises(ValidationError) as caught:
        services.station_set_status(actor=world.city_admin, station=station, status=target, reason="测试")
    assert words in messages(caught.value)


def test_status_dates_and_reasons(world):
    station = create(world.city_admin, Kind.STATION, STREET_A)
    today = timezone.localdate()
    with pytest.raises(ValidationError) as caught:
        services.station_set_status(
            actor=world.city_admin, station=station, status=Status.OPERATING, effective_on=today + datetime.timedelta(1)
        )
    assert "生效日期不能晚于今天" in messages(caught.value)
    with pytest.raises(ValidationError) as caught:
        services.station_set_status(
            actor=world.city_admin, station=station, status=Status.OPERATING, effective_on=LONG_AGO
        )
    assert "不能早于上一次状态变更" in messages(caught.value)
    services.station_set_status(actor=world.city_admin, station=station, status=Status.OPERATING)
    with pytest.raises(ValidationError) as caught:
        services.station_set_status(actor=world.city_admin, station=station, status=Status.REVOKED)
    assert "须写明原因" in messages(caught.value)


def test_revoking_ends_the_posts(world):
    station = make_station(Kind.STATION, STREET_A)
    [worker] = staff(station, 1)
    later = make_worker()
    today = timezone.localdate()
    services.staff_assign(
        actor=None,
        station=station,
        worker=later,
        role="assistant",
        full_time=False,
        start_date=today - datetime.timedelta(days=1),
    )
    future = make_worker()
    services.staff_assign(
        actor=None, station=station, worker=future, role="assistant", start_date=today - datetime.timedelta(days=0)
    )
    StaffAssignment.objects.filter(worker=future).update(start_date=today + datetime.timedelta(days=10))
    services.station_set_status(actor=world.city_admin, station=station, status=Status.REVOKED, reason="撤并")
    ends = dict(StaffAssignment.objects.filter(station=station).values_list("worker_id", "end_date"))
    assert ends == {worker.pk: today, later.pk: today}
    entry = AuditEntry.objects.filter(object_type="stations.station", action="transition").latest("sequence")
    assert "结束在岗安排 2 条，删除未开始的安排 1 条" in entry.note


# --- The service list ------------------------------------------------------------------------------------------------


def test_service_list_add_edit_reorder_remove(world):
    service_domain("social_assistance", "社会救助")
    service_domain("elderly_care", "养老服务")
    station = make_station(Kind.STATION, STREET_A)
    actor = world.station_head_a
    first = services.station_service_add(
        actor=actor, station=station, domain="social_assistance", title="困难群众探访", description="每月一次"
    )
    second = services.station_service_add(actor=actor, station=station, domain="elderly_care", title="长者饭堂")
    third = services.station_service_add(actor=actor, station=station, domain="elderly_care", title="长者课堂")
    assert [first.sort_order, second.sort_order, third.sort_order] == [1, 2, 3]
    with pytest.raises(ValidationError) as caught:
        services.station_service_add(actor=actor, station=station, domain="elderly_care", title="长者饭堂")
    assert "本站服务清单中已有“长者饭堂”" in messages(caught.value)
    with pytest.raises(ValidationError) as caught:
        services.station_service_add(actor=actor, station=station, domain="no_such_domain", title="新服务")
    assert "服务领域无效或已停用" in messages(caught.value)
    services.station_service_update(
        actor=actor, item=second, domain="social_assistance", title="长者助餐", description="", is_active=False
    )
    services.station_service_move(actor=actor, item=third, offset=-1)
    titles = list(station.services.order_by("sort_order").values_list("title", flat=True))
    assert titles == ["困难群众探访", "长者课堂", "长者助餐"]
    with pytest.raises(ValidationError):
        services.station_service_reorder(actor=actor, station=station, ordered_ids=[first.pk, second.pk])
    services.station_service_remove(actor=actor, item=first)
    assert StationService.objects.filter(station=station).count() == 2
    actions = list(
        AuditEntry.objects.filter(object_type__in=["stations.stationservice", "stations.station"])
        .exclude(action="create", object_type="stations.station")
        .order_by("sequence")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "create", "create", "update", "update", "delete"]


def test_service_list_is_kept_only_in_scope(world):
    service_domain()
    station_b = make_station(Kind.STATION, STREET_B)
    with pytest.raises(PermissionDenied):
        services.station_service_add(
            actor=world.station_head_a, station=station_b, domain="social_assistance", title="越界"
        )
    assert DISTRICT_B  # district B's admin may
    services.station_service_add(
        actor=world.district_b_admin, station=station_b, domain="social_assistance", title="本区服务"
    )
