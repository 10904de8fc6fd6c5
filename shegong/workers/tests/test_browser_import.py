"""An agency admin imports their staff from the downloaded template, two rows of which are wrong, and downloads the
error report (Chromium via Playwright). The import task runs right after the upload commits (TASKS_MODE immediate):
the test database is SQLite in memory, which a second thread cannot write while the server thread holds it."""

import io

import pytest
from openpyxl import load_workbook

from shegong.testing.browser import login
from shegong.testing.world import PASSWORD
from shegong.workers.models import SocialWorker
from shegong.workers.tests.conftest import id_number

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_agency_admin_imports_workers_with_two_bad_rows_and_downloads_the_report(
    live_server, page, world, settings, tmp_path
):
    settings.TASKS_MODE = "immediate"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    login(page, live_server.url, "agency_admin_a", PASSWORD)
    page.goto(f"{live_server.url}/workers/")
    page.get_by_test_id("worker-import").click()
    page.wait_for_load_state("networkidle")
    with page.expect_download() as download:
        page.get_by_test_id("template-download").click()
    book = load_workbook(io.BytesIO(download.value.path().read_bytes()))
    sheet = book.worksheets[0]
    headers = [cell.value.rstrip("*") for cell in sheet[1]]

    def row(**values):
        return [values.get(header) for header in headers]

    good = id_number(birth="19910305", sequence=401)
    bad_checksum = id_number(birth="19930708", sequence=402)
    bad_checksum = bad_checksum[:-1] + ("1" if bad_checksum[-1] == "0" else "0")
    sheet.delete_rows(2)  # the example row
    sheet.append(
        row(姓名="周小燕", 身份证号=good, 所在机构统一社会信用代码=world.agency_a.credit_code, 岗位类型="专业社工岗")
    )
    sheet.append(row(姓名="校验错", 身份证号=bad_checksum, 所在机构统一社会信用代码=world.agency_a.credit_code))
    sheet.append(
        row(
            姓名="无证定级",
            身份证号=id_number(birth="19950101", sequence=403),
            所在机构统一社会信用代码=world.agency_a.credit_code,
            岗位等级="社会工作师三级",
        )
    )
    upload = tmp_path / "staff.xlsx"
    book.save(upload)

    page.set_input_files("input[type=file]", str(upload))
    page.check("input[value=good_rows]")
    page.get_by_role("button", name="上传并检查").click()
    page.wait_for_selector("[data-testid=job-status][data-status=done]", timeout=30000)
    assert page.get_by_test_id("written-rows").inner_text() == "1"
    assert page.get_by_test_id("error-rows").inner_text() == "2"
    with page.expect_download() as download:
        page.get_by_test_id("report-download").click()
    report = list(
        load_workbook(io.BytesIO(download.value.path().read_bytes())).worksheets[0].iter_rows(values_only=True)
    )
    reasons = {line[1]: line[-1] for line in report[1:]}
    assert set(reasons) == {"校验错", "无证定级"}
    assert "校验位" in reasons["校验错"]
    assert "社会工作师" in reasons["无证定级"] and "证书" in reasons["无证定级"]
    worker = SocialWorker.objects.get()
    assert (worker.name, worker.agency, worker.region_id) == ("周小燕", world.agency_a, world.agency_a.region_id)

    page.goto(f"{live_server.url}/workers/?q=zxy")
    assert page.get_by_test_id("worker-row").count() == 1
    assert not page.js_errors, page.js_errors
