"""Demo: the talent pool of 广州市, a few thousand social workers across its streets, every status, every certificate
level and job grade, commendations, open and closed violations, and a few people on the blacklist.

The people come from a seeded random generator (same names, numbers and records on every load; dates relative to the
day of loading). A person whose ID number is already registered is left alone, so loading twice changes nothing.
They are written in bulk, like an Excel import, with one audit entry for the lot.

The demo login "worker" (社工, 海珠区, made by the accounts demo) is linked to one record as its 我的档案 (also left in
`context["demo_worker"]`): an intermediate social worker of 海珠区 with a grade, domains, a commendation and an
expired minor violation.
"""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from shegong.audit.models import AuditEntry
from shegong.audit.services import record
from shegong.core.fields import blind_index_for
from shegong.regions.models import Region
from shegong.workers import services, vocabulary
from shegong.workers.grades import GRADE_FACTS, CertificateLevel, JobGrade
from shegong.workers.identity import id_number_from_body, name_initials
from shegong.workers.imports import Builder
from shegong.workers.models import Certificate, CreditEvent, SocialWorker, WorkerServiceDomain
from shegong.workers.selectors import blacklist_q

CITY = "440100000000"
DEMO_LOGIN = "worker"
HAIZHU = "440105000000"
COUNT = 3000
SEED = 20_260_301
BIRTH_PLACES = ["440103", "440104", "440105", "440106", "440111", "440112"]
SURNAMES = "陈李黄张梁林刘吴罗何郑杨谢郭冯曾邓周潘叶蔡许苏卢蒋余彭钟朱麦区欧阳"
GIVEN = "伟芳敏静丽强磊洁婷军杰娟涛明超霞平刚桂华燕玲斌颖慧晶峰琳鹏倩嘉欣晓雯志浩宇俊诗雅"
DEMO_WORKER = {"name": "陈晓敏", "id_body": "44010519880612002"}
VIOLATIONS = [
    ("minor", "服务记录填写不完整"),
    ("minor", "未按时提交服务台账"),
    ("serious", "擅自将服务对象信息提供给第三方"),
    ("serious", "虚报服务人次"),
]
BLACKLISTINGS = ["骗取政府购买服务资金", "伪造职业水平证书", "严重侵害服务对象合法权益"]
COMMENDATIONS = ["广州市优秀社会工作者", "优秀社工案例一等奖", "抗疫先进个人", "社区治理创新奖"]


def _person(rng: random.Random, index: int) -> tuple[str, str]:
    """A name and a checksum-valid ID number, distinct for every index."""
    name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
    birth = datetime.date(1962, 1, 1) + datetime.timedelta(days=(index * 7 + rng.randrange(7)) % 14_000)
    body = f"{BIRTH_PLACES[index % len(BIRTH_PLACES)]}{birth:%Y%m%d}{index % 1000:03d}"
    return name, id_number_from_body(body)


