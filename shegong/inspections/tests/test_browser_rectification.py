"""In Chromium: a district admin records an inspection of 北京街社工站 with a finding (and its photo), completes it
and issues a rectification item; the station head answers it on a phone-sized page with text and a photo; the admin
passes it and the item is closed (销号)."""

import datetime

import pytest
from django.utils import timezone

from shegong.inspections import services
from shegong.inspections.models import RectificationItem
from shegong.inspections.tests.factories import make_plan, png_bytes, stations
from shegong.refdata.seed import install_dictionaries
from shegong.testing.browser import login
from shegong.testing.world import DISTRICT_A, PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
    photo = tmp_path / "现场.png"
    photo.write_bytes(png_bytes())
    return photo


def test_record_issue_answer_and_close(live_server, page, phone_page, world, media):
    install_dictionaries()
    places = stations(world)
    plan = make_plan(DISTRICT_A, checklist=["safety_management", "staff_on_duty"])
    inspection = services.inspection_add(actor=None, plan=plan, station=places["a"])
    today = timezone.localdate()

    # The district admin records the visit, a finding with a photo, completes it and issues an item.
    login(page, live_server.url, "district_a_admin", PASSWORD)
    page.goto(f"{live_server.url}/inspections/visits/{inspection.pk}/")
    page.fill("#id_visited_on", today.isoformat())
    page.select_option("#id_result_safety_management", "nonconform")
    page.fill("#id_notes_safety_management", "消防通道堆放杂物")
    page.select_option("#id_result_staff_on_duty", "conform")
    page.get_by_test_id("record-save").click()
    page.wait_for_load_state("networkidle")
    page.select_option("#id_area", "safety_management")
    page.select_option("#id_severity", "major")
    page.fill("#id_description", "消防通道堆放杂物，灭火器过期")
    page.set_input_files("#id_files", str(media))
    page.get_by_test_id("finding-add").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("thumbnail").count() == 1
    page.get_by_test_id("record-complete").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("inspection-status").inner_text() == "已完成"
    page.get_by_test_id("item-create").click()
    page.wait_for_load_state("networkidle")
    page.fill("#id_required_action", "清理消防通道，更换灭火器")
    page.fill("#id_deadline", (today + datetime.timedelta(days=14)).isoformat())
    page.get_by_test_id("submit").click()
    page.wait_for_load_state("networkidle")
    item = RectificationItem.objects.get()
    assert item.owner_station == places["a"] and item.status == RectificationItem.Status.OPEN

    # The station head answers on a phone.
    login(phone_page, live_server.url, "station_head_a", PASSWORD)
    phone_page.goto(f"{live_server.url}/inspections/")
    phone_page.get_by_test_id("item-row").first.get_by_role("link").click()
    phone_page.wait_for_load_state("networkidle")
    assert "清理消防通道" in phone_page.get_by_test_id("required-action").inner_text()
    phone_page.fill("#id_text", "已清理通道，灭火器已更换")
    phone_page.set_input_files("#id_files", str(media))
    phone_page.get_by_test_id("evidence-submit").click()
    phone_page.wait_for_load_state("networkidle")
    assert phone_page.get_by_test_id("item-state").inner_text().strip() == "待审核"
    assert phone_page.js_errors == []

    # The admin passes it: closed.
    page.goto(f"{live_server.url}/inspections/items/{item.pk}/")
    page.get_by_label("通过（销号）").check()
    page.get_by_test_id("review-submit").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("item-state").inner_text().strip() == "已销号"
    item.refresh_from_db()
    assert item.status == RectificationItem.Status.CLOSED and item.closed_on == today
    assert page.js_errors == []
