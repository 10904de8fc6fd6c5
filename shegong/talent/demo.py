"""Demo: the supervisor pool of 广州市 — dozens of supervisors on every grade of the ladder with their promotion
history (one skipped step, with its reason), a year of individual and group supervision sessions (a few supervisors
over the 1 : 20 ratio), leading talents at national, provincial and municipal level, and honours.

Everything goes through the services as the demo city administrator (gz_admin), so each record obeys the rules and
has its audit entry. The people are the demo city's workers; if the talent pool holds too few of them (the workers
demo not loaded), some are added through the workers service first. Loading twice changes nothing.
"""

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from shegong.accounts.demo import demo_login
from shegong.core.scope import region_q
from shegong.policies.kinds.base import add_years
from shegong.talent import ratio, services
from shegong.talent.models import LADDER, Honour, LeadingTalent, SupervisorGrade, SupervisorProfile

CITY = "440100000000"
SUPERVISORS = 40
MIN_WORKERS = 600
SEED = 20240521

SURNAMES = "陈林黄李张王吴刘蔡郑何梁谢罗许杨周徐邓冯曾彭萧潘袁"
GIVEN = ["嘉欣", "志明", "晓彤", "伟雄", "诗琪", "俊杰", "雅雯", "家乐", "慧玲", "梓豪", "美华", "浩天", "婉婷", "国强"]
TOPICS = [
    "个案工作中的风险评估",
    "长者服务个案研讨",
    "青少年小组工作设计",
    "社区营造项目进度",
    "困境儿童个案跟进",
    "社工伦理困境讨论",
    "服务记录与文书规范",
    "情绪耗竭与自我照顾",
    "家庭综合服务中心年度计划",
    "志愿者联动与管理",
]
AUTHORITIES = ["广州市社会工作协会督导评审委员会", "广州市民政局", "越秀区社会工作协会", "海珠区民政局"]
FIELDS = ["社会救助", "长者服务", "青少年服务", "社区治理", "禁毒戒毒", "残障康复", "婚姻家庭", "医务社工"]
HONOURS = [
    ("全国先进社会组织工作者", "national", "民政部"),
    ("广东省优秀社会工作者", "provincial", "广东省民政厅"),
    ("广州市优秀社会工作者", "municipal", "广州市民政局"),
    ("广州市三八红旗手", "municipal", "广州市妇女联合会"),
    ("广州市青年五四奖章", "municipal", "共青团广州市委员会"),
    ("区优秀督导", "district", "区民政局"),
    ("区抗疫先进个人", "district", "区人民政府"),
]


def city_workers():
    from shegong.workers.models import SocialWorker

    return (
        SocialWorker.objects.filter(region_q("region", CITY, 2), status=SocialWorker.Status.ACTIVE)
        .select_related("agency", "region")
        .order_by("id")
    )


def _top_up(rng: random.Random, agencies, wanted: int) -> None:
    """Enough workers for the demo's supervision, through the workers service (only when the pool is short)."""
    from shegong.core.fields import matching
    from shegong.regions.models import Region
    from shegong.workers import services as worker_services
    from shegong.workers.identity import id_number_from_body
    from shegong.workers.models import SocialWorker

    missing = wanted - city_workers().count()
    if missing <= 0 or not agencies:
        return
    regions = {region.pk: region for region in Region.objects.filter(pk__in={a.region_id for a in agencies})}
    for index in range(missing):
        agency = agencies[index % len(agencies)]
        birth = datetime.date(1975 + index % 25, 1 + index % 12, 1 + index % 28)
        number = id_number_from_body(f"{agency.region_id[:6]}{birth:%Y%m%d}{700 + index % 300:03d}")
        if matching(SocialWorker.objects.all(), "id_number", number).exists():
            continue
        worker_services.worker_create(
            actor=None,
            name=rng.choice(SURNAMES) + rng.choice(GIVEN),
            id_number=number,
            region=regions[agency.region_id],
            agency=agency,
            post_type="professional",
            major_social_work=index % 3 == 0,
        )


