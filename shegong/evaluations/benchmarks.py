"""Benchmarks of the evaluations app (`./dev bench evaluations-totals --evaluations 1000 --repeat 3`).

Generates N mid-term evaluations of the 广州 preset (three scoring forms each, submitted, and survey answers of
recipients and partners), then times computing every total and grade with `selectors.compute_results` (a constant
number of queries for all of them) against the naive way (one evaluation at a time), and one report built, rendered
to PDF and to Excel.
"""

import datetime
import sys
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from shegong.core.benchmarking import fresh_database, machine, median_ms, vendor


def _generate(count: int):
    from shegong.accounts.models import Role, RoleAssignment, User
    from shegong.agencies.models import Agency
    from shegong.evaluations.models import (
        Evaluation,
        EvaluationTemplate,
        EvaluatorAssignment,
        ItemScore,
        RaterGroup,
        Survey,
        SurveyResponse,
        SurveyToken,
    )
    from shegong.evaluations.presets import install_presets
    from shegong.projects.models import Project

    install_presets()
    template = EvaluationTemplate.objects.get(preset="guangzhou-midterm")
    agency = Agency.objects.create(
        name="基准测试社工中心", credit_code="52440104MJ00000090", region_id="440104000000", legal_form="social_service"
    )
    people = {}
    for kind, role in (
        ("expert", "evaluator"),
        ("purchaser", "civil_affairs_admin"),
        ("supervisor", "civil_affairs_admin"),
    ):
        user = User.objects.create(username=f"bench_{kind}", display_name=kind, home_region_id="440100000000")
        RoleAssignment.objects.create(user=user, role=Role.objects.get(code=role), region_id="440100000000")
        people[kind] = user
    day = datetime.date(2025, 1, 1)
    projects = Project.objects.bulk_create(
        Project(
            code=f"BENCH-{index:06d}",
            name=f"基准项目{index}",
            purchaser_department="越秀区民政局",
            region_id="440104000000",
            province_code="44",
            agency=agency,
            contract_date=day,
            start_date=day,
            end_date=datetime.date(2025, 12, 31),
            total_funds=Decimal(2_400_000),
            stage="midterm",
        )
        for index in range(count)
    )
    evaluations = Evaluation.objects.bulk_create(
        Evaluation(project=project, template=template, kind="midterm", title=project.name, state="scoring")
        for project in projects
    )
    groups = {group.kind: group for group in template.groups.prefetch_related("items")}
    now = datetime.datetime(2025, 6, 1, tzinfo=datetime.UTC)
    forms = EvaluatorAssignment.objects.bulk_create(
        EvaluatorAssignment(
            evaluation=evaluation, group=groups[kind], evaluator=user, state="submitted", submitted_at=now
        )
        for evaluation in evaluations
        for kind, user in people.items()
    )
    scores = []
    for index, form in enumerate(forms):
        for item in form.group.items.all():
            points = (
                item.max_points
                if item.levels
                else (item.max_points * Decimal(70 + index % 30) / 100).quantize(Decimal("0.01"))
            )
            scores.append(ItemScore(assignment=form, item=item, score=points))
    ItemScore.objects.bulk_create(scores, batch_size=5000)
    surveys = Survey.objects.bulk_create(
        Survey(evaluation=evaluation, audience=audience, title="满意度调查", questions=["a", "b", "c", "d"])
        for evaluation in evaluations
        for audience in RaterGroup.SURVEY_KINDS
    )
    tokens = SurveyToken.objects.bulk_create(
        (SurveyToken(survey=survey, token=f"b{survey.pk}x{n}", used_at=now) for survey in surveys for n in range(5)),
        batch_size=5000,
    )
    SurveyResponse.objects.bulk_create(
        (SurveyResponse(token=token, survey_id=token.survey_id, answers=[4, 5, 4, 5]) for token in tokens),
        batch_size=5000,
    )
    return evaluations


def _run(stdout, count: int, repeat: int, where: str) -> None:
    from shegong.evaluations import reports, selectors
    from shegong.evaluations.models import Evaluation
    from shegong.regions.loading import load_shipped

    sys.stderr.write("loading the divisions of 广州市 …\n")
    load_shipped(city="4401")
    sys.stderr.write(f"generating {count:,} evaluations …\n")
    _generate(count)
    rows = list(Evaluation.objects.all())
    naive_rows = rows[: min(count, 200)]

    def batch():
        return selectors.compute_results(rows)

    def naive():
        return [selectors.compute_results([evaluation]) for evaluation in naive_rows]

    with CaptureQueriesContext(connection) as batch_queries:
        results = batch()
    with CaptureQueriesContext(connection) as naive_queries:
        naive()
    batch_ms = median_ms(batch, repeat)
    naive_ms = median_ms(naive, repeat) * len(rows) / len(naive_rows)
    one = Evaluation.objects.select_related("project", "project__agency", "template").first()
    build_ms = median_ms(lambda: reports.build(one), repeat)
    built = reports.build(one)
    pdf_ms = median_ms(lambda: reports.pdf(built), repeat)
    xlsx_ms = median_ms(lambda: reports.xlsx(built), repeat)
    grades = {}
    for result in results.values():
        grades[result.grade] = grades.get(result.grade, 0) + 1
    write = stdout.write
    write(f"evaluations-totals: {count:,} evaluations (3 forms, 2 surveys of 5 answers each) in {where}")
    write(f"database   {vendor()}")
    write(f"machine    {machine()}")
    write(f"median of {repeat} runs, milliseconds")
    write("")
    write(f"{'what':<44}{'ms':>10}{'queries':>10}")
    write(f"{'totals of all, compute_results (batched)':<44}{batch_ms:>10.1f}{len(batch_queries):>10}")
    naive_q = len(naive_queries) * len(rows) // len(naive_rows)
    write(f"{'totals one evaluation at a time (naive)':<44}{naive_ms:>10.1f}{naive_q:>10}")
    write(f"{'ratio naive / batched':<44}{naive_ms / batch_ms:>10.1f}")
    write(f"{'one report: build':<44}{build_ms:>10.1f}")
    write(f"{'one report: PDF':<44}{pdf_ms:>10.1f}")
    write(f"{'one report: Excel':<44}{xlsx_ms:>10.1f}")
    write("")
    write("grades: " + ", ".join(f"{grade or '—'} {n}" for grade, n in sorted(grades.items())))
    if len(naive_rows) < len(rows):
        write(f"naive figures measured on {len(naive_rows)} evaluations and scaled to {len(rows):,}.")


def evaluations_totals(stdout, evaluations: str = "1000", repeat: str = "3") -> None:
    """Totals and grades of many evaluations at once, against one at a time; one report in three formats."""
    with fresh_database("evaluations") as where:
        _run(stdout, int(evaluations), int(repeat), where)


BENCHMARKS = {"evaluations-totals": evaluations_totals}
