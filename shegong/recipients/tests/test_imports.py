"""Excel import of recipients: a good file written whole (encrypted, categories, derived facts), bad rows reported
with their reasons (ID numbers checked, duplicates in the file and in the database, scope), nothing half-written."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from shegong.core.fields import blind_index_for
from shegong.recipients.imports import RecipientImport
from shegong.recipients.models import Recipient
from shegong.recipients.tests.factories import COMMUNITY_A, COMMUNITY_B, Kind, id_number, make_recipient, make_station
from shegong.tabular import services as tabular
from shegong.tabular import spec as specs
from shegong.tabular import workbooks
from shegong.tabular.models import ImportJob

pytestmark = pytest.mark.django_db

HEADERS = [str(column.header) for column in RecipientImport.columns]
KEYS = {str(column.header): column.key for column in RecipientImport.columns}


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
        job = tabular.import_start(actor=actor, kind="recipients", upload=SimpleUploadedFile("f.xlsx", data), mode=mode)
    job.refresh_from_db()
    return job


def report(job) -> list[tuple]:
    return list(load_workbook(job.report.open("rb")).worksheets[0].iter_rows(values_only=True))[1:]


def good_rows(room) -> list[dict]:
    return [
        {
            "name": "何阿婆",
            "id_number": id_number(birth="19380808", sequence=22),
            "phone": "137 1234 5678",
            "community": COMMUNITY_A,
            "station": room.code,
            "categories": "特困、独居",
            "attention_level": 2,
            "consent_given_on": "2026-01-10",
            "consent_scopes": "服务记录、联系回访",
        },
        {
            "name": "小明",
            "no_id_reason": "未成年未办证",
            "birth_date": "2019-06-01",
            "sex": "男",
            "community": COMMUNITY_A,
            "household_separated": "是",
            "contact_name": "何大明",
            "contact_relation": "父亲",
            "contact_phone": "13900001111",
            "consent_given_on": "2026-01-11",
        },
    ]


def test_the_template_lists_the_columns(world):
    book = load_workbook(io.BytesIO(workbooks.template(specs.get("recipients"))))
    header = [cell.value for cell in book.worksheets[0][1]]
    assert header[0] == "姓名*" and "身份证号" in header and "知情同意日期*" in header


def test_a_good_file_is_written_whole(world, django_capture_on_commit_callbacks):
    room = make_station(Kind.ROOM, COMMUNITY_A)
    rows = good_rows(room)
    job = run(world.station_head_a, django_capture_on_commit_callbacks, workbook(rows))
    assert (job.status, job.written_rows, job.error_rows) == ("done", 2, 0), job.message
    granny = Recipient.objects.get(name="何阿婆")
    assert granny.id_number == rows[0]["id_number"] and granny.sex == "F" and granny.birth_date.year == 1938
    assert granny.id_number_index == blind_index_for(Recipient, "id_number", rows[0]["id_number"])
    assert granny.phone == "13712345678" and granny.station == room and granny.attention_level == 2
    assert sorted(granny.category_links.values_list("category__code", flat=True)) == ["extreme_poverty", "living_alone"]
    assert granny.consent_scopes == ["service_record", "follow_up"]
    child = Recipient.objects.get(name="小明")
    assert (child.id_number, child.no_id_reason, child.sex, child.household_separated) == ("", "minor", "M", True)
    assert child.contact_phone == "13900001111" and child.consent_scopes == ["service_record"]


def test_bad_rows_are_reported_and_nothing_is_written(world, django_capture_on_commit_callbacks):
    room = make_station(Kind.ROOM, COMMUNITY_A)
    taken = make_recipient("已登记", COMMUNITY_A)
    rows = good_rows(room)
    bad_checksum = rows[0]["id_number"][:17] + ("0" if rows[0]["id_number"][17] != "0" else "1")
    rows += [
        {**rows[0], "name": "文件内重复"},
        {**rows[0], "name": "库内重复", "id_number": taken.id_number},
        {**rows[0], "name": "校验位错", "id_number": bad_checksum},
        {**rows[1], "name": "缺原因", "no_id_reason": None, "sex": None},
        {**rows[1], "name": "越界", "community": COMMUNITY_B},
        {**rows[1], "name": "错类别", "categories": "富豪"},
        {**rows[1], "name": "无记录范围", "consent_scopes": "联系回访"},
    ]
    job = run(world.station_head_a, django_capture_on_commit_callbacks, workbook(rows))
    assert (job.status, job.written_rows, job.error_rows) == ("rejected", 0, 7)
    reasons = {row[1]: row[-1] for row in report(job)}
    assert "第 2 行重复" in reasons["文件内重复"]
    assert "不能重复登记" in reasons["库内重复"] and "流水井" not in reasons["库内重复"]
    assert "校验位" in reasons["校验位错"]
    assert "无身份证号原因" in reasons["缺原因"] and "性别" in reasons["缺原因"]
    assert "管辖范围" in reasons["越界"]
    assert "富豪" in reasons["错类别"]
    assert "服务记录" in reasons["无记录范围"]
    assert Recipient.all_records.count() == 1
    job = run(world.station_head_a, django_capture_on_commit_callbacks, workbook(rows), ImportJob.Mode.GOOD_ROWS)
    assert job.written_rows == 2 and Recipient.all_records.count() == 3
