"""A social worker on a phone walks a case 接案 → 结案 through the pages (Chromium, phone-sized window): 我的个案 from
the menu, open the case, each stage's form (保存), 进入下一阶段, then 结案 with a reason; the station head reviews."""

import pytest

from shegong.casework.models import Case
from shegong.casework.tests.factories import open_case, setting_b
from shegong.inbox.models import Notification
from shegong.persontimes.models import PersonTime
from shegong.stations.tests.factories import make_user
from shegong.testing.browser import login, open_menu_entry
from shegong.testing.world import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _save(page):
    page.click("#submit")
    page.wait_for_load_state("networkidle")


def _next(page, stage_label):
    page.click("#move-next")
    page.wait_for_load_state("networkidle")
    assert page.inner_text("#case-stage") == stage_label


def test_worker_walks_a_case_on_a_phone(live_server, phone_page, world):
    page = phone_page
    case = open_case(setting_b(world))
    head = make_user("head_b", "station_head", region=case.station.region_id)

    login(page, live_server.url, "worker_b", PASSWORD)
    open_menu_entry(page, "casework:mine")
    page.get_by_test_id("case-link").first.click()
    page.wait_for_load_state("networkidle")
    assert page.inner_text("#case-stage") == "接案"

    _next(page, "预估")
    page.click("#edit-assessment")
    page.fill("#id_need_living", "需要助餐")
    page.select_option("#id_risk_level", "medium")
    page.fill("#id_risk_factors", "独居")
    page.fill("#id_assessed_on", "2026-03-03")
    _save(page)

    _next(page, "计划")
    page.click("#edit-plan")
    page.fill("#id_methods", "链接助餐资源，定期家访")
    page.fill("#id_planned_on", "2026-03-04")
    _save(page)
    page.click("#add-goal")
    page.fill("#id_description", "每日有人送餐")
    page.fill("#id_measure", "送餐记录")
    page.fill("#id_target_date", "2026-05-01")
    _save(page)

    _next(page, "介入")
    page.click("#add-session")
    page.fill("#id_held_on", "2026-03-05")
    page.select_option("#id_kind", "home_visit")
    page.fill("#id_duration_minutes", "45")
    page.fill("#id_notes", "上门探访，送餐已安排")
    _save(page)
    assert "上门探访" in page.inner_text("[data-testid=session-list]")

    _next(page, "评估")
    page.click("#edit-evaluation")
    goal = case.goals.get()
    page.select_option(f"#id_goal_{goal.pk}", "met")
    page.fill("#id_overall", "目标达成")
    page.fill("#id_evaluated_on", "2026-03-20")
    _save(page)

    page.click("#close-case")
    page.wait_for_load_state("networkidle")
    page.select_option("#id_closure_reason", "goals_met")
    page.fill("#id_closure_summary", "服务对象生活稳定")
    _save(page)
    assert page.inner_text("#case-stage") == "结案"
    assert page.js_errors == []
    case.refresh_from_db()
    assert case.stage == Case.Stage.CLOSED
    assert PersonTime.objects.filter(kind="case_session").count() == 1

    # The station head of the 海珠 street reviews it; the worker is alerted.
    page.context.clear_cookies()
    login(page, live_server.url, head.username, PASSWORD)
    page.goto(f"{live_server.url}/casework/{case.pk}/")
    page.click("#review-add")
    page.select_option("#id_decision", "approved")
    page.fill("#id_comment", "记录完整")
    _save(page)
    assert Notification.objects.filter(user=world.worker_b, kind="review").exists()
