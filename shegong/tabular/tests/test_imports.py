"""The Excel import framework with a realistic kind (agencies): templates, per-row errors, duplicates, both modes,
and files that are not what they claim to be. Nothing is ever half-written."""

import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from stdnum.cn import uscc

from shegong.agencies.models import Agency
from shegong.audit.models import AuditEntry
from shegong.core.models import Task
from shegong.tabular import parsers, services, workbooks
from shegong.tabular import spec as specs
from shegong.tabular.models import ImportJob

pytestmark = pytest.mark.django_db


def code(serial: int) -> str:
    body = f"52440104MJ{serial:07d}"
    return body + uscc.calc_check_digit(body)


class AgencySpec(specs.ImportSpec):
    kind = "test-agencies"
    title = "测试机构"
    permission = "agencies.change_agency"
    columns = [
        specs.Column("name", "机构名称", required=True, example="广州市示例社工中心"),
        specs.Column("credit_code", "统一社会信用代码", required=True, parse=parsers.credit_code(), example=code(1)),
        specs.Column("region", "所在区划代码", required=True, parse=parsers.text(12), example="440104000000"),
        specs.Column("legal_form", "组织形式", required=True, parse=parsers.choice(dict(Agency.LegalForm.choices))),
        specs.Column("founded_on", "成立日期", parse=parsers.date()),
    ]
    unique_together = [("credit_code",)]

    def prepare(self, actor):
        return {"existing": set(Agency.objects.values_list("credit_code", flat=True))}

    def check_row(self, values, context, actor):
        errors = []
        if values["credit_code"] in context["existing"]:
            errors.append("统一社会信用代码已在系统中登记")
        if not values["region"].startswith("4401"):
            errors.append("所在区划不在您的辖区内")
        return errors

    def write(self, rows, context, actor):
        Agency.objects.bulk_create(
            Agency(
                name=row["name"],
                credit_code=row["credit_code"],
                region_id=row["region"],
                legal_form=row["legal_form"],
                founded_on=row["founded_on"],
            )
            for row in rows
        )
        return len(rows)


@pytest.fixture(autouse=True)
def setup(settings, tmp_path):
    settings.TASKS_MODE = "immediate"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    specs.register(AgencySpec())
    yield
    specs._SPECS.pop(AgencySpec.kind, None)