def _ladder_history(rng: random.Random, today: datetime.date, index: int) -> tuple[str, datetime.date, list]:
    """(first grade, appointed on, [(to_grade or None, on, reason)]) ending on a grade spread over the ladder."""
    final = LADDER[[0, 1, 1, 2, 2, 2, 3, 3, 4][index % 9]]
    start_rank = 0 if index % 4 else min(LADDER.index(final), 1)
    appointed = today - datetime.timedelta(days=365 * (LADDER.index(final) - start_rank + 1) + rng.randint(60, 300))
    steps, day = [], appointed
    rank = start_rank
    while rank < LADDER.index(final):
        day = day + datetime.timedelta(days=rng.randint(330, 420))
        if index % 13 == 5 and rank + 2 <= LADDER.index(final):
            rank += 2
            steps.append(
                (LADDER[rank], day, "经市社工协会专家评审，实务经验与督导成效突出，破格越级认定（穗社工协〔演示〕号）")
            )
        else:
            rank += 1
            steps.append((None, day, ""))
    return LADDER[start_rank], appointed, [step for step in steps if step[1] < today]


def load(context: dict) -> None:
    stdout = context["stdout"]
    existing = SupervisorProfile.objects.filter(region_q("worker__region", CITY, 2)).count()
    if existing:
        stdout.write(f"督导人才库：{existing} 名督导（均已存在）")
        return
    from shegong.agencies.models import Agency

    rng = random.Random(SEED)
    today = timezone.localdate()
    # Every agency of the city, the fixed demo ones first; new workers go to those in good standing.
    agencies = list(Agency.objects.filter(region_q("region", CITY, 2)).order_by("pk"))
    admin = demo_login("gz_admin")
    _top_up(rng, [agency for agency in agencies if agency.current_status() == "normal"][:60], MIN_WORKERS)
    workers = list(city_workers())
    if len(workers) < SUPERVISORS * 4:
        stdout.write("督导人才库：演示城市的社工太少，未生成督导演示数据")
        return
    by_agency: dict[int | None, list] = {}
    for worker in workers:
        by_agency.setdefault(worker.agency_id, []).append(worker)
    # Supervisors come from the agencies' staff, spread evenly over the agencies that have staff, then (if the demo
    # city has few agencies with staff) from workers employed elsewhere.
    ordered = sorted((key for key in by_agency if key is not None), key=lambda key: -len(by_agency[key]))
    per_agency = max(2, -(-SUPERVISORS // max(len(ordered), 1)))
    chosen = []
    for key in ordered:
        staff = by_agency[key]
        chosen.extend(staff[: min(per_agency, max(len(staff) // 6, 1))])
    chosen.extend(by_agency.get(None, [])[: max(SUPERVISORS - len(chosen), 0)])
    chosen = chosen[:SUPERVISORS]
    supervisor_ids = {worker.pk for worker in chosen}
    profiles = []
    for index, worker in enumerate(chosen):
        first, appointed, steps = _ladder_history(rng, today, index)
        profile = services.supervisor_appoint(
            worker=worker,
            grade=first,
            grade_since=appointed,
            approving_authority=AUTHORITIES[index % len(AUTHORITIES)],
            actor=admin,
        )
        for to_grade, day, reason in steps:
            services.supervisor_change_grade(
                profile=profile,
                to_grade=to_grade,
                changed_on=day,
                approving_authority=AUTHORITIES[0],
                reason=reason,
                actor=admin,
            )
        profile.refresh_from_db()
        profiles.append(profile)
    sessions = _sessions(rng, today, admin, profiles, by_agency, workers, supervisor_ids)
    talents = _leading_talents(rng, today, admin, workers)
    honours = _honours(rng, today, admin, workers)
    over = sum(1 for _p, count in sessions.items() if count > ratio.NATIONAL_DEFAULT_MAX_SUPERVISEES)
    grades = {grade.label: sum(1 for p in profiles if p.grade == grade) for grade in SupervisorGrade}
    stdout.write(
        f"督导人才库：督导 {len(profiles)} 名（{'、'.join(f'{k}{v}' for k, v in grades.items())}），"
        f"其中 {over} 名超出督导配比；领军人才 {talents} 名，荣誉 {honours} 项"
    )


def _sessions(rng, today, admin, profiles, by_agency, workers, supervisor_ids) -> dict:
    """A year of sessions per supervisor; every sixth one has more distinct supervisees than the default ratio."""
    counts = {}
    others = [worker for worker in workers if worker.pk not in supervisor_ids]
    for index, profile in enumerate(profiles):
        colleagues = [w for w in by_agency.get(profile.worker.agency_id, []) if w.pk not in supervisor_ids]
        wanted = rng.randint(22, 28) if index % 6 == 2 else rng.randint(4, 16)
        near = rng.sample(colleagues, min(len(colleagues), wanted)) if profile.worker.agency_id else []
        pool = list(dict.fromkeys(near + rng.sample(others, min(len(others), 60))))[:wanted]
        counts[profile.pk] = len(pool)
        first_day = max(
            profile.grade_changes.order_by("changed_on").first().changed_on, today - datetime.timedelta(days=340)
        )
        span = max((today - first_day).days - 1, 1)
        rng.shuffle(pool)
        groups, start = [], 0
        while start < len(pool):
            size = rng.randint(3, 6)
            groups.append(pool[start : start + size])
            start += size
        for group in groups:
            if len(group) < 2:
                group = group + [w for w in pool if w not in group][:1]
            services.session_create(
                supervisor=profile,
                supervisees=group,
                held_on=first_day + datetime.timedelta(days=rng.randint(0, span)),
                hours=Decimal(rng.choice(["1.5", "2", "2.5", "3"])),
                topic=rng.choice(TOPICS),
                mode="group",
                notes="演示数据：小组督导，讨论服务进展与难点。",
                actor=admin,
            )
        for worker in pool[: rng.randint(1, 3)]:
            services.session_create(
                supervisor=profile,
                supervisees=[worker],
                held_on=first_day + datetime.timedelta(days=rng.randint(0, span)),
                hours=Decimal(rng.choice(["1", "1.5", "2"])),
                topic=rng.choice(TOPICS),
                mode="individual",
                notes="演示数据：个别督导。",
                actor=admin,
            )
    return counts


def _leading_talents(rng, today, admin, workers) -> int:
    levels = ["national"] * 2 + ["provincial"] * 4 + ["municipal"] * 8
    picked = rng.sample(workers, min(len(workers), len(levels)))
    created = 0
    for worker, level in zip(picked, levels, strict=False):
        if LeadingTalent.objects.filter(worker=worker, level=level).exists():
            continue
        programme = {
            "national": "全国社会工作领军人才",
            "provincial": "广东省社会工作领军人才",
            "municipal": "广州市社会工作领军人才",
        }[level]
        services.leading_talent_create(
            worker=worker,
            level=level,
            selected_year=rng.randint(2016, today.year - 1),
            field=rng.choice(FIELDS),
            programme=programme,
            actor=admin,
        )
        created += 1
    return created


def _honours(rng, today, admin, workers) -> int:
    created = 0
    for worker in rng.sample(workers, min(len(workers), 30)):
        title, level, body = rng.choice(HONOURS)
        awarded = add_years(today, -rng.randint(1, 6)).replace(day=rng.randint(1, 28))
        if Honour.objects.filter(worker=worker, title=title, awarded_on=awarded).exists():
            continue
        services.honour_create(
            worker=worker, title=title, level=level, awarded_on=awarded, awarding_body=body, actor=admin
        )
        created += 1
    return created
