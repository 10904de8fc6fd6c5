"""Excel import of a plan's targets through the tabular framework: the registered template and the plan page's one
(its number filled in), a good file written through services.inspection_add (audited, inspectors copied), a file with
bad rows (each reason beside its row in the error report, nothing written in all-or-nothing mode), the importer's
scope, and a conflict at write time rolling everything back."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from stdnum.cn import uscc

from shegong.audit.models import AuditEntry
from shegong.inspections import imports, services
from shegong.inspections.models import Inspection
from shegong.inspections.tests.factories import make_plan, stations
from shegong.stations.models import Station
from shegong.tabular import services as tabular
from shegong.tabular import spec as specs
from shegong.tabular import workbooks
from shegong.tabular.models import ImportJob
from shegong.testing.matrix import assert_matrix

pytestmark = pytest.mark.django_db

WHOLE = ImportJob.Mode.ALL_OR_NOTHING
GOOD = ImportJob.Mode.GOOD_ROWS
SPEC = specs.get(imports.KIND)
UNKNOWN_CREDIT_CODE = "91440101MA59UNKN0X"
OTHER_CREDIT_CODE = "91440101MA59UNKN0" + uscc.calc_check_digit("91440101MA59UNKN0")


@pytest.fixture(autouse=True)
def immediate_tasks(settings):
    settings.TASKS_MODE = "immediate"


def workbook(rows: list[dict]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append([str(column.header) for column in SPEC.columns])
    for row in rows:
        sheet.append([row.get(column.key) for column in SPEC.columns])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def run(captured, actor, rows: list[dict], mode=WHOLE) -> ImportJob:
    with captured(execute=True):
        job = tabular.import_start(
            actor=actor, kind=imports.KIND, upload=SimpleUploadedFile("对象.xlsx", workbook(rows)), mode=mode
        )
    job.refresh_from_db()
    return job


def report(job) -> dict[int, str]:
    sheet = load_workbook(job.report.open("rb")).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    number, reason = header.index(workbooks.ROW_HEADER), header.index(workbooks.REASON_HEADER)
    return {row[number]: row[reason] for row in sheet.iter_rows(min_row=2, values_only=True)}


@pytest.fixture
def places(world):
    return stations(world)


@pytest.fixture
def plan(world):
    return make_plan(inspectors=[world.district_a_admin])


def test_the_template_and_the_plan_pages_template(client, world, plan):
    book = load_workbook(io.BytesIO(workbooks.template(SPEC)))
    assert [cell.value for cell in book.worksheets[0][1]] == ["计划编号*", "站点编码", "统一社会信用代码", "计划日期"]
    client.force_login(world.district_a_admin)
    response = client.get(reverse("inspections:plan_target_template", args=[plan.pk]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert sheet["A2"].value == plan.pk
    # The plan page leads to both.
    page = client.get(reverse("inspections:plan_detail", args=[plan.pk])).content.decode()
    assert reverse("tabular:import", args=[imports.KIND]) in page
    assert reverse("inspections:plan_target_template", args=[plan.pk]) in page


def test_the_import_pages_are_the_bureaus(client, world):
    expected = {
        "anonymous": 302,
        "city_admin": 200,
        "district_a_admin": 200,
        "district_b_admin": 200,
        "outsider": 200,
        "station_head_a": 403,
        "agency_admin_a": 403,
        "evaluator": 403,
        "worker_b": 403,
        "no_role": 403,
    }
    assert_matrix(client, world, reverse("tabular:import", args=[imports.KIND]), expected)
    assert_matrix(client, world, reverse("tabular:template", args=[imports.KIND]), expected)


def test_a_good_file_adds_the_targets(world, plan, places, django_capture_on_commit_callbacks):
    second = make_plan(quarter=2)
    rows = [
        {"plan": plan.pk, "station": places["a"].code.lower(), "scheduled_on": "2026-03-02"},
        {"plan": plan.pk, "station": places["room"].code},
        {"plan": plan.pk, "agency": world.agency_a.credit_code},
        {"plan": second.pk, "station": places["a"].code},
    ]
    job = run(django_capture_on_commit_callbacks, world.district_a_admin, rows)
    assert job.status == ImportJob.Status.DONE, job.message
    assert job.written_rows == 4
    visits = Inspection.objects.filter(plan=plan).order_by("pk")
    assert [(v.station_id, v.agency_id) for v in visits] == [
        (places["a"].pk, None),
        (places["room"].pk, None),
        (None, world.agency_a.pk),
    ]
    assert str(visits[0].scheduled_on) == "2026-03-02"
    assert list(visits[0].inspectors.all()) == [world.district_a_admin]
    assert Inspection.objects.filter(plan=second, station=places["a"]).exists()
    assert AuditEntry.objects.filter(object_type="inspections.inspection", action=AuditEntry.Action.CREATE).count() == 4
    assert AuditEntry.objects.filter(object_type="tabular.importjob", action=AuditEntry.Action.IMPORT).count() == 2


def test_a_file_with_bad_rows_writes_nothing(world, plan, places, django_capture_on_commit_callbacks):
    revoked = places["room"]
    Station.objects.filter(pk=revoked.pk).update(status=Station.Status.REVOKED)
    services.inspection_add(actor=None, plan=plan, agency=world.agency_a)
    plan_b = make_plan("440105000000")
    rows = [
        {"plan": plan.pk, "station": places["a"].code},  # 2: good
        {"plan": plan.pk, "station": places["b"].code},  # 3: 海珠区's station
        {"plan": plan.pk, "station": revoked.code},  # 4
        {"plan": plan.pk, "agency": world.agency_a.credit_code},  # 5: already in the plan
        {"plan": plan.pk},  # 6: neither
        {"plan": plan.pk, "station": "S440104999", "agency": OTHER_CREDIT_CODE},  # 7: both
        {"plan": plan_b.pk, "station": places["b"].code},  # 8: another district's plan
        {"plan": 999999, "station": places["a"].code},  # 9
        {"plan": plan.pk, "agency": UNKNOWN_CREDIT_CODE},  # 10: a bad check digit
        {"plan": plan.pk, "station": places["a"].code},  # 11: twice in the file
        {"station": places["a"].code},  # 12: no plan
        {"plan": plan.pk, "agency": world.agency_b.credit_code},  # 13: 海珠区's agency
        {"plan": plan.pk, "station": "S999999999"},  # 14: no such station
    ]
    job = run(django_capture_on_commit_callbacks, world.district_a_admin, rows)
    assert job.status == ImportJob.Status.REJECTED
    assert job.error_rows == 12
    assert "未导入任何数据" in job.message
    reasons = report(job)
    assert set(reasons) == set(range(3, 15))
    assert reasons[3] == f"站点编码：越秀区内没有编码为 {places['b'].code} 的站点"
    assert reasons[4] == "站点编码：流水井社区社工室 已撤销，不能督查"
    assert reasons[5] == "越秀测试社工中心 已在本计划中"
    assert reasons[6] == reasons[7] == "请填写站点编码或统一社会信用代码（二选一）"
    assert reasons[8] == reasons[9].replace("999999", str(plan_b.pk))
    assert reasons[9] == "计划编号：您的管辖范围内没有编号为 999999 的督查计划"
    assert "统一社会信用代码" in reasons[10] and "无效" in reasons[10]
    assert reasons[11] == "计划编号、站点编码与文件第 2 行重复"
    assert reasons[12] == "计划编号：必须填写"
    assert reasons[13] == f"统一社会信用代码：越秀区内没有代码为 {world.agency_b.credit_code} 的机构"
    assert reasons[14] == "站点编码：越秀区内没有编码为 S999999999 的站点"
    assert list(Inspection.objects.filter(plan=plan).values_list("agency_id", flat=True)) == [world.agency_a.pk]

    # The good rows only, if the importer chooses so.
    job = run(django_capture_on_commit_callbacks, world.district_a_admin, rows, mode=GOOD)
    assert job.status == ImportJob.Status.DONE
    assert job.written_rows == 1
    assert Inspection.objects.filter(plan=plan, station=places["a"]).exists()


def test_a_target_added_meanwhile_fails_the_whole_write(world, plan, places, django_capture_on_commit_callbacks):
    """Checked first, then someone adds the same station before the write: inspection_add refuses under the plan's
    lock and the framework rolls every row back."""
    spec = imports.PlanTargetImport()
    context = spec.prepare(world.district_a_admin)
    rows = [{"plan": plan.pk, "station": places["room"].code}, {"plan": plan.pk, "station": places["a"].code}]
    for row in rows:
        row.update(agency=None, scheduled_on=None)
        assert spec.check_row(row, context, world.district_a_admin) == []
    services.inspection_add(actor=None, plan=plan, station=places["a"])
    from django.core.exceptions import ValidationError
    from django.db import transaction

    with pytest.raises(ValidationError, match="已在本计划中"), transaction.atomic():
        spec.write(rows, context, world.district_a_admin)
    assert not Inspection.objects.filter(plan=plan, station=places["room"]).exists()
