"""Demo: the recruitment board and pay of 广州市.

- Pay guidance per job grade is added to the profile in force for 广州市 (as a rule through the policies service,
  audited), with illustrative figures marked as such: the seeds publish no per-grade amounts.
- The demo agency (the agency_admin login's) posts openings through the services: drafts, open ones and closed ones,
  with applications in every state — submitted, shortlisted, hired (which records the employment and moves the
  worker), rejected and withdrawn. The demo worker login applies to two of them (我的求职).
- Other agencies of the city have open and closed openings with a few applications, written in bulk.
- Workers holding certificates get the matching job grade and a pay record; some are paid under the guidance.
Loading twice changes nothing.
"""

import datetime
import random
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

from shegong.accounts.demo import demo_login
from shegong.audit.models import AuditEntry
from shegong.audit.services import record
from shegong.core.scope import region_q
from shegong.recruitment import guidance, services
from shegong.recruitment.models import JobApplication, JobOpening, WorkerPay

CITY = "440100000000"
SEED = 20240601
OTHER_AGENCIES = 30
State = JobApplication.State

# Illustrative monthly figures (yuan) for the demo only: a bureau enters its own.
DEMO_GUIDANCE = {
    "senior_1": (16000, 22000),
    "senior_2": (14500, 20000),
    "senior_3": (13000, 18000),
    "intermediate_1": (10500, 14000),
    "intermediate_2": (9500, 12500),
    "intermediate_3": (8500, 11000),
    "assistant_1": (7000, 9200),
    "assistant_2": (6200, 8200),
}
GRADE_FOR_LEVEL = {
    "senior": ["senior_3", "senior_2"],
    "intermediate": ["intermediate_3", "intermediate_2", "intermediate_1"],
    "assistant": ["assistant_2", "assistant_1"],
}
TITLES = [
    ("社区社工", "professional", 6500, 8500),
    ("长者服务社工", "professional", 6800, 9000),
    ("青少年服务社工", "professional", 6500, 8800),
    ("项目主管", "professional", 9000, 12000),
    ("行政助理", "admin_support", 4800, 6000),
    ("财务专员", "admin_support", 5500, 7000),
    ("一线督导", "supervisor", 11000, 15000),
]


def _add_guidance(admin) -> str:
    from shegong.policies import selectors as policy_selectors
    from shegong.policies.services import rule_add

    profile = policy_selectors.profile_in_force(CITY, timezone.localdate())
    if profile is None or profile.region_id != CITY or profile.rules.filter(kind=guidance.KIND).exists():
        return ""
    params = {"review_period_years": 3}
    for grade, (low, high) in DEMO_GUIDANCE.items():
        params[guidance.min_param(grade)] = low
        params[guidance.max_param(grade)] = high
    rule_add(
        actor=admin,
        profile=profile,
        kind=guidance.KIND,
        params=params,
        source_text="演示数据：各岗位等级月薪指导区间为示意数字，请按本地薪酬指导价位文件修改。"
        "调整周期参照《深圳市关于提升社会工作服务水平的若干措施》“原则上每3年调整一次”。",
    )
    return str(profile)


def load(context: dict) -> None:
    from shegong.agencies.models import Agency
    from shegong.refdata import selectors as refdata

    stdout = context["stdout"]
    fixed = list(context.get("agencies") or [])
    agencies = list(Agency.objects.filter(region_q("region", CITY, 2)).order_by("pk"))
    if not fixed or not agencies:
        return
    if JobOpening.objects.filter(agency__in=agencies).exists():
        stdout.write(f"招聘：{JobOpening.objects.count()} 个岗位（均已存在）")
        return
    rng = random.Random(SEED)
    today = timezone.localdate()
    admin = demo_login("gz_admin")
    poster = demo_login("agency_admin")
    domains = list(refdata.items("service_domain"))
    if not domains:
        stdout.write("招聘：没有服务领域字典，未生成招聘演示数据")
        return
    profile_name = _add_guidance(admin)
    home = poster.home_agency
    own = _own_openings(rng, today, poster, home, domains)
    hired = _own_applications(rng, today, poster, own, home)
    in_good_standing = [a for a in agencies if a.pk != home.pk and a.current_status() == "normal"]
    others = _other_openings(rng, today, admin, in_good_standing[:OTHER_AGENCIES], domains)
    mine = _demo_worker_applies(own)
    paid, below = _pay(rng, today, admin)
    stdout.write(
        f"招聘：本机构岗位 {len(own)} 个（录用 {hired} 人），其他机构岗位 {others} 个，演示社工报名 {mine} 个；"
        f"薪酬记录 {paid} 条（低于指导下限 {below} 条）"
        + (f"；薪酬指导价位已加入「{profile_name}」" if profile_name else "")
    )


