"""Demo: the station network of 广州市 (seed 002 "一区县一中心、一镇街一站、一村社一室", seed 003 "一社区一社工").

- a 区县社会工作指导中心 in every district, a 镇街社工站 in about 90% of the streets and townships, a 村社社工室 in
  about 40% of the communities (always one in 北京街道 and in 流水井社区, where the demo logins and the tests look);
- a few specialised stations beside them: 学校社工站 hosted by schools and "两站合一" stations merged with a district's
  未成年人保护工作站 (they are not counted in coverage);
- status histories (筹建 → 运营, some suspended and resumed, a few still in preparation or suspended now), operating
  agencies from the agencies demo (never one on the abnormal list or the blacklist), service lists;
- staff from the workers demo: only active workers who are on no blacklist and hold no full-time post anywhere, each
  given at most one full-time post, so no assignment breaks the rule "full-time at one station on any day"; every
  room its resident social worker (驻点社工), except a few left without one on purpose;
- presence check-ins of each room's resident for the current week and the 8 complete weeks before it: most meet
  广州's 3 days a week, some rooms fall short in the last complete week, and some weeks are short here and there;
- some stations non-compliant on purpose: under-staffed centres and stations, rooms without a resident, low presence.
  Staffing is judged by a demo profile for 广东省 (the 广州 presets set presence and money rules but no staffing
  numbers): 重庆's three-level standard (seed 002) for centres and stations, and one social worker per community room
  (seed 003 "一社区一社工"). It is marked as demo data in its name, description and source text;
- the demo login "station_head" (北京街道) is linked to a worker's record and is the 站长 of 北京街社工站; the demo
  login "worker" (海珠区) is the resident social worker of a 海珠 room, so 我的驻点 has weeks to show.

Every choice comes from a random generator seeded per region, so the same region gets the same station, status and
services on every load; dates are relative to the day of loading. A planned station whose region already has a live
station of its kind (or, for a specialised one, the same host) is skipped with everything that belongs to it, so a
second `shegong demo load` changes nothing. Stations, posts, check-ins and service items are written in bulk with one
audit entry for the lot, after the same checks the services make (kind against level, one live station per region
and kind, assignable workers, one full-time post per worker, one resident per room).
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from shegong.audit.models import AuditEntry
from shegong.audit.services import record
from shegong.regions.codes import subtree_bounds
from shegong.regions.models import Region
from shegong.stations.models import PresenceCheckIn, StaffAssignment, Station, StationService, StationStatusEvent
from shegong.stations.rules import iso_week
from shegong.stations.services import KIND_LETTERS, MAX_CODE_SUFFIX

Kind = Station.Kind
Status = Station.Status
Role = StaffAssignment.Role

CITY = "440100000000"
SEED = 20_260_404
STREET_SHARE = 0.9
ROOM_SHARE = 0.4
PRESENCE_WEEKS = 8
HEAD_USERNAME = "station_head"
WORKER_USERNAME = "worker"
HEAD_STREET = "440104003000"  # 北京街道, 越秀区 (the demo station head's street)
ALWAYS_ROOMS = {"440104003104"}  # 流水井社区, 北京街道 (the tests' and the QR demo's community)
HAIZHU = "440105"

PROFILE_REGION = "440000000000"
PROFILE_NAME = "广东省社工站点配备标准（演示数据）"
PROFILE_SOURCE = (
    "演示数据，非真实文件：区县中心、街道站、乡镇站的人数参照重庆市民政局三级体系配备标准（2020年10月19日，"
    "seed 002）；村（社区）社工室按广州“一社区一社工”（seed 003）各配备1名专职社会工作者。"
)
STAFFING = {"centre": 2, "street_station": 2, "township_station": 1, "urban_community": 1, "rural_community": 1}

ROADS = ["中山", "解放", "环市", "东风", "人民", "越秀", "起义", "沿江", "江南", "工业", "新港", "昌岗", "广园", "迎宾"]
HOURS = ["周一至周五 9:00-12:00、14:00-18:00", "周一至周六 8:30-17:30", "周二至周日 9:00-18:00（周一闭馆）"]
MANUAL_NOTES = ["手机未带，经站长核实补录", "定位失败，凭服务记录补录", "外出入户探访，站长确认后补录"]
SUSPENSIONS = ["场地装修改造", "承接机构更换，服务暂停交接", "消防整改"]
SCHOOLS = {"440104": "广州市第十六中学", "440106": "天河区实验小学", "440113": "番禺区职业技术学校"}
MERGED = ("440105", "440111")  # 海珠区、白云区: 两站合一 with the district's 未成年人保护工作站

# Service list items per service_domain code: (title, description); a station takes some of the domains it has.
SERVICES = {
    "social_assistance": [
        ("困难群众探访", "每月走访低保、低边、特困家庭，了解需求并链接救助资源"),
        ("临时救助转介", "协助急难群众申请临时救助，跟进落实"),
    ],
    "social_welfare": [("长者关爱服务", "独居、空巢长者定期探访与电话问安"), ("长者饭堂协助", "协助社区长者饭堂运营")],
    "community_building": [
        ("社区议事会", "组织居民议事协商，推动社区公共事务"),
        ("社区志愿服务", "招募培训社区志愿者"),
    ],
    "marriage_family": [("家庭关系辅导", "婚姻家庭关系咨询与调适"), ("亲子教育小组", "亲子沟通与家庭教育小组活动")],
    "mental_health": [("心理疏导", "情绪困扰居民的个案辅导与转介")],
    "disability_rehabilitation": [("残障人士康复", "康复训练协助与社会融入活动")],
    "education_guidance": [
        ("青少年成长", "课后托管、学业辅导与成长小组"),
        ("困境儿童关爱", "困境儿童、留守儿童探访与帮扶"),
    ],
    "employment_assistance": [("就业援助", "就业困难人员职业指导与岗位推介")],
    "crime_prevention": [("青少年犯罪预防", "不良行为青少年的预防与帮教")],
    "dispute_mediation": [("邻里纠纷调解", "协助调解邻里、家庭纠纷")],
    "emergency_response": [("应急救援支援", "突发事件中的心理支持与物资链接")],
}
FALLBACK_SERVICES = [("社区综合服务", "面向辖区居民的综合性社会工作服务"), ("个案管理", "困难群体个案评估、计划与跟进")]


@dataclass
class Post:
    role: str
    full_time: bool
    start: datetime.date
    end: datetime.date | None = None
    worker_id: int | None = None


@dataclass
class Plan:
    """One station to create, with everything that belongs to it."""

    kind: str
    region: Region
    name: str
    rng: random.Random
    host: str = ""
    agency_id: int | None = None
    status: str = Status.OPERATING
    opened_on: datetime.date | None = None
    history: list[tuple[str, datetime.date, str]] = field(default_factory=list)
    posts: list[Post] = field(default_factory=list)
    services: list[tuple[str, str, str]] = field(default_factory=list)
    low_presence: bool = False
    code: str = ""
    station: Station | None = None


@dataclass
class Result:
    created: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    posts: int = 0
    check_ins: int = 0
    services: int = 0
    skipped: int = 0


def _rng(*parts) -> random.Random:
    return random.Random(":".join(str(part) for part in (SEED, *parts)))


# --- Names ---------------------------------------------------------------------------------------------------------


def street_station_name(street: Region) -> str:
    if street.name.endswith("街道"):
        return street.name.removesuffix("道") + "社工站"
    return street.name + "社工站"


def room_name(community: Region) -> str:
    name = community.name
    for suffix, replacement in (("社区居委会", "社区"), ("居委会", "社区"), ("村委会", "村"), ("居民委员会", "社区")):
        if name.endswith(suffix):
            return name.removesuffix(suffix) + replacement + "社工室"
    return name + "社工室"


# --- The plan --------------------------------------------------------------------------------------------------------


def _contact(plan: Plan, district: Region) -> dict:
    rng = plan.rng
    return {
        "address": f"广州市{district.name}{rng.choice(ROADS)}路{rng.randint(1, 399)}号",
        "phone": f"020-{rng.randint(3, 8)}{rng.randint(0, 9_999_999):07d}",
        "service_hours": rng.choice(HOURS),
        # Around 广州 (23.13°N, 113.26°E); the demo does not claim real positions.
        "latitude": Decimal(f"{23.13 + rng.uniform(-0.25, 0.45):.6f}"),
        "longitude": Decimal(f"{113.26 + rng.uniform(-0.2, 0.5):.6f}"),
    }


def _history(plan: Plan, today: datetime.date, *, may_suspend: bool) -> None:
    """Status and history: 筹建, then 运营 on the opening day; some suspended and resumed, a few suspended now or still
    in preparation. Operating stations opened at least ten weeks ago, so the presence weeks all fall after it."""
    rng = plan.rng
    roll = rng.random()
    if may_suspend and roll < 0.04:
        plan.status, plan.opened_on = Status.PREPARING, None
        plan.history = [(Status.PREPARING, today - datetime.timedelta(days=rng.randint(20, 120)), "新建站点")]
        return
    opened = today - datetime.timedelta(days=rng.randint(75, 6 * 365))
    plan.opened_on = opened
    plan.history = [
        (Status.PREPARING, opened - datetime.timedelta(days=rng.randint(30, 180)), "新建站点"),
        (Status.OPERATING, opened, "完成场地建设和人员配备，正式运营"),
    ]
    if not may_suspend:
        return
    if roll < 0.07:
        plan.status = Status.SUSPENDED
        plan.history.append(
            (Status.SUSPENDED, today - datetime.timedelta(days=rng.randint(3, 40)), rng.choice(SUSPENSIONS))
        )
    elif roll < 0.15 and (today - opened).days > 200:
        paused = opened + datetime.timedelta(days=rng.randint(60, (today - opened).days - 120))
        plan.history.append((Status.SUSPENDED, paused, rng.choice(SUSPENSIONS)))
        plan.history.append(
            (Status.OPERATING, paused + datetime.timedelta(days=rng.randint(14, 60)), "整改完成，恢复运营")
        )


def _services(plan: Plan, domains: list[str], count: int) -> None:
    offered = [code for code in domains if code in SERVICES]
    chosen = plan.rng.sample(offered, min(count, len(offered)))
    items = [(code, *plan.rng.choice(SERVICES[code])) for code in chosen]
    if len(items) < count and domains:
        items += [(domains[0], title, text) for title, text in FALLBACK_SERVICES[: count - len(items)]]
    titles = set()
    for code, title, text in items:
        if title not in titles:
            titles.add(title)
            plan.services.append((code, title, text))


def _staff(plan: Plan, today: datetime.date, roles: list[tuple[str, bool]]) -> None:
    """Posts to fill (roles in order), starting between the opening and ten weeks ago; sometimes a former full-time
    worker whose post ended before the current head's began."""
    if plan.status == Status.PREPARING:
        plan.posts = [Post(Role.HEAD, True, today - datetime.timedelta(days=plan.rng.randint(5, 15)))]
        return
    rng = plan.rng
    latest = today - datetime.timedelta(days=70)
    earliest = plan.opened_on or latest
    span = max((latest - earliest).days, 0)
    for role, full_time in roles:
        plan.posts.append(
            Post(role, full_time, earliest + datetime.timedelta(days=rng.randint(0, span) if span else 0))
        )
    if plan.posts and span > 400 and rng.random() < 0.12:
        first = plan.posts[0]
        first.start = earliest + datetime.timedelta(days=rng.randint(200, span))
        plan.posts.append(Post(Role.FULL_TIME, True, earliest, first.start - datetime.timedelta(days=1)))


