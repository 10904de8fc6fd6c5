"""On a phone-sized window (Chromium): a volunteer finds a need near them from the menu and signs up; the organiser
accepts on a desktop; the volunteer checks in and out on the need's check-in page (the URL its QR encodes); the
social worker confirms the hours; the volunteer asks for a certificate, downloads its PDF, and the certificate's
number verifies on the public page /v/<number>/."""

import datetime

import pytest
from django.utils import timezone

from shegong.testing.browser import login, open_menu_entry
from shegong.testing.world import PASSWORD
from shegong.volunteering.models import SignUp
from shegong.volunteering.tests.factories import place

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _settle(page):
    page.wait_for_load_state("networkidle")


def test_a_volunteer_serves_and_gets_a_verified_certificate(live_server, phone_page, page, world):
    w = place(world)
    for user in (w.vol_user, w.organiser_user):
        user.set_password(PASSWORD)
        user.save()
    phone, desk, base = phone_page, page, live_server.url

    # The volunteer finds the need near them and signs up.
    login(phone, base, "vol_a", PASSWORD)
    open_menu_entry(phone, "volunteering:near_list")
    phone.get_by_test_id("near-need").filter(has_text=w.need_a.title).click()
    _settle(phone)
    phone.get_by_test_id("signup").first.click()
    _settle(phone)
    assert phone.get_by_test_id("my-status").inner_text() == "已报名"

    # The organiser accepts the sign-up.
    login(desk, base, "organiser_a", PASSWORD)
    desk.goto(f"{base}/volunteering/{w.need_a.pk}/")
    checkin_url = desk.get_by_test_id("checkin-url").inner_text()
    desk.get_by_test_id("accept").click()
    _settle(desk)

    # On site: the volunteer scans the QR (opens its URL), taps 签到; three hours later, 签退.
    phone.goto(checkin_url)
    phone.get_by_test_id("check-in").click()
    _settle(phone)
    assert phone.get_by_test_id("checked-in").inner_text() != "—"
    signup = SignUp.objects.get(shift=w.shift_a, volunteer=w.volunteer)
    SignUp.objects.filter(pk=signup.pk).update(checked_in_at=timezone.now() - datetime.timedelta(hours=3))
    phone.get_by_test_id("check-out").click()
    _settle(phone)
    assert phone.get_by_test_id("checked-out").inner_text() != "—"

    # The social worker who organised it confirms the computed hours.
    desk.reload()
    desk.get_by_test_id("confirm-hours").click()
    _settle(desk)
    assert desk.locator("#id_hours").input_value() == "3.0"
    desk.get_by_test_id("submit").click()
    _settle(desk)
    signup.refresh_from_db()
    assert signup.record is not None and str(signup.record.hours) == "3.0"

    # The volunteer asks for the certificate of the station's confirmed hours and downloads it.
    phone.goto(f"{base}/volunteers/certificates/mine/")
    today = timezone.localdate().isoformat()
    phone.fill("#id_period_start", today)
    phone.fill("#id_period_end", today)
    phone.locator("[data-testid=self-service-form] button[type=submit]").click()
    _settle(phone)
    number = phone.get_by_test_id("certificate-number").inner_text()
    assert phone.get_by_test_id("certificate-hours").inner_text().startswith("3")
    with phone.expect_download() as download:
        phone.get_by_test_id("certificate-pdf").click()
    assert download.value.suggested_filename == f"certificate-{number}.pdf"

    # Anyone can verify the number on the public page.
    desk.goto(f"{base}/v/{number}/")
    assert desk.get_by_test_id("verify-status").get_attribute("data-status") == "valid"
    assert desk.get_by_test_id("verify-number").inner_text() == number
