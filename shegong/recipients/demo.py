"""Demo: a few thousand recipients (服务对象) across 广州's communities, every category and 关注等级, some without an
ID number (with the reason), some living away from their registered residence, a few who withdrew consent.

Seeded random generator (same people on every load; dates relative to the day of loading). Written in bulk like an
import — the encrypted fields are real (bulk_create seals each value and sets its keyed hash) — with one audit entry
for the lot. People whose ID number is already registered are left alone, so loading twice changes nothing.
"""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from shegong.audit.models import AuditEntry
from shegong.audit.services import record
from shegong.core.fields import blind_index_for
from shegong.recipients.identity import parse_recipient_id
from shegong.recipients.models import CATEGORY_DICTIONARY, ConsentScope, Recipient, RecipientCategory
from shegong.refdata.models import DictionaryItem
from shegong.regions.models import Region
from shegong.stations.models import Station
from shegong.workers.identity import id_number_from_body, name_initials
from shegong.workers.imports import Builder

CITY_PREFIX = "4401"
COUNT = 3000
SEED = 20_261_122
LOW, HIGH = CITY_PREFIX.ljust(12, "0"), CITY_PREFIX.ljust(12, "9")
SURNAMES = "陈李黄张梁林刘吴罗何郑杨谢郭冯曾邓周潘叶蔡许苏卢蒋余彭钟朱麦"
GIVEN = "伟芳敏静丽强磊洁婷军杰娟涛明超霞平刚桂华燕玲斌颖慧晶峰琳鹏倩嘉欣晓雯志浩宇俊诗雅"
NO_ID_REASONS = ["no_document", "foreign", "minor", "hmt"]
WITHDRAWAL_REASONS = ["本人要求不再接受服务", "已迁出本市，本人要求删除联系方式", "监护人撤回同意"]
RELATIONS = ["子女", "配偶", "父母", "兄弟姐妹", "邻居"]


def _plan(rng, served, communities, rooms, streets_with_station, categories, today):
    for index in range(COUNT):
        # Mostly the communities a station serves, so the demo's stations have people; the rest anywhere in the city.
        community = rng.choice(served) if served and rng.random() < 0.6 else rng.choice(communities)
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
        birth = datetime.date(1930, 1, 1) + datetime.timedelta(days=rng.randrange(32_000))
        has_id = rng.random() > 0.08
        number = id_number_from_body(f"{community.code[:6]}{birth:%Y%m%d}{index % 1000:03d}") if has_id else ""
        reason = "" if has_id else rng.choice(NO_ID_REASONS)
        if reason == "minor":
            birth = today - datetime.timedelta(days=rng.randrange(365, 16 * 365))
        station = rooms.get(community.code) or streets_with_station.get(community.code[:9])
        separated = rng.random() < 0.08
        given = today - datetime.timedelta(days=rng.randrange(30, 700))
        withdrawn = rng.random() < 0.02
        yield {
            "name": name,
            "id_number": number,
            "no_id_reason": reason,
            "birth_date": birth,
            "sex": rng.choice("MF"),
            "phone": f"13{rng.randrange(10**9):09d}" if rng.random() < 0.7 else "",
            "community_id": community.code,
            "province_code": community.code[:2],
            "station_id": station,
            "attention_level": rng.choices(range(1, 7), weights=[3, 7, 15, 20, 25, 30])[0],
            "last_visit_on": today - datetime.timedelta(days=rng.randrange(0, 200)) if rng.random() < 0.85 else None,
            "household_separated": separated,
            "household_region_id": rng.choice(communities).code if separated else None,
            "contact_name": rng.choice(SURNAMES) + rng.choice(GIVEN) if rng.random() < 0.6 else "",
            "contact_relation": rng.choice(RELATIONS),
            "contact_phone": f"15{rng.randrange(10**9):09d}",
            "consent_given_on": given,
            "consent_scopes": [ConsentScope.SERVICE_RECORD]
            + [scope for scope in (ConsentScope.REFERRAL_SHARING, ConsentScope.FOLLOW_UP) if rng.random() < 0.7],
            "consent_withdrawn_on": given + datetime.timedelta(days=rng.randrange(1, 25)) if withdrawn else None,
            "consent_withdrawal_reason": rng.choice(WITHDRAWAL_REASONS) if withdrawn else "",
            "_categories": rng.sample(categories, rng.choice((1, 1, 2, 3))) if categories else [],
        }


@transaction.atomic
def load(context: dict) -> None:
    stdout = context["stdout"]
    today = timezone.localdate()
    communities = list(
        Region.objects.filter(code__startswith=CITY_PREFIX, level=Region.Level.VILLAGE).only("code").order_by("code")
    )
    if not communities:
        return
    stations = Station.objects.filter(region_id__gte=LOW, region_id__lte=HIGH)
    rooms = dict(stations.filter(kind=Station.Kind.ROOM).values_list("region_id", "pk"))
    streets = {code[:9]: pk for code, pk in stations.filter(kind=Station.Kind.STATION).values_list("region_id", "pk")}
    served = [c for c in communities if c.code in rooms or c.code[:9] in streets]
    categories = list(DictionaryItem.objects.filter(dictionary__code=CATEGORY_DICTIONARY).values_list("pk", flat=True))
    plan = list(_plan(random.Random(SEED), served, communities, rooms, streets, categories, today))
    numbers = [row["id_number"] for row in plan if row["id_number"]]
    hashes = [blind_index_for(Recipient, "id_number", number) for number in numbers]
    existing = set(Recipient.all_records.filter(id_number_index__in=hashes).values_list("id_number_index", flat=True))
    first_load = not existing
    new = [
        row
        for row in plan
        if (row["id_number"] and blind_index_for(Recipient, "id_number", row["id_number"]) not in existing)
        or (not row["id_number"] and first_load)
    ]
    if new:
        _write(new)
        record(
            actor=None,
            actor_username="system",
            action=AuditEntry.Action.IMPORT,
            object_type=Recipient._meta.label_lower,
            object_repr=str(Recipient._meta.verbose_name_plural),
            changes={"rows": [None, len(new)]},
            note="演示数据",
        )
    city = Recipient.all_records.filter(community_id__gte=LOW, community_id__lte=HIGH)
    stdout.write(
        f"服务对象：{city.count():,} 人（新增 {len(new):,}），"
        f"无身份证号 {city.filter(id_number_index=None).count()} 人，"
        f"人户分离 {city.filter(household_separated=True).count()} 人，"
        f"已撤回同意 {city.filter(consent_withdrawn_on__isnull=False).count()} 人"
    )


def _write(plan: list[dict]) -> None:
    build, build_link = Builder(Recipient), Builder(RecipientCategory)
    rows = []
    for values in plan:
        values = dict(values)
        values.pop("_categories")
        if values["id_number"]:
            facts = parse_recipient_id(values["id_number"])
            values["birth_date"], values["sex"] = facts.birth_date, facts.sex
        if not values["contact_name"]:
            values["contact_relation"] = values["contact_phone"] = ""
        rows.append(build(name_initials=name_initials(values["name"]), **values))
    Recipient.all_records.bulk_create(rows, batch_size=1000)
    RecipientCategory.objects.bulk_create(
        [
            build_link(recipient_id=row.pk, category_id=category)
            for row, values in zip(rows, plan, strict=True)
            for category in values["_categories"]
        ],
        batch_size=2000,
    )
