"""A person's first minutes: sign in, switch the language, drill down the region browser (Chromium via Playwright)."""

import re

import pytest

from shegong.testing.browser import login
from shegong.testing.world import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_in_switch_language_and_drill_down_regions(live_server, page, world):
    login(page, live_server.url, "city_admin", PASSWORD)
    assert page.locator("[data-testid=my-scope]").inner_text().count("广州市") >= 1
    assert page.evaluate("document.documentElement.lang") == "zh-hans"

    page.locator("[data-testid=language-switch] button[value=en]").first.click()
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.lang") == "en"
    logout_label = page.locator("form[action$='/accounts/logout/'] button").inner_text()
    assert re.search(r"(log|sign)[ -]?out", logout_label, re.IGNORECASE), logout_label

    page.locator("[data-testid=language-switch] button[value=zh-hans]").first.click()
    page.wait_for_load_state("networkidle")
    page.goto(f"{live_server.url}/regions/440100000000/")
    page.get_by_test_id("region-link").filter(has_text="越秀区").first.click()
    page.wait_for_load_state("networkidle")
    assert "越秀区" in page.locator("h1").inner_text()
    page.get_by_test_id("region-link").filter(has_text="北京街道").first.click()
    page.wait_for_load_state("networkidle")
    assert "北京街道" in page.locator("h1").inner_text()
    breadcrumb = page.get_by_test_id("region-breadcrumb").inner_text()
    assert "广州市" in breadcrumb and "越秀区" in breadcrumb
    assert page.get_by_test_id("region-link").count() > 5  # its communities
    assert not page.js_errors, page.js_errors
