"""Demo: a community charity donation point (社区慈善捐赠站点) at every operating 镇街社工站 of 广州 in the stations
demo, with a year of donations (money and in kind, named and anonymous, 定向 and 非定向) and allocations.

Seed 003 counts 201 points in 广州; the demo has one per operating street station it built (the number is printed),
not 201. Every allocation stays within what its point received of that kind and purpose before the allocation's date,
as the service requires. Seeded random generator per station (the same rows on every load; dates relative to the day
of loading); stations that already have a point are left alone, so loading twice changes nothing. Written in bulk with
one audit entry for the lot.
"""

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from shegong.audit.models import AuditEntry
from shegong.audit.services import record
from shegong.charity.models import Allocation, CharityPoint, Donation, Kind, PurposeKind
from shegong.charity.services import receipt_number
from shegong.stations.models import Station
from shegong.workers.imports import Builder

CITY_PREFIX = "4401"
LOW, HIGH = CITY_PREFIX.ljust(12, "0"), CITY_PREFIX.ljust(12, "9")
PUBLIC_NOTE = "欢迎街坊捐赠善款和物资，款物去向在此公开。"
DONORS = ["陈记茶楼", "李女士", "黄先生", "广州某某物业公司", "街坊互助会", "张阿姨", "爱心企业", "梁先生", "某某药房"]
HANDLERS = ["何社工", "林社工", "周社工", "罗社工"]
APPROVERS = ["站长", "街道社会事务办"]
PURPOSES = ["助老", "助学", "助残", "困境儿童关爱", "大病救助"]
GOODS = [("大米（10 公斤）", 60), ("食用油（5 升）", 70), ("棉被", 120), ("书包文具", 45), ("口罩（盒）", 20)]
GROUPS = ["独居老人", "困难家庭", "困境儿童", "残疾人家庭", "低保户"]


def _money(rng, low: int, high: int) -> Decimal:
    return Decimal(rng.randrange(low * 100, high * 100)) / 100


def _plan(station: Station, today: datetime.date):
    rng = random.Random(f"charity-{station.code}")
    opened = today - datetime.timedelta(days=365 + rng.randrange(0, 400))
    donations, allocations = [], []
    for _ in range(rng.randrange(12, 36)):
        on = today - datetime.timedelta(days=rng.randrange(0, 365))
        anonymous = rng.random() < 0.3
        directed = rng.random() < 0.35
        row = {
            "received_on": on,
            "anonymous": anonymous,
            "donor_name": "" if anonymous else rng.choice(DONORS),
            "purpose_kind": PurposeKind.DIRECTED if directed else PurposeKind.UNDIRECTED,
            "purpose": rng.choice(PURPOSES) if directed else "",
            "handler": rng.choice(HANDLERS),
        }
        if rng.random() < 0.65:
            row.update(kind=Kind.MONEY, amount=_money(rng, 50, 5000))
        else:
            items, price = rng.choice(GOODS)
            quantity = rng.randrange(1, 40)
            row.update(kind=Kind.GOODS, items=items, quantity=quantity, estimated_value=Decimal(price * quantity))
        donations.append(row)
    donations.sort(key=lambda row: row["received_on"])
    # Allocations: some of each bucket's balance, dated after the donations that fund them.
    balances: dict[tuple, tuple[Decimal, datetime.date, dict]] = {}
    for row in donations:
        key = (row["kind"], row["purpose_kind"], row["purpose"])
        value = row.get("amount") or row.get("estimated_value")
        total, _last, sample = balances.get(key, (Decimal(0), row["received_on"], row))
        balances[key] = (total + value, row["received_on"], sample)
    for (kind, purpose_kind, purpose), (total, last, sample) in sorted(balances.items()):
        spend = (total * Decimal(rng.choice([0.4, 0.6, 0.8, 1.0]))).quantize(Decimal("0.01"))
        if spend <= 0:
            continue
        on = min(today, last + datetime.timedelta(days=rng.randrange(1, 30)))
        row = {
            "allocated_on": on,
            "kind": kind,
            "purpose_kind": purpose_kind,
            "purpose": purpose,
            "target": Allocation.Target.GROUP,
            "beneficiary_group": f"{station.region.name}{rng.choice(GROUPS)} {rng.randrange(3, 40)} 户",
            "approver": rng.choice(APPROVERS),
        }
        if kind == Kind.MONEY:
            row["amount"] = spend
        else:
            row.update(items=sample["items"], quantity=max(1, sample["quantity"] // 2), estimated_value=spend)
        allocations.append(row)
    return opened, donations, allocations


@transaction.atomic
def load(context: dict) -> None:
    stdout = context["stdout"]
    today = timezone.localdate()
    stations = list(
        Station.objects.filter(
            region_id__gte=LOW,
            region_id__lte=HIGH,
            kind=Station.Kind.STATION,
            status=Station.Status.OPERATING,
            charity_point__isnull=True,
        )
        .select_related("region")
        .order_by("code")
    )
    build_point, build_donation, build_allocation = Builder(CharityPoint), Builder(Donation), Builder(Allocation)
    new_donations, new_allocations = [], []
    for station in stations:
        opened, donations, allocations = _plan(station, today)
        opened = min(opened, donations[0]["received_on"]) if donations else opened
        point = build_point(
            station_id=station.pk, opened_on=opened, public_note="欢迎街坊捐赠善款和物资，款物去向在此公开。"
        )
        point.last_receipt_number = len(donations)
        point.save()
        for sequence, values in enumerate(donations, start=1):
            new_donations.append(
                build_donation(
                    point_id=point.pk, sequence=sequence, receipt_number=receipt_number(point, sequence), **values
                )
            )
        new_allocations.extend(build_allocation(point_id=point.pk, **values) for values in allocations)
    Donation.objects.bulk_create(new_donations, batch_size=2000)
    Allocation.objects.bulk_create(new_allocations, batch_size=2000)
    if stations:
        record(
            actor=None,
            actor_username="system",
            action=AuditEntry.Action.IMPORT,
            object_type=CharityPoint._meta.label_lower,
            object_repr=str(CharityPoint._meta.verbose_name_plural),
            changes={"points": [None, len(stations)], "donations": [None, len(new_donations)]},
            note="演示数据",
        )
    points = CharityPoint.objects.filter(station__region_id__gte=LOW, station__region_id__lte=HIGH)
    stdout.write(
        f"慈善捐赠站点：{points.count()} 个（种子 003 所述广州 201 个；演示按已建镇街社工站设立，"
        f"新增 {len(stations)}），"
        f"捐赠 {len(new_donations):,} 笔，拨付 {len(new_allocations):,} 笔"
    )
