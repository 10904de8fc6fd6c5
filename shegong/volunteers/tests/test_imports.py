"""Excel import of volunteers: a good file written whole (numbers, encryption, skills), bad rows reported with their
reasons, nothing half-written in all-or-nothing mode."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from shegong.refdata.models import DictionaryItem
from shegong.tabular import services as tabular
from shegong.tabular.models import ImportJob
from shegong.volunteers.imports import VolunteerImport
from shegong.volunteers.models import SKILL_DICTIONARY, Volunteer
from shegong.volunteers.tests.factories import COMMUNITY_A, COMMUNITY_B, id_number, make_volunteer, station_a

pytestmark = pytest.mark.django_db

HEADERS = [str(column.header) for column in VolunteerImport.columns]
KEYS = {str(column.header): column.key for column in VolunteerImport.columns}


@pytest.fixture(autouse=True)
def setup(settings, tmp_path):
    settings.TASKS_MODE = "immediate"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }


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
        job = tabular.import_start(actor=actor, kind="volunteers", upload=SimpleUploadedFile("f.xlsx", data), mode=mode)
    job.refresh_from_db()
    return job


def report(job) -> list[tuple]:
    return list(load_workbook(job.report.open("rb")).worksheets[0].iter_rows(values_only=True))[1:]


def good_rows() -> list[dict]:
    skills = list(DictionaryItem.objects.filter(dictionary__code=SKILL_DICTIONARY).values_list("name", flat=True)[:2])
    station = station_a()
    return [
        {
            "name": "陈志愿",
            "id_number": id_number(birth="19900505", sequence=31),
            "phone": "13712345678",
            "region": COMMUNITY_A,
            "station": station.code,
            "skills": "、".join(skills),
            "availability": "周末上午",
            "registered_on": "2026-02-01",
        },
        {
            "name": "林青年",
            "id_number": id_number(birth="20080101", sequence=42),
            "region": COMMUNITY_A,
            "station": station.code,
        },
    ]


def test_a_good_file_is_written_whole(world, django_capture_on_commit_callbacks):
    make_volunteer("先登记")  # V442026000001
    rows = good_rows()
    job = run(world.station_head_a, django_capture_on_commit_callbacks, workbook(rows))
    assert (job.status, job.written_rows, job.error_rows) == ("done", 2, 0), job.message
    chen = Volunteer.objects.get(name="陈志愿")
    assert chen.id_number == rows[0]["id_number"] and chen.sex == "M" and chen.birth_date.year == 1990
    assert chen.phone == "13712345678" and chen.station == station_a() and chen.skills.count() == 2
    numbers = sorted(Volunteer.objects.values_list("number", flat=True))
    assert numbers == ["V442026000001", "V442026000002", "V442026000003"]
    assert Volunteer.objects.get(name="林青年").birth_date.year == 2008  # minors volunteer too


def test_bad_rows_are_reported_and_nothing_is_written(world, django_capture_on_commit_callbacks):
    taken = make_volunteer("已登记")
    rows = good_rows()
    bad = rows[0]["id_number"][:17] + ("0" if rows[0]["id_number"][17] != "0" else "1")
    rows += [
        {**rows[0], "name": "文件内重复"},
        {**rows[1], "name": "库内重复", "id_number": taken.id_number},
        {**rows[1], "name": "校验位错", "id_number": bad},
        {**rows[1], "name": "越界", "id_number": id_number(sequence=77), "region": COMMUNITY_B},
        {**rows[1], "name": "错技能", "id_number": id_number(sequence=78), "skills": "飞行"},
        {**rows[1], "name": "无站点", "id_number": id_number(sequence=79), "station": "S000"},
    ]
    job = run(world.station_head_a, django_capture_on_commit_callbacks, workbook(rows))
    assert (job.status, job.written_rows, job.error_rows) == ("rejected", 0, 6)
    reasons = {row[1]: row[-1] for row in report(job)}
    assert "重复" in reasons["文件内重复"]
    assert "不能重复登记" in reasons["库内重复"] and taken.number not in reasons["库内重复"]
    assert "校验位" in reasons["校验位错"]
    assert "管辖范围" in reasons["越界"]
    assert "飞行" in reasons["错技能"]
    assert "站点" in reasons["无站点"]
    assert Volunteer.objects.count() == 1
    job = run(world.station_head_a, django_capture_on_commit_callbacks, workbook(rows), ImportJob.Mode.GOOD_ROWS)
    assert job.written_rows == 2 and Volunteer.objects.count() == 3