def workbook_bytes(rows, headers=None) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(headers or ["机构名称*", "统一社会信用代码*", "所在区划代码*", "组织形式*", "成立日期"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


GOOD = [
    ["甲社工中心", code(11), "440104000000", "社会服务机构", "2015-03-01"],
    ["乙社工中心", code(12), "440105000000", "社会团体", "2016/5/2"],
]
BAD = [
    [
        "丙社工中心",
        code(13)[:-1] + "0" if code(13)[-1] != "0" else code(13)[:-1] + "1",
        "440104000000",
        "社会服务机构",
        "",
    ],
    ["丁社工中心", code(14), "440300000000", "公司", "2015-13-01"],
]


def start(world, data, mode, captured, name="agencies.xlsx"):
    with captured(execute=True):
        return services.import_start(
            actor=world.city_admin, kind="test-agencies", upload=SimpleUploadedFile(name, data), mode=mode
        )


def test_template_has_required_headers_an_example_and_notes(world):
    book = load_workbook(io.BytesIO(workbooks.template(AgencySpec())))
    sheet = book.worksheets[0]
    assert [cell.value for cell in sheet[1]] == [
        "机构名称*",
        "统一社会信用代码*",
        "所在区划代码*",
        "组织形式*",
        "成立日期",
    ]
    assert sheet["B2"].value == code(1)
    assert book.worksheets[1].title == "填写说明"


def test_a_good_file_is_imported_in_full_and_audited(world, django_capture_on_commit_callbacks):
    job = start(world, workbook_bytes(GOOD), ImportJob.Mode.ALL_OR_NOTHING, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert (job.status, job.total_rows, job.written_rows, job.error_rows) == ("done", 2, 2, 0)
    assert not job.report
    assert set(Agency.objects.filter(name__in=["甲社工中心", "乙社工中心"]).values_list("founded_on", flat=True)) == {
        __import__("datetime").date(2015, 3, 1),
        __import__("datetime").date(2016, 5, 2),
    }
    assert AuditEntry.objects.filter(action="import", object_id=str(job.pk)).count() == 2  # queued, then written
    assert Task.objects.get().status == "done"


def test_all_or_nothing_with_bad_rows_writes_nothing_and_reports_every_reason(
    world, django_capture_on_commit_callbacks
):
    before = Agency.objects.count()
    job = start(world, workbook_bytes(GOOD + BAD), ImportJob.Mode.ALL_OR_NOTHING, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.status == "rejected" and job.written_rows == 0 and job.error_rows == 2
    assert Agency.objects.count() == before
    report = load_workbook(job.report.open("rb")).worksheets[0]
    rows = list(report.iter_rows(values_only=True))
    assert rows[0][0] == "原行号" and rows[0][-1] == "错误原因"
    assert [row[0] for row in rows[1:]] == [4, 5]
    assert rows[1][1] == "丙社工中心"  # the original values are kept
    assert "统一社会信用代码" in rows[1][-1] and "校验位" in rows[1][-1]
    assert "不在可选范围内" in rows[2][-1] and "不是有效日期" in rows[2][-1]


def test_good_rows_mode_writes_the_good_ones_and_reports_the_rest(world, django_capture_on_commit_callbacks):
    job = start(world, workbook_bytes(GOOD + BAD), ImportJob.Mode.GOOD_ROWS, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert (job.status, job.written_rows, job.error_rows) == ("done", 2, 2)
    assert Agency.objects.filter(name__in=["甲社工中心", "乙社工中心"]).count() == 2
    assert job.report


def test_duplicates_inside_the_file_and_against_the_database_are_reported(world, django_capture_on_commit_callbacks):
    rows = [
        GOOD[0],
        ["重复机构", code(11), "440104000000", "社会服务机构", ""],
        ["已有机构", world.agency_a.credit_code, "440104000000", "社会服务机构", ""],
    ]
    job = start(world, workbook_bytes(rows), ImportJob.Mode.GOOD_ROWS, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    report = list(load_workbook(job.report.open("rb")).worksheets[0].iter_rows(values_only=True))
    assert job.written_rows == 1
    assert "与文件第 2 行重复" in report[1][-1]
    assert "已在系统中登记" in report[2][-1]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "文件是空的"),
        ("name,code\n甲,123\n".encode(), "不是 Excel 工作簿"),
        (os.urandom(10 * 1024 * 1024), "不是 Excel 工作簿"),
        (b"PK\x03\x04" + b"\x00" * 200, "不是 Excel 工作簿"),
    ],
    ids=["empty", "csv", "10MB-junk", "broken-zip"],
)
def test_files_that_are_not_workbooks_are_refused_whole(world, django_capture_on_commit_callbacks, data, message):
    before = Agency.objects.count()
    job = start(world, data, ImportJob.Mode.GOOD_ROWS, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.status == "rejected"
    assert message in job.message or "无法读取" in job.message
    assert Agency.objects.count() == before


def test_a_workbook_without_data_rows_or_required_columns_is_refused(world, django_capture_on_commit_callbacks):
    job = start(world, workbook_bytes([]), ImportJob.Mode.GOOD_ROWS, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert "没有数据行" in job.message
    job = start(
        world,
        workbook_bytes([["甲"]], headers=["机构名称"]),
        ImportJob.Mode.GOOD_ROWS,
        django_capture_on_commit_callbacks,
    )
    job.refresh_from_db()
    assert "缺少必填列" in job.message and "统一社会信用代码" in job.message


def test_a_failure_while_writing_rolls_back_every_row(world, django_capture_on_commit_callbacks, monkeypatch):
    original = AgencySpec.write

    def write_then_fail(self, rows, context, actor):
        original(self, rows, context, actor)
        raise __import__("django").db.IntegrityError("simulated constraint failure")

    monkeypatch.setattr(AgencySpec, "write", write_then_fail)
    specs.register(AgencySpec())
    before = Agency.objects.count()
    job = start(world, workbook_bytes(GOOD), ImportJob.Mode.GOOD_ROWS, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.status == "failed" and "已全部撤销" in job.message
    assert Agency.objects.count() == before


def test_pages_upload_progress_and_report_download(client, world, django_capture_on_commit_callbacks):
    client.force_login(world.city_admin)
    page = client.get(reverse("tabular:import", args=["test-agencies"]))
    assert page.status_code == 200
    template = client.get(reverse("tabular:template", args=["test-agencies"]))
    assert template["Content-Type"].startswith("application/vnd.openxmlformats")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("tabular:import", args=["test-agencies"]),
            {"file": SimpleUploadedFile("a.xlsx", workbook_bytes(GOOD + BAD)), "mode": "all_or_nothing"},
        )
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("tabular:job", args=[job.pk])
    status = client.get(reverse("tabular:job", args=[job.pk]))
    assert "2 行有错误" in status.content.decode()
    report = client.get(reverse("tabular:report", args=[job.pk]))
    assert report.status_code == 200


def test_someone_else_cannot_see_my_job_and_a_user_without_permission_cannot_import(
    client, world, django_capture_on_commit_callbacks
):
    job = start(world, workbook_bytes(GOOD), ImportJob.Mode.GOOD_ROWS, django_capture_on_commit_callbacks)
    client.force_login(world.district_a_admin)
    assert client.get(reverse("tabular:job", args=[job.pk])).status_code == 404
    assert client.get(reverse("tabular:report", args=[job.pk])).status_code == 404
    client.force_login(world.worker_b)
    assert client.get(reverse("tabular:import", args=["test-agencies"])).status_code == 403
    assert client.get(reverse("tabular:import", args=["no-such-kind"])).status_code == 404


def test_export_is_audited_with_its_filters(world):
    data = services.export_list(
        actor=world.city_admin,
        title="机构",
        headers=["名称"],
        rows=[["甲"], ["乙"]],
        object_type="agencies.agency",
        filters={"region": "4401"},
    )
    assert [row[0] for row in load_workbook(io.BytesIO(data)).worksheets[0].iter_rows(values_only=True)] == [
        "名称",
        "甲",
        "乙",
    ]
    entry = AuditEntry.objects.filter(action="export").latest("sequence")
    assert entry.changes == {"rows": [None, 2], "filters": [None, {"region": "4401"}]}


def test_a_template_downloaded_in_english_imports_too(world, django_capture_on_commit_callbacks):
    from django.utils import translation

    from shegong.tabular.workbooks import column_positions

    class Translated(AgencySpec):
        columns = [specs.Column("name", _lazy("名称"), required=True)]

    with translation.override("en"):
        english = str(_lazy("名称"))
    assert english != "名称"
    assert column_positions(Translated(), [english]) == {"name": 0}
    assert column_positions(Translated(), ["名称"]) == {"name": 0}


def _lazy(text):
    from django.utils.translation import gettext_lazy

    return gettext_lazy(text)


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("11010519491231002X", True),
        ("440104197001011238", None),  # checksum decided below
        ("11010519491231002Y", False),
        ("1101051949123100", False),
        ("110105194902301234", False),
    ],
)
def test_id_number_parser_checks_length_date_and_check_character(value, ok):
    from django.core.exceptions import ValidationError
    from stdnum.cn import ric

    if ok is None:  # a person born in 越秀区 (440104, created 1983) before 1983 is a real person
        value = value[:17] + ric.calc_check_digit(value[:17] + "0")
        ok = True
    parse = parsers.id_number()
    if ok:
        assert parse(value.lower()) == value.upper()
    else:
        with pytest.raises(ValidationError):
            parse(value)