def plan_network(districts: list[Region], today: datetime.date, agencies: dict[str, list[int]], domains: list[str]):
    """The stations to create under `districts` (each with its staff posts, services and presence profile)."""
    plans: list[Plan] = []
    city_agencies = [pk for pks in agencies.values() for pk in pks]
    streets = defaultdict(list)
    for street in Region.objects.filter(parent__in=districts, level=Region.Level.TOWNSHIP).order_by("code"):
        streets[street.parent_id].append(street)
    communities = defaultdict(list)
    all_streets = [street for rows in streets.values() for street in rows]
    for community in Region.objects.filter(parent__in=all_streets, level=Region.Level.VILLAGE).order_by("code"):
        communities[community.parent_id].append(community)
    for district in districts:
        short = district.code[:6]
        local = agencies.get(short) or city_agencies
        centre = Plan(Kind.CENTRE, district, f"{district.name}社会工作指导中心", _rng(district.code, Kind.CENTRE))
        centre.agency_id = centre.rng.choice(local) if local else None
        _history(centre, today, may_suspend=False)
        under = centre.rng.random() < 0.15
        _staff(
            centre,
            today,
            [(Role.HEAD, True)] if under else [(Role.HEAD, True), (Role.FULL_TIME, True), (Role.FULL_TIME, True)],
        )
        centre.posts.append(Post(Role.SUPERVISOR, False, centre.posts[0].start))
        _services(centre, domains, 5)
        plans.append(centre)
        for street in streets[district.code]:
            rng = _rng(street.code, Kind.STATION)
            head_street = street.code == HEAD_STREET
            if rng.random() >= STREET_SHARE and not head_street:
                continue
            plan = Plan(Kind.STATION, street, street_station_name(street), rng)
            plan.agency_id = rng.choice(local) if local else None
            _history(plan, today, may_suspend=not head_street)
            rural = street.area_class == Region.AreaClass.RURAL
            if not head_street and rng.random() < 0.1:
                roles = [] if rural else [(Role.HEAD, True)]  # under-staffed on purpose
            else:
                roles = [(Role.HEAD, True)] + [(Role.FULL_TIME, True)] * rng.choice([1, 2, 2, 3])
                if len(roles) > 2:
                    roles[1] = (Role.DEPUTY, True)
                roles.append((Role.ASSISTANT, False))
            _staff(plan, today, roles)
            _services(plan, domains, rng.randint(4, 6))
            plans.append(plan)
            for community in communities[street.code]:
                room_rng = _rng(community.code, Kind.ROOM)
                if room_rng.random() >= ROOM_SHARE and community.code not in ALWAYS_ROOMS:
                    continue
                room = Plan(Kind.ROOM, community, room_name(community), room_rng, agency_id=plan.agency_id)
                _history(room, today, may_suspend=False)
                if room_rng.random() < 0.05 and community.code not in ALWAYS_ROOMS:
                    roles = []  # no resident social worker: flagged and under-staffed
                else:
                    roles = [(Role.RESIDENT, True)]
                _staff(room, today, roles)
                room.low_presence = room_rng.random() < 0.12
                _services(room, domains, room_rng.randint(2, 3))
                plans.append(room)
        plans.extend(_specialised(district, streets[district.code], today, domains, local))
    return plans


