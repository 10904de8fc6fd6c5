"""Excel imports of stations, service lists and staff assignments through the tabular framework: good files written
through the services (codes, status history, audit), every kind of bad row with its message in the error report,
duplicates inside the file and against the database, scope, both modes, and nothing half-written."""

import datetime
import io
import itertools

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from stdnum.cn import uscc

from shegong.agencies.models import AgencyStatusEvent
from shegong.audit.models import AuditEntry
from shegong.stations import imports
from shegong.stations.imports import StaffAssignmentImport, StationImport, StationServiceImport
from shegong.stations.models import StaffAssignment, Station, StationService, StationStatusEvent
from shegong.stations.tests.factories import LONG_AGO, blacklist, make_station, make_user, service_domain
from shegong.stations.tests.factories import make_worker as make_any_worker
from shegong.tabular import services as tabular
from shegong.tabular import spec as specs
from shegong.tabular import workbooks
from shegong.tabular.models import ImportJob
from shegong.testing.world import COMMUNITY_A, DISTRICT_A, DISTRICT_B, STREET_A
from shegong.workers.identity import id_number_from_body

pytestmark = pytest.mark.django_db

Kind = Station.Kind
Status = Station.Status
STREET_A2 = "440104004000"  # 六榕街道, 越秀区
STREET_B = "440105001000"  # 赤岗街道, 海珠区
UNKNOWN_AGENCY = "91440101MA59UNKN0" + uscc.calc_check_digit("91440101MA59UNKN0")
_serial = itertools.count(1)
GOOD = ImportJob.Mode.GOOD_ROWS
WHOLE = ImportJob.Mode.ALL_OR_NOTHING


@pytest.fixture(autouse=True)
def setup(settings, tmp_path):
    settings.TASKS_MODE = "immediate"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }


