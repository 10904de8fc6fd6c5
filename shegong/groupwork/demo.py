"""Demo: about 60 groups (小组) in every stage, with members, sessions and attendance, and about 400 community
activities (社区活动) over the last 12 months, across 广州's operating stations that have staff.

Everything goes through the services (as the installation), so the codes, stage events, attendance and 服务人次 are
what production writes. Some members and participants are demo recipients of the station's area, the others named
people who are not registered. The demo logins see their share: 北京街社工站 (station_head) has groups and activities,
and the "worker" login (海珠) leads groups and organises activities of their own station.

A seeded random generator picks the same things on every load (dates relative to the day of loading). When the city
already has groups, the demo leaves groups and activities alone, so a second `shegong demo load` changes nothing.
"""

import datetime
import random

from django.utils import timezone

from shegong.groupwork import services
from shegong.groupwork.models import DOMAIN_DICTIONARY, CommunityActivity, GroupWork
from shegong.recipients.models import Recipient
from shegong.refdata.models import DictionaryItem
from shegong.regions.codes import subtree_bounds
from shegong.regions.models import Region
from shegong.stations.models import StaffAssignment, Station

CITY_PREFIX = "4401"
SEED = 20_261_123
GROUPS = 60
ACTIVITIES = 400
LOW, HIGH = CITY_PREFIX.ljust(12, "0"), CITY_PREFIX.ljust(12, "9")
HEAD_STREET = "440104003000"  # 北京街道: the demo station head's street
Stage = GroupWork.Stage
# Each entry: the stage the group ends in and, for an early end, the stage it ended from.
STAGE_PLAN = [
    (Stage.PREPARATION, None),
    (Stage.FORMATION, None),
    (Stage.TRANSITION, None),
    (Stage.MATURITY, None),
    (Stage.ENDING, None),
    (Stage.ENDING, Stage.TRANSITION),
]
EARLY_END_REASONS = ["组员陆续搬离社区，人数不足", "疫情防控要求暂停集中活动", "组员需求已转为个案跟进"]
GROUP_THEMES = [
    ("长者互助小组", "社区独居长者", "建立互助网络，减少孤独感"),
    ("照顾者减压小组", "失能老人家庭照顾者", "学习减压方法，获得同伴支持"),
    ("青少年成长小组", "初中学生", "提升自信与人际沟通能力"),
    ("亲子沟通小组", "小学生家长", "改善亲子沟通"),
    ("康复者支持小组", "精神障碍康复者", "巩固康复成效，促进社会融入"),
    ("新市民融入小组", "来穗务工人员", "熟悉社区资源，建立支持网络"),
    ("妇女就业能力小组", "待业妇女", "提升求职技能"),
    ("禁毒宣传骨干小组", "社区志愿者", "培养禁毒宣传骨干"),
]
SESSION_THEMES = ["相识破冰", "建立信任", "分享经历", "学习新技能", "角色扮演", "资源链接", "回顾与展望", "告别与祝福"]
ACTIVITY_TITLES = [
    "邻里节",
    "长者健康讲座",
    "亲子游园会",
    "义诊进社区",
    "防诈骗宣传",
    "禁毒知识宣传",
    "垃圾分类体验",
    "中秋游园",
    "重阳敬老活动",
    "儿童暑期托管",
    "社区议事会",
    "就业招聘会",
]
PLACES = ["社区广场", "社区活动室", "党群服务中心", "社工站多功能室", "小区花园", "社区长者饭堂"]
SURNAMES = "陈李黄张梁林刘吴罗何郑杨谢郭冯曾邓周潘叶"
GIVEN = "伟芳敏静丽强磊洁婷军杰娟涛明超霞平刚桂华"


def _name(rng) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _staffed_stations(today) -> list[tuple[Station, list]]:
    """Operating stations and rooms of the city with their current staff."""
    posts = (
        StaffAssignment.objects.filter(
            station__region__gte=LOW,
            station__region__lte=HIGH,
            station__status=Station.Status.OPERATING,
            station__kind__in=[Station.Kind.STATION, Station.Kind.ROOM],
            start_date__lte=today,
        )
        .exclude(end_date__lt=today)
        .select_related("station", "station__region", "worker")
        .order_by("station__region_id", "station_id", "id")
    )
    staff: dict[int, tuple[Station, list]] = {}
    for post in posts:
        staff.setdefault(post.station_id, (post.station, []))[1].append(post.worker)
    return sorted(staff.values(), key=lambda item: item[0].region_id)


def _agency_stations(stations) -> list:
    """Stations operated by the agency of the demo login "agency_admin" (the accounts demo's first agency)."""
    from shegong.accounts.models import User

    account = User.objects.filter(username="agency_admin").select_related("home_agency").first()
    if account is None or account.home_agency_id is None:
        return []
    return [item for item in stations if item[0].agency_id == account.home_agency_id]


def _communities(station: Station) -> list[Region]:
    if station.region.level == Region.Level.VILLAGE:
        return [station.region]
    low, high = subtree_bounds(station.region_id, station.region.level)
    return list(Region.objects.filter(code__gte=low, code__lte=high, level=Region.Level.VILLAGE).order_by("code"))


def _recipients(station: Station) -> list[Recipient]:
    low, high = subtree_bounds(station.region_id, station.region.level)
    return list(Recipient.objects.filter(community_id__gte=low, community_id__lte=high).order_by("id")[:40])


def _project(station: Station):
    link = station.project_links.select_related("project").order_by("project_id").first()
    return link.project if link else None


