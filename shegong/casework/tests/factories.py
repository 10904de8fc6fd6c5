"""Builders for the casework tests. Cases go through the real services (as the installation, actor None, unless a
test is about the actor), so their codes, intake, stage events and person-times are what production writes.

A `Setting` is one street station of district A (station_head_a's 北京街道) with its head and a worker in post, and a
recipient of 流水井社区; `setting_b` the same in district B, whose worker is the world's worker_b."""

import datetime
from dataclasses import dataclass

from shegong.casework import services
from shegong.casework.models import Case, CaseAssessment, CaseGoal, IntakeSource
from shegong.recipients.tests.factories import COMMUNITY_B, make_recipient
from shegong.stations import services as station_services
from shegong.stations.tests.factories import LONG_AGO, Kind, make_station, make_worker, service_domain
from shegong.testing.world import COMMUNITY_A, DISTRICT_B, STREET_A

OPENED = datetime.date(2026, 3, 2)
DOMAIN = "social_assistance"


@dataclass
class Setting:
    station: object
    worker: object
    recipient: object


def post(station, worker, role="full_time"):
    station_services.staff_assign(actor=None, station=station, worker=worker, role=role, start_date=LONG_AGO)
    return worker


def _station(region: str):
    """The street's station (one per street: the second setting of a test reuses it)."""
    from shegong.stations.models import Station

    return Station.objects.filter(region_id=region, kind=Kind.STATION).first() or make_station(Kind.STATION, region)


def setting_a(world=None, *, head=True) -> Setting:
    """北京街道 station (district A); station_head_a heads it when `world` is given."""
    service_domain(DOMAIN)
    station = _station(STREET_A)
    if world is not None and head:
        post(station, make_worker(region=STREET_A, account=world.station_head_a), role="head")
    worker = post(station, make_worker(region=STREET_A))
    return Setting(station=station, worker=worker, recipient=make_recipient("陈大文", COMMUNITY_A))


def setting_b(world) -> Setting:
    """A 海珠 street station whose worker is worker_b's account."""
    service_domain(DOMAIN)
    station = _station(COMMUNITY_B[:9] + "000")
    worker = post(station, make_worker(region=DISTRICT_B, account=world.worker_b))
    return Setting(station=station, worker=worker, recipient=make_recipient("林小红", COMMUNITY_B))


def open_case(setting: Setting, *, actor=None, **values) -> Case:
    values.setdefault("domain", DOMAIN)
    values.setdefault("opened_on", OPENED)
    values.setdefault("source", IntakeSource.SELF_REFERRED)
    values.setdefault("presenting_problem", "独居老人，近期跌倒后生活自理困难")
    return services.case_open(
        recipient=setting.recipient, station=setting.station, worker=setting.worker, actor=actor, **values
    )


def walk(case: Case, to: str, actor=None) -> Case:
    """Fill in what each stage needs and move the case forward until it reaches `to` (not 结案)."""
    while case.stage != to:
        fill(case, actor)
        case = services.case_move(case=case, to=Case.MOVES[case.stage], actor=actor)
    return case


def fill(case: Case, actor=None) -> None:
    """Complete the content of the case's current stage."""
    stage = case.stage
    if stage == Case.Stage.ASSESSMENT:
        services.assessment_save(
            case=case,
            actor=actor,
            needs={"living": "需要助餐与家政服务", "social": "缺少邻里支持"},
            risk_level=CaseAssessment.Risk.MEDIUM,
            risk_factors="独居",
            strengths="女儿每周探望",
            assessed_on=OPENED,
        )
    elif stage == Case.Stage.PLANNING:
        services.plan_save(case=case, actor=actor, methods="链接助餐资源，组织邻里探访", planned_on=OPENED)
        services.goal_add(
            case=case,
            actor=actor,
            description="每日有人送餐",
            measure="送餐记录",
            target_date=datetime.date(2026, 6, 1),
        )
    elif stage == Case.Stage.INTERVENTION:
        services.session_add(
            case=case,
            actor=actor,
            held_on=OPENED,
            kind="home_visit",
            duration_minutes=60,
            notes="上门探访，了解饮食情况",
        )
    elif stage == Case.Stage.EVALUATION:
        services.evaluation_save(
            case=case,
            actor=actor,
            overall="目标基本达成",
            evaluated_on=OPENED,
            achievements={goal.pk: (CaseGoal.Achievement.MET, "") for goal in case.goals.all()},
        )
