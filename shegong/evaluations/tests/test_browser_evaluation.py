"""THE browser test of issue 5's evaluations: a city admin creates an evaluation of a project from the 广州 template
through the UI and assigns two evaluators (an expert and a purchaser's bureau officer); the two sign in and score it
on their forms; a recipient answers the questionnaire on a phone; the admin completes the evaluation and the report
shows the grade.

The project is made with a factory (the projects UI is another helper's). The 监管方 form and the partners' survey
are filled through the services, so that the two evaluators in the browser stay the story."""

import os
from decimal import Decimal

import pytest

from shegong.evaluations import services
from shegong.evaluations.models import Evaluation, EvaluatorAssignment, Survey
from shegong.evaluations.presets import install_presets
from shegong.evaluations.tests.factories import bureau, expert, fill, make_project
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
    project = make_project(world.agency_a, name="北京街社工服务站项目")
    first = expert("expert_li")
    second = bureau("yuexiu_officer", DISTRICT_A)
    base = live_server.url

    login(page, base, "city_admin", PASSWORD)
    page.goto(f"{base}/evaluations/")
    page.get_by_test_id("evaluation-create").click()
    page.select_option("#id_project", str(project.pk))
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
