"""The report (page, PDF, Excel), the survey QR sheet, evidence uploads and downloads, and the public questionnaire
(one answer per token, also when two submits race)."""

import io
import threading
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from openpyxl import load_workbook

from shegong.evaluations import reports, services
from shegong.evaluations.models import Evaluation, ItemScore, SurveyResponse
from shegong.evaluations.tests.factories import completed, make_evaluation, make_project, scene, staff_all_groups
from shegong.testing.matrix import response_for

State = Evaluation.State


@pytest.mark.django_db
def test_report_page_pdf_and_excel_show_grade_groups_and_corrections(client, world):
    evaluation = completed(make_project(world.agency_a), fraction=Decimal("0.8"))
    form = evaluation.assignments.get(group__kind="expert")
    score = ItemScore.objects.filter(assignment=form, item__levels=[]).first()
    services.score_correct(score=score, new_score="10", reason="补充材料后复核", actor=form.evaluator)
    evaluation.refresh_from_db()
    page = response_for(client, world.city_admin, reverse("evaluations:report", args=[evaluation.pk]))
    text = page.content.decode()
    assert page.status_code == 200 and evaluation.grade in text and str(evaluation.total) in text
    assert "补充材料后复核" in text and form.evaluator.username in text and "服务对象满意度" in text
    pdf = response_for(client, world.city_admin, reverse("evaluations:report_pdf", args=[evaluation.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    xlsx = response_for(client, world.city_admin, reverse("evaluations:report_xlsx", args=[evaluation.pk]))
    book = load_workbook(io.BytesIO(xlsx.content))
    groups = [row for row in book["评分主体"].iter_rows(values_only=True)]
    assert ("等级", None, evaluation.grade) in groups
    assert any(row[3] == "补充材料后复核" for row in book["评分更正"].iter_rows(values_only=True))
    built = reports.build(evaluation)
    assert built.total == evaluation.total and {g["kind"] for g in built.groups} >= {"expert", "recipient"}


@pytest.mark.django_db
def test_survey_sheet_is_a_pdf_of_the_unused_links(client, world):
    scene(world)
    response = response_for(
        client, world.district_a_admin, reverse("evaluations:survey_sheet", args=[world.ev_a.pk, world.survey_a.pk])
    )
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


@pytest.mark.django_db
def test_evidence_is_checked_and_downloaded_only_through_the_scope(client, world):
    evaluation = make_evaluation(make_project(world.agency_a))
    form = staff_all_groups(evaluation)["expert"]
    services.evaluation_move(evaluation=evaluation, to=State.SCORING, actor=None)
    item = services.form_items(form)[0]
    url = reverse("evaluations:form", args=[form.pk])
    bad = response_for(
        client,
        form.evaluator,
        url,
        "post",
        {
            f"score_{item.pk}": "8",
            f"evidence_{item.pk}": SimpleUploadedFile("a.exe", b"MZ", "application/octet-stream"),
        },
    )
    assert "类型不受支持" in bad.content.decode()
    fake = SimpleUploadedFile("a.pdf", b"<html>", "application/pdf")
    assert (
        "不符"
        in response_for(
            client, form.evaluator, url, "post", {f"score_{item.pk}": "8", f"evidence_{item.pk}": fake}
        ).content.decode()
    )
    big = SimpleUploadedFile("大文件.pdf", b"%PDF-1.4 " + b"x" * 2048, "application/pdf")
    with override_settings(EVIDENCE_MAX_BYTES=1024):
        refused = response_for(
            client, form.evaluator, url, "post", {f"score_{item.pk}": "8", f"evidence_{item.pk}": big}
        )
    assert "“大文件.pdf”超过 1.0" in refused.content.decode()
    good = SimpleUploadedFile("走访记录.pdf", b"%PDF-1.4 x", "application/pdf")
    response = response_for(client, form.evaluator, url, "post", {f"score_{item.pk}": "8", f"evidence_{item.pk}": good})
    assert response.status_code == 302
    evidence = ItemScore.objects.get(assignment=form, item=item).evidence.get()
    assert evidence.file.name.startswith("evaluations/evidence/") and "走访" not in evidence.file.name
    download = response_for(client, form.evaluator, reverse("evaluations:evidence", args=[evidence.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 x"
    assert (
        response_for(client, world.district_b_admin, reverse("evaluations:evidence", args=[evidence.pk])).status_code
        == 404
    )


@pytest.mark.django_db
def test_public_questionnaire_answers_once_and_says_so(client, world):
    evaluation = make_evaluation(make_project(world.agency_a))
    survey = services.survey_issue(evaluation=evaluation, audience="partner", count=1, actor=None)
    url = reverse("survey:answer", args=[survey.tokens.get().token])
    client.logout()
    page = client.get(url)
    assert page.status_code == 200 and survey.questions[0] in page.content.decode()
    missing = client.post(url, {"q0": "5"})
    assert "请回答全部" in missing.content.decode() or "1 到 5" in missing.content.decode()
    answers = {f"q{index}": "4" for index in range(len(survey.questions))}
    assert "感谢" in client.post(url, {**answers, "comment": "协作顺畅"}).content.decode()
    again = client.post(url, answers)
    assert again.status_code == 409 and "只能提交一次" in again.content.decode()
    assert client.get(reverse("survey:answer", args=["nope"])).status_code == 404
    assert SurveyResponse.objects.get().comment == "协作顺畅"


@pytest.mark.django_db
def test_public_questionnaire_is_csrf_protected(world):
    from django.test import Client

    evaluation = make_evaluation(make_project(world.agency_a))
    survey = services.survey_issue(evaluation=evaluation, audience="partner", count=1, actor=None)
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("survey:answer", args=[survey.tokens.get().token]), {"q0": "5"})
    assert response.status_code == 403


@pytest.mark.django_db
def test_public_questionnaire_is_rate_limited(client, world, settings, monkeypatch):
    from shegong.evaluations import public_views

    monkeypatch.setattr(public_views, "RATE_LIMIT", 2)
    evaluation = make_evaluation(make_project(world.agency_a))
    survey = services.survey_issue(evaluation=evaluation, audience="partner", count=4, actor=None)
    statuses = [
        client.post(reverse("survey:answer", args=[token.token]), {"q0": "x"}, REMOTE_ADDR="203.0.113.9").status_code
        for token in survey.tokens.all()
    ]
    assert (
        statuses[-1] == 429
        and "稍后再试"
        in client.post(
            reverse("survey:answer", args=[survey.tokens.last().token]), {}, REMOTE_ADDR="203.0.113.9"
        ).content.decode()
    )


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_submits_of_one_token_store_one_answer(world):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the race is exercised on PostgreSQL")
    evaluation = make_evaluation(make_project(world.agency_a))
    survey = services.survey_issue(evaluation=evaluation, audience="recipient", count=1, actor=None)
    token = survey.tokens.get()
    barrier = threading.Barrier(2)
    outcomes = []

    def submit():
        from django.db import connections

        try:
            barrier.wait()
            services.survey_answer(token=token, answers=[5, 5, 5, 5])
            outcomes.append("ok")
        except Exception as exc:
            outcomes.append(getattr(exc, "code", type(exc).__name__))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok", "used"]
    assert SurveyResponse.objects.filter(token=token).count() == 1
