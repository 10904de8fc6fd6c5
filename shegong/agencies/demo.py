"""Demo: a few hundred agencies across the districts of 广州市, with ratings (every level, some lapsed) and entries on
the abnormal list and the blacklist (some removed again).

The first three are the agencies the accounts demo refers to (its agency admin works for the first). The rest come
from a seeded random generator, so every load produces the same agencies (dates are relative to the day of loading);
an agency whose credit code is already registered is left alone, so loading twice changes nothing.
"""

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from stdnum.cn import uscc

from shegong.agencies import rules
from shegong.agencies.models import (
    SERVICE_DOMAIN_DICTIONARY,
    Agency,
    AgencyRating,
    AgencyServiceDomain,
    AgencyStatus,
    AgencyStatusEvent,
)
from shegong.audit.models import AuditEntry
from shegong.audit.services import record
from shegong.regions.models import Region

DEMO_AGENCIES = [
    ("广州市越秀区启智社会工作服务中心", "440104000000", Agency.LegalForm.SOCIAL_SERVICE),
    ("广州市海珠区同心社会工作服务中心", "440105000000", Agency.LegalForm.SOCIAL_SERVICE),
    ("广州市天河区阳光社会工作发展协会", "440106000000", Agency.LegalForm.SOCIAL_GROUP),
]
CITY = "440100000000"
GENERATED = 300
SEED = 20_260_401


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


WORDS = _words(
    "启航 同行 春晖 康乐 扬帆 和谐 明日 乐善 仁爱 善缘 益众 协和 恒德 德馨 博爱 "
    "至诚 向阳 悦群 汇爱 馨和 青苗 朝阳 彩虹 晨曦 金穗 绿荫 北斗 心桥 众晖 知行 "
    "致远 凤凰 木棉 珠江 云山 花城 岭南 羊城 同德 怡乐 善行 思源 乐群 安心 暖阳 "
    "启明 新活力 大同 立德 悦心"
)
SURNAMES = _words("陈 李 黄 张 梁 林 刘 吴 罗 何 郑 杨 谢 郭 冯 曾 邓 周 潘 叶")
GIVEN = _words("伟 芳 敏 静 丽 强 磊 洁 婷 军 杰 娟 涛 明 超 霞 平 刚 桂 华 燕 玲 斌 颖 慧 晶 峰 琳 鹏 倩")
STREETS = _words("中山 解放 人民 东风 环市 江南 新港 滨江 黄埔 广园 天河 龙口 花城 迎宾 府前")

# (legal form, name ending, credit code prefix: registration department + organisation kind, weight)
FORMS = [
    (Agency.LegalForm.SOCIAL_SERVICE, "社会工作服务中心", "52", 55),
    (Agency.LegalForm.SOCIAL_SERVICE, "社工服务中心", "52", 15),
    (Agency.LegalForm.SOCIAL_GROUP, "社会工作协会", "51", 10),
    (Agency.LegalForm.FOUNDATION, "公益慈善基金会", "53", 5),
    (Agency.LegalForm.PUBLIC_INSTITUTION, "社会工作指导中心", "12", 5),
    (Agency.LegalForm.ENTERPRISE, "社工服务有限公司", "91", 10),
]


def credit_code(head: str, region_code: str, serial: int) -> str:
    """A checksum-valid 统一社会信用代码: department + kind (2), the registering division (6), an organisation code
    (9: "MJ" + 7 digits) and the mod-31 check character."""
    body = f"{head}{region_code[:6]}MJ{serial:07d}"
    return body + uscc.calc_check_digit(body)


def demo_credit_code(serial: int) -> str:
    """The credit codes of the three agencies the other demos refer to (52 民政·社会服务机构, 440100 广州市)."""
    return credit_code("52", "440100", serial)


def _fixed_agencies() -> list[Agency]:
    agencies = []
    for serial, (name, region_code, legal_form) in enumerate(DEMO_AGENCIES, start=1):
        district = Region.objects.filter(pk=region_code).values_list("name", flat=True).first() or ""
        agency, _created = Agency.objects.get_or_create(
            credit_code=demo_credit_code(serial),
            defaults={
                "name": name,
                "region_id": region_code,
                "legal_form": legal_form,
                "registration_authority": f"广州市{district}民政局",
                "founded_on": datetime.date(2010 + serial, 3, serial),
                "address": f"广州市{district}示例路 {serial} 号",
            },
        )
        agencies.append(agency)
    return agencies


def _weighted(rng: random.Random, options: list[tuple]) -> tuple:
    return rng.choices(options, weights=[option[-1] for option in options])[0]


