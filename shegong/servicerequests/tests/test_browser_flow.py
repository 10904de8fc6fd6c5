"""码上办 end to end on a phone-sized window (Chromium): a resident opens a community's QR page, submits a request and
gets a tracking code; the station head assigns it from the queue; the resident social worker accepts it, turns it
into a case and closes the case on the casework pages; the resident follows the code and rates the service."""

import pytest

from shegong.casework.models import Case
from shegong.recipients.tests.factories import make_recipient
from shegong.servicerequests.abuse import MIN_FILL_SECONDS
from shegong.servicerequests.models import ServiceRequest, Status
from shegong.servicerequests.tests.factories import Network
from shegong.testing.browser import login, open_menu_entry
from shegong.testing.world import COMMUNITY_A, PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _go(page):
    page.wait_for_load_state("networkidle")


def test_a_resident_request_from_qr_to_rating(live_server, phone_page, world):
    page = phone_page
    net = Network(world)
    person = make_recipient("何阿婆", COMMUNITY_A)

    # The resident scans the community's QR code and asks for help, with no account.
    page.goto(f"{live_server.url}/s/{COMMUNITY_A}/")
    page.get_by_test_id("request-entry").click()
    _go(page)
    assert "流水井社区" in page.inner_text("[data-testid=community-fixed]")
    page.select_option("#id_domain", "social_welfare")
    page.fill("#id_description", "家中老人独居，腿脚不便，希望有人上门看看")
    page.fill("#id_phone", "13800138000")
    page.check("#id_contact_consent")
    page.wait_for_timeout(MIN_FILL_SECONDS * 1000 + 300)  # a person takes a moment to fill the form
    page.get_by_test_id("submit").click()
    _go(page)
    code = page.get_by_test_id("tracking-code").input_value()
    assert len(code) == 8
    track_url = page.get_by_test_id("track-link").get_attribute("href")
    request = ServiceRequest.objects.get(tracking_code=code)
    assert request.station == net.room and request.status == Status.PENDING

    # The station head assigns it from the queue to the community's resident social worker.
    page.context.clear_cookies()
    login(page, live_server.url, "station_head_a", PASSWORD)
    open_menu_entry(page, "servicerequests:queue")
    row = page.locator(f"[data-testid=queue-row][data-code='{code}']")
    row.get_by_test_id("assign-link").click()
    _go(page)
    page.select_option("#id_worker", str(net.resident.pk))
    page.get_by_test_id("submit").click()
    _go(page)
    assert page.inner_text("[data-testid=status]") == "已派单"

    # The worker accepts it, turns it into a case, and closes the case on the casework pages.
    page.context.clear_cookies()
    login(page, live_server.url, "worker_a", PASSWORD)
    open_menu_entry(page, "servicerequests:mine")
    page.get_by_test_id("my-link").first.click()
    _go(page)
    page.get_by_test_id("accept").click()
    _go(page)
    assert page.inner_text("[data-testid=status]") == "已接单"
    page.get_by_test_id("open-case-link").click()
    _go(page)
    page.select_option("#id_recipient", str(person.pk))
    page.get_by_test_id("submit").click()
    _go(page)
    assert page.inner_text("[data-testid=status]") == "服务中"
    page.get_by_test_id("case-link").click()
    _go(page)
    assert page.inner_text("#case-stage") == "接案"
    page.click("#close-case")
    _go(page)
    page.select_option("#id_closure_reason", "client_ended")
    if page.locator("#id_reason").count():
        page.fill("#id_reason", "上门了解后，本人表示暂不需要持续服务")
    page.fill("#id_closure_summary", "已上门探访，链接长者饭堂助餐")
    page.click("#submit")
    _go(page)
    assert page.inner_text("#case-stage") == "结案"
    assert Case.objects.get(pk=ServiceRequest.objects.get(pk=request.pk).case_id).stage == Case.Stage.CLOSED
    assert page.js_errors == []

    # The resident follows the tracking code and rates the service.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}{track_url}")
    assert page.inner_text("[data-testid=status]") == "已办结"
    assert "王驻点" not in page.content()
    page.check("input[name=rating][value='5']")
    page.fill("#id_comment", "社工很耐心")
    page.get_by_test_id("rate").click()
    _go(page)
    assert "社工很耐心" in page.inner_text("[data-testid=rated]")
    assert page.js_errors == []
    request.refresh_from_db()
    assert request.status == Status.CLOSED and request.rating == 5
