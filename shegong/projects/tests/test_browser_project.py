"""A district admin's flow in Chromium: create a project with its funding and budget (first with a budget that does
not add up, answered in Chinese), see the verdicts of 广州's rules with their figures and source text, edit the
budget below 65% and see the personnel rule fail, then move the project on to 招标/评审."""

import os

import pytest

from shegong.policies.presets import install_presets
from shegong.projects.models import Project
from shegong.projects.tests.factories import make_station
from shegong.refdata.seed import install_dictionaries
from shegong.testing.browser import login, open_menu_entry
from shegong.testing.world import PASSWORD, STREET_A

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("SHEGONG_SCREENSHOTS")


def shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_district_admin_creates_a_project_and_sees_its_verdicts(live_server, page, world):
    install_presets()
    install_dictionaries()
    station = make_station("station", STREET_A, name="北京街社工站", agency=world.agency_a)

    login(page, live_server.url, "district_a_admin", PASSWORD)
    open_menu_entry(page, "projects:list")
    page.wait_for_load_state("networkidle")
    page.get_by_test_id("project-create").click()
    page.wait_for_load_state("networkidle")

    page.fill("#id_name", "北京街社工站服务项目")
    page.fill("#id_purchaser_department", "广州市越秀区民政局")
    picker = page.locator("[data-region-picker]")
    for level, name in ((2, "广州市"), (3, "越秀区")):
        select = picker.locator(f"select[data-level='{level}']")
        select.locator("option", has_text=name).wait_for(state="attached")
        select.select_option(label=name)
    page.fill("#id_start_date", "2025-01-01")
    page.fill("#id_end_date", "2025-12-31")
    page.fill("#id_total_funds", "2400000")
    # The station is found by its name and added with a click (the finder asks the stations API).
    page.get_by_test_id("station-finder").fill("北京街")
    page.get_by_test_id("station-results").locator(f"[data-code='{station.code}']").click()
    assert page.input_value("#id_stations") == station.code
    page.fill("#id_funding_fiscal", "2000000")
    page.fill("#id_funding_lottery", "400000")
    page.fill("#id_budget_personnel", "1600000")
    page.fill("#id_budget_activity", "700000")
    page.locator("#id_outputs-0-measure").select_option("cases")
    page.fill("#id_outputs-0-planned", "60")
    page.get_by_test_id("submit").click()
    page.wait_for_load_state("networkidle")
    shot(page, "projects-form-error")
    assert "还差 100,000.00 元" in page.get_by_test_id("budget-error").inner_text()

    page.fill("#id_budget_activity", "800000")
    page.get_by_test_id("submit").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("project-name").inner_text() == "北京街社工站服务项目"
    project = Project.objects.get()
    assert page.get_by_test_id("project-code").inner_text() == project.code
    labour = page.get_by_test_id("verdict-labour_cost_share")
    assert labour.get_attribute("data-status") == "pass"
    assert "66.67%" in labour.inner_text() and "不低于 65%" in labour.inner_text()
    amount = page.get_by_test_id("verdict-station_project_amount")
    assert amount.get_attribute("data-status") == "pass"
    labour.get_by_test_id("verdict-source").locator("summary").click()
    assert "人员支出比例不能低于65%" in labour.get_by_test_id("verdict-source").inner_text()
    shot(page, "projects-detail")

    page.get_by_test_id("project-edit").click()
    page.wait_for_load_state("networkidle")
    page.fill("#id_budget_personnel", "1500000")
    page.fill("#id_budget_activity", "900000")
    page.get_by_test_id("submit").click()
    page.wait_for_load_state("networkidle")
    labour = page.get_by_test_id("verdict-labour_cost_share")
    assert labour.get_attribute("data-status") == "fail"
    assert "62.5%" in labour.inner_text()

    page.get_by_test_id("move-tendering").click()
    page.wait_for_load_state("networkidle")
    page.get_by_test_id("submit").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("project-stage").inner_text() == "招标/评审"
    assert "招标/评审" in page.get_by_test_id("stage-history").inner_text()
    assert not page.js_errors, page.js_errors
