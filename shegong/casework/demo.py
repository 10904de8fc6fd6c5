"""Demo: about 300 cases (个案) across 广州's stations, in every stage of MZ/T 094-2017, with the content each stage
needs (intake, assessment, plan and goals, sessions, evaluation, closure), some flagged in crisis, some reviewed by a
supervisor, some closed early or reopened. Every session counts one 服务人次 through persontimes.record.

Cases are opened for demo recipients (recipients demo) served by a station, carried by a worker in post there today
(stations demo); the demo login "worker" (the resident of a 海珠 room) carries several. Seeded random generator, dates
relative to the day of loading; written in bulk with one audit entry for the lot; if the city already has cases the
load changes nothing.
"""

import datetime
import itertools
import random
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from shegong.audit.models import AuditEntry
from shegong.audit.services import record
from shegong.casework.models import (
    NEED_AREAS,
    Case,
    CaseAssessment,
    CaseCrisis,
    CaseEvaluation,
    CaseGoal,
    CaseIntake,
    CasePlan,
    CaseReview,
    CaseSession,
    CaseStageEvent,
    ClosureReason,
    IntakeSource,
)
from shegong.persontimes import services as persontimes
from shegong.persontimes.models import PersonTime
from shegong.recipients.models import Recipient
from shegong.refdata.models import DictionaryItem
from shegong.stations.models import StaffAssignment, Station
from shegong.stations.rules import current_q

CITY_PREFIX = "4401"
LOW, HIGH = CITY_PREFIX.ljust(12, "0"), CITY_PREFIX.ljust(12, "9")
COUNT = 300
WORKER_CASES = 8
SEED = 20_261_123
WORKER_USERNAME = "worker"
Stage = Case.Stage
STAGE_WEIGHTS = {
    Stage.INTAKE: 10,
    Stage.ASSESSMENT: 12,
    Stage.PLANNING: 10,
    Stage.INTERVENTION: 30,
    Stage.EVALUATION: 10,
    Stage.CLOSED: 28,
}
ORDER = list(Stage.values)
PROBLEMS = [
    "独居老人，行动不便，日常照料缺乏",
    "困境儿童，父母外出务工，学业与情绪需要支持",
    "低保家庭，家庭成员患慢性病，经济压力大",
    "残疾人就业困难，社会交往少",
    "留守老人，子女长期在外，情绪低落",
    "家庭矛盾突出，夫妻关系紧张",
    "刑满释放人员，社会融入困难",
    "青少年沉迷网络，亲子沟通不畅",
]
NEEDS = {
    "living": "需要助餐、家政等生活照料服务",
    "health": "慢性病需定期复诊与用药提醒",
    "emotion": "情绪低落，需要心理疏导",
    "family": "家庭成员沟通不畅",
    "social": "缺少邻里和社区支持",
    "economic": "收入不足，需链接救助政策",
    "education": "学业落后，需要课业辅导",
    "safety": "居家安全隐患需排查",
}
GOALS = [
    ("生活照料需求得到满足", "每周助餐与家政服务记录"),
    ("情绪状况改善", "情绪自评量表得分提升"),
    ("建立社区支持网络", "每月至少两次邻里互动"),
    ("链接救助政策", "完成临时救助申请"),
    ("改善家庭沟通", "家庭会议每月一次"),
]
SESSION_NOTES = ["上门探访，了解近况", "电话跟进服务进展", "陪同就医复诊", "面谈，疏导情绪", "链接社区助餐资源"]


def _domains() -> list[str]:
    return list(
        DictionaryItem.objects.filter(dictionary__code="service_domain", is_active=True).values_list("code", flat=True)
    )


def _staff(today) -> dict[int, list]:
    staff = defaultdict(list)
    rows = StaffAssignment.objects.filter(
        current_q(today),
        station__region_id__gte=LOW,
        station__region_id__lte=HIGH,
        station__status=Station.Status.OPERATING,
    ).select_related("worker", "station")
    for row in rows.order_by("station_id", "worker_id"):
        staff[row.station_id].append(row)
    return staff


def _candidates(staff: dict, rng: random.Random):
    """(recipient, station, worker) triples: demo recipients served by a station that has staff today."""
    people = list(
        Recipient.objects.filter(community_id__gte=LOW, community_id__lte=HIGH, station__isnull=False)
        .select_related("station", "community")
        .order_by("id")
    )
    rng.shuffle(people)
    for person in people:
        posts = staff.get(person.station_id)
        if posts:
            yield person, person.station, rng.choice(posts).worker


