"""Excel imports of projects, spending and rosters through the tabular framework: a good file written through the
services (codes, stage history, audit), bad rows answered in the error report with the services' own Chinese
messages, both modes (all-or-nothing writes nothing when a row is bad), duplicates inside a file; and the exports
read back by the imports' layout."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from shegong.projects.imports import ProjectImport, RosterImport, SpendingImport
from shegong.projects.models import Project
from shegong.projects.tests.factories import blacklist, contract, make_project, make_station, make_worker
from shegong.tabular import services as tabular
from shegong.tabular import workbooks
from shegong.tabular.models import ImportJob
from shegong.testing.world import STREET_A

pytestmark = pytest.mark.django_db

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
    sheet = load_workbook(job.report.open("rb")).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    number, reason = header.index(workbooks.ROW_HEADER), header.index(workbooks.REASON_HEADER)
    return {row[number]: row[reason] for row in sheet.iter_rows(min_row=2, values_only=True)}


def project_row(**values) -> dict:
    row = {
        "name": "北京街社工站项目",
        "purchaser_department": "越秀区民政局",
        "region": "440104",
        "start_date": "2025-01-01",
        "end_date": "2025-12-31",
        "total_funds": "2400000",
        "social_work_posts": "12",
        "funding_fiscal": "2000000",
        "funding_lottery": "400000",
        "budget_personnel": "1600000",
        "budget_activity": "800000",
        "stations": "",
    }
    row.update(values)
    return row


def test_a_good_project_file_is_written_through_the_service(world, django_capture_on_commit_callbacks):
    station = make_station("station", STREET_A)
    rows = [project_row(stations=station.code), project_row(name="第二个项目")]
    job = run(django_capture_on_commit_callbacks, world.district_a_admin, ProjectImport, rows)
    assert job.status == ImportJob.Status.DONE, job.message
    assert sorted(Project.objects.values_list("code", flat=True)) == ["P4401042025001", "P4401042025002"]
    first = Project.objects.get(code="P4401042025001")
    assert list(first.stations.all()) == [station]
    assert first.stage_events.get().to_stage == "initiated" and first.created_by == world.district_a_admin


def test_bad_project_rows_get_the_services_messages(world, django_capture_on_commit_callbacks):
    rows = [
        project_row(),
        project_row(budget_activity="700000"),
        project_row(region="440105"),
        project_row(region="999999"),
        project_row(stations="S999999"),
    ]
    job = run(django_capture_on_commit_callbacks, world.district_a_admin, ProjectImport, rows)
    assert job.status == ImportJob.Status.REJECTED and not Project.objects.exists()
    reasons = report(job)
    assert set(reasons) == {3, 4, 5, 6}
    assert "预算科目合计 2,300,000.00 元，项目总经费 2,400,000.00 元，还差 100,000.00 元" in reasons[3]
    assert "不在您的管辖范围内" in reasons[4]
    assert "没有“999999”这个区划" in reasons[5]
    assert "S999999" in reasons[6]
    job = run(django_capture_on_commit_callbacks, world.district_a_admin, ProjectImport, rows, mode=GOOD)
    assert job.status == ImportJob.Status.DONE and Project.objects.count() == 1


def test_roster_import_refuses_blacklisted_and_duplicate_rows(world, django_capture_on_commit_callbacks):
    project = contract(make_project(), world.agency_a)
    good = make_worker(name="名单甲", agency=world.agency_a)
    listed = make_worker(name="黑名单乙", agency=world.agency_a)
    blacklist(listed, world.city_admin, on=datetime.date(2024, 1, 1))
    base = {"project": project.code, "role": "项目社工", "is_full_time": "是", "is_social_work_post": "是"}
    rows = [
        {**base, "worker": good.id_number, "start_date": "2025-01-01"},
        {**base, "worker": listed.id_number, "start_date": "2025-01-01"},
        {**base, "worker": good.id_number, "start_date": "2025-03-01"},
        {**base, "project": "P000", "worker": good.id_number, "start_date": "2025-01-01"},
    ]
    job = run(django_capture_on_commit_callbacks, world.agency_admin_a, RosterImport, rows, mode=GOOD)
    assert job.status == ImportJob.Status.DONE, job.message
    reasons = report(job)
    assert set(reasons) == {3, 4, 5}
    assert "黑名单" in reasons[3] and "重复" in reasons[4] and "P000" in reasons[5]
    assert list(project.staff.values_list("worker__name", flat=True)) == ["名单甲"]


def test_spending_import_records_the_contractors_spending(world, django_capture_on_commit_callbacks):
    project = contract(make_project(), world.agency_a)
    other = contract(make_project(name="海珠项目", region="440105"), world.agency_b)
    rows = [
        {"project": project.code, "category": "人员经费", "spent": "1000000"},
        {"project": project.code, "category": "activity", "spent": "900000"},
        {"project": other.code, "category": "人员经费", "spent": "1"},
    ]
    job = run(django_capture_on_commit_callbacks, world.agency_admin_a, SpendingImport, rows, mode=GOOD)
    assert job.status == ImportJob.Status.DONE, job.message
    assert set(report(job)) == {4}
    spent = dict(project.budget.values_list("category", "spent"))
    assert spent["personnel"] == 1_000_000 and spent["activity"] == 900_000  # over plan: allowed, flagged


def test_exported_projects_import_again(client, world, django_capture_on_commit_callbacks):
    make_project(name="导出项目")
    client.force_login(world.district_a_admin)
    response = client.post(reverse("projects:export", args=["projects"]))
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    assert header[: len(ProjectImport.columns)] == ProjectImport.headers_of()
    values = [cell.value for cell in sheet[2]][: len(ProjectImport.columns)]
    row = {column.key: value for column, value in zip(ProjectImport.columns, values, strict=True)}
    job = run(django_capture_on_commit_callbacks, world.district_a_admin, ProjectImport, [row])
    assert job.status == ImportJob.Status.DONE, job.message
    assert Project.objects.filter(name="导出项目").count() == 2