def load(context: dict) -> None:
    stdout = context["stdout"]
    today = timezone.localdate()
    city = GroupWork.objects.filter(region__gte=LOW, region__lte=HIGH)
    if city.exists():
        activities = CommunityActivity.objects.filter(community__gte=LOW, community__lte=HIGH).count()
        stdout.write(f"小组与社区活动：已有 {city.count()} 个小组、{activities} 场活动，未重复生成")
        return
    stations = _staffed_stations(today)
    domains = list(
        DictionaryItem.objects.filter(dictionary__code=DOMAIN_DICTIONARY, is_active=True).values_list("code", flat=True)
    )
    if not stations or not domains:
        return
    rng = random.Random(SEED)
    demo_worker = context.get("demo_worker")
    own = [(station, workers) for station, workers in stations if demo_worker in workers][:1]
    head = [item for item in stations if item[0].region_id.startswith(HEAD_STREET[:9])][:6]
    agency = _agency_stations(stations)[:3]
    # The demo logins' stations first (the worker's own groups, 北京街道's, the agency's), then the rest of the city.
    chosen = own * 3 + head + agency + rng.sample(stations, min(len(stations), GROUPS))
    while len(chosen) < GROUPS:
        chosen.append(rng.choice(stations))
    made = 0
    for index, (station, workers) in enumerate(chosen[:GROUPS]):
        leader = demo_worker if own and index < 3 else rng.choice(workers)
        _group(rng, station, leader, workers, domains, STAGE_PLAN[index % len(STAGE_PLAN)], today)
        made += 1
    favoured = head + agency
    held = 0
    for index in range(ACTIVITIES):
        if own and index < 20:
            (station, workers), organiser = own[0], demo_worker
        else:
            station, workers = rng.choice(favoured) if favoured and index < 60 else rng.choice(stations)
            organiser = rng.choice(workers)
        if _activity(rng, station, organiser, domains, today):
            held += 1
    stdout.write(f"小组与社区活动：{made} 个小组（各阶段），{held} 场社区活动（近 12 个月）")


def _group(rng, station, leader, workers, domains, plan, today) -> GroupWork:
    final_stage, ended_from = plan
    name, target, goals = rng.choice(GROUP_THEMES)
    communities = _communities(station)
    region = rng.choice(communities) if station.region.level != Region.Level.VILLAGE and rng.random() < 0.4 else None
    group = services.group_create(
        actor=None,
        station=station,
        leader=leader,
        co_leaders=[worker for worker in workers if worker != leader][:1],
        name=f"{station.region.name[:20]}{name}",
        domain=rng.choice(domains),
        target_group=target,
        goals=goals,
        planned_sessions=rng.choice((6, 8)),
        project=_project(station),
        **({"region": region} if region else {}),
    )
    if final_stage == Stage.PREPARATION:
        return group
    sessions_per_stage = {Stage.FORMATION: 2, Stage.TRANSITION: 2, Stage.MATURITY: 2}
    last_stage = ended_from or (Stage.MATURITY if final_stage == Stage.ENDING else final_stage)
    stages = [Stage.FORMATION, Stage.TRANSITION, Stage.MATURITY]
    stages = stages[: stages.index(last_stage) + 1]
    total = sum(sessions_per_stage[stage] for stage in stages)
    day = today - datetime.timedelta(days=7 * total + rng.randrange(3, 120))
    recipients = _recipients(station)
    members = []
    for position in range(rng.randrange(5, 11)):
        use_recipient = recipients and rng.random() < 0.6
        recipient = recipients.pop(rng.randrange(len(recipients))) if use_recipient else None
        members.append((recipient, "" if recipient else _name(rng), day - datetime.timedelta(days=1 + position % 3)))
    number = 0
    for stage in stages:
        group = services.group_move(actor=None, group=group, to_stage=stage, effective_on=day)
        if stage == Stage.FORMATION:
            members = [
                services.member_add(actor=None, group=group, recipient=recipient, name=name, joined_on=joined)
                for recipient, name, joined in members
            ]
        for _session in range(sessions_per_stage[stage]):
            number += 1
            present = [member for member in members if rng.random() < 0.8]
            services.session_record(
                actor=None,
                group=group,
                held_on=day,
                theme=SESSION_THEMES[(number - 1) % len(SESSION_THEMES)],
                notes=f"第{number}节按计划开展，组员参与积极。",
                present=present,
            )
            day += datetime.timedelta(days=7)
    if final_stage == Stage.ENDING:
        reason = rng.choice(EARLY_END_REASONS) if ended_from else ""
        group = services.group_move(
            actor=None, group=group, to_stage=Stage.ENDING, effective_on=min(day, today), reason=reason
        )
    return group


def _activity(rng, station, organiser, domains, today) -> CommunityActivity | None:
    communities = _communities(station)
    if not communities:
        return None
    community = rng.choice(communities)
    recipients = [r for r in _recipients(station) if r.community_id == community.code]
    named = rng.sample(recipients, min(len(recipients), rng.randrange(0, 4))) if rng.random() < 0.3 else []
    names = [_name(rng) for _ in range(rng.randrange(0, 3))] if rng.random() < 0.3 else []
    starts = datetime.time(rng.choice((9, 10, 14, 15, 19)), rng.choice((0, 30)))
    volunteers = rng.randrange(0, 8)
    return services.activity_create(
        actor=None,
        station=station,
        organiser=organiser,
        community=community,
        title=rng.choice(ACTIVITY_TITLES),
        held_on=today - datetime.timedelta(days=rng.randrange(0, 365)),
        starts_at=starts,
        ends_at=datetime.time(starts.hour + 2, starts.minute),
        domain=rng.choice(domains),
        place=rng.choice(PLACES),
        description="",
        project=_project(station),
        participants_count=len(named) + len(names) + rng.randrange(5, 120),
        participants=named,
        participant_names=names,
        volunteers_count=volunteers,
        volunteer_names="、".join(_name(rng) for _ in range(min(volunteers, 3))),
    )