def _score_for(rng: random.Random, policy: rules.RatingPolicy, level: int) -> Decimal:
    low, high = policy.score_range(level)
    top = (high - Decimal("0.5")) if high is not None else Decimal(policy.full_score)
    low = max(low, top - 150)
    return Decimal(rng.randint(int(low * 2), int(top * 2))) / 2


def _plan(districts: list[Region], streets: dict[str, list[Region]], today: datetime.date, policy_for):
    """Deterministic rows: (agency, ratings as (level, score, rated_on, policy), status entries, domain indexes).

    Each agency draws from its own seeded generator, so one agency's data does not depend on which others exist."""
    names: set[str] = set()
    for serial in range(101, 101 + GENERATED):
        rng = random.Random(SEED + serial)
        index = serial - 101
        district = districts[index % len(districts)]
        legal_form, ending, head, _weight = _weighted(rng, FORMS)
        name = f"广州市{district.name}{rng.choice(WORDS)}{ending}"
        while name in names:
            name = f"广州市{district.name}{rng.choice(WORDS)}{rng.choice(WORDS)}{ending}"
        names.add(name)
        region = rng.choice(streets[district.code]) if streets[district.code] and rng.random() < 0.4 else district
        # The first ten take each rating level in turn, five in force and five lapsed, so they were founded long ago.
        oldest = 8 if index < 10 else 2
        founded = today - datetime.timedelta(days=rng.randint(oldest * 365, 16 * 365))
        agency = Agency(
            name=name,
            credit_code=credit_code(head, district.code, serial),
            legal_form=legal_form,
            registration_authority=f"广州市{district.name}民政局" if head != "91" else "广州市市场监督管理局",
            region_id=region.code,
            founded_on=founded,
            contact_person=rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.randint(1, 2))),
            contact_phone=f"1{rng.choice('3589')}{rng.randint(0, 999_999_999):09d}",
            address=f"广州市{district.name}{rng.choice(STREETS)}路 {rng.randint(1, 399)} 号",
        )
        ratings: list[tuple] = []
        if index < 10:
            days_ago = 400 if index < 5 else 6 * 365
            plan = [((index % 5) + 1, today - datetime.timedelta(days=days_ago))]
        else:
            plan = []
            rated_on = founded + datetime.timedelta(days=2 * 365 + rng.randint(0, 3 * 365))
            for _number in range(rng.choice((0, 0, 1, 1, 2))):
                if rated_on > today:
                    break
                plan.append((_weighted(rng, [(1, 5), (2, 15), (3, 40), (4, 30), (5, 10)])[0], rated_on))
                rated_on += datetime.timedelta(days=rng.randint(2 * 365, 5 * 365))
        for level, rated_on in plan:
            policy = policy_for(region.code, rated_on)
            ratings.append((level, _score_for(rng, policy, level), rated_on, policy))
        events = []
        roll = rng.random()
        if index in (10, 11) or (index > 13 and roll < 0.08):
            start = today - datetime.timedelta(days=rng.randint(30, 900))
            events.append(
                (AgencyStatus.ABNORMAL, start, None, "未按规定报送年度工作报告", "穗民社管〔2025〕异常名录公告")
            )
            removed = start + datetime.timedelta(days=rng.randint(20, 360))
            if (index == 11 or rng.random() < 0.35) and removed <= today:
                events.append(
                    (AgencyStatus.NORMAL, removed, None, "已补报年度工作报告，移出异常名录", "移出异常名录决定书")
                )
        elif index in (12, 13) or (index > 13 and roll < 0.12):
            start = today - datetime.timedelta(days=rng.randint(30, 700))
            until = start + datetime.timedelta(days=3 * 365) if rng.random() < 0.5 else None
            events.append(
                (
                    AgencyStatus.BLACKLIST,
                    start,
                    until,
                    "列入严重违法失信名单：以虚假材料骗取政府购买服务资金",
                    "穗民社管〔2025〕严重违法失信名单公告",
                )
            )
        yield agency, ratings, events, rng.sample(range(16), rng.randint(1, 3))