def _specialised(district: Region, streets: list[Region], today, domains, agencies) -> list[Plan]:
    """学校社工站 (seed 004 昆明: resident and rotating social workers) and 两站合一 (seed 004 黑龙江)."""
    plans = []
    short = district.code[:6]
    if short in SCHOOLS and streets:
        rng = _rng(district.code, Kind.SCHOOL)
        street = rng.choice(streets)
        plan = Plan(Kind.SCHOOL, street, f"{SCHOOLS[short]}社工站", rng, host=SCHOOLS[short])
        plan.agency_id = rng.choice(agencies) if agencies else None
        _history(plan, today, may_suspend=False)
        # 昆明: 2 resident social workers and 4 rotating ones (part-time here: they are full-time elsewhere).
        _staff(plan, today, [(Role.FULL_TIME, True)] * 2 + [(Role.ASSISTANT, False)] * 4)
        _services(plan, domains, 3)
        plans.append(plan)
    if short in MERGED:
        rng = _rng(district.code, Kind.MINOR_PROTECTION)
        host = f"{district.name}未成年人保护工作站"
        plan = Plan(Kind.MINOR_PROTECTION, district, f"{district.name}社工站（未成年人保护工作站）", rng, host=host)
        plan.agency_id = rng.choice(agencies) if agencies else None
        _history(plan, today, may_suspend=False)
        _staff(plan, today, [(Role.HEAD, True), (Role.FULL_TIME, True)])
        _services(plan, domains, 3)
        plans.append(plan)
    return plans