def _own_openings(rng, today, poster, agency, domains) -> list[JobOpening]:
    plan = [
        ("open", "社区社工（北京街）", 0, 3),
        ("open", "长者服务社工", 1, 2),
        ("open", "一线督导", 6, 1),
        ("open", "青少年服务社工", 2, 2),
        ("closed", "项目主管", 3, 1),
        ("closed", "行政助理", 4, 1),
        ("draft", "财务专员", 5, 1),
    ]
    openings = []
    for status, title, kind, headcount in plan:
        _name, post_type, low, high = TITLES[kind]
        opening = services.opening_create(
            agency=agency,
            actor=poster,
            title=title,
            post_type=post_type,
            service_domain=domains[len(openings) % len(domains)],
            region=agency.region,
            headcount=headcount,
            pay_min=low,
            pay_max=high,
            government_funded=kind != 5,
            description="负责辖区内困难群众的个案、小组与社区活动，完成服务记录与年度评估材料。"
            "要求持有社会工作者职业水平证书，有社区服务经验者优先。",
            opens_on=today - datetime.timedelta(days=rng.randint(20, 60)),
            closes_on=today + datetime.timedelta(days=rng.randint(10, 40)) if status == "open" else None,
        )
        if status != "draft":
            services.opening_publish(opening=opening, actor=poster)
        if status == "closed":
            services.opening_close(opening=opening, actor=poster)
        opening.refresh_from_db()
        openings.append(opening)
    return openings


def _applicants(agency, count: int):
    from shegong.talent.demo import city_workers

    return list(city_workers().exclude(agency=agency).filter(account__isnull=True)[:count])


