"""The "training-records" Excel import: template, good rows, every kind of bad row, duplicates, both modes, scope."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from shegong.registration.models import TrainingRecord
from shegong.registration.tests.factories import make_training, make_worker
from shegong.tabular import services, workbooks
from shegong.tabular import spec as specs
from shegong.tabular.models import ImportJob
from shegong.testing.world import DISTRICT_B

pytestmark = pytest.mark.django_db

HEADERS = ["身份证号*", "姓名", "类别*", "名称*", "举办单位*", "学时", "开始日期*", "结束日期*", "备注"]


@pytest.fixture(autouse=True)
def _immediate(settings, tmp_path):
    settings.TASKS_MODE = "immediate"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }


def workbook_bytes(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def run(world, actor, rows, mode, captured) -> ImportJob:
    with captured(execute=True):
        job = services.import_start(
            actor=actor,
            kind="training-records",
            upload=SimpleUploadedFile("training.xlsx", workbook_bytes(rows)),
            mode=mode,
        )
    job.refresh_from_db()
    return job


def report_rows(job) -> list[tuple]:
    return list(load_workbook(job.report.open("rb")).worksheets[0].iter_rows(values_only=True))[1:]


def test_template_has_the_columns_and_a_valid_example(world):
    spec = specs.get("training-records")
    book = load_workbook(io.BytesIO(workbooks.template(spec)))
    assert [cell.value for cell in book.worksheets[0][1]] == HEADERS
    example = [cell.value for cell in book.worksheets[0][2]]
    assert example[2] == "继续教育" and example[5] == 24


def test_good_rows_in_scope(world, worker, django_capture_on_commit_callbacks):
    rows = [
        [
            worker.id_number,
            worker.name,
            "继续教育",
            "社会工作伦理",
            "广州市社会工作协会",
            24,
            "2025-03-01",
            "2025-03-03",
            "",
        ],
        [worker.id_number.lower(), "", "培训", "个案管理", "越秀区民政局", "12.5", "2025/4/1", "2025/4/2", "线上"],
        [worker.id_number, "", "社会工作学历教育", "社会工作硕士", "中山大学", "", "2019-09-01", "2021-06-30", ""],
    ]
    job = run(world, world.district_a_admin, rows, ImportJob.Mode.ALL_OR_NOTHING, django_capture_on_commit_callbacks)
    assert (job.status, job.written_rows, job.error_rows) == ("done", 3, 0), job.message
    records = {record.title: record for record in TrainingRecord.objects.filter(worker=worker)}
    assert records["个案管理"].hours == 12.5 and records["个案管理"].kind == "training"
    assert records["社会工作硕士"].hours == 0
    assert all(record.is_verified for record in records.values())  # the bureau imports verified records


def test_an_agency_import_waits_for_verification(world, worker, django_capture_on_commit_callbacks):
    rows = [[worker.id_number, "", "继续教育", "社会工作伦理", "协会", 8, "2025-03-01", "2025-03-01", ""]]
    job = run(world, world.agency_admin_a, rows, ImportJob.Mode.ALL_OR_NOTHING, django_capture_on_commit_callbacks)
    assert job.written_rows == 1
    assert not TrainingRecord.objects.get().is_verified


def test_bad_rows_are_reported_and_nothing_is_written_in_all_or_nothing(
    world, worker, django_capture_on_commit_callbacks
):
    outside = make_worker(region=DISTRICT_B)
    make_training(worker, title="已有课程", end=datetime.date(2025, 1, 2), days=2, verified_by=world.district_a_admin)
    future = (datetime.date.today() + datetime.timedelta(days=10)).isoformat()
    rows = [
        [worker.id_number, "", "继续教育", "好课程", "协会", 8, "2025-03-01", "2025-03-01", ""],  # good
        ["440104199001010000", "", "继续教育", "甲", "协会", 8, "2025-03-01", "2025-03-01", ""],  # bad checksum
        [outside.id_number, "", "继续教育", "乙", "协会", 8, "2025-03-01", "2025-03-01", ""],  # district B
        [worker.id_number, "王五", "继续教育", "丙", "协会", 8, "2025-03-01", "2025-03-01", ""],  # wrong name
        [worker.id_number, "", "继续教育", "丁", "协会", 0, "2025-03-01", "2025-03-01", ""],  # zero hours
        [worker.id_number, "", "继续教育", "戊", "协会", 30, "2025-03-01", "2025-03-02", ""],  # > 12 a day
        [worker.id_number, "", "继续教育", "己", "协会", 8, "2025-03-05", "2025-03-01", ""],  # ends before start
        [worker.id_number, "", "继续教育", "庚", "协会", 8, "2025-03-01", future, ""],  # in the future
        [worker.id_number, "", "讲座", "辛", "协会", 8, "2025-03-01", "2025-03-01", ""],  # unknown kind
        [worker.id_number, "", "继续教育", "好课程", "协会", 6, "2025-03-01", "2025-03-01", ""],  # dup in file
        [worker.id_number, "", "继续教育", "已有课程", "协会", 6, "2025-01-01", "2025-01-02", ""],  # dup in DB
        [worker.id_number, "", "继续教育", "壬", "协会", "", "2025-03-01", "2025-03-01", ""],  # no hours
    ]
    before = TrainingRecord.objects.count()
    job = run(world, world.district_a_admin, rows, ImportJob.Mode.ALL_OR_NOTHING, django_capture_on_commit_callbacks)
    assert job.status == "rejected" and job.error_rows == 11 and job.written_rows == 0
    assert TrainingRecord.objects.count() == before
    reasons = {row[0]: row[-1] for row in report_rows(job)}
    assert "校验位" in reasons[3]
    assert "没有这个身份证号的社会工作者" in reasons[4]
    assert "姓名与系统中" in reasons[5] and worker.name in reasons[5]
    assert "学时必须大于 0" in reasons[6]
    assert "最多记 24 小时" in reasons[7]
    assert "不能早于开始日期" in reasons[8]
    assert "不能晚于今天" in reasons[9]
    assert "不在可选范围内" in reasons[10]
    assert "与文件第 2 行重复" in reasons[11]
    assert "系统中已有" in reasons[12]
    assert "请填写学时" in reasons[13]


def test_good_rows_mode_writes_only_the_good_ones(world, worker, django_capture_on_commit_callbacks):
    rows = [
        [worker.id_number, "", "继续教育", "好课程", "协会", 8, "2025-03-01", "2025-03-01", ""],
        [worker.id_number, "", "继续教育", "坏课程", "协会", -3, "2025-03-01", "2025-03-01", ""],
    ]
    job = run(world, world.district_a_admin, rows, ImportJob.Mode.GOOD_ROWS, django_capture_on_commit_callbacks)
    assert (job.status, job.written_rows, job.error_rows) == ("done", 1, 1)
    assert list(TrainingRecord.objects.values_list("title", flat=True)) == ["好课程"]


def test_users_without_the_permission_cannot_import(world):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.import_start(
            actor=world.station_head_a,
            kind="training-records",
            upload=SimpleUploadedFile("t.xlsx", workbook_bytes([])),
            mode=ImportJob.Mode.GOOD_ROWS,
        )