def _worker_triples(staff: dict, rng: random.Random) -> list:
    """A few cases for the demo login "worker": recipients of the stations where that worker holds a post."""
    stations = [
        post.station_id
        for posts in staff.values()
        for post in posts
        if post.worker.account and post.worker.account.username == WORKER_USERNAME
    ]
    if not stations:
        return []
    worker = next(
        post.worker
        for posts in staff.values()
        for post in posts
        if post.worker.account and post.worker.account.username == WORKER_USERNAME
    )
    people = list(
        Recipient.objects.filter(station_id__in=stations).select_related("station", "community").order_by("id")
    )
    triples = [(person, person.station, worker) for person in people[:WORKER_CASES]]
    room = Station.objects.filter(pk__in=stations, kind=Station.Kind.ROOM).first()
    if len(triples) < WORKER_CASES and room is not None:
        triples += [(person, room, worker) for person in _register(room, WORKER_CASES - len(triples), rng)]
    return triples


def _register(station: Station, count: int, rng: random.Random) -> list:
    """A room serves one community, which the recipients demo may have given only a few people: register a few more
    there (through the recipients service, consent given) so the "worker" login has cases to show."""
    from django.core.exceptions import ValidationError

    from shegong.recipients.services import recipient_create
    from shegong.workers.identity import id_number_from_body

    people = []
    for index in range(count * 3):
        if len(people) == count:
            break
        birth = datetime.date(1935, 1, 1) + datetime.timedelta(days=rng.randrange(20_000))
        try:
            person = recipient_create(
                actor=None,
                name=rng.choice("陈李黄张梁林") + rng.choice("伟芳敏静丽强") + rng.choice("华燕玲斌颖"),
                id_number=id_number_from_body(f"{station.region_id[:6]}{birth:%Y%m%d}{900 + index:03d}"),
                community=station.region,
                station=station,
                consent_given_on=timezone.localdate() - datetime.timedelta(days=rng.randrange(30, 300)),
            )
        except ValidationError:
            continue  # the number is taken: try another
        people.append(person)
    return people


@transaction.atomic
def load(context: dict) -> None:
    stdout = context["stdout"]
    city = Case.objects.filter(region_id__gte=LOW, region_id__lte=HIGH)
    if city.exists():
        stdout.write(f"个案：{city.count():,} 个（已有，未新增）")
        return
    domains = _domains()
    today = timezone.localdate()
    staff = _staff(today)
    if not domains or not staff:
        return
    rng = random.Random(SEED)
    triples = _worker_triples(staff, rng)
    taken = {person.pk for person, _station, _worker in triples}
    for triple in _candidates(staff, rng):
        if len(triples) >= COUNT:
            break
        if triple[0].pk not in taken:
            taken.add(triple[0].pk)
            triples.append(triple)
    if not triples:
        return
    made = _write(triples, domains, rng, today)
    record(
        actor=None,
        actor_username="system",
        action=AuditEntry.Action.IMPORT,
        object_type=Case._meta.label_lower,
        object_repr=str(Case._meta.verbose_name_plural),
        changes={"rows": [None, len(made)]},
        note="演示数据",
    )
    by_stage = {str(label): city.filter(stage=value).count() for value, label in Stage.choices}
    stdout.write(
        f"个案：{city.count():,} 个（"
        + "，".join(f"{label} {count}" for label, count in by_stage.items())
        + f"），危机 {city.filter(crisis=True).count()} 个，"
        f"介入服务 {CaseSession.objects.filter(case__in=city).count():,} 次"
    )


def _moment(day: datetime.date, rng: random.Random) -> datetime.datetime:
    """A working-hours moment of `day` (never in the future)."""
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(rng.randrange(9, 18), rng.randrange(60))))
    return min(moment, timezone.now())


def _code(station: Station, year: int, sequences: dict) -> str:
    prefix = f"C{station.region_id[:6]}{year}"
    sequences[prefix] = sequences.get(prefix, 0) + 1
    return f"{prefix}{sequences[prefix]:05d}"