def _certificate_level(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.30:
        return CertificateLevel.ASSISTANT
    if roll < 0.48:
        return CertificateLevel.INTERMEDIATE
    if roll < 0.53:
        return CertificateLevel.SENIOR
    return ""


def _plan(streets: list[Region], agencies: list, domain_ids: list[int], tables: dict, today: datetime.date):
    """(worker fields, certificate fields or None, domain ids, credit events) for every demo person."""
    rng = random.Random(SEED)
    employer_kinds = [code for code in tables[vocabulary.EMPLOYER_KIND] if code != "social_organization"]
    for index in range(COUNT):
        name, number = _person(rng, index)
        level = _certificate_level(rng)
        at_agency = agencies and rng.random() < 0.65
        agency = rng.choice(agencies) if at_agency else None
        region = agency.region_id if at_agency and rng.random() < 0.5 else rng.choice(streets).code
        status = rng.choices(["active", "left", "retired"], weights=[86, 10, 4])[0]
        grades = [grade for grade, (_post, need) in GRADE_FACTS.items() if need == level]
        grade = rng.choice(grades) if level and rng.random() < 0.55 else ""
        worker = {
            "name": name,
            "id_number": number,
            "phone": f"13{rng.randint(0, 9)}{rng.randint(0, 99_999_999):08d}",
            "education": _weighted(rng, tables[vocabulary.EDUCATION], [1, 8, 45, 35, 8, 3]),
            "major_social_work": rng.random() < 0.55,
            "region_id": region,
            "agency_id": agency.pk if agency else None,
            "employer_kind": "" if agency else rng.choice(employer_kinds),
            "employer_name": ""
            if agency
            else f"{rng.choice(streets).name}{rng.choice(['居委会', '综合服务中心', '党群服务中心'])}",
            "post_type": _weighted(rng, tables[vocabulary.POST_TYPE], [75, 18, 7]),
            "job_grade": grade,
            "highest_certificate": level,
            "is_frontline": rng.random() < 0.85,
            "status": status,
        }
        certificate = None
        if level:
            certificate = {
                "level": level,
                "number": f"GZDEMO{index:06d}",
                "year_passed": rng.randint(2010, today.year - 1),
                "authority": "人力资源和社会保障部、民政部",
            }
        domains = rng.sample(domain_ids, min(len(domain_ids), rng.randint(1, 3)))
        yield worker, certificate, domains, list(_credit(rng, index, today))


def _weighted(rng: random.Random, table: dict, weights: list[int]) -> str:
    """A code of a dictionary, the first ones weighted as given (the dictionary may have gained items since)."""
    codes = list(table)
    if not codes:
        return ""
    return rng.choices(codes, weights=(weights + [1] * len(codes))[: len(codes)])[0]


def _credit(rng: random.Random, index: int, today: datetime.date):
    roll = rng.random()
    if roll < 0.05:
        yield {
            "kind": "commendation",
            "severity": "",
            "title": rng.choice(COMMENDATIONS),
            "source_document": f"穗民〔{today.year - 1}〕{rng.randint(10, 300)}号",
            "occurred_on": today - datetime.timedelta(days=rng.randint(30, 900)),
        }
    elif roll < 0.08:
        severity, title = rng.choice(VIOLATIONS)
        occurred = today - datetime.timedelta(days=rng.randint(20, 700))
        closed = rng.random() < 0.5
        yield {
            "kind": "violation",
            "severity": severity,
            "title": title,
            "source_document": f"穗民监〔{occurred.year}〕{rng.randint(1, 99)}号",
            "occurred_on": occurred,
            "effective_until": occurred + datetime.timedelta(days=365) if severity == "minor" else None,
            "closed_on": occurred + datetime.timedelta(days=rng.randint(10, 19)) if closed else None,
            "closing_note": "已完成整改，经复核予以办结" if closed else "",
        }
    elif roll < 0.088 or index in (7, 77):
        occurred = today - datetime.timedelta(days=rng.randint(30, 400))
        lifted = index % 4 == 3
        yield {
            "kind": "violation",
            "severity": "blacklist",
            "title": rng.choice(BLACKLISTINGS),
            "source_document": f"穗民信〔{occurred.year}〕{rng.randint(1, 30)}号",
            "occurred_on": occurred,
            "effective_until": occurred + datetime.timedelta(days=3 * 365),
            "closed_on": occurred + datetime.timedelta(days=20) if lifted else None,
            "closing_note": "经复议撤销列入决定" if lifted else "",
        }


def _demo_worker(agencies, streets, domain_ids, today):
    haizhu_agency = next((agency for agency in agencies if agency.region_id == HAIZHU), None)
    street = next((street for street in streets if street.code.startswith(HAIZHU[:6])), None)
    worker = {
        "name": DEMO_WORKER["name"],
        "id_number": id_number_from_body(DEMO_WORKER["id_body"]),
        "phone": "13926000000",
        "education": "bachelor",
        "major_social_work": True,
        "region_id": street.code if street else HAIZHU,
        "agency_id": haizhu_agency.pk if haizhu_agency else None,
        "employer_kind": "" if haizhu_agency else "community",
        "employer_name": "" if haizhu_agency else "海珠区南华西街道党群服务中心",
        "post_type": "professional",
        "job_grade": JobGrade.INTERMEDIATE_3,
        "highest_certificate": CertificateLevel.INTERMEDIATE,
        "is_frontline": True,
        "status": "active",
    }
    certificate = {
        "level": CertificateLevel.INTERMEDIATE,
        "number": "GZDEMO-WORKER-1",
        "year_passed": today.year - 4,
        "authority": "人力资源和社会保障部、民政部",
    }
    events = [
        {
            "kind": "commendation",
            "severity": "",
            "title": "海珠区优秀社工",
            "source_document": f"海民〔{today.year - 1}〕18号",
            "occurred_on": today - datetime.timedelta(days=200),
        },
        {
            "kind": "violation",
            "severity": "minor",
            "title": "服务台账逾期提交",
            "source_document": f"海民监〔{today.year - 2}〕5号",
            "occurred_on": today - datetime.timedelta(days=600),
            "effective_until": today - datetime.timedelta(days=235),
        },
    ]
    return worker, certificate, domain_ids[:2], events


@transaction.atomic
def load(context: dict) -> None:
    stdout = context["stdout"]
    today = timezone.localdate()
    agencies = list(context.get("agencies") or [])
    streets = list(Region.objects.filter(code__startswith=CITY[:4], level=Region.Level.TOWNSHIP).order_by("code"))
    if not streets:
        return
    domain_ids = list(vocabulary.domain_items().values_list("pk", flat=True))
    tables = {name: vocabulary.options(name) for name in vocabulary.CODED}
    plan = [_demo_worker(agencies, streets, domain_ids, today), *_plan(streets, agencies, domain_ids, tables, today)]
    hashes = {blind_index_for(SocialWorker, "id_number", row[0]["id_number"]): row for row in plan}
    existing = set(
        SocialWorker.objects.filter(id_number_index__in=list(hashes)).values_list("id_number_index", flat=True)
    )
    new = [row for index, row in hashes.items() if index not in existing]
    if new:
        _write(new)
        record(
            actor=None,
            actor_username="system",
            action=AuditEntry.Action.IMPORT,
            object_type=SocialWorker._meta.label_lower,
            object_repr=str(SocialWorker._meta.verbose_name_plural),
            changes={"rows": [None, len(new)]},
            note="演示数据",
        )
    demo = SocialWorker.objects.get(id_number_index=blind_index_for(SocialWorker, "id_number", plan[0][0]["id_number"]))
    context["demo_worker"] = demo
    _link_login(demo)
    listed = CreditEvent.objects.filter(blacklist_q(today)).values("worker").distinct().count()
    stdout.write(
        f"社工人才库：{len(plan):,} 人（新增 {len(new):,}），其中黑名单 {listed} 人；"
        f"“worker”登录对应的档案：{demo.name}"
    )


def _link_login(demo: SocialWorker) -> None:
    """The demo login "worker" (made by the accounts demo, which runs first) sees this record as 我的档案."""
    from shegong.accounts.models import User

    account = User.objects.filter(username=DEMO_LOGIN).first()
    if account is None or demo.account_id or SocialWorker.objects.filter(account=account).exists():
        return
    services.worker_link_account(actor=None, worker=demo, account=account)


def _write(plan) -> None:
    build_worker, build_certificate = Builder(SocialWorker), Builder(Certificate)
    build_link, build_event = Builder(WorkerServiceDomain), Builder(CreditEvent)
    workers = [
        build_worker(name_initials=name_initials(fields["name"]), province_code=fields["region_id"][:2], **fields)
        for fields, _certificate, _domains, _events in plan
    ]
    for worker, (fields, *_rest) in zip(workers, plan, strict=True):
        worker.birth_date, worker.sex = _facts(fields["id_number"])
    SocialWorker.objects.bulk_create(workers, batch_size=1000)
    Certificate.objects.bulk_create(
        [
            build_certificate(worker_id=worker.pk, **certificate)
            for worker, (_fields, certificate, _domains, _events) in zip(workers, plan, strict=True)
            if certificate
        ],
        batch_size=1000,
    )
    WorkerServiceDomain.objects.bulk_create(
        [
            build_link(worker_id=worker.pk, domain_id=domain)
            for worker, (_fields, _certificate, domains, _events) in zip(workers, plan, strict=True)
            for domain in domains
        ],
        batch_size=1000,
    )
    CreditEvent.objects.bulk_create(
        [
            build_event(worker_id=worker.pk, **event)
            for worker, (_fields, _certificate, _domains, events) in zip(workers, plan, strict=True)
            for event in events
        ],
        batch_size=1000,
    )


def _facts(number: str):
    from shegong.workers.identity import parse_id_number

    facts = parse_id_number(number)
    return facts.birth_date, facts.sex
