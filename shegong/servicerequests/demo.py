"""Demo: about 800 residents' requests (码上办) over the 广州 communities the demo stations serve, in every status —
waiting (some past their deadline, escalated to the head), assigned (a few to the demo login "worker"), accepted,
in service (some as cases), closed (most rated) and dismissed — with their events, and the workers' capacities.

The 广州 profile gets the service level `request_first_response_hours` = 24 h through the policies service (source
text "演示设定": the seeds give no number). Seeded random generator, dates relative to the day of loading; written in
bulk with one audit entry, then the escalation command's service runs once. Loading twice changes nothing.
"""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from shegong.audit.models import AuditEntry
from shegong.audit.services import record
from shegong.regions.models import Region
from shegong.servicerequests import services
from shegong.servicerequests.models import (
    TRACKING_ALPHABET,
    TRACKING_LENGTH,
    Action,
    RequestEvent,
    ServiceRequest,
    Status,
    WorkerCapacity,
)
from shegong.stations.models import StaffAssignment, Station
from shegong.stations.rules import current_q
from shegong.workers.imports import Builder
from shegong.workers.models import SocialWorker

CITY_PREFIX = "4401"
LOW, HIGH = CITY_PREFIX.ljust(12, "0"), CITY_PREFIX.ljust(12, "9")
COUNT = 800
SEED = 20_261_206
SLA_HOURS = 24
PROFILE_REGION = "440100000000"
HEAD_STREET_PREFIX = "440104003"  # 北京街道, the demo login "station_head"'s street
OPEN_PER_WORKER = 3
STATUS_WEIGHTS = {
    Status.PENDING: 14,
    Status.ASSIGNED: 10,
    Status.ACCEPTED: 14,
    Status.IN_SERVICE: 10,
    Status.CLOSED: 42,
    Status.DISMISSED: 10,
}
DESCRIPTIONS = {
    "social_assistance": ["家里收入低，想了解低保申请怎么办", "失业半年，生活困难，希望得到临时救助"],
    "social_welfare": ["独居老人，行动不便，希望有人定期上门探访", "老人腿脚不便，想申请助餐服务"],
    "marriage_family": ["夫妻经常争吵，孩子受影响，想找社工聊聊", "家里老人和子女关系紧张"],
    "education_guidance": ["孩子放学后无人看管，作业跟不上", "孩子沉迷手机，不愿上学"],
    "disability_rehabilitation": ["家中有残疾人，想了解康复服务", "轮椅坏了，想申请辅具"],
    "mental_health": ["最近情绪低落，睡不好，想找人倾诉", "家人有精神障碍，照顾压力大"],
    "employment_assistance": ["想找工作，希望参加技能培训", "残疾人就业，想了解有没有岗位"],
}
FREE_TEXT = [("邻里噪音", "楼上装修噪音很大，沟通无果，希望调解"), ("助餐", "想给家里老人订长者饭堂")]
DISMISS_REASONS = ["重复提交", "测试提交，无实际需求", "不在本社区服务范围，已告知居民联系户籍地"]
DECLINE_REASONS = ["本周外出培训", "该领域不熟悉，建议派给其他社工"]
RATING_COMMENTS = ["社工很耐心，谢谢！", "响应及时", "", "问题已解决", "希望以后多组织活动"]


def _sla(stdout) -> None:
    from shegong.accounts.models import User
    from shegong.policies import services as policy_services
    from shegong.policies.models import PolicyProfile, PolicyRule

    admin = User.objects.filter(username="gz_admin").first()
    today = timezone.localdate()
    profile = (
        PolicyProfile.objects.filter(region_id=PROFILE_REGION, valid_from__lte=today).order_by("-valid_from").first()
    )
    if admin is None or profile is None:
        return
    if PolicyRule.objects.filter(profile=profile, kind=services.SLA_KIND).exists():
        return
    policy_services.rule_add(
        actor=admin,
        profile=profile,
        kind=services.SLA_KIND,
        params={"maximum_hours": SLA_HOURS},
        source_text="演示设定",
    )
    stdout.write(f"政策规则：{profile.name} 增加“居民需求首次响应时限 {SLA_HOURS} 小时”（演示设定）")