def workbook(spec, rows: list[dict]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append([str(column.header) for column in spec.columns])
    for row in rows:
        sheet.append([row.get(column.key) for column in spec.columns])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def run(captured, actor, spec, rows: list[dict], mode=WHOLE) -> ImportJob:
    with captured(execute=True):
        job = tabular.import_start(
            actor=actor, kind=spec.kind, upload=SimpleUploadedFile("f.xlsx", workbook(spec, rows)), mode=mode
        )
    job.refresh_from_db()
    return job


def report(job) -> dict[int, str]:
    """{row number in the uploaded sheet: reasons} from the job's error report."""
    sheet = load_workbook(job.report.open("rb")).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    number, reason = header.index(workbooks.ROW_HEADER), header.index(workbooks.REASON_HEADER)
    return {row[number]: row[reason] for row in sheet.iter_rows(min_row=2, values_only=True)}


def station_row(**values) -> dict:
    row = {
        "name": "北京街社工站",
        "kind": "镇街社工站",
        "region": "440104003",
        "opened_on": "2021-06-01",
        "address": "广州市越秀区北京路 1 号",
        "latitude": "23.125178",
        "longitude": "113.270791",
        "phone": "020-83330000",
        "service_hours": "周一至周五 9:00-18:00",
        "status": "运营",
    }
    row.update(values)
    return row


def make_worker(region: str = STREET_A, **values):
    """A worker whose ID number passes python-stdnum (the address code 440104 exists since before 1990), as an
    import's parser requires."""
    worker = make_any_worker(region=region, **values)
    serial = next(_serial)
    birth = datetime.date(1990, 1, 1) + datetime.timedelta(days=serial * 37)
    worker.id_number = id_number_from_body(f"440104{birth:%Y%m%d}{serial % 1000:03d}")
    worker.save()
    return worker


# --- Templates ---------------------------------------------------------------------------------------------------


def test_the_three_kinds_are_registered_with_templates(world):
    for kind, first in [
        ("stations", "站点名称*"),
        ("station-services", "站点编码*"),
        ("station-assignments", "站点编码*"),
    ]:
        spec = specs.get(kind)
        book = load_workbook(io.BytesIO(workbooks.template(spec)))
        assert book.worksheets[0]["A1"].value == first


# --- Stations ----------------------------------------------------------------------------------------------------


def test_a_good_station_file_goes_through_the_service(world, django_capture_on_commit_callbacks):
    rows = [
        station_row(agency=world.agency_a.credit_code.lower()),
        station_row(name="越秀区社工指导中心", kind="区县社会工作指导中心", region="440104", status="", opened_on=""),
        station_row(
            name="流水井社区社工室", kind="村社社工室", region=COMMUNITY_A, status="暂停", latitude="", longitude=""
        ),
        station_row(name="越秀实验中学社工站", kind="学校社工站", region=STREET_A, host_institution="越秀实验中学"),
        station_row(
            name="六榕两站合一", kind="两站合一", region=STREET_A2, host_institution="六榕街未成年人保护工作站"
        ),
    ]
    job = run(django_capture_on_commit_callbacks, world.district_a_admin, StationImport, rows)
    assert (job.status, job.written_rows, job.error_rows) == ("done", 5, 0), job.message
    street = Station.objects.get(region_id=STREET_A, kind=Kind.STATION)
    assert (street.code, street.agency, street.status, street.province_code) == (
        "S440104003",
        world.agency_a,
        Status.OPERATING,
        "44",
    )
    assert str(street.latitude) == "23.125178" and street.phone == "020-83330000"
    centre = Station.objects.get(kind=Kind.CENTRE)
    assert (centre.region_id, centre.status) == (DISTRICT_A, Status.PREPARING)
    room = Station.objects.get(kind=Kind.ROOM)
    assert room.status == Status.SUSPENDED
    assert list(room.status_events.order_by("id").values_list("status", flat=True)) == ["operating", "suspended"]
    assert Station.objects.get(kind=Kind.MINOR_PROTECTION).host_institution == "六榕街未成年人保护工作站"
    first = StationStatusEvent.objects.filter(station=street).get()
    assert (first.effective_on, first.recorded_by) == (datetime.date(2021, 6, 1), world.district_a_admin)
    assert centre.status_events.get().effective_on == timezone.localdate()
    # Written in bulk: the upload and the import are the audit entries, the latter with the counts.
    entries = AuditEntry.objects.filter(action="import", object_id=str(job.pk)).order_by("pk")
    assert entries.count() == 2 and entries.last().changes["written_rows"] == [None, 5]
    assert not AuditEntry.objects.filter(object_type="stations.station").exists()


def test_bad_station_rows_are_reported_one_reason_each(world, django_capture_on_commit_callbacks):
    make_station(Kind.STATION, STREET_A2, name="六榕街社工站")
    listed = world.agency_b
    AgencyStatusEvent.objects.create(
        agency=listed,
        status="blacklist",
        reason="骗取财政资金",
        source_document="穗民〔2025〕1号",
        valid_from=datetime.date(2025, 1, 1),
    )
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    rows = [
        station_row(),  # 2: good
        station_row(kind="村社社工室"),  # 3: a room on a street
        station_row(kind="区县社会工作指导中心", region="440105"),  # 4: district B, outside 越秀
        station_row(name="又一个北京街社工站"),  # 5: same street and kind as row 2
        station_row(region=STREET_A2),  # 6: 六榕街 already has a station
        station_row(region="440104999"),  # 7: no such region
        station_row(region="4401040"),  # 8: not a code
        station_row(kind="学校社工站", region=STREET_A),  # 9: no host institution
        station_row(kind="社区服务站"),  # 10: no such kind
        station_row(agency=UNKNOWN_AGENCY, kind="区县社会工作指导中心", region="440104"),  # 11
        station_row(agency=listed.credit_code, kind="区县社会工作指导中心", region="440104"),  # 12
        station_row(opened_on=tomorrow.isoformat(), kind="区县社会工作指导中心", region="440104"),  # 13
        station_row(latitude="", kind="区县社会工作指导中心", region="440104"),  # 14
        station_row(status="撤销", kind="区县社会工作指导中心", region="440104"),  # 15
        station_row(phone="热线电话", kind="区县社会工作指导中心", region="440104"),  # 16
        station_row(latitude="95", kind="区县社会工作指导中心", region="440104"),  # 17
    ]
    job = run(django_capture_on_commit_callbacks, world.district_a_admin, StationImport, rows)
    assert (job.status, job.error_rows) == ("rejected", 15), job.message
    assert not Station.objects.filter(region_id=STREET_A).exists()  # all or nothing
    reasons = report(job)
    assert set(reasons) == set(range(3, 18))
    assert "村社社工室须设在村级区划上" in reasons[3] and "乡级区划" in reasons[3]
    assert "不在您的管辖范围内" in reasons[4]
    assert "文件中已有" in reasons[5] and "北京街社工站" in reasons[5]
    assert "已有镇街社工站“六榕街社工站”" in reasons[6]
    assert "没有代码为 440104999000" in reasons[7]
    assert "不是 6、9 或 12 位" in reasons[8]
    assert "必须填写依托单位" in reasons[9]
    assert "不在可选范围内" in reasons[10]
    assert "未在系统中登记" in reasons[11]
    assert "黑名单" in reasons[12]
    assert "不能晚于今天" in reasons[13]
    assert "须同时填写" in reasons[14]
    assert "不能导入已撤销的站点" in reasons[15]
    assert "不是有效的电话号码" in reasons[16]
    assert "应在 -90 到 90 之间" in reasons[17]


def test_good_rows_mode_writes_the_good_rows_and_reports_the_rest(world, django_capture_on_commit_callbacks):
    rows = [station_row(), station_row(kind="村社社工室"), station_row(region=STREET_A2, name="六榕街社工站")]
    job = run(django_capture_on_commit_callbacks, world.district_a_admin, StationImport, rows, mode=GOOD)
    assert (job.status, job.written_rows, job.error_rows) == ("done", 2, 1), job.message
    assert set(Station.objects.values_list("region_id", flat=True)) == {STREET_A, STREET_A2}
    assert list(report(job)) == [3]


def test_a_revoked_station_does_not_block_its_successor(world, django_capture_on_commit_callbacks):
    from shegong.stations import services

    old = make_station(Kind.STATION, STREET_A)
    services.station_set_status(actor=None, station=old, status=Status.REVOKED, reason="场地收回")
    job = run(django_capture_on_commit_callbacks, world.district_a_admin, StationImport, [station_row()])
    assert (job.status, job.written_rows) == ("done", 1), job.message
    assert Station.objects.get(region_id=STREET_A, status=Status.OPERATING).code == "S440104003-2"


def test_without_the_permission_nothing_can_be_imported(world):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        tabular.import_start(
            actor=world.station_head_a,
            kind="stations",
            upload=SimpleUploadedFile("f.xlsx", workbook(StationImport, [station_row()])),
            mode=WHOLE,
        )


# --- Service lists -----------------------------------------------------------------------------------------------


def test_service_lists(world, django_capture_on_commit_callbacks):
    assistance, community = service_domain(), service_domain("community_building", "社区建设")
    street = make_station(Kind.STATION, STREET_A)
    other = make_station(Kind.STATION, STREET_B)
    revoked = make_station(Kind.STATION, STREET_A2)
    from shegong.stations import services

    services.station_service_add(actor=None, station=street, domain=assistance.code, title="困难群众探访")
    services.station_set_status(actor=None, station=revoked, status=Status.REVOKED, reason="合并")
    rows = [
        {"station": street.code.lower(), "domain": assistance.name, "title": "长者关爱", "description": "上门探访"},
        {"station": street.code, "domain": community.code, "title": "社区议事"},
        {"station": street.code, "domain": assistance.name, "title": "长者关爱"},  # 4: repeated in the file
        {"station": street.code, "domain": assistance.name, "title": "困难群众探访"},  # 5: already listed
        {"station": other.code, "domain": assistance.name, "title": "长者关爱"},  # 6: district B
        {"station": "S999", "domain": assistance.name, "title": "长者关爱"},  # 7: no such station
        {"station": street.code, "domain": "宠物服务", "title": "宠物寄养"},  # 8: not a domain
        {"station": revoked.code, "domain": assistance.name, "title": "长者关爱"},  # 9: revoked
    ]
    job = run(django_capture_on_commit_callbacks, world.district_a_admin, StationServiceImport, rows, mode=GOOD)
    assert (job.status, job.written_rows, job.error_rows) == ("done", 2, 6), job.message
    assert list(street.services.values_list("title", "domain", "description", "sort_order")) == [
        ("困难群众探访", assistance.code, "", 1),
        ("长者关爱", assistance.code, "上门探访", 2),
        ("社区议事", community.code, "", 3),
    ]
    reasons = report(job)
    assert "与文件第 2 行重复" in reasons[4]
    assert "服务清单中已有“困难群众探访”" in reasons[5]
    assert "或不在您的管辖范围内" in reasons[6] and "或不在您的管辖范围内" in reasons[7]
    assert "不在系统字典中" in reasons[8]
    assert "已撤销" in reasons[9]
    assert not StationService.objects.filter(station=other).exists()


def test_a_station_head_imports_services_for_their_own_station_only(world, django_capture_on_commit_callbacks):
    assistance = service_domain()
    own = make_station(Kind.STATION, STREET_A)
    neighbour = make_station(Kind.STATION, STREET_A2)
    rows = [
        {"station": own.code, "domain": assistance.name, "title": "长者关爱"},
        {"station": neighbour.code, "domain": assistance.name, "title": "长者关爱"},
    ]
    job = run(django_capture_on_commit_callbacks, world.station_head_a, StationServiceImport, rows)
    assert job.status == "rejected" and list(report(job)) == [3]
    assert not StationService.objects.exists()


# --- Staff assignments -------------------------------------------------------------------------------------------


def assignment_row(station, worker, **values) -> dict:
    row = {
        "station": station.code,
        "worker": worker.id_number,
        "role": "专职社工",
        "full_time": "是",
        "start_date": "2024-01-01",
        "end_date": "",
    }
    row.update(values)
    return row


def test_a_good_assignment_file_goes_through_the_service(world, django_capture_on_commit_callbacks):
    street = make_station(Kind.STATION, STREET_A)
    room = make_station(Kind.ROOM, COMMUNITY_A)
    head, resident, helper = make_worker(region=STREET_A), make_worker(region=STREET_A), make_worker(region=STREET_A)
    rows = [
        assignment_row(street, head, role="站长"),
        assignment_row(room, resident, role="驻点社工"),
        assignment_row(street, resident, role="督导", full_time="否"),
        # Two full-time posts of one worker one after the other.
        assignment_row(street, helper, end_date="2024-06-30"),
        assignment_row(room, helper, start_date="2024-07-01", end_date="2024-12-31"),
    ]
    job = run(django_capture_on_commit_callbacks, world.district_a_admin, StaffAssignmentImport, rows)
    assert (job.status, job.written_rows, job.error_rows) == ("done", 5, 0), report(job)
    posts = StaffAssignment.objects.order_by("pk")
    assert [(post.station, post.worker, post.role, post.full_time) for post in posts] == [
        (street, head, "head", True),
        (room, resident, "resident", True),
        (street, resident, "supervisor", False),
        (street, helper, "full_time", True),
        (room, helper, "full_time", True),
    ]
    assert posts[3].end_date == datetime.date(2024, 6, 30) and posts[0].end_date is None
    assert all(post.created_by == world.district_a_admin for post in posts)


@pytest.fixture(params=["preloaded", "read per row"])
def lookups(request, monkeypatch):
    """The assignment checks with everything read up front (a province's scope) and read row by row (beyond it)."""
    if request.param == "read per row":
        monkeypatch.setattr(imports, "PRELOAD_WORKERS", 0)
        monkeypatch.setattr(imports, "PRELOAD_STATIONS", 0)
    return request.param


def test_bad_assignment_rows(world, django_capture_on_commit_callbacks, lookups):
    street = make_station(Kind.STATION, STREET_A)
    room = make_station(Kind.ROOM, COMMUNITY_A)
    other_street = make_station(Kind.STATION, STREET_A2)
    district_b = make_station(Kind.STATION, STREET_B)
    busy, listed, retired = make_worker(region=STREET_A), make_worker(region=STREET_A), make_worker(region=STREET_A)
    twice, resident, outsider = (
        make_worker(region=STREET_A),
        make_worker(region=STREET_A),
        make_worker(region=DISTRICT_B),
    )
    blacklist(listed, world.city_admin, on=datetime.date(2023, 5, 1))
    retired.status = "retired"
    retired.save(update_fields=["status"])
    from shegong.stations import services

    services.staff_assign(actor=None, station=other_street, worker=busy, role="full_time", start_date=LONG_AGO)
    services.staff_assign(actor=None, station=room, worker=resident, role="resident", start_date=LONG_AGO)
    unknown = make_worker(region=STREET_A)
    unknown_number = unknown.id_number
    unknown.delete()
    rows = [
        assignment_row(street, twice),  # 2: good
        assignment_row(other_street, twice, start_date="2024-06-01"),  # 3: full-time twice in the file
        assignment_row(street, twice, role="督导", full_time="否", start_date="2024-03-01"),  # 4: same station
        assignment_row(street, busy),  # 5: full-time at 六榕 since 2020
        assignment_row(street, listed),  # 6: blacklisted
        assignment_row(street, retired),  # 7: retired
        assignment_row(street, outsider),  # 8: a worker of district B
        {**assignment_row(street, busy), "worker": unknown_number},  # 9: not on the register
        assignment_row(district_b, busy, full_time="否"),  # 10: station of district B
        assignment_row(street, make_worker(region=STREET_A), role="驻点社工"),  # 11: resident at a street station
        assignment_row(room, make_worker(region=STREET_A), role="驻点社工"),  # 12: the room has its resident
        assignment_row(street, busy, full_time="否", end_date="2023-12-31"),  # 13: ends before it starts
        {**assignment_row(street, busy), "worker": "440104199001010011"},  # 14: bad check digit
        assignment_row(street, busy, full_time="否", role="门卫"),  # 15: no such role
        assignment_row(street, busy, full_time="否"),  # 16: good (part-time beside the full-time post)
    ]
    job = run(django_capture_on_commit_callbacks, world.district_a_admin, StaffAssignmentImport, rows, mode=GOOD)
    assert (job.status, job.written_rows, job.error_rows) == ("done", 2, 13), job.message
    reasons = report(job)
    assert set(reasons) == set(range(3, 16))
    assert "文件中另有一行专职安排" in reasons[3] and street.code in reasons[3]
    assert "文件中另有一行同一站点的安排" in reasons[4]
    assert "已在“六榕街道镇街社工站”专职" in reasons[5] and "2020-01-01 起至今" in reasons[5]
    assert "黑名单" in reasons[6]
    assert "退休" in reasons[7]
    assert "或不在您的管辖范围内" in reasons[8] and "或不在您的管辖范围内" in reasons[9]
    assert "或不在您的管辖范围内" in reasons[10]
    assert "驻点社工只能安排在村社社工室" in reasons[11]
    assert f"已有驻点社工 {resident.name}" in reasons[12]
    assert "不能早于起始日期" in reasons[13]
    assert "身份证号" in reasons[14] and "无效" in reasons[14]
    assert "不在可选范围内" in reasons[15]
    assert set(StaffAssignment.objects.filter(station=street).values_list("worker_id", "full_time")) == {
        (twice.pk, True),
        (busy.pk, False),
    }


def test_a_lifted_or_later_blacklisting_judged_as_the_service_does(world, django_capture_on_commit_callbacks, lookups):
    street = make_station(Kind.STATION, STREET_A)
    later, lifted = make_worker(region=STREET_A), make_worker(region=STREET_A)
    entry = blacklist(later, world.city_admin, on=datetime.date(2023, 1, 1))
    blacklisted_after = blacklist(lifted, world.city_admin, on=datetime.date(2022, 1, 1))
    blacklisted_after.closed_on = datetime.date(2022, 6, 1)
    blacklisted_after.closing_note = "复议撤销"
    blacklisted_after.save()
    rows = [
        # A post that ended before the listing: allowed.
        assignment_row(street, later, start_date="2021-01-01", end_date="2022-12-31"),
        # A post still running while the listing is in force: refused.
        assignment_row(street, later, start_date="2023-01-01", full_time="否"),
        # Lifted before the post began: allowed.
        assignment_row(street, lifted, start_date="2023-01-01"),
    ]
    job = run(django_capture_on_commit_callbacks, world.district_a_admin, StaffAssignmentImport, rows, mode=GOOD)
    assert (job.written_rows, job.error_rows) == (2, 1), job.message
    assert "黑名单" in report(job)[3] and entry.title in report(job)[3]


def test_all_or_nothing_writes_nothing_when_one_row_is_bad(world, django_capture_on_commit_callbacks):
    street = make_station(Kind.STATION, STREET_A)
    one, two = make_worker(region=STREET_A), make_worker(region=STREET_A)
    rows = [assignment_row(street, one), assignment_row(street, two, end_date="2023-01-01")]
    job = run(django_capture_on_commit_callbacks, world.district_a_admin, StaffAssignmentImport, rows)
    assert job.status == "rejected" and job.error_rows == 1
    assert not StaffAssignment.objects.exists()


def test_a_clash_that_appears_after_the_check_rolls_the_whole_write_back(world, django_capture_on_commit_callbacks):
    """The service checks again under the worker's lock: a post written between the check and the write (another
    import, a page) makes the write fail as a whole, never half-written."""
    street, other = make_station(Kind.STATION, STREET_A), make_station(Kind.STATION, STREET_A2)
    one, two = make_worker(region=STREET_A), make_worker(region=STREET_A)
    spec = specs.get("station-assignments")
    original = spec.write

    def write_after_a_rival(rows, context, actor):
        from shegong.stations import services

        services.staff_assign(actor=None, station=other, worker=two, role="full_time", start_date=LONG_AGO)
        return original(rows, context, actor)

    spec.write = write_after_a_rival
    try:
        rows = [assignment_row(street, one), assignment_row(street, two)]
        job = run(django_capture_on_commit_callbacks, world.district_a_admin, StaffAssignmentImport, rows)
    finally:
        del spec.write
    assert job.status == "failed" and "在检查之后已有变动" in job.message and two.name in job.message
    assert not StaffAssignment.objects.exists()


@pytest.mark.parametrize("change", ["station", "title", "blacklist", "resident"])
def test_every_write_checks_again_under_its_locks(world, django_capture_on_commit_callbacks, change):
    """A station, a service item, a listing or a resident written between the check and the write fails the
    import as a whole."""
    from shegong.stations import services

    assistance = service_domain()
    street, room = make_station(Kind.STATION, STREET_A), make_station(Kind.ROOM, COMMUNITY_A)
    worker, rival = make_worker(), make_worker()
    spec, rows = {
        "station": (StationImport, [station_row(region=STREET_A2, name="六榕街社工站")]),
        "title": (StationServiceImport, [{"station": street.code, "domain": assistance.name, "title": "长者关爱"}]),
        "blacklist": (StaffAssignmentImport, [assignment_row(street, worker)]),
        "resident": (StaffAssignmentImport, [assignment_row(room, worker, role="驻点社工")]),
    }[change]
    registered = specs.get(spec.kind)
    original = registered.write

    def write_after_a_rival(rows, context, actor):
        if change == "station":
            make_station(Kind.STATION, STREET_A2)
        elif change == "title":
            services.station_service_add(actor=None, station=street, domain=assistance.code, title="长者关爱")
        elif change == "blacklist":
            blacklist(worker, world.city_admin, on=datetime.date(2023, 1, 1))
        else:
            services.staff_assign(actor=None, station=room, worker=rival, role="resident", start_date=LONG_AGO)
        return original(rows, context, actor)

    registered.write = write_after_a_rival
    try:
        job = run(django_capture_on_commit_callbacks, world.district_a_admin, spec, rows)
    finally:
        del registered.write
    assert job.status == "failed" and "请重新导入" in job.message, job.message


# --- Exports in the import's layout ------------------------------------------------------------------------------


def sheet_rows(data: bytes) -> list[tuple]:
    return list(load_workbook(io.BytesIO(data)).worksheets[0].iter_rows(values_only=True))


def test_a_service_export_can_be_imported_again_elsewhere(world, django_capture_on_commit_callbacks):
    from shegong.stations import exports, selectors, services

    assistance = service_domain()
    street, other = make_station(Kind.STATION, STREET_A), make_station(Kind.STATION, STREET_A2)
    district_b = make_station(Kind.STATION, STREET_B)
    services.station_service_add(
        actor=None, station=street, domain=assistance.code, title="长者关爱", description="探访"
    )
    services.station_service_add(actor=None, station=district_b, domain=assistance.code, title="海珠服务")
    actor = world.district_a_admin
    data = exports.export_services(actor=actor, stations=selectors.station_search(actor=actor), filters={"q": "街"})
    header, *rows = sheet_rows(data)
    assert list(header[:4]) == [str(column.header) for column in StationServiceImport.columns]
    assert rows == [(street.code, assistance.name, "长者关爱", "探访", street.name, "北京街道", "是")]
    entry = AuditEntry.objects.get(action="export", object_type="stations.stationservice")
    assert entry.changes["rows"] == [None, 1] and entry.changes["filters"] == [None, {"q": "街"}]
    # The same items for 六榕街's station: change the code column and upload the file.
    again = [dict(zip(["station", "domain", "title", "description"], row[:4], strict=True)) for row in rows]
    for row in again:
        row["station"] = other.code
    job = run(django_capture_on_commit_callbacks, actor, StationServiceImport, again)
    assert (job.status, job.written_rows) == ("done", 1), job.message
    assert other.services.get().description == "探访"


def test_an_assignment_export_masks_what_the_user_may_not_see(world, django_capture_on_commit_callbacks):
    from shegong.accounts.models import Role, RoleAssignment
    from shegong.stations import exports, selectors, services

    street = make_station(Kind.STATION, STREET_A)
    local, visitor, former = make_worker(), make_worker(region=DISTRICT_B), make_worker()
    services.staff_assign(actor=None, station=street, worker=local, role="head", start_date=LONG_AGO)
    services.staff_assign(
        actor=None, station=street, worker=visitor, role="supervisor", full_time=False, start_date=LONG_AGO
    )
    services.staff_assign(
        actor=None,
        station=street,
        worker=former,
        role="full_time",
        start_date=LONG_AGO,
        end_date=datetime.date(2021, 1, 1),
    )
    actor = world.district_a_admin
    data = exports.export_assignments(actor=actor, stations=selectors.station_search(actor=actor))
    header, *rows = sheet_rows(data)
    assert list(header[:6]) == [str(column.header) for column in StaffAssignmentImport.columns]
    numbers = {row[7]: row[1] for row in rows}
    # District A's admin sees 越秀 workers' numbers in full, not the 海珠 supervisor's.
    assert numbers[local.name] == local.id_number and numbers[former.name] == former.id_number
    assert numbers[visitor.name] != visitor.id_number and "*" in numbers[visitor.name]
    assert {row[2] for row in rows} == {"站长", "督导", "专职社工"} and {row[9] for row in rows} == {"是", "否"}
    entry = AuditEntry.objects.get(action="export", object_type="stations.staffassignment")
    assert entry.changes["filters"][1]["完整身份证号"] == "2 人"
    current = sheet_rows(
        exports.export_assignments(actor=actor, stations=selectors.station_search(actor=actor), current_only=True)
    )[1:]
    assert {row[7] for row in current} == {local.name, visitor.name}
    # A role without accounts.reveal_personal_data gets every number masked.
    viewer_role = Role.objects.create(code="station_viewer", name="站点查看")
    from django.contrib.auth.models import Permission

    viewer_role.permissions.add(Permission.objects.get(content_type__app_label="stations", codename="view_station"))
    viewer = make_user("viewer", "station_head", region=DISTRICT_A)
    RoleAssignment.objects.filter(user=viewer).update(role=viewer_role)
    viewer = type(viewer).objects.get(pk=viewer.pk)
    masked = sheet_rows(exports.export_assignments(actor=viewer, stations=selectors.station_search(actor=viewer)))[1:]
    assert masked and all(row[1] != local.id_number for row in masked)
    # Re-importing the export as it is: every post is already there (and masked numbers are refused).
    again = [
        dict(zip(["station", "worker", "role", "full_time", "start_date", "end_date"], row[:6], strict=True))
        for row in rows
    ]
    job = run(django_capture_on_commit_callbacks, actor, StaffAssignmentImport, again)
    assert job.status == "rejected" and job.error_rows == 3


def test_a_nationwide_importer_is_checked_region_by_region(world, django_capture_on_commit_callbacks):
    """Nationwide, the regions and live stations are not read up front: each row reads its own."""
    nationwide = make_user("national_admin", "civil_affairs_admin")
    make_station(Kind.STATION, STREET_A2, name="六榕街社工站")
    rows = [station_row(), station_row(region=STREET_A2), station_row(kind="村社社工室"), station_row(region=STREET_B)]
    job = run(django_capture_on_commit_callbacks, nationwide, StationImport, rows, mode=GOOD)
    assert (job.written_rows, job.error_rows) == (2, 2), job.message
    reasons = report(job)
    assert "已有镇街社工站“六榕街社工站”" in reasons[3] and "村级区划" in reasons[4]
    assert set(Station.objects.filter(kind=Kind.STATION).values_list("region_id", flat=True)) == {
        STREET_A,
        STREET_A2,
        STREET_B,
    }
