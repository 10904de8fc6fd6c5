"""THE browser test of issue 5: a city admin creates a project through the projects pages, names its contractor,
creates its evaluation from the 广州 template and assigns two evaluators (an expert and a purchaser's bureau
officer); the two sign in and score it on their forms; a recipient answers the questionnaire on a phone; the admin
completes the evaluation and the report shows the grade.

The 监管方 form and the partners' survey are filled through the services, so that the two evaluators in the browser
stay the story."""

import os
from decimal import Decimal

import pytest

from shegong.evaluations import services
from shegong.evaluations.models import Evaluation, EvaluatorAssignment, Survey
from shegong.evaluations.presets import install_presets
from shegong.evaluations.tests.factories import bureau, expert, fill
from shegong.policies.presets import install_presets as install_policy_presets
from shegong.projects.models import Project
from shegong.refdata.seed import install_dictionaries
from shegong.testing.browser import login, open_menu_entry
from shegong.testing.world import CITY, DISTRICT_A, PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("SHEGONG_SCREENSHOTS")


def shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def logout(page):
    page.context.clear_cookies()


def score_form(page, base, username, value_for):
    logout(page)
    login(page, base, username, PASSWORD)
    open_menu_entry(page, "evaluations:mine")
    page.get_by_test_id("my-form").first.click()
    page.wait_for_load_state("networkidle")
    for item in page.get_by_test_id("item").all():
        field = item.locator("[data-testid^='score-']")
        if field.evaluate("node => node.tagName") == "SELECT":
            field.select_option(index=1)  # the highest level
        else:
            field.fill(value_for)
    page.get_by_test_id("submit-form").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("form-state").get_attribute("data-state") == "submitted"


def test_city_admin_organises_two_evaluators_score_and_the_report_shows_the_grade(live_server, page, phone_page, world):
    install_presets()
    install_policy_presets()
    install_dictionaries()
    first = expert("expert_li")
    second = bureau("yuexiu_officer", DISTRICT_A)
    base = live_server.url

    # The city admin creates the project through the projects pages, names its contractor, then opens an
    # evaluation from the project's page with the 广州 mid-term template.
    login(page, base, "city_admin", PASSWORD)
    open_menu_entry(page, "projects:list")
    page.get_by_test_id("project-create").click()
    page.wait_for_load_state("networkidle")
    page.fill("#id_name", "北京街社工服务站项目")
    page.fill("#id_purchaser_department", "广州市越秀区民政局")
    picker = page.locator("[data-region-picker]")
    for level, name in ((2, "广州市"), (3, "越秀区")):
        select = picker.locator(f"select[data-level='{level}']")
        select.locator("option", has_text=name).wait_for(state="attached")
        select.select_option(label=name)
    page.fill("#id_start_date", "2025-01-01")
    page.fill("#id_end_date", "2025-12-31")
    page.fill("#id_total_funds", "2400000")
    page.fill("#id_funding_fiscal", "2400000")
    page.fill("#id_budget_personnel", "1600000")
    page.fill("#id_budget_activity", "800000")
    page.get_by_test_id("submit").click()
    page.wait_for_load_state("networkidle")
    project = Project.objects.get(name="北京街社工服务站项目")
    page.get_by_test_id("project-contractor").click()
    page.wait_for_load_state("networkidle")
    page.select_option("#id_agency", str(world.agency_a.pk))
    page.fill("#id_contract_date", "2024-12-20")
    page.get_by_test_id("submit").click()
    page.wait_for_load_state("networkidle")
    # 立项 → 招标/评审 → 签约 → 执行: an evaluation needs a running project.
    for stage, label in (("tendering", "招标/评审"), ("contracted", "签约"), ("executing", "执行")):
        page.get_by_test_id(f"move-{stage}").click()
        page.wait_for_load_state("networkidle")
        page.get_by_test_id("submit").click()
        page.wait_for_load_state("networkidle")
        assert page.get_by_test_id("project-stage").inner_text() == label
    page.get_by_test_id("project-evaluations").get_by_role("link", name="新建评估").click()
    page.wait_for_load_state("networkidle")
    page.select_option("#id_template", label="广州市社工服务站项目中期评估（中期评估）")
    page.get_by_test_id("submit").click()
    page.wait_for_load_state("networkidle")
    evaluation = Evaluation.objects.get(project=project)
    assert page.get_by_test_id("evaluation-state").get_attribute("data-state") == "draft"

    for group, user in (("专家", first), ("购买方", second)):
        form = page.get_by_test_id("assign-form")
        form.locator("#id_group").select_option(label=group)
        form.locator("#id_evaluator").select_option(label=f"{user.username}（{user.username}）")
        form.get_by_test_id("assign-submit").click()
        page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("assignment-row").count() == 2
    # The 监管方 form is staffed through the service (a city officer), then the admin starts the scoring.
    supervisor = services.assignment_add(
        evaluation=evaluation,
        group=evaluation.template.groups.get(kind="supervisor"),
        evaluator=bureau("city_officer", CITY),
        actor=world.city_admin,
    )
    page.reload()
    page.get_by_test_id("move-scoring").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("evaluation-state").get_attribute("data-state") == "scoring"
    page.get_by_test_id("survey-form").locator("#id_audience").select_option("recipient")
    page.get_by_test_id("survey-form").locator("#id_count").fill("3")
    page.get_by_test_id("survey-issue").click()
    page.wait_for_load_state("networkidle")
    link = page.get_by_test_id("survey-link").first.get_attribute("href")
    shot(page, "evaluation-detail")

    # A recipient answers on a phone, once.
    phone_page.goto(f"{base}{link}")
    for index in range(4):
        phone_page.get_by_test_id(f"q{index}-5").check()
    phone_page.get_by_test_id("survey-submit").click()
    assert "感谢" in phone_page.get_by_test_id("survey-message").inner_text()
    phone_page.goto(f"{base}{link}")
    assert "只能提交一次" in phone_page.get_by_test_id("survey-message").inner_text()

    score_form(page, base, "expert_li", "9")
    shot(page, "evaluation-form-submitted")
    score_form(page, base, "yuexiu_officer", "8")
    fill(EvaluatorAssignment.objects.get(pk=supervisor.pk), Decimal("0.8"))
    partners = services.survey_issue(evaluation=evaluation, audience=Survey.Audience.PARTNER, count=1, actor=None)
    services.survey_answer(token=partners.tokens.get(), answers=[4, 4, 4, 4])

    logout(page)
    login(page, base, "city_admin", PASSWORD)
    page.goto(f"{base}/evaluations/{evaluation.pk}/")
    page.get_by_test_id("move-completed").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("evaluation-state").get_attribute("data-state") == "completed"
    evaluation.refresh_from_db()
    page.get_by_test_id("report-link").click()
    page.wait_for_load_state("networkidle")
    grade = page.get_by_test_id("report-grade").inner_text()
    assert grade == evaluation.grade and grade in {"优秀", "良好", "合格", "不合格"}
    assert page.get_by_test_id("report-total").inner_text() == str(evaluation.total)
    assert "expert_li" in page.get_by_test_id("report-evaluators").inner_text()
    shot(page, "evaluation-report")
    assert not page.js_errors