def _own_applications(rng, today, poster, openings, agency) -> int:
    """Applications to the demo agency's openings in every state; hires go through the service."""
    applicants = _applicants(agency, 40)
    taking = [opening for opening in openings if opening.status != JobOpening.Status.DRAFT]
    hired = 0
    for index, worker in enumerate(applicants):
        opening = taking[(index + index // 6) % len(taking)]
        application = JobApplication.objects.create(
            opening=opening, worker=worker, cover_note=rng.choice(["", "有三年社区服务经验，持助理社会工作师证书。"])
        )
        record(
            actor=None,
            actor_username="demo",
            action=AuditEntry.Action.CREATE,
            obj=application,
            note="演示数据",
        )
        step = index % 6
        if step == 1:
            services.application_transition(application=application, to_state=State.SHORTLISTED, actor=poster)
        elif step == 2:
            services.application_transition(
                application=application, to_state=State.REJECTED, note="经面试，暂不匹配岗位要求。", actor=poster
            )
        elif step == 3:
            JobApplication.objects.filter(pk=application.pk).update(state=State.WITHDRAWN, decided_at=timezone.now())
        elif step == 4 and hired < 3:
            services.application_transition(application=application, to_state=State.SHORTLISTED, actor=poster)
            opening.refresh_from_db()
            places = opening.headcount - opening.applications.filter(state=State.HIRED).count()
            if places > 0:
                try:
                    services.application_hire(
                        application=application, started_on=today - datetime.timedelta(days=3), actor=poster
                    )
                    hired += 1
                except ValidationError:  # a demo worker the rules refuse (e.g. blacklisted) stays shortlisted
                    pass
    return hired


def _other_openings(rng, today, admin, agencies, domains) -> int:
    rows = []
    for index, agency in enumerate(agencies):
        for turn in range(1 + index % 2):
            title, post_type, low, high = TITLES[(index + turn) % len(TITLES)]
            status = JobOpening.Status.CLOSED if (index + turn) % 5 == 0 else JobOpening.Status.OPEN
            rows.append(
                JobOpening(
                    agency=agency,
                    title=title,
                    post_type=post_type,
                    service_domain=domains[(index * 3 + turn) % len(domains)],
                    region=agency.region,
                    headcount=1 + (index + turn) % 3,
                    pay_min=low + 100 * (index % 5),
                    pay_max=high + 100 * (index % 5),
                    government_funded=post_type != "admin_support",
                    description="演示数据：政府购买服务项目岗位。",
                    status=status,
                    opens_on=today - datetime.timedelta(days=rng.randint(5, 90)),
                    closes_on=today + datetime.timedelta(days=rng.randint(7, 60)) if status == "open" else None,
                    closed_at=timezone.now() if status == "closed" else None,
                    created_by=admin,
                )
            )
    JobOpening.objects.bulk_create(rows, batch_size=500)
    created = list(JobOpening.objects.filter(agency__in=agencies).order_by("pk"))
    from shegong.talent.demo import city_workers

    workers = list(city_workers().filter(account__isnull=True)[:300])
    applications = []
    for index, opening in enumerate(created):
        for worker in rng.sample(workers, min(len(workers), index % 4)):
            if worker.agency_id == opening.agency_id:
                continue
            state = [State.SUBMITTED, State.SUBMITTED, State.SHORTLISTED, State.REJECTED][len(applications) % 4]
            applications.append(JobApplication(opening=opening, worker=worker, state=state))
    JobApplication.objects.bulk_create(applications, batch_size=500, ignore_conflicts=True)
    record(
        actor=None,
        actor_username="demo",
        action=AuditEntry.Action.IMPORT,
        object_type=JobOpening._meta.label_lower,
        object_repr=str(JobOpening._meta.verbose_name),
        changes={"written_rows": [None, len(created)], "applications": [None, len(applications)]},
        note="演示数据",
    )
    return len(created)


def _demo_worker_applies(openings) -> int:
    """The demo worker login applies to two open openings of the demo agency, through the service."""
    from shegong.accounts.models import User
    from shegong.workers.models import SocialWorker

    account = User.objects.filter(username="worker").first()
    worker = SocialWorker.objects.filter(account=account).first() if account else None
    if worker is None:
        return 0
    applied = 0
    for opening in [o for o in openings if o.status == JobOpening.Status.OPEN][:2]:
        if JobApplication.objects.filter(opening=opening, worker=worker).exists():
            continue
        try:
            services.application_submit(
                opening=opening, worker=worker, cover_note="希望到社区一线服务。", actor=account
            )
        except ValidationError:  # e.g. the linked demo worker is on the blacklist: the board explains why
            continue
        applied += 1
    return applied


def _pay(rng, today, admin) -> tuple[int, int]:
    """Certified workers of the city get their grade (through the workers service) and a pay record; one in four is
    paid under the floor of the demo guidance."""
    from shegong.workers import services as worker_services
    from shegong.workers.models import Certificate, SocialWorker
    from shegong.workers.services import highest_level

    certified = (
        SocialWorker.objects.filter(region_q("region", CITY, 2), status=SocialWorker.Status.ACTIVE)
        .filter(pk__in=Certificate.objects.values("worker_id"))
        .order_by("pk")[:60]
    )
    paid = below = 0
    for index, worker in enumerate(certified):
        if not worker.job_grade:
            level = highest_level(worker.certificates.values_list("level", flat=True))
            options = GRADE_FOR_LEVEL.get(level)
            if not options:
                continue
            worker = worker_services.worker_update(actor=None, worker=worker, job_grade=options[index % len(options)])
        low, high = DEMO_GUIDANCE[worker.job_grade]
        if index % 4 == 1:
            amount = Decimal(low - rng.randint(300, 1200))
            below += 1
        else:
            amount = Decimal(rng.randint(low, high + 500) // 50 * 50)
        if WorkerPay.objects.filter(worker=worker).exists():
            continue
        services.pay_record(
            worker=worker,
            effective_from=today.replace(day=1) - datetime.timedelta(days=rng.randint(0, 200)),
            monthly_pay=amount,
            note="演示数据",
            actor=admin,
        )
        paid += 1
    return paid, below