# --- Who does the work -----------------------------------------------------------------------------------------------


class WorkerPool:
    """Workers free for a post: active, on no blacklist (ever, to be safe), holding no post yet and no login of
    their own (the demo logins are placed explicitly), grouped by the district they work in. Each is
    handed out once, so nobody gets two full-time posts."""

    def __init__(self):
        from shegong.workers.models import CreditEvent, SocialWorker

        low, high = subtree_bounds(CITY, Region.Level.CITY)
        busy = StaffAssignment.objects.values("worker_id")
        listed = CreditEvent.objects.filter(severity=CreditEvent.Severity.BLACKLIST).values("worker_id")
        rows = (
            SocialWorker.objects.filter(region_id__gte=low, region_id__lte=high, status=SocialWorker.Status.ACTIVE)
            .filter(account__isnull=True)
            .exclude(pk__in=busy)
            .exclude(pk__in=listed)
            .order_by("pk")
            .values_list("pk", "region_id")
        )
        self.free: dict[str, list[int]] = defaultdict(list)
        for pk, region in rows:
            self.free[region[:6]].append(pk)
        for queue in self.free.values():
            queue.reverse()  # pop() from the end hands out the lowest ids first
        self.full_time_in: dict[str, list[int]] = defaultdict(list)

    def reserve(self, pk: int) -> None:
        """Keep a worker placed explicitly (a demo login's record) out of the pool."""
        for queue in self.free.values():
            if pk in queue:
                queue.remove(pk)

    def take(self, district: str) -> int | None:
        queue = self.free.get(district)
        if not queue:
            # The district has run out: borrow from the district with the most workers left.
            queue = max(self.free.values(), key=len, default=None)
        return queue.pop() if queue else None

    def rotating(self, district: str, rng: random.Random, exclude: set[int]) -> int | None:
        """A worker already full-time in the district, for a part-time post elsewhere (督导, 辅助岗, rotating)."""
        candidates = [pk for pk in self.full_time_in[district] if pk not in exclude]
        return rng.choice(candidates) if candidates else self.take(district)


