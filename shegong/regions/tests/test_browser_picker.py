"""The region picker in Chromium: each level loads when the one above changes (region-picker.js)."""

import pytest

from shegong.regions import loading
from shegong.testing.browser import login
from shegong.testing.world import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("shegong.regions.tests.picker_urls"),
]


def choose(page, level: int, label: str) -> None:
    select = page.locator(f"select[name=region_{level}]")
    page.wait_for_function(
        "([level, label]) => [...document.querySelectorAll(`select[name=region_${level}] option`)]"
        ".some((option) => option.textContent === label)",
        arg=[level, label],
    )
    select.select_option(label=label)


def test_cascade_down_to_a_community_and_submit(live_server, page, world):
    login(page, live_server.url, "city_admin", PASSWORD)
    page.goto(f"{live_server.url}/picker-test/")
    assert page.locator("select[name=region_2]").is_disabled()
    choose(page, 1, "广东省")
    choose(page, 2, "广州市")
    choose(page, 3, "越秀区")
    choose(page, 4, "北京街道")
    choose(page, 5, "流水井社区居委会")
    # Changing a level above clears and reloads the levels below.
    choose(page, 3, "海珠区")
    assert page.locator("select[name=region_5]").is_disabled()
    assert page.locator("select[name=region_4]").input_value() == ""
    choose(page, 3, "越秀区")
    choose(page, 4, "北京街道")
    page.click("[data-testid=picker-form] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("chosen").inner_text() == "440104003000"
    # The chosen chain is rendered again, with the next level ready.
    assert page.locator("select[name=region_4]").input_value() == "440104003000"
    assert not page.locator("select[name=region_5]").is_disabled()
    assert not page.js_errors, page.js_errors


def test_city_without_county_level(live_server, page, world):
    loading.load_shipped(city="4419")
    login(page, live_server.url, "city_admin", PASSWORD)
    page.goto(f"{live_server.url}/picker-test/")
    choose(page, 1, "广东省")
    choose(page, 2, "东莞市")
    choose(page, 4, "东城街道")
    assert page.locator("select[name=region_3] option").all_inner_texts() == ["（不设此级）"]
    page.click("[data-testid=picker-form] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("chosen").inner_text() == "441900003000"
    assert not page.js_errors, page.js_errors
