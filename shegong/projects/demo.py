"""Demo: a government-purchased project for every demo station of 广州市 (seed 003: "社工站每年240万").

- one 社工站项目 per 镇街社工站, covering it and the community rooms of its street; one per 区县中心, covering the
  centre and the rooms of streets that have no station; one per specialised station (学校社工站, 两站合一);
- the purchaser is the district's 民政局; the contractor is the station's operating agency where it has one (a
  project whose station has none stays at 立项 or 招标/评审); realistic funds: 240万 a year for most street stations,
  200万 for some (below 广州's 240万 standard), 100万 for a centre, 30–60万 for a specialised station;
- funding mostly 财政预算 with some 彩票公益金 and 社会捐赠; budget lines with personnel 65–75% of the funds, and
  55–62% for about one project in seven (failing 广州's ≥ 65% rule);
- stages spread over the lifecycle with their stage events (立项 → … → the current stage; a few 终止 and 流标),
  spending recorded in proportion to the time elapsed once executing;
- rosters from the workers posted at the covered stations (the stations demo placed only assignable workers there),
  else from the contractor's own workers; outputs planned by funds.

Every choice comes from a random generator seeded per station, so the same station gets the same project on every
load; a station already covered by a project is skipped, so a second load changes nothing. Rows are written in bulk
with one audit entry for the lot, after the checks the services make (sums equal the total funds, contractor
present from 签约 on, roster periods inside the service period).
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from shegong.audit.models import AuditEntry
from shegong.audit.services import record
from shegong.projects.models import (
    BudgetLine,
    FundingSource,
    PlannedOutput,
    Project,
    ProjectStaff,
    ProjectStageEvent,
    ProjectStation,
)
from shegong.regions.codes import subtree_bounds
from shegong.regions.models import Region

CITY = "440100000000"
HEAD_STREET = "440104003000"  # 北京街道, 越秀区: the demo station head's street
SEED = 20_260_505
Stage = Project.Stage
WAN = Decimal(10_000)
# Where the demo's projects stand in their lifecycle (weights), for projects with a contractor.
STAGES = [
    (Stage.CONTRACTED, 8),
    (Stage.EXECUTING, 45),
    (Stage.MIDTERM, 22),
    (Stage.FINAL, 10),
    (Stage.CLOSED, 8),
    (Stage.TERMINATED, 2),
    (Stage.TENDERING, 3),
    (Stage.INITIATED, 2),
]
PATH = [Stage.INITIATED, Stage.TENDERING, Stage.CONTRACTED, Stage.EXECUTING, Stage.MIDTERM, Stage.FINAL, Stage.CLOSED]


def _rng(*parts) -> random.Random:
    return random.Random(f"{SEED}:" + ":".join(str(part) for part in parts))


def _money(value) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"))


class Plan:
    def __init__(self, station, covered: list, district: Region, name: str, total: Decimal, rng: random.Random):
        self.station, self.covered, self.district, self.name, self.total, self.rng = (
            station,
            covered,
            district,
            name,
            total,
            rng,
        )
        self.project: Project | None = None
        self.agency_id = station.agency_id
        self.stage: str | None = None


def _plans(stations: list, districts: dict[str, Region]) -> list[Plan]:
    streets = {s.region_id: s for s in stations if s.kind == "station"}
    rooms_by_street: dict[str, list] = defaultdict(list)
    orphans: dict[str, list] = defaultdict(list)
    for station in stations:
        if station.kind != "room":
            continue
        street = station.region_id[:9].ljust(12, "0")
        if street in streets:
            rooms_by_street[street].append(station)
        else:
            orphans[station.region_id[:6]].append(station)
    plans = []
    for station in stations:
        rng = _rng(station.code)
        district = districts[station.region_id[:6]]
        if station.kind == "station":
            total = WAN * (200 if rng.random() < 0.15 else 240)
            plans.append(
                Plan(
                    station,
                    [station, *rooms_by_street[station.region_id]],
                    district,
                    station.name + "服务项目",
                    total,
                    rng,
                )
            )
        elif station.kind == "centre":
            covered = [station, *orphans.pop(station.region_id[:6], [])]
            plans.append(Plan(station, covered, district, station.name + "运营项目", WAN * 100, rng))
        elif station.kind not in ("room",):
            plans.append(
                Plan(station, [station], district, station.name + "服务项目", WAN * rng.choice((30, 45, 60)), rng)
            )
    for short, rooms in orphans.items():
        # A district without a centre: its rooms outside any street station get one project together.
        first = rooms[0]
        name = f"{districts[short].name}社区社工室服务项目"
        plans.append(Plan(first, rooms, districts[short], name, WAN * 60, _rng(first.code)))
    return plans


def _stage(plan: Plan) -> str:
    if plan.stage is not None:
        return plan.stage
    if plan.agency_id is None:
        return plan.rng.choice((Stage.INITIATED, Stage.TENDERING))
    roll = plan.rng.choices([stage for stage, _w in STAGES], weights=[weight for _s, weight in STAGES])[0]
    return roll


def _period(stage: str, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    year = today.year - 1 if stage == Stage.CLOSED else today.year
    if stage in (Stage.INITIATED, Stage.TENDERING):
        year = today.year + 1 if today.month >= 10 else today.year
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def _history(
    plan: Plan, stage: str, start: datetime.date, today: datetime.date
) -> list[tuple[str, str, datetime.date, str]]:
    """(from, to, day, reason) from 立项 to the current stage, days rising and never after today."""
    first = min(start - datetime.timedelta(days=90), today - datetime.timedelta(days=30))
    events = [("", Stage.INITIATED, first, "立项")]
    if plan.rng.random() < 0.05 and stage not in (Stage.INITIATED,):
        events.append((Stage.INITIATED, Stage.TENDERING, first + datetime.timedelta(days=10), ""))
        events.append((Stage.TENDERING, Stage.INITIATED, first + datetime.timedelta(days=25), "流标：有效投标不足三家"))
    target_path = PATH[: plan.rng.randint(3, 4)] if stage == Stage.TERMINATED else PATH[: PATH.index(stage) + 1]
    days = {
        Stage.TENDERING: start - datetime.timedelta(days=45),
        Stage.CONTRACTED: start - datetime.timedelta(days=15),
        Stage.EXECUTING: start,
        Stage.MIDTERM: start + datetime.timedelta(days=180),
        Stage.FINAL: start + datetime.timedelta(days=330),
        Stage.CLOSED: start + datetime.timedelta(days=380),
    }
    previous = Stage.INITIATED
    last = events[-1][2]
    for step in target_path[1:]:
        day = max(min(days[step], today), last)
        events.append((previous, step, day, ""))
        previous, last = step, day
    if stage == Stage.TERMINATED:
        events.append(
            (
                previous,
                Stage.TERMINATED,
                min(max(last, today - datetime.timedelta(days=20)), today),
                "承接机构申请提前终止，经购买方同意",
            )
        )
    return events


def _budget(plan: Plan) -> dict[str, Decimal]:
    share = Decimal(plan.rng.randint(55, 62) if plan.rng.random() < 0.15 else plan.rng.randint(65, 75)) / 100
    personnel = _money(plan.total * share)
    activity = _money((plan.total - personnel) * Decimal("0.6"))
    admin = _money((plan.total - personnel) * Decimal("0.3"))
    return {
        "personnel": personnel,
        "activity": activity,
        "admin": admin,
        "other": plan.total - personnel - activity - admin,
    }


def _funding(plan: Plan) -> dict[str, Decimal]:
    lottery = _money(plan.total * Decimal(plan.rng.choice((0, 0, 5, 10, 15))) / 100)
    donation = _money(plan.total * Decimal(plan.rng.choice((0, 0, 0, 2))) / 100)
    return {
        key: value
        for key, value in {"fiscal": plan.total - lottery - donation, "lottery": lottery, "donation": donation}.items()
        if value
    }


def _outputs(plan: Plan) -> list[tuple[str, str, int]]:
    scale = int(plan.total / WAN)
    return [
        ("person_times", "", scale * plan.rng.randint(40, 60)),
        ("cases", "", max(5, scale // 4)),
        ("groups", "", max(2, scale // 12)),
        ("activities", "", max(4, scale // 5)),
    ]


def _roster_pool(covered_ids: set[int], today: datetime.date) -> dict[int, list[tuple[int, str]]]:
    """{station id: [(worker id, role)]} of the posts in force today at the stations."""
    from shegong.stations.models import StaffAssignment
    from shegong.stations.rules import current_q

    found = defaultdict(list)
    for station_id, worker_id, role in (
        StaffAssignment.objects.filter(current_q(today), station_id__in=covered_ids)
        .order_by("station_id", "pk")
        .values_list("station_id", "worker_id", "role")
    ):
        found[station_id].append((worker_id, role))
    return found


def _agency_workers(agency_ids: set[int]) -> dict[int, list[int]]:
    from shegong.workers.models import CreditEvent, SocialWorker
    from shegong.workers.selectors import blacklist_q

    listed = set(CreditEvent.objects.filter(blacklist_q(timezone.localdate())).values_list("worker_id", flat=True))
    found = defaultdict(list)
    for worker_id, agency_id in (
        SocialWorker.objects.filter(agency_id__in=agency_ids, status=SocialWorker.Status.ACTIVE)
        .order_by("pk")
        .values_list("pk", "agency_id")
    ):
        if worker_id not in listed:
            found[agency_id].append(worker_id)
    return found


ROLE_OF_POST = {"head": "lead", "deputy": "lead", "supervisor": "supervisor", "assistant": "assistant"}


@transaction.atomic
def populate(
    *, today: datetime.date | None = None, districts: list[str] | None = None, demo_agency_id: int | None = None
) -> dict:
    from shegong.stations.models import Station

    today = today or timezone.localdate()
    low, high = subtree_bounds(CITY, Region.Level.CITY)
    rows = Station.objects.filter(region_id__gte=low, region_id__lte=high).exclude(status=Station.Status.REVOKED)
    if districts:
        within = Q(pk__in=[])
        for code in districts:
            first, last = subtree_bounds(code.ljust(12, "0"), Region.Level.COUNTY)
            within |= Q(region_id__gte=first, region_id__lte=last)
        rows = rows.filter(within)
    covered_already = set(ProjectStation.objects.filter(station__in=rows).values_list("station_id", flat=True))
    stations = [station for station in rows.order_by("region_id", "kind", "pk") if station.pk not in covered_already]
    result = {"projects": 0, "staff": 0, "failing": 0}
    if not stations:
        return result
    district_codes = {station.region_id[:6].ljust(12, "0") for station in stations}
    districts_by_short = {region.code[:6]: region for region in Region.objects.filter(code__in=district_codes)}
    plans = _plans(stations, districts_by_short)
    for plan in plans:
        if demo_agency_id and plan.station.kind == "station" and plan.station.region_id == HEAD_STREET:
            # The demo logins' project: station_head's street, run by agency_admin's agency, under way.
            plan.agency_id, plan.stage = demo_agency_id, Stage.EXECUTING
    posts = _roster_pool({station.pk for plan in plans for station in plan.covered}, today)
    agency_workers = _agency_workers({plan.agency_id for plan in plans if plan.agency_id})
    sequence: dict[str, int] = defaultdict(int)
    taken = set(Project.objects.values_list("code", flat=True))
    projects, events, links, funding, budget, outputs, staff = [], [], [], [], [], [], []
    for plan in plans:
        stage = _stage(plan)
        start, end = _period(stage, today)
        prefix = f"P{plan.district.code[:6]}{start.year}"
        sequence[prefix] += 1
        while f"{prefix}{sequence[prefix]:03d}" in taken:
            sequence[prefix] += 1
        contracted = stage in Project.CONTRACTED_STAGES or (stage == Stage.TERMINATED)
        project = Project(
            code=f"{prefix}{sequence[prefix]:03d}",
            name=plan.name,
            purchaser_department=f"广州市{plan.district.name}民政局",
            region=plan.district,
            province_code="44",
            agency_id=plan.agency_id if contracted or plan.rng.random() < 0.5 else None,
            contract_date=start - datetime.timedelta(days=15) if contracted else None,
            start_date=start,
            end_date=end,
            total_funds=plan.total,
            social_work_posts=0,
            description=f"承接运营{plan.station.name}，提供社区专业社会工作服务（演示数据）",
            stage=stage,
        )
        if project.agency_id is None:
            project.contract_date = None
        plan.project = project
        projects.append(project)
    Project.objects.bulk_create(projects, batch_size=500)
    for plan in plans:
        project = plan.project
        for from_stage, to_stage, day, reason in _history(plan, project.stage, project.start_date, today):
            events.append(
                ProjectStageEvent(
                    project=project, from_stage=from_stage, to_stage=to_stage, effective_on=day, reason=reason
                )
            )
        links.extend(ProjectStation(project=project, station=station) for station in plan.covered)
        for source, amount in _funding(plan).items():
            funding.append(FundingSource(project=project, source=source, amount=amount))
        spent_share = Decimal(0)
        if project.stage in (Stage.EXECUTING, Stage.MIDTERM, Stage.FINAL, Stage.CLOSED, Stage.TERMINATED):
            elapsed = (min(today, project.end_date) - project.start_date).days + 1
            spent_share = Decimal(max(0, elapsed)) / Decimal((project.end_date - project.start_date).days + 1)
        lines = _budget(plan)
        for category, planned in lines.items():
            factor = spent_share * Decimal(plan.rng.randint(85, 105)) / 100 if spent_share else Decimal(0)
            budget.append(
                BudgetLine(project=project, category=category, planned=planned, spent=_money(planned * factor))
            )
        outputs.extend(
            PlannedOutput(project=project, measure=measure, domain=domain, planned=planned)
            for measure, domain, planned in _outputs(plan)
        )
        if project.stage in (Stage.INITIATED, Stage.TENDERING):
            continue
        members: list[tuple[int, str]] = []
        seen: set[int] = set()
        for station in plan.covered:
            for worker_id, role in posts.get(station.pk, []):
                if worker_id not in seen:
                    seen.add(worker_id)
                    members.append((worker_id, role))
        if not members and project.agency_id:
            pool = agency_workers.get(project.agency_id, [])
            chosen = plan.rng.sample(pool, min(len(pool), plan.rng.randint(3, 6)))
            members = [(worker_id, "full_time") for worker_id in chosen]
        for worker_id, role in members:
            staff.append(
                ProjectStaff(
                    project=project,
                    worker_id=worker_id,
                    role=ROLE_OF_POST.get(role, "social_worker"),
                    is_full_time=True,
                    is_social_work_post=role != "assistant",
                    start_date=project.start_date,
                    end_date=None,
                )
            )
    ProjectStageEvent.objects.bulk_create(events, batch_size=2000)
    ProjectStation.objects.bulk_create(links, batch_size=2000)
    FundingSource.objects.bulk_create(funding, batch_size=2000)
    BudgetLine.objects.bulk_create(budget, batch_size=2000)
    PlannedOutput.objects.bulk_create(outputs, batch_size=2000)
    ProjectStaff.objects.bulk_create(staff, batch_size=2000)
    record(
        actor=None,
        actor_username="system",
        action=AuditEntry.Action.IMPORT,
        object_type=Project._meta.label_lower,
        object_repr=str(Project._meta.verbose_name_plural),
        changes={"projects": [None, len(projects)], "staff": [None, len(staff)], "stations": [None, len(links)]},
        note="演示数据",
    )
    result["projects"], result["staff"] = len(projects), len(staff)
    return result


def _demo_agency(today: datetime.date) -> int | None:
    """The agency of the demo login agency_admin, if it may contract today."""
    from shegong.accounts.models import User
    from shegong.agencies.selectors import status_on

    user = User.objects.filter(username="agency_admin").select_related("home_agency").first()
    agency = user.home_agency if user is not None else None
    if agency is None or status_on(agency, today).is_listed:
        return None
    return agency.pk


def load(context: dict) -> None:
    from shegong.projects import rules

    stdout = context["stdout"]
    today = timezone.localdate()
    result = populate(today=today, demo_agency_id=_demo_agency(today))
    low, high = subtree_bounds(CITY, Region.Level.CITY)
    city = Project.objects.filter(region_id__gte=low, region_id__lte=high)
    if not city.exists():
        return
    judged = rules.judge(city, today)
    failing = sum(1 for judgement in judged.values() if judgement.failing)
    stdout.write(
        f"政府购买服务项目：{city.count()} 个（本次新增 {result['projects']}），不合规 {failing} 个；"
        f"本次新增项目人员 {result['staff']} 名"
    )