def _fill(plans: list[Plan], pool: WorkerPool, head_worker: int | None, demo_worker) -> None:
    from shegong.workers.models import SocialWorker

    resident_for_demo = None
    if demo_worker is not None and not StaffAssignment.objects.filter(worker=demo_worker, full_time=True).exists():
        resident_for_demo = demo_worker.pk
    for pk in (head_worker, resident_for_demo):
        if pk is not None:
            pool.reserve(pk)
    for plan in plans:
        district = plan.region.code[:6]
        at_station: set[int] = set()
        for post in sorted(plan.posts, key=lambda post: not post.full_time):
            if not post.full_time:
                post.worker_id = pool.rotating(district, plan.rng, at_station)
            elif (
                plan.region.code == HEAD_STREET and plan.kind == Kind.STATION and post.role == Role.HEAD and head_worker
            ):
                post.worker_id, head_worker = head_worker, None
            elif resident_for_demo and post.role == Role.RESIDENT and district == HAIZHU:
                post.worker_id, resident_for_demo = resident_for_demo, None
            else:
                post.worker_id = pool.take(district)
                if post.worker_id is not None:
                    pool.full_time_in[district].append(post.worker_id)
            if post.worker_id is not None:
                at_station.add(post.worker_id)
        plan.posts = [post for post in plan.posts if post.worker_id is not None]
    # Part-time posts can only go to workers who are assignable too; the pool guarantees it for the rest.
    assert not SocialWorker.objects.filter(
        pk__in=[post.worker_id for plan in plans for post in plan.posts], status__in=["left", "retired"]
    ).exists()


