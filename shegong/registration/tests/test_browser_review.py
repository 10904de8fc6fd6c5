"""The issue's browser test, registration part: a district user runs 初审 and a city user 终审, then registers."""

import pytest

from shegong.registration.models import Registration
from shegong.registration.tests.factories import make_certificate, make_registration, make_worker
from shegong.testing.browser import login
from shegong.testing.world import DISTRICT_A, PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_from_queue(page, base_url: str, name: str) -> None:
    page.goto(f"{base_url}/registration/queue/")
    page.get_by_test_id("queue-row").filter(has_text=name).get_by_test_id("registration-link").click()
    page.wait_for_load_state("networkidle")


def test_district_first_review_then_city_final_review(live_server, page, world):
    worker = make_worker(name="王越秀", region=DISTRICT_A, agency=world.agency_a)
    registration = make_registration(make_certificate(worker, level="intermediate"), submitted_by=world.agency_admin_a)

    # 初审: the district A bureau.
    login(page, live_server.url, "district_a_admin", PASSWORD)
    open_from_queue(page, live_server.url, "王越秀")
    assert page.get_by_test_id("registration-state").inner_text().strip() == "待审核"
    assert page.get_by_test_id("final-review").count() == 0
    form = page.get_by_test_id("first-review")
    form.get_by_label("不通过").check()
    form.get_by_test_id("first-review-submit").click()
    page.wait_for_load_state("networkidle")
    assert "必须填写审核意见" in page.locator(".alert-danger").first.inner_text()  # a rejection needs a note
    form = page.get_by_test_id("first-review")
    form.get_by_label("通过", exact=True).check()
    form.locator("textarea").fill("证书与身份信息核对无误")
    form.get_by_test_id("first-review-submit").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("registration-state").inner_text().strip() == "初审通过"
    assert page.get_by_test_id("first-review").count() == 0 and page.get_by_test_id("final-review").count() == 0
    assert "证书与身份信息核对无误" in page.get_by_test_id("timeline").inner_text()

    # 终审 and registration: the city bureau, another person.
    page.context.clear_cookies()
    login(page, live_server.url, "city_admin", PASSWORD)
    open_from_queue(page, live_server.url, "王越秀")
    form = page.get_by_test_id("final-review")
    form.get_by_label("通过", exact=True).check()
    form.get_by_test_id("final-review-submit").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("registration-state").inner_text().strip() == "终审通过"
    page.get_by_test_id("register-submit").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("registration-state").inner_text().strip() == "已登记"
    timeline = page.get_by_test_id("timeline").inner_text()
    assert "初审通过" in timeline and "终审通过" in timeline and "district_a_admin" in timeline
    assert not page.js_errors, page.js_errors

    registration.refresh_from_db()
    assert registration.state == Registration.State.REGISTERED
    assert registration.first_reviewed_by == world.district_a_admin
    assert registration.final_reviewed_by == world.city_admin
    assert registration.valid_until is not None
