"""Importing agencies from Excel (ImportSpec "agencies"): a good file, bad rows with every reason, duplicates in the
file and against the database, the importer's scope. Non-Excel files, empty files and junk are the framework's own
tests (shegong/tabular/tests/test_imports.py)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from shegong.agencies.imports import AgencyImport
from shegong.agencies.models import Agency
from shegong.agencies.tests.conftest import bad_code, code
from shegong.audit.models import AuditEntry
from shegong.tabular import services, workbooks
from shegong.tabular.models import ImportJob

pytestmark = pytest.mark.django_db

HEADERS = [
    "机构名称",
    "统一社会信用代码",
    "组织形式",
    "登记管理机关",
    "所在区划代码",
    "成立日期",
    "服务领域",
    "联系人",
    "联系电话",
    "地址",
]


@pytest.fixture(autouse=True)
def _immediate_tasks_and_private_storage(settings, tmp_path):
    settings.TASKS_MODE = "immediate"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }


def workbook(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def run(actor, rows, mode, captured) -> ImportJob:
    with captured(execute=True):
        job = services.import_start(
            actor=actor, kind="agencies", upload=SimpleUploadedFile("机构.xlsx", workbook(rows)), mode=mode
        )
    job.refresh_from_db()
    return job


def report_rows(job) -> list[tuple]:
    return list(load_workbook(job.report.open("rb")).worksheets[0].iter_rows(values_only=True))[1:]


def good_rows(domains):
    return [
        [
            "广州市越秀区甲社工中心",
            code(5001),
            "社会服务机构",
            "广州市越秀区民政局",
            "440104",
            "2015-03-01",
            f"{domains[0].name}、{domains[1].name}",
            "陈一",
            "138 0013 8000",
            "越秀区某路 1 号",
        ],
        ["广州市越秀区乙协会", code(5002), "社会团体", "广州市越秀区民政局", "440104003", "2016/5/2", "", "", "", ""],
    ]


def test_the_template_has_the_columns_and_a_valid_example():
    book = load_workbook(io.BytesIO(workbooks.template(AgencyImport())))
    sheet = book.worksheets[0]
    assert [cell.value.rstrip("*") for cell in sheet[1]] == HEADERS
    assert [cell.value for cell in sheet[1]][:5] == [
        "机构名称*",
        "统一社会信用代码*",
        "组织形式*",
        "登记管理机关*",
        "所在区划代码*",
    ]
    from shegong.agencies.validators import validate_credit_code

    validate_credit_code(sheet["B2"].value)


def test_a_good_file_is_imported_with_domains_and_audited_as_one_import(
    world, domains, django_capture_on_commit_callbacks
):
    job = run(
        world.district_a_admin, good_rows(domains), ImportJob.Mode.ALL_OR_NOTHING, django_capture_on_commit_callbacks
    )
    assert (job.status, job.written_rows, job.error_rows) == ("done", 2, 0)
    first = Agency.objects.get(credit_code=code(5001))
    assert first.region_id == "440104000000" and first.province_code == "44"
    assert first.name_initials == "gzsyxqjsgzx"
    assert first.contact_phone == "13800138000"
    assert set(first.service_domains.all()) == {domains[0], domains[1]}
    second = Agency.objects.get(credit_code=code(5002))
    assert second.region_id == "440104003000" and second.legal_form == "social_group"
    entries = AuditEntry.objects.filter(action="import", object_id=str(job.pk))
    assert entries.count() == 2  # queued, then written (the framework's one entry for the rows)
    assert not AuditEntry.objects.filter(action="create", object_type="agencies.agency").exists()


def test_bad_rows_are_reported_with_every_reason_and_nothing_is_written(
    world, domains, django_capture_on_commit_callbacks
):
    rows = [
        *good_rows(domains),
        ["丙", bad_code(5003), "社会服务机构", "越秀区民政局", "440104", "", "", "", "", ""],
        ["丁", code(5004), "公司", "越秀区民政局", "440104", "2015-13-01", "", "", "123", ""],
        ["戊", code(5005), "社会服务机构", "海珠区民政局", "440105", "2099-01-01", "不存在的领域", "", "", ""],
        ["己", code(5006), "社会服务机构", "越秀区民政局", "4401", "", "", "", "", ""],
        ["庚", code(5007), "社会服务机构", "越秀区民政局", "449999", "", "", "", "", ""],
        ["辛", code(5008), "社会服务机构", "越秀区民政局", "44010", "", "", "", "", ""],
        ["壬", code(5009), "社会服务机构", "", "440104", "", "", "", "", ""],
    ]
    job = run(world.district_a_admin, rows, ImportJob.Mode.ALL_OR_NOTHING, django_capture_on_commit_callbacks)
    assert job.status == "rejected" and job.written_rows == 0 and job.error_rows == 7
    assert not Agency.objects.filter(credit_code__in=[code(5001), code(5002)]).exists()
    reasons = {row[0]: row[-1] for row in report_rows(job)}
    assert "校验位" in reasons[4]
    assert "不在可选范围内" in reasons[5] and "不是有效日期" in reasons[5] and "电话号码" in reasons[5]
    assert "不在您的管辖范围内" in reasons[6] and "成立日期不能晚于今天" in reasons[6] and "不存在的领域" in reasons[6]
    assert "须为区县或街道" in reasons[7]
    assert "不存在" in reasons[8]
    assert "格式不正确" in reasons[9]
    assert "登记管理机关：必须填写" in reasons[10]


def test_good_rows_mode_writes_only_the_good_rows(world, domains, django_capture_on_commit_callbacks):
    rows = [*good_rows(domains), ["丙", bad_code(5003), "社会服务机构", "越秀区民政局", "440104", "", "", "", "", ""]]
    job = run(world.district_a_admin, rows, ImportJob.Mode.GOOD_ROWS, django_capture_on_commit_callbacks)
    assert (job.status, job.written_rows, job.error_rows) == ("done", 2, 1)
    assert Agency.objects.filter(credit_code__in=[code(5001), code(5002)]).count() == 2


def test_duplicates_inside_the_file_and_against_the_database(world, domains, django_capture_on_commit_callbacks):
    rows = [
        good_rows(domains)[0],
        ["重复的机构", code(5001), "社会服务机构", "越秀区民政局", "440104", "", "", "", "", ""],
        ["已登记的机构", world.agency_a.credit_code, "社会服务机构", "越秀区民政局", "440104", "", "", "", "", ""],
    ]
    job = run(world.city_admin, rows, ImportJob.Mode.GOOD_ROWS, django_capture_on_commit_callbacks)
    assert job.written_rows == 1
    reasons = {row[0]: row[-1] for row in report_rows(job)}
    assert "与文件第 2 行重复" in reasons[3]
    assert "已在系统中登记" in reasons[4]


def test_only_users_who_may_register_agencies_can_import(client, world):
    from django.urls import reverse

    from shegong.testing.matrix import assert_matrix

    expected = {"anonymous": 302, "city_admin": 200, "district_a_admin": 200, "district_b_admin": 200, "outsider": 200}
    assert_matrix(client, world, reverse("tabular:import", args=["agencies"]), expected, default=403)


def test_imported_agencies_are_counted_in_the_indicators_at_once(world, domains, django_capture_on_commit_callbacks):
    # The import writes in bulk (no model signals): it must still feed the aggregates, with nothing left to rebuild.
    import datetime

    from shegong.agencies.facts import AGENCIES
    from shegong.analytics import catalogue, figures, maintenance
    from shegong.analytics.periods import Period
    from shegong.regions.models import Region

    node = figures.Node.of(Region.objects.get(pk="440104000000"))
    today = datetime.date.today()
    indicator = catalogue.indicator(AGENCIES)
    before = figures.evaluate([indicator], [node], Period(today, today))[(AGENCIES, node)].value
    run(world.district_a_admin, good_rows(domains), ImportJob.Mode.ALL_OR_NOTHING, django_capture_on_commit_callbacks)
    after = figures.evaluate([indicator], [node], Period(today, today))[(AGENCIES, node)].value
    assert after - before == 2
    assert maintenance.verify() == (0, [])