def _head_worker(today: datetime.date) -> int | None:
    """The record of the demo login "station_head", linked on first load to a free worker of 越秀区."""
    from shegong.accounts.models import User
    from shegong.workers import services as worker_services
    from shegong.workers.models import SocialWorker

    user = User.objects.filter(username=HEAD_USERNAME).first()
    if user is None:
        return None
    worker = SocialWorker.objects.filter(account=user).first()
    if worker is None:
        pk = WorkerPool().take(HEAD_STREET[:6])
        if pk is None:
            return None
        worker = worker_services.worker_link_account(actor=None, worker=SocialWorker.objects.get(pk=pk), account=user)
    busy = StaffAssignment.objects.filter(worker=worker, full_time=True).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=today)
    )
    return None if busy.exists() else worker.pk


def _ensure_head(today: datetime.date) -> None:
    """When 北京街社工站 existed before the login did (an older demo database), make the login's worker its 站长 now,
    through the service."""
    from shegong.stations import services

    station = Station.objects.filter(region_id=HEAD_STREET, kind=Kind.STATION).exclude(status=Status.REVOKED).first()
    if station is None:
        return
    from shegong.accounts.models import User
    from shegong.workers.models import SocialWorker

    worker = SocialWorker.objects.filter(account__username=HEAD_USERNAME).first()
    if worker is None:
        if not User.objects.filter(username=HEAD_USERNAME).exists() or _head_worker(today) is None:
            return
        worker = SocialWorker.objects.get(account__username=HEAD_USERNAME)
    if (
        StaffAssignment.objects.filter(station=station, worker=worker)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .exists()
    ):
        return
    full_time = (
        not StaffAssignment.objects.filter(worker=worker, full_time=True)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .exists()
    )
    services.staff_assign(
        actor=None, station=station, worker=worker, role=Role.HEAD, start_date=today, full_time=full_time
    )


# --- Writing ---------------------------------------------------------------------------------------------------------


def _codes(plans: list[Plan]) -> None:
    """Codes as services.new_code makes them (kind letter + the region's own digits, "-2" … when taken)."""
    city = Q(pk__in=[])
    for letter in KIND_LETTERS.values():
        city |= Q(code__startswith=letter + CITY[:4])
    taken = set(Station.objects.filter(city).values_list("code", flat=True))
    for plan in plans:
        base = code = KIND_LETTERS[plan.kind] + plan.region.short_code
        number = 1
        while code in taken:
            number += 1
            if number > MAX_CODE_SUFFIX:
                raise RuntimeError(f"no station code left for {base}")
            code = f"{base}-{number}"
        taken.add(code)
        plan.code = code


def _check_ins(plan: Plan, post: Post, today: datetime.date) -> list[PresenceCheckIn]:
    """The resident's check-ins for the current week and the PRESENCE_WEEKS complete weeks before it, on weekdays,
    within the post: 3 to 5 days a week mostly, 1 or 2 in the last complete week of a low-presence room, and now and
    then a short week anywhere."""
    rng = _rng(plan.region.code, "presence")
    rows = []
    for back in range(PRESENCE_WEEKS + 1):
        monday, _sunday = iso_week(today - datetime.timedelta(days=7 * back))
        weekdays = [monday + datetime.timedelta(days=offset) for offset in range(5)]
        eligible = [day for day in weekdays if post.start <= day <= today and (post.end is None or day <= post.end)]
        short_week = (back == 1 and plan.low_presence) or (back > 1 and rng.random() < 0.06)
        wanted = rng.choice([1, 2]) if short_week else rng.choice([3, 3, 4, 4, 5])
        for day in sorted(rng.sample(eligible, min(wanted, len(eligible)))):
            roll = rng.random()
            method = PresenceCheckIn.Method.QR if roll < 0.6 else PresenceCheckIn.Method.LOCATION
            note = ""
            if roll > 0.95:
                method, note = PresenceCheckIn.Method.MANUAL, rng.choice(MANUAL_NOTES)
            rows.append(
                PresenceCheckIn(
                    worker_id=post.worker_id,
                    station=plan.station,
                    community=plan.region,
                    date=day,
                    method=method,
                    note=note,
                )
            )
    return rows