def _contracts() -> tuple[dict, dict]:
    """The contracted projects covering each station, and each street's (a room's case counts toward the project of
    its 镇街社工站, which the 社工站项目 buys): (station id → projects, street code → projects)."""
    from shegong.projects.models import Project, ProjectStation

    by_station: dict[int, list] = {}
    by_street: dict[str, list] = {}
    links = ProjectStation.objects.filter(project__stage__in=Project.CONTRACTED_STAGES).select_related(
        "project", "station"
    )
    for link in links.order_by("project_id"):
        by_station.setdefault(link.station_id, []).append(link.project)
        by_street.setdefault(link.station.region_id[:9], []).append(link.project)
    return by_station, by_street


def _project_for(station: Station, community: str, on: datetime.date, contracts: tuple[dict, dict]):
    by_station, by_street = contracts
    for project in by_station.get(station.pk, []) + by_street.get(community[:9], []):
        if project.start_date <= on <= project.end_date:
            return project
    return None


def _write(triples: list, domains: list[str], rng: random.Random, today: datetime.date) -> list[Case]:
    now = timezone.now()
    contracts = _contracts()
    sequences: dict[str, int] = {}
    cases, plans = [], []
    for person, station, worker in triples:
        stage = rng.choices(list(STAGE_WEIGHTS), weights=list(STAGE_WEIGHTS.values()))[0]
        opened = today - datetime.timedelta(days=rng.randrange(20, 420))
        early = stage == Stage.CLOSED and rng.random() < 0.35
        reached = ORDER.index(Stage.EVALUATION) if stage == Stage.CLOSED and not early else ORDER.index(stage)
        if early:
            reached = rng.randrange(0, ORDER.index(Stage.EVALUATION))
        closed_on = opened + datetime.timedelta(days=rng.randrange(10, (today - opened).days + 1))
        case = Case(
            code=_code(station, opened.year, sequences),
            recipient=person,
            region_id=person.community_id,
            province_code=person.community_id[:2],
            station=station,
            agency_id=station.agency_id,
            project=_project_for(station, person.community_id, opened, contracts),
            worker=worker,
            domain=rng.choice(domains),
            stage=stage,
            opened_on=opened,
            closed_on=closed_on if stage == Stage.CLOSED else None,
            closure_reason=(
                ""
                if stage != Stage.CLOSED
                else ClosureReason.GOALS_MET
                if not early
                else rng.choice([r for r in ClosureReason.values if r != ClosureReason.GOALS_MET])
            ),
            closure_summary="服务目标达成，服务对象状况稳定" if stage == Stage.CLOSED and not early else "",
        )
        if early:
            case.closure_summary = "提前结案：" + case.get_closure_reason_display()
        cases.append(case)
        plans.append(reached)
    Case.objects.bulk_create(cases, batch_size=500)
    _content(cases, plans, rng, today, now)
    return cases


