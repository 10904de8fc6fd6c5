"""Demo: evaluations of a sample of the demo projects in every state (草稿, 评分中, 已完成, 已发布), with the demo
`evaluator` on the expert forms, bureau officers on the purchaser and supervisor forms, a financial expert for the
final ones, and answered satisfaction surveys. Runs after the projects demo; without projects it says so and stops.

Idempotent: a project that already has an evaluation is left alone.
"""

import random
from decimal import Decimal

from shegong.accounts import services as account_services
from shegong.accounts.models import Role, User
from shegong.core.scope import region_q
from shegong.evaluations import selectors, services
from shegong.evaluations.models import Evaluation, EvaluationTemplate, RaterGroup, Survey
from shegong.evaluations.presets import install_presets
from shegong.projects.models import Project
from shegong.regions.models import Region

State = Evaluation.State
CITY = "440100000000"
# The projects sampled are those bought by the two districts that have a demo bureau login, so the purchaser's form
# goes to that district's officer (a purchaser rater must hold the project's region) and the city's to the supervisor.
PURCHASERS = {"440104": "yuexiu_admin", "440105": "haizhu_admin"}
# (state, kind) of each demo evaluation, cycled over the sampled projects.
PLAN = [
    (State.PUBLISHED, "midterm"),
    (State.COMPLETED, "final"),
    (State.SCORING, "midterm"),
    (State.DRAFT, "final"),
    (State.PUBLISHED, "final"),
    (State.SCORING, "final"),
    (State.COMPLETED, "midterm"),
    (State.DRAFT, "midterm"),
]
SURVEY_ANSWERS = 12


def _user(username: str, display_name: str, role_code: str, context) -> User | None:
    user = User.objects.filter(username=username).first()
    if user is not None:
        return user
    from shegong.accounts.demo import DEMO_PASSWORD

    region = Region.objects.get(pk=CITY)
    user = account_services.user_create(
        actor=None,
        username=username,
        password=DEMO_PASSWORD,
        display_name=display_name,
        home_region=region,
        must_change_password=False,
    )
    role = Role.objects.get(code=role_code)
    account_services.assignment_create(actor=None, user=user, role=role, region=region, agency=None)
    context.setdefault("logins", []).append((username, DEMO_PASSWORD, role.name))
    return user


def load(context: dict) -> None:
    stdout = context["stdout"]
    install_presets()
    projects = []
    for district in PURCHASERS:
        projects += list(
            Project.objects.filter(
                region_q("region_id", district.ljust(12, "0"), Region.Level.COUNTY),
                stage__in=selectors.EVALUABLE_STAGES,
                evaluations__isnull=True,
            )
            .select_related("agency")
            .order_by("code")[: len(PLAN) // len(PURCHASERS)]
        )
    if not projects:
        stdout.write("项目评估：没有可评估的演示项目（项目演示数据未加载或均已评估），跳过")
        return
    people = {
        "expert": User.objects.filter(username="evaluator").first()
        or _user("evaluator", "评估专家", "evaluator", context),
        "finance": _user("finance_expert", "财务评估专家", "evaluator", context),
        "supervisor": User.objects.filter(username="gz_admin").first(),
    }
    purchasers = {code: User.objects.filter(username=name).first() for code, name in PURCHASERS.items()}
    templates = {
        template.kind: template for template in EvaluationTemplate.objects.filter(preset__startswith="guangzhou-")
    }
    rng = random.Random(2026)
    counts = {state: 0 for state in State.values}
    for project, (state, kind) in zip(projects, PLAN, strict=False):
        evaluation = services.evaluation_create(project=project, template=templates[kind], actor=None)
        for group in evaluation.template.groups.exclude(kind__in=RaterGroup.SURVEY_KINDS):
            user = (
                purchasers[project.region_id[:6]] if group.kind == RaterGroup.Kind.PURCHASER else people.get(group.kind)
            )
            if user is None or services.conflict_reason(user, project.agency):
                continue
            services.assignment_add(evaluation=evaluation, group=group, evaluator=user, actor=None)
        if state != State.DRAFT:
            _score(evaluation, state, rng)
        evaluation.refresh_from_db(fields=["state"])
        counts[evaluation.state] += 1
    stdout.write(
        "项目评估："
        + "，".join(f"{State(state).label} {count}" for state, count in counts.items())
        + "（演示账户 evaluator 为专家评分人；满意度问卷已有回答）"
    )


def _score(evaluation: Evaluation, state: str, rng: random.Random) -> None:
    services.evaluation_move(evaluation=evaluation, to=State.SCORING, actor=None)
    level = Decimal(rng.choice(["0.72", "0.84", "0.93"]))
    for audience in Survey.Audience.values:
        survey = services.survey_issue(evaluation=evaluation, audience=audience, count=SURVEY_ANSWERS + 8, actor=None)
        for token in survey.tokens.order_by("id")[:SURVEY_ANSWERS]:
            answers = [rng.choice([3, 4, 4, 5, 5]) for _question in survey.questions]
            services.survey_answer(token=token, answers=answers, comment="")
    forms = list(evaluation.assignments.select_related("group", "evaluator"))
    for index, form in enumerate(forms):
        # In 评分中 the first form stays a draft (half filled), so the demo evaluator has work to do.
        submit = state != State.SCORING or index > 0
        scores = {}
        for item in services.form_items(form):
            if item.levels:
                points = sorted(Decimal(choice["points"]) for choice in item.levels)[-1 - rng.randint(0, 1)]
            else:
                points = (item.max_points * level).quantize(Decimal("1"))
            scores[item.pk] = (points, "")
        services.scores_save(assignment=form, scores=scores, comment="演示评分", submit=submit, actor=form.evaluator)
    if state in (State.COMPLETED, State.PUBLISHED):
        services.evaluation_move(
            evaluation=evaluation, to=State.COMPLETED, summary="演示：按指标体系完成评估。", actor=None
        )
    if state == State.PUBLISHED:
        services.evaluation_move(evaluation=evaluation, to=State.PUBLISHED, actor=None)