def _staff(today) -> dict[int, list[int]]:
    """For each station of the city, the workers in post there today."""
    staff: dict[int, list[int]] = {}
    rows = (
        StaffAssignment.objects.filter(station__region_id__gte=LOW, station__region_id__lte=HIGH)
        .filter(current_q(today))
        .exclude(station__status=Station.Status.REVOKED)
        .values_list("station_id", "worker_id")
        .order_by("station_id", "worker_id")
    )
    for station_id, worker_id in rows:
        staff.setdefault(station_id, []).append(worker_id)
    return staff


def _capacities(staff: dict[int, list[int]], rng) -> None:
    workers = sorted({worker for people in staff.values() for worker in people})
    existing = set(WorkerCapacity.objects.filter(worker_id__in=workers).values_list("worker_id", flat=True))
    # The demo logins (workers with an account) always take requests, so 一键派单 has someone to give them to.
    with_account = set(SocialWorker.objects.filter(pk__in=workers, account__isnull=False).values_list("pk", flat=True))
    WorkerCapacity.objects.bulk_create(
        [
            WorkerCapacity(
                worker_id=worker,
                accepting=worker in with_account or rng.random() > 0.05,
                max_open=8 if worker in with_account else rng.choice((5, 5, 5, 6, 8, 3)),
            )
            for worker in workers
            if worker not in existing
        ],
        batch_size=1000,
    )


@transaction.atomic
def load(context: dict) -> None:
    stdout = context["stdout"]
    _sla(stdout)
    city = ServiceRequest.all_records.filter(community_id__gte=LOW, community_id__lte=HIGH)
    if city.filter(submission_token=services.submission_key("demo-0")).exists():
        stdout.write(f"服务需求：{city.count():,} 件（已有，未新增）")
        return
    today = timezone.localdate()
    staff = _staff(today)
    if not staff:
        return
    rng = random.Random(SEED)
    _capacities(staff, rng)
    stations = {station.pk: station for station in Station.objects.filter(pk__in=list(staff)).select_related("region")}
    served = sorted(
        {
            code
            for station in stations.values()
            for code in (
                [station.region_id]
                if station.kind == Station.Kind.ROOM
                else services.target_communities(station).values_list("code", flat=True)[:40]
            )
        }
    )
    if not served:
        return
    communities = {region.code: region for region in Region.objects.filter(code__in=served)}
    routes = {code: services.route(region, today) for code, region in communities.items()}
    demo_worker = context.get("demo_worker")
    made = _write(rng, routes, communities, staff, stations, demo_worker)
    record(
        actor=None,
        actor_username="system",
        action=AuditEntry.Action.IMPORT,
        object_type=ServiceRequest._meta.label_lower,
        object_repr=str(ServiceRequest._meta.verbose_name_plural),
        changes={"rows": [None, made]},
        note="演示数据",
    )
    escalated = services.escalate_overdue()
    by_status = {str(label): city.filter(status=value).count() for value, label in Status.choices}
    stdout.write(
        f"服务需求：{city.count():,} 件（"
        + "，".join(f"{label} {count}" for label, count in by_status.items())
        + f"），超时上报 {escalated} 件，已评价 {city.filter(rating__isnull=False).count()} 件"
    )


def _workers_for(route, staff: dict[int, list[int]], stations) -> list[int]:
    station = route.station
    if station is None:
        return []
    people = list(staff.get(station.pk, []))
    if station.kind == Station.Kind.ROOM:  # the street's station staff may cover a room's requests
        for other in stations.values():
            if other.kind == Station.Kind.STATION and other.region_id == station.region.parent_id:
                people += staff.get(other.pk, [])
    return people