def _content(cases: list[Case], reached: list[int], rng: random.Random, today: datetime.date, now) -> None:
    intakes, assessments, case_plans, goals, evaluations, events, reviews, crises = [], [], [], [], [], [], [], []
    sessions: list[CaseSession] = []
    for case, depth in zip(cases, reached, strict=True):
        span = max((case.closed_on or today) - case.opened_on, datetime.timedelta(days=1))

        def day(fraction: float, case=case, span=span) -> datetime.date:
            return case.opened_on + datetime.timedelta(days=int(span.days * fraction))

        source = rng.choice(IntakeSource.values)
        intakes.append(
            CaseIntake(case=case, source=source, presenting_problem=rng.choice(PROBLEMS), intake_on=case.opened_on)
        )
        stages_done = ORDER[: depth + 1]
        # When each stage was entered: 接案 on the intake date, then along the case's span; 结案 on its closure date.
        entered = dict(zip(ORDER, (day(f) for f in (0, 0.1, 0.2, 0.3, 0.9)), strict=False))
        entered[Stage.CLOSED] = case.closed_on
        moves = [("", Stage.INTAKE), *itertools.pairwise(stages_done)]
        if case.stage == Stage.CLOSED:
            moves.append((stages_done[-1], Stage.CLOSED))
        for before, after in moves:
            event = CaseStageEvent(
                case=case,
                from_stage=before,
                to_stage=after,
                reason=case.get_closure_reason_display() if after == Stage.CLOSED else "",
            )
            event.demo_at = _moment(entered[after], rng)
            events.append(event)
        case.stage_changed_at = events[-1].demo_at
        if depth >= ORDER.index(Stage.ASSESSMENT) and (depth > ORDER.index(Stage.ASSESSMENT) or rng.random() < 0.6):
            areas = rng.sample([key for key, _label in NEED_AREAS], rng.choice((1, 2, 3)))
            risk = rng.choices(CaseAssessment.Risk.values, weights=[5, 3, 1])[0]
            assessments.append(
                CaseAssessment(
                    case=case,
                    needs={key: NEEDS[key] for key in sorted(areas, key=[k for k, _l in NEED_AREAS].index)},
                    risk_level=risk,
                    risk_factors="独居、慢性病" if risk != "low" else "",
                    strengths="有亲属定期探望，本人配合度高",
                    assessed_on=day(0.1),
                )
            )
        if depth >= ORDER.index(Stage.PLANNING) and (depth > ORDER.index(Stage.PLANNING) or rng.random() < 0.6):
            case_plans.append(CasePlan(case=case, methods="个案辅导结合资源链接，定期家访跟进", planned_on=day(0.2)))
            evaluated = depth >= ORDER.index(Stage.EVALUATION) and (case.stage == Stage.CLOSED or rng.random() < 0.7)
            for description, measure in rng.sample(GOALS, rng.choice((1, 2, 3))):
                achievement = rng.choices(CaseGoal.Achievement.values, weights=[6, 3, 1])[0] if evaluated else ""
                goals.append(
                    CaseGoal(
                        case=case,
                        description=description,
                        measure=measure,
                        target_date=day(0.9),
                        achievement=achievement,
                    )
                )
            if evaluated:
                evaluations.append(CaseEvaluation(case=case, overall="服务目标基本达成", evaluated_on=day(0.95)))
        if depth >= ORDER.index(Stage.INTERVENTION):
            for index in range(rng.randrange(1, 7)):
                sessions.append(
                    CaseSession(
                        case=case,
                        held_on=min(day(0.3 + 0.1 * index), today),
                        kind=rng.choice(CaseSession.Kind.values),
                        duration_minutes=rng.choice((20, 30, 45, 60, 90)),
                        notes=rng.choice(SESSION_NOTES),
                    )
                )
        if rng.random() < 0.4:
            reviews.append(
                CaseReview(
                    case=case,
                    stage=case.stage,
                    decision=rng.choices(CaseReview.Decision.values, weights=[4, 1])[0],
                    comment="服务记录完整，请继续跟进" if rng.random() < 0.7 else "请补充风险评估依据",
                )
            )
        if case.stage != Stage.CLOSED and rng.random() < 0.06:
            case.crisis = True
            crises.append(CaseCrisis(case=case, kind=rng.choice(CaseCrisis.Kind.values), note="社区网格员报告紧急情况"))
    for model, rows in (
        (CaseIntake, intakes),
        (CaseAssessment, assessments),
        (CasePlan, case_plans),
        (CaseGoal, goals),
        (CaseEvaluation, evaluations),
        (CaseStageEvent, events),
        (CaseReview, reviews),
        (CaseCrisis, crises),
        (CaseSession, sessions),
    ):
        model.objects.bulk_create(rows, batch_size=1000)
    Case.objects.bulk_update(cases, ["crisis", "stage_changed_at"], batch_size=500)
    # Dated like the cases (auto_now_add stamped them now): stage moves on their days, each review a day or two after
    # the case's last move (those cases count as reviewed, the rest 待督导), crisis flags in the last fortnight.
    for event in events:
        CaseStageEvent.objects.filter(pk=event.pk).update(at=event.demo_at)
    for review in reviews:
        at = min(review.case.stage_changed_at + datetime.timedelta(days=rng.choice((1, 2))), now)
        CaseReview.objects.filter(pk=review.pk).update(at=at)
    for crisis in crises:
        CaseCrisis.objects.filter(pk=crisis.pk).update(raised_at=now - datetime.timedelta(hours=rng.randrange(2, 300)))
    for session in sessions:
        case = session.case
        persontimes.record(
            kind=PersonTime.Kind.CASE_SESSION,
            source_id=session.pk,
            occurred_on=session.held_on,
            count=1,
            station=case.station,
            region=case.region,
            domain=case.domain,
            agency=case.agency,
            project=case.project,
            worker=case.worker,
        )
