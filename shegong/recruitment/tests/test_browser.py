"""A worker finds an opening and applies; the agency shortlists and hires them; the hire shows in the employment list
and on the worker's own 我的求职 (Chromium via Playwright)."""

import pytest

from shegong.recruitment.models import Employment
from shegong.talent.tests.factories import post_type
from shegong.testing.browser import login
from shegong.testing.world import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_apply_shortlist_and_hire(live_server, page, world, make_opening, applicant):
    post_type()
    make_opening(title="北京街社区社工", headcount=1)

    login(page, live_server.url, "applicant", PASSWORD)
    page.goto(f"{live_server.url}/recruitment/openings/")
    page.get_by_test_id("opening-row").filter(has_text="北京街社区社工").locator("a").first.click()
    page.wait_for_load_state("networkidle")
    page.fill("#id_cover_note", "在社区服务三年，持助理社会工作师证书。")
    page.get_by_test_id("apply").click()
    page.wait_for_load_state("networkidle")
    assert "北京街社区社工" in page.get_by_test_id("my-applications").inner_text()
    assert not page.js_errors, page.js_errors
    page.locator("form[action$='/accounts/logout/'] button").first.click()
    page.wait_for_load_state("networkidle")

    login(page, live_server.url, "agency_admin_a", PASSWORD)
    page.goto(f"{live_server.url}/recruitment/manage/")
    page.get_by_test_id("managed-row").filter(has_text="北京街社区社工").locator("a").first.click()
    page.wait_for_load_state("networkidle")
    page.get_by_test_id("review-applications").click()
    page.wait_for_load_state("networkidle")
    row = page.get_by_test_id("application-row").filter(has_text="应聘者")
    row.get_by_test_id("move-shortlisted").click()
    page.wait_for_load_state("networkidle")
    page.get_by_test_id("application-row").filter(has_text="应聘者").get_by_test_id("hire").click()
    page.wait_for_load_state("networkidle")
    page.get_by_test_id("submit").click()
    page.wait_for_load_state("networkidle")
    assert "已录用" in page.locator(".alert-success").inner_text()
    page.goto(f"{live_server.url}/recruitment/employments/")
    assert "应聘者" in page.get_by_test_id("employment-table").inner_text()
    assert not page.js_errors, page.js_errors

    employment = Employment.objects.get()
    assert employment.worker == applicant and employment.agency == world.agency_a
    applicant.refresh_from_db()
    assert applicant.agency == world.agency_a
