"""统计看板 in Chromium: a city administrator opens the dashboard from the menu, drills down city → district → street,
sees the charts drawn by ECharts (a canvas inside the chart's container), and downloads the statistical report."""

import datetime
import io

import pytest
from openpyxl import load_workbook

from shegong.persontimes import services
from shegong.stations.tests.factories import Kind, make_station
from shegong.testing.browser import login, open_menu_entry
from shegong.testing.world import DISTRICT_A, PASSWORD, STREET_A

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_city_admin_drills_down_to_a_street_and_downloads_the_report(live_server, page, world):
    today = datetime.date.today()
    station = make_station(Kind.STATION, STREET_A)
    services.record(kind="activity", source_id=1, occurred_on=today.replace(day=1), count=40, station=station)
    services.record(kind="case_session", source_id=2, occurred_on=today.replace(day=1), count=3, station=station)

    login(page, live_server.url, "city_admin", PASSWORD)
    open_menu_entry(page, "analytics:home")
    assert page.get_by_test_id("region-name").inner_text() == "广州市"

    # City → district → street, through the drill-down table's links.
    page.locator(f"[data-testid=child-row][data-code='{DISTRICT_A}'] [data-testid=child-link]").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("region-name").inner_text() == "越秀区"
    page.locator(f"[data-testid=child-row][data-code='{STREET_A}'] [data-testid=child-link]").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("region-name").inner_text() == "北京街道"
    assert "广州市" in page.get_by_test_id("crumbs").inner_text()
    panel = page.locator("[data-testid=key-cell][data-indicator=person_times] [data-testid=value]")
    assert panel.inner_text().startswith("43")

    # The charts are drawn: ECharts puts a canvas into the container.
    page.locator("[data-testid=chart-trend] canvas").first.wait_for(state="attached")
    assert page.locator("[data-testid=chart-ranking] canvas").count() >= 1
    assert page.locator("[data-testid=chart-trend]").get_attribute("data-drawn") == "1"

    # The report of the street, downloaded as Excel.
    page.get_by_test_id("report-link").click()
    page.wait_for_load_state("networkidle")
    assert "北京街道社会工作统计报表" in page.get_by_test_id("report-title").inner_text()
    with page.expect_download() as download:
        page.get_by_test_id("download").click()
    book = load_workbook(io.BytesIO(download.value.path().read_bytes()))
    assert book.sheetnames == ["概要", "下级地区", "服务分类", "月度趋势"]
    summary = [row for row in book["概要"].iter_rows(values_only=True) if row[1] == "服务人次"]
    assert summary and summary[0][3] == 43
    assert page.js_errors == []