def _write(plans: list[Plan], today: datetime.date, result: Result) -> None:
    _codes(plans)
    for plan in plans:
        wanted = Station.LEVEL_OF_KIND.get(plan.kind)
        # Built so by plan_network; checked as station_create would (a wrong pairing must never reach the table).
        assert wanted is None or plan.region.level == wanted, plan
        assert plan.kind in Station.NETWORK_KINDS or plan.host, plan
        district = plan.region.code[:6]
        plan.station = Station(
            code=plan.code,
            name=plan.name,
            kind=plan.kind,
            region=plan.region,
            province_code=plan.region.code[:2],
            agency_id=plan.agency_id,
            host_institution=plan.host,
            opened_on=plan.opened_on,
            status=plan.status,
            **_contact(plan, plan.region if plan.region.level == Region.Level.COUNTY else _district(district)),
        )
    Station.objects.bulk_create([plan.station for plan in plans], batch_size=500)
    StationStatusEvent.objects.bulk_create(
        [
            StationStatusEvent(station=plan.station, status=status, effective_on=day, reason=reason)
            for plan in plans
            for status, day, reason in plan.history
        ],
        batch_size=1000,
    )
    posts = [
        StaffAssignment(
            station=plan.station,
            worker_id=post.worker_id,
            role=post.role,
            full_time=post.full_time,
            start_date=post.start,
            end_date=post.end,
        )
        for plan in plans
        for post in plan.posts
    ]
    StaffAssignment.objects.bulk_create(posts, batch_size=1000)
    items = [
        StationService(station=plan.station, domain=code, title=title, description=text, sort_order=order)
        for plan in plans
        for order, (code, title, text) in enumerate(plan.services, start=1)
    ]
    StationService.objects.bulk_create(items, batch_size=1000)
    check_ins = [
        row
        for plan in plans
        if plan.kind == Kind.ROOM and plan.status == Status.OPERATING
        for post in plan.posts
        if post.role == Role.RESIDENT
        for row in _check_ins(plan, post, today)
    ]
    PresenceCheckIn.objects.bulk_create(check_ins, batch_size=2000)
    for plan in plans:
        result.created[plan.kind] += 1
    result.posts, result.services, result.check_ins = len(posts), len(items), len(check_ins)


_DISTRICTS: dict[str, Region] = {}


def _district(short: str) -> Region:
    if short not in _DISTRICTS:
        _DISTRICTS[short] = Region.objects.get(pk=short.ljust(12, "0"))
    return _DISTRICTS[short]


# --- The policy profile the demo judges staffing by ------------------------------------------------------------------


def _ensure_profile() -> None:
    """广东省's demo staffing profile (see the module docstring), unless the province already has a profile."""
    from shegong.policies import registry
    from shegong.policies.models import PolicyProfile, PolicyRule

    if not Region.objects.filter(pk=PROFILE_REGION).exists():
        return
    if PolicyProfile.objects.filter(region_id=PROFILE_REGION).exists():
        return
    profile = PolicyProfile.objects.create(
        name=PROFILE_NAME,
        region_id=PROFILE_REGION,
        valid_from=datetime.date(2020, 10, 19),
        description="演示数据：让演示城市的站点按配备标准得出判定；正式使用时请删除或改为本地实际标准。",
    )
    rule = PolicyRule(
        profile=profile,
        kind="staffing_minimum",
        params=registry.get("staffing_minimum").clean_params(STAFFING),
        source_text=PROFILE_SOURCE,
    )
    rule.full_clean()
    rule.save()
    record(
        actor=None,
        actor_username="system",
        action=AuditEntry.Action.CREATE,
        obj=profile,
        changes={"name": [None, PROFILE_NAME], "staffing_minimum": [None, STAFFING]},
        note="演示数据",
    )


