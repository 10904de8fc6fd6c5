"""Demo: about 150 referrals (转介) across 广州 in every state, to stations, agencies and departments, some from a case.

Made through the real services as the installation (seeded random generator), so each has its timeline, audit rows
and the other side's inbox alerts. Runs after the recipients and casework demos; loading twice adds nothing.
"""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from shegong.accounts.models import RoleAssignment
from shegong.agencies.models import Agency
from shegong.recipients.models import ConsentScope, Recipient
from shegong.referrals import services
from shegong.referrals.forms import departments
from shegong.referrals.models import Referral
from shegong.stations.models import StaffAssignment, Station

CITY_PREFIX = "4401"
LOW, HIGH = CITY_PREFIX.ljust(12, "0"), CITY_PREFIX.ljust(12, "9")
COUNT = 150
SEED = 20_261_106
REASONS = [
    ("需要法律援助", "家庭财产纠纷，需要律师咨询"),
    ("需要残疾康复服务", "肢体残疾，需要康复训练和辅具适配"),
    ("需要心理危机干预", "近期情绪低落，有轻生念头，需要专业心理支持"),
    ("需要医疗救助", "慢性病长期服药，医疗费用负担重"),
    ("需要妇女儿童权益保护", "疑似家庭暴力，需要妇联介入"),
    ("需要就业援助", "失业一年以上，需要技能培训和岗位推荐"),
    ("跨区域服务衔接", "已迁居外区，需要新居住地社工站跟进"),
    ("需要专业机构长期服务", "独居高龄老人，需要上门照护服务"),
]
STATES = [
    Referral.State.IN_PROGRESS,
    Referral.State.ACCEPTED,
    Referral.State.REJECTED,
    Referral.State.DONE,
    Referral.State.REVOKED,
]
PATHS = {
    Referral.State.IN_PROGRESS: [],
    Referral.State.ACCEPTED: [(Referral.State.ACCEPTED, "已安排社工跟进")],
    Referral.State.REJECTED: [(Referral.State.REJECTED, "超出本单位服务范围，建议转介至区残联")],
    Referral.State.DONE: [(Referral.State.ACCEPTED, "已接收"), (Referral.State.DONE, "服务已完成，服务对象满意")],
    Referral.State.REVOKED: [(Referral.State.REVOKED, "服务对象家属已自行联系相关部门")],
}


@transaction.atomic
def load(context: dict) -> None:
    stdout = context["stdout"]
    existing = Referral.objects.filter(region_id__gte=LOW, region_id__lte=HIGH)
    if existing.exists():
        stdout.write(f"转介：{existing.count()} 条（已存在）")
        return
    stations = list(
        Station.objects.filter(
            region_id__gte=LOW,
            region_id__lte=HIGH,
            status=Station.Status.OPERATING,
            kind__in=[Station.Kind.STATION, Station.Kind.ROOM],
        ).order_by("pk")
    )
    people = list(
        Recipient.objects.filter(community_id__gte=LOW, community_id__lte=HIGH, station__isnull=False)
        .select_related("station", "community")
        .order_by("pk")[:3000]
    )
    people = [p for p in people if ConsentScope.REFERRAL_SHARING in (p.consent_scopes or [])]
    if len(stations) < 2 or not people:
        return
    agencies = list(Agency.objects.filter(region_id__gte=LOW, region_id__lte=HIGH).order_by("pk")[:50])
    items = list(departments())
    cases = _cases_by_recipient()
    with_case = [p for p in people if p.pk in cases]
    # The demo's logins should find referrals addressed to them: stations someone heads, agencies someone keeps.
    heads = StaffAssignment.objects.filter(role=StaffAssignment.Role.HEAD, worker__account__isnull=False)
    headed = set(heads.values_list("station_id", flat=True))
    featured_stations = [s for s in stations if s.pk in headed]
    streets = {s.region_id[:9] for s in featured_stations}
    featured_people = [p for p in people if p.community_id[:9] in streets]
    kept = set(RoleAssignment.objects.filter(agency__isnull=False).values_list("agency_id", flat=True))
    featured_agencies = [a for a in agencies if a.pk in kept]
    rng = random.Random(SEED)
    now = timezone.now()
    counts = dict.fromkeys(STATES, 0)
    for index in range(COUNT):
        roll = rng.random()
        if featured_people and roll < 0.2:
            person = rng.choice(featured_people)
        elif with_case and roll < 0.55:
            person = rng.choice(with_case)
        else:
            person = rng.choice(people)
        case = cases.get(person.pk) if rng.random() < 0.8 else None
        from_station = case.station if case is not None else person.station
        reason, needs = rng.choice(REASONS)
        referral = services.referral_create(
            actor=None,
            recipient=person,
            case=case,
            from_station=from_station,
            reason=reason,
            needs_summary=needs,
            **_target(rng, from_station, stations, agencies, items, featured_stations, featured_agencies),
        )
        state = STATES[index % len(STATES)]
        for to_state, note in PATHS[state]:
            referral = services.referral_move(actor=None, referral=referral, to_state=to_state, note=note)
        _spread_in_time(rng, referral, now)
        counts[state] += 1
    stdout.write(
        "转介：" + "，".join(f"{Referral.State(state).label} {count}" for state, count in counts.items()) + " 条"
    )


def _target(rng, from_station, stations, agencies, items, featured_stations, featured_agencies) -> dict:
    roll = rng.random()
    if roll < 0.45 or (not agencies and not items):
        featured = [s for s in featured_stations if s.pk != from_station.pk]
        others = featured if featured and rng.random() < 0.4 else [s for s in stations if s.pk != from_station.pk]
        return {"to_station": rng.choice(others)}
    if roll < 0.7 and agencies:
        return {"to_agency": rng.choice(featured_agencies if featured_agencies and rng.random() < 0.5 else agencies)}
    if items:
        item = rng.choice(items)
        return {
            "to_department": item,
            "to_unit": f"{item.name}（区级）",
            "to_contact": "020-8" + f"{rng.randrange(10**6):06d}",
        }
    return {"to_agency": rng.choice(agencies)}


def _cases_by_recipient() -> dict:
    """Open cases of the demo, by recipient (a referral made from a case carries it)."""
    from shegong.casework.models import Case

    cases = {}
    for case in Case.objects.filter(region_id__gte=LOW, region_id__lte=HIGH).select_related("station").order_by("pk"):
        cases.setdefault(case.recipient_id, case)
    return cases


def _spread_in_time(rng, referral: Referral, now) -> None:
    """Date the referral and each of its moves over the last half year (the services stamp them all "now")."""
    at = now - datetime.timedelta(days=rng.randrange(3, 180), hours=rng.randrange(8))
    Referral.objects.filter(pk=referral.pk).update(created_at=at)
    stamps = {}
    for event in referral.events.order_by("at", "id"):
        if event.from_state:
            at = min(now, at + datetime.timedelta(days=rng.randrange(1, 10), hours=rng.randrange(8)))
        event.at = at
        event.save(update_fields=["at"])
        stamps[event.to_state] = at
    moved = {}
    if Referral.State.ACCEPTED in stamps or Referral.State.REJECTED in stamps:
        moved["answered_at"] = stamps.get(Referral.State.ACCEPTED) or stamps[Referral.State.REJECTED]
    if Referral.State.DONE in stamps:
        moved["done_at"] = stamps[Referral.State.DONE]
    if Referral.State.REVOKED in stamps:
        moved["revoked_at"] = stamps[Referral.State.REVOKED]
    if moved:
        Referral.objects.filter(pk=referral.pk).update(**moved)
