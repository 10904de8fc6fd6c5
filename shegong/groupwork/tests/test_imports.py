"""Excel import of community activities: a good file written whole through the service (codes, 服务人次), bad rows
reported with their reasons (station, community, organiser, domain, dates, counts, scope), nothing half-written."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from shegong.groupwork.imports import ActivityImport
from shegong.groupwork.models import CommunityActivity
from shegong.groupwork.tests.factories import COMMUNITY_A, COMMUNITY_B, STREET_A, Kind, make_station, make_worker
from shegong.persontimes.models import PersonTime
from shegong.tabular import services as tabular
from shegong.tabular.models import ImportJob
from shegong.talent.tests.factories import domain

pytestmark = pytest.mark.django_db

HEADERS = [str(column.header) for column in ActivityImport.columns]
KEYS = {str(column.header): column.key for column in ActivityImport.columns}


@pytest.fixture(autouse=True)
def setup(settings, tmp_path):
    settings.TASKS_MODE = "immediate"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    domain("community_building", "社区建设")


def workbook(rows: list[dict]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    for row in rows:
        sheet.append([row.get(KEYS[header]) for header in HEADERS])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def run(actor, captured, data: bytes, mode=ImportJob.Mode.ALL_OR_NOTHING) -> ImportJob:
    with captured(execute=True):
        job = tabular.import_start(actor=actor, kind="activities", upload=SimpleUploadedFile("f.xlsx", data), mode=mode)
    job.refresh_from_db()
    return job


def report(job) -> list[tuple]:
    return list(load_workbook(job.report.open("rb")).worksheets[0].iter_rows(values_only=True))[1:]


@pytest.fixture
def placed(world):
    world.station = make_station(Kind.STATION, STREET_A, agency=world.agency_a)
    world.organiser = make_worker("李组织", region="440104003000")
    return world


def good_rows(w) -> list[dict]:
    return [
        {
            "title": "邻里节",
            "held_on": "2026-03-05",
            "starts_at": "9:30",
            "ends_at": "11:30",
            "domain": "社区建设",
            "place": "社区广场",
            "community": COMMUNITY_A,
            "station": w.station.code,
            "organiser": w.organiser.id_number,
            "participants_count": 60,
            "participant_names": "张三、李四",
            "volunteers_count": 4,
        },
        {
            "title": "防诈骗宣传",
            "held_on": "2026-02-10",
            "domain": "community_building",
            "place": "党群服务中心",
            "community": COMMUNITY_A,
            "station": w.station.code,
            "organiser": w.organiser.id_number,
            "participants_count": 25,
        },
    ]


def test_a_good_file_is_written_whole(placed, django_capture_on_commit_callbacks):
    job = run(placed.station_head_a, django_capture_on_commit_callbacks, workbook(good_rows(placed)))
    assert (job.status, job.written_rows, job.error_rows) == ("done", 2, 0), job.message
    party = CommunityActivity.objects.get(title="邻里节")
    assert party.starts_at.hour == 9 and party.named_participants == 2 and party.agency == placed.agency_a
    assert PersonTime.objects.get(kind=PersonTime.Kind.ACTIVITY, source_id=party.pk).count == 60
    assert sorted(party.participants.values_list("name", flat=True)) == ["张三", "李四"]


def test_bad_rows_are_reported_and_nothing_is_written(placed, django_capture_on_commit_callbacks):
    rows = good_rows(placed)
    station_b = make_station(Kind.STATION, "440105001")
    rows += [
        {**rows[0], "title": "未来", "held_on": "2099-01-01"},
        {**rows[0], "title": "人数少", "participants_count": 1},
        {**rows[0], "title": "区外", "community": COMMUNITY_B},
        {**rows[0], "title": "他站", "station": station_b.code, "community": COMMUNITY_B},
        {**rows[0], "title": "无站", "station": "NOPE"},
        {**rows[0], "title": "领域", "domain": "炒股"},
        {**rows[0], "title": "时间", "starts_at": "14:00", "ends_at": "13:00"},
        {**rows[0], "title": "社工", "organiser": make_worker("别人").id_number[:17] + "X"},
    ]
    job = run(placed.station_head_a, django_capture_on_commit_callbacks, workbook(rows))
    assert (job.status, job.written_rows, job.error_rows) == ("rejected", 0, 8), job.message
    reasons = {row[1]: row[-1] for row in report(job)}
    assert "不能晚于今天" in reasons["未来"]
    assert "不能少于" in reasons["人数少"]
    assert "服务区域" in reasons["区外"]
    assert "管辖范围" in reasons["他站"]
    assert "没有这个站点" in reasons["无站"]
    assert "炒股" in reasons["领域"]
    assert "开始时间" in reasons["时间"]
    assert "社工" in reasons["社工"] or "身份证" in reasons["社工"]
    assert CommunityActivity.objects.count() == 0
    job = run(placed.station_head_a, django_capture_on_commit_callbacks, workbook(rows), ImportJob.Mode.GOOD_ROWS)
    assert job.written_rows == 2 and CommunityActivity.objects.count() == 2


def test_a_worker_imports_only_their_own(placed, django_capture_on_commit_callbacks):
    station_b = make_station(Kind.STATION, "440105001")
    own = make_worker("王社工", region="440105000000", account=placed.worker_b)
    other = make_worker("赵别人", region="440105000000")
    base = {**good_rows(placed)[1], "station": station_b.code, "community": "440105001101"}
    rows = [{**base, "organiser": own.id_number}, {**base, "title": "别人的", "organiser": other.id_number}]
    job = run(placed.worker_b, django_capture_on_commit_callbacks, workbook(rows))
    assert (job.written_rows, job.error_rows) == (0, 1)
    [(line, title, *_cells, reason)] = report(job)
    assert (line, title) == (3, "别人的") and "本人组织" in reason
    job = run(placed.worker_b, django_capture_on_commit_callbacks, workbook(rows[:1]))
    assert job.written_rows == 1 and CommunityActivity.objects.get().organiser == own


def test_the_import_page(client, placed):
    client.force_login(placed.station_head_a)
    assert client.get(reverse("tabular:import", args=["activities"])).status_code == 200
    client.force_login(placed.district_a_admin)
    assert client.get(reverse("tabular:import", args=["activities"])).status_code == 403