# --- Loading ---------------------------------------------------------------------------------------------------------


def _agencies(today: datetime.date) -> dict[str, list[int]]:
    """Agencies of the city that may operate a station today (not on the abnormal list or the blacklist), by
    district."""
    from shegong.agencies.models import Agency
    from shegong.agencies.selectors import status_on

    low, high = subtree_bounds(CITY, Region.Level.CITY)
    found = defaultdict(list)
    for agency in Agency.objects.filter(region_id__gte=low, region_id__lte=high).order_by("pk"):
        if not status_on(agency, today).is_listed:
            found[agency.region_id[:6]].append(agency.pk)
    return found


def _new_only(plans: list[Plan], districts: list[Region]) -> tuple[list[Plan], int]:
    """The planned stations not there yet: a live station of the same network kind on the region, or a
    specialised station of the same kind, region and host, means the plan was loaded before."""
    within = Q(pk__in=[])
    for district in districts:
        low, high = district.subtree_bounds
        within |= Q(region_id__gte=low, region_id__lte=high)
    existing = Station.objects.filter(within).exclude(status=Status.REVOKED)
    network = set(existing.filter(kind__in=Station.NETWORK_KINDS).values_list("region_id", "kind"))
    specialised = set(
        existing.exclude(kind__in=Station.NETWORK_KINDS).values_list("region_id", "kind", "host_institution")
    )
    fresh = [
        plan
        for plan in plans
        if (plan.region.code, plan.kind) not in network and (plan.region.code, plan.kind, plan.host) not in specialised
    ]
    return fresh, len(plans) - len(fresh)


@transaction.atomic
def populate(*, districts: list[str] | None = None, today: datetime.date | None = None, demo_worker=None) -> Result:
    """Build the demo network under the districts given by code (every district of 广州 by default)."""
    from shegong.refdata.selectors import items

    today = today or timezone.localdate()
    rows = Region.objects.filter(parent_id=CITY, level=Region.Level.COUNTY).order_by("code")
    if districts:
        rows = rows.filter(code__in=[code.ljust(12, "0") for code in districts])
    chosen = list(rows)
    result = Result()
    if not chosen:
        return result
    _ensure_profile()
    domains = list(items("service_domain").values_list("code", flat=True))
    plans, result.skipped = _new_only(plan_network(chosen, today, _agencies(today), domains), chosen)
    if plans:
        head = _head_worker(today)
        _fill(plans, WorkerPool(), head, demo_worker)
        _write(plans, today, result)
        record(
            actor=None,
            actor_username="system",
            action=AuditEntry.Action.IMPORT,
            object_type=Station._meta.label_lower,
            object_repr=str(Station._meta.verbose_name_plural),
            changes={
                "stations": [None, len(plans)],
                "assignments": [None, result.posts],
                "services": [None, result.services],
                "check_ins": [None, result.check_ins],
            },
            note="演示数据",
        )
    _ensure_head(today)
    return result


def load(context: dict) -> None:
    from shegong.stations import rules

    stdout = context["stdout"]
    today = timezone.localdate()
    result = populate(today=today, demo_worker=context.get("demo_worker"))
    low, high = subtree_bounds(CITY, Region.Level.CITY)
    city = Station.objects.filter(region_id__gte=low, region_id__lte=high)
    if not city.exists():
        return
    judged = rules.judge(city, today)
    failing = sum(1 for judgement in judged.values() if judgement.noncompliant)
    counts = {str(label): city.filter(kind=kind).count() for kind, label in Kind.choices}
    stdout.write(
        "社工站点："
        + "，".join(f"{label} {count}" for label, count in counts.items())
        + f"（本次新增 {sum(result.created.values())}），不达标 {failing} 个；"
        f"本次新增在岗安排 {result.posts} 条、驻点签到 {result.check_ins} 条、服务项目 {result.services} 项"
    )