def _write(rng, routes, communities, staff, stations, demo_worker) -> int:
    from shegong.casework.models import Case

    build = Builder(ServiceRequest)
    now = timezone.now()
    codes = sorted(routes)
    domains = list(DESCRIPTIONS)
    statuses, weights = list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values())
    cases_by_worker: dict[int, list[int]] = {}
    for case_id, worker_id in Case.objects.filter(region_id__gte=LOW, region_id__lte=HIGH).values_list(
        "pk", "worker_id"
    ):
        cases_by_worker.setdefault(worker_id, []).append(case_id)
    used_cases: set[int] = set()
    demo_room = None
    if demo_worker is not None:
        for code, route in routes.items():
            if route.preferred_worker is not None and route.preferred_worker.pk == demo_worker.pk:
                demo_room = code
                break
    head_codes = [code for code in codes if code.startswith(HEAD_STREET_PREFIX)]
    held: dict[int, int] = {}
    rows, steps = [], []
    tracking = set(ServiceRequest.all_records.values_list("tracking_code", flat=True))
    for index in range(COUNT):
        if demo_room and index % 40 == 0:
            code = demo_room
        elif head_codes and index % 25 == 1:
            code = rng.choice(head_codes)  # the demo station head's street: a queue to work on
        else:
            code = rng.choice(codes)
        route = routes[code]
        status = rng.choices(statuses, weights=weights)[0]
        workers = _workers_for(route, staff, stations)
        if status not in (Status.PENDING, Status.DISMISSED) and not workers:
            status = Status.PENDING
        created = now - datetime.timedelta(minutes=rng.randrange(20, 30 * 24 * 60))
        if status in (Status.PENDING, Status.ASSIGNED) and rng.random() < 0.5:
            created = now - datetime.timedelta(minutes=rng.randrange(20, 20 * 60))  # fresh: not yet overdue
        if rng.random() < 0.15:
            domain, (topic, text) = "", rng.choice(FREE_TEXT)
        else:
            domain = rng.choice(domains)
            topic, text = "", rng.choice(DESCRIPTIONS[domain])
        with_phone = rng.random() < 0.7
        while True:
            tracking_code = "".join(rng.choice(TRACKING_ALPHABET) for _index in range(TRACKING_LENGTH))
            if tracking_code not in tracking:
                tracking.add(tracking_code)
                break
        worker = None
        if status not in (Status.PENDING, Status.DISMISSED):
            preferred = route.preferred_worker.pk if route.preferred_worker else None
            if demo_room == code and demo_worker is not None:
                worker = demo_worker.pk
            else:
                worker = preferred if preferred in workers and rng.random() < 0.6 else rng.choice(workers)
            if status in (Status.ASSIGNED, Status.ACCEPTED, Status.IN_SERVICE):
                if held.get(worker, 0) >= OPEN_PER_WORKER:
                    status = Status.CLOSED  # keep loads below capacity: 一键派单 still has workers to give to
                else:
                    held[worker] = held.get(worker, 0) + 1
        # Each step a little after the previous one, never in the future.
        age = now - created
        assigned_at = created + age * rng.uniform(0.05, 0.3)
        accepted_at = assigned_at + age * rng.uniform(0.05, 0.3)
        closed_at = accepted_at + age * rng.uniform(0.1, 0.3)
        rated_at = closed_at + (now - closed_at) * rng.uniform(0.1, 0.9)
        case_id = None
        if status in (Status.IN_SERVICE, Status.CLOSED) and rng.random() < 0.5:
            free = [case for case in cases_by_worker.get(worker, []) if case not in used_cases]
            if free:
                case_id = free[0]
                used_cases.add(case_id)
        if status == Status.IN_SERVICE and case_id is None:
            status = Status.ACCEPTED  # 服务中 here means: it became a case
        rated = status == Status.CLOSED and rng.random() < 0.7
        values = {
            "tracking_code": tracking_code,
            "source_code": code,
            "community_id": code,
            "province_code": code[:2],
            "station_id": route.station.pk if route.station else None,
            "preferred_worker_id": route.preferred_worker.pk if route.preferred_worker else None,
            "domain": domain,
            "topic": topic,
            "description": text,
            "phone": f"13{rng.randrange(10**9):09d}" if with_phone else "",
            "contact_consent": with_phone or rng.random() < 0.5,
            "status": status,
            "assigned_worker_id": worker,
            "assigned_at": assigned_at if worker else None,
            "first_response_at": accepted_at
            if status in (Status.ACCEPTED, Status.IN_SERVICE, Status.CLOSED)
            else (assigned_at if status == Status.DISMISSED else None),
            "due_at": created + datetime.timedelta(hours=SLA_HOURS),
            "closed_at": closed_at if status == Status.CLOSED else None,
            "closing_note": "已上门服务，需求已解决"
            if status == Status.CLOSED
            else (rng.choice(DISMISS_REASONS) if status == Status.DISMISSED else ""),
            "case_id": case_id,
            "rating": rng.choices((5, 4, 3, 2, 1), weights=(50, 30, 12, 5, 3))[0] if rated else None,
            "rating_comment": rng.choice(RATING_COMMENTS) if rated else "",
            "rated_at": rated_at if rated else None,
            "submission_token": services.submission_key(f"demo-{index}"),
            "client_hash": "demo",
            "version": 1,
            "created_at": created,
        }
        rows.append(build(**values))
        steps.append(_events(rng, values, created, assigned_at, accepted_at, closed_at, workers))
    ServiceRequest.all_records.bulk_create(rows, batch_size=500)
    build_event = Builder(RequestEvent)
    events = [
        build_event(request_id=row.pk, **event) for row, planned in zip(rows, steps, strict=True) for event in planned
    ]
    RequestEvent.objects.bulk_create(events, batch_size=2000)
    return len(rows)