@transaction.atomic
def load(context: dict) -> None:
    from shegong.refdata.models import DictionaryItem

    agencies = _fixed_agencies()
    context["agencies"] = agencies
    today = timezone.localdate()
    districts = list(Region.objects.filter(parent_id=CITY, level=Region.Level.COUNTY).order_by("code"))
    if not districts:
        return
    streets = {district.code: [] for district in districts}
    for street in Region.objects.filter(parent_id__in=list(streets), level=Region.Level.TOWNSHIP).order_by("code"):
        streets[street.parent_id].append(street)
    domain_ids = list(
        DictionaryItem.objects.filter(dictionary__code=SERVICE_DOMAIN_DICTIONARY, is_active=True)
        .order_by("sort_order", "code")
        .values_list("pk", flat=True)
    )
    policies: dict[tuple, rules.RatingPolicy] = {}

    def policy_for(region_code: str, day: datetime.date) -> rules.RatingPolicy:
        key = (region_code, day)
        if key not in policies:
            policies[key] = rules.rating_policy(region_code, day)
        return policies[key]

    plan = list(_plan(districts, streets, today, policy_for))
    existing = set(
        Agency.objects.filter(credit_code__in=[row[0].credit_code for row in plan]).values_list(
            "credit_code", flat=True
        )
    )
    new = [row for row in plan if row[0].credit_code not in existing]
    if not new:
        context["stdout"].write(f"社工机构：{len(plan) + len(agencies)} 家（均已存在）")
        return
    created = Agency.objects.bulk_create([row[0] for row in new], batch_size=500)
    codes = dict(
        Agency.objects.filter(credit_code__in=[a.credit_code for a in created]).values_list("credit_code", "pk")
    )
    ratings, events, links, latest = [], [], [], []
    for agency, agency_ratings, agency_events, domains in new:
        agency.pk = codes[agency.credit_code]
        for level, score, rated_on, policy in agency_ratings:
            ratings.append(
                AgencyRating(
                    agency_id=agency.pk,
                    level=level,
                    score=score,
                    full_score=policy.full_score,
                    rated_on=rated_on,
                    valid_until=policy.valid_until(rated_on),
                    source_document=f"穗民社管〔{rated_on.year}〕社会组织评估等级公告",
                    policy_note=policy.note()[:300],
                )
            )
        for status, start, until, reason, document in agency_events:
            events.append(
                AgencyStatusEvent(
                    agency_id=agency.pk,
                    status=status,
                    reason=reason,
                    source_document=document,
                    valid_from=start,
                    valid_to=until,
                )
            )
        links.extend(
            AgencyServiceDomain(agency_id=agency.pk, domain_id=domain_ids[index % len(domain_ids)])
            for index in dict.fromkeys(domains)
            if domain_ids
        )
        latest.append(agency)
    AgencyRating.objects.bulk_create(ratings, batch_size=500)
    AgencyStatusEvent.objects.bulk_create(events, batch_size=500)
    AgencyServiceDomain.objects.bulk_create(links, batch_size=500, ignore_conflicts=True)
    _set_latest(latest, ratings, events)
    record(
        actor=None,
        actor_username="demo",
        action=AuditEntry.Action.IMPORT,
        object_type=Agency._meta.label_lower,
        object_repr=str(Agency._meta.verbose_name),
        changes={"written_rows": [None, len(created)], "ratings": [None, len(ratings)], "status": [None, len(events)]},
        note="演示数据",
    )
    context["stdout"].write(
        f"社工机构：新增 {len(created)} 家，评估等级 {len(ratings)} 条，监管状态记录 {len(events)} 条"
    )


def _set_latest(agencies: list[Agency], ratings: list[AgencyRating], events: list[AgencyStatusEvent]) -> None:
    """The cached latest rating and status entry of each new agency (as services._refresh_latest does one by one)."""
    latest_rating: dict[int, AgencyRating] = {}
    for rating in ratings:
        if rating.agency_id not in latest_rating or rating.rated_on > latest_rating[rating.agency_id].rated_on:
            latest_rating[rating.agency_id] = rating
    latest_event: dict[int, AgencyStatusEvent] = {}
    for event in events:
        if event.agency_id not in latest_event or event.valid_from > latest_event[event.agency_id].valid_from:
            latest_event[event.agency_id] = event
    for agency in agencies:
        rating, event = latest_rating.get(agency.pk), latest_event.get(agency.pk)
        agency.latest_rating_level = rating.level if rating else None
        agency.latest_rating_valid_until = rating.valid_until if rating else None
        agency.latest_status = event.status if event else AgencyStatus.NORMAL
        agency.latest_status_from = event.valid_from if event else None
        agency.latest_status_to = event.valid_to if event else None
    Agency.objects.bulk_update(
        agencies,
        ["latest_rating_level", "latest_rating_valid_until", "latest_status", "latest_status_from", "latest_status_to"],
        batch_size=500,
    )