def _events(rng, values, created, assigned_at, accepted_at, closed_at, workers) -> list[dict]:
    status, worker = values["status"], values["assigned_worker_id"]
    events = [{"action": Action.SUBMITTED, "from_status": "", "to_status": Status.PENDING, "at": created}]
    if status == Status.DISMISSED:
        events.append(
            {
                "action": Action.DISMISSED,
                "from_status": Status.PENDING,
                "to_status": Status.DISMISSED,
                "reason": values["closing_note"],
                "at": assigned_at,
            }
        )
        return events
    if worker is None:
        return events
    others = [other for other in workers if other != worker]
    if others and rng.random() < 0.1:  # declined once by a colleague first
        events += [
            {
                "action": Action.ASSIGNED,
                "from_status": Status.PENDING,
                "to_status": Status.ASSIGNED,
                "worker_id": others[0],
                "at": created + (assigned_at - created) / 3,
            },
            {
                "action": Action.DECLINED,
                "from_status": Status.ASSIGNED,
                "to_status": Status.PENDING,
                "worker_id": others[0],
                "reason": rng.choice(DECLINE_REASONS),
                "at": created + (assigned_at - created) * 2 / 3,
            },
        ]
    matched = rng.random() < 0.5
    events.append(
        {
            "action": Action.MATCHED if matched else Action.ASSIGNED,
            "from_status": Status.PENDING,
            "to_status": Status.ASSIGNED,
            "worker_id": worker,
            "explanation": (["同社区驻点社工"] if worker == values["preferred_worker_id"] else ["同街道"])
            if matched
            else [],
            "at": assigned_at,
        }
    )
    if status == Status.ASSIGNED:
        return events
    events.append(
        {
            "action": Action.ACCEPTED,
            "from_status": Status.ASSIGNED,
            "to_status": Status.ACCEPTED,
            "worker_id": worker,
            "at": accepted_at,
        }
    )
    last = Status.ACCEPTED
    if values["case_id"]:
        events.append(
            {
                "action": Action.CASE_OPENED,
                "from_status": Status.ACCEPTED,
                "to_status": Status.IN_SERVICE,
                "worker_id": worker,
                "at": accepted_at + (closed_at - accepted_at) / 4,
            }
        )
        last = Status.IN_SERVICE
    if status == Status.CLOSED:
        events.append(
            {
                "action": Action.CLOSED,
                "from_status": last,
                "to_status": Status.CLOSED,
                "worker_id": worker,
                "reason": values["closing_note"],
                "at": closed_at,
            }
        )
        if values["rating"]:
            events.append(
                {
                    "action": Action.RATED,
                    "from_status": Status.CLOSED,
                    "to_status": Status.CLOSED,
                    "reason": str(values["rating"]),
                    "at": values["rated_at"],
                }
            )
    return events
