"""Demo: time-bank accounts for the demo volunteers and some residents, the pools and own accounts of the demo
stations, about 1,000 transfers over the last 12 months (opening grants, service exchanges with their offers,
donations to the pools, family transfers, a few reversals at the end), some open offers and requests on the board,
and the 广州 limits of the policy profile marked 演示设定 (the seeds give no figures). The demo login "volunteer"
owns an account with a balance and a history.

Seeded random generator; written in bulk like an import, balances computed in date order under the same limits the
services apply, the cached balances equal the sums of the movements, one audit entry for the lot. Made only on the
first load, so loading twice changes nothing.
"""

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from shegong.accounts.models import User
from shegong.audit.models import AuditEntry
from shegong.audit.services import record
from shegong.recipients.models import Recipient
from shegong.timebank.models import Account, Category, Movement, Offer, Transfer
from shegong.volunteers.models import Volunteer

CITY_PREFIX = "4401"
LOW, HIGH = CITY_PREFIX.ljust(12, "0"), CITY_PREFIX.ljust(12, "9")
PROFILE_REGION = "440100000000"
SEED = 20_261_122
RESIDENTS = 150
EXCHANGES, DONATIONS, FAMILY, REVERSALS, OPEN_OFFERS = 420, 120, 30, 12, 40
DEMO_RULES = {
    "timebank_balance_limits": {"overdraft_hours": "0", "maximum_balance": "200"},
    "timebank_family_transfer": {"allowed": True, "yearly_maximum_hours": "20"},
    "timebank_pool_donation": {"allowed": True},
}
TITLES = {
    Category.COMPANY: "陪长者聊天散步",
    Category.ERRANDS: "代买菜、代取药",
    Category.HOUSEKEEPING: "家居清洁整理",
    Category.ESCORT: "陪同到医院复诊",
    Category.TUTORING: "小学生作业辅导",
    Category.REPAIR: "修理水龙头和灯具",
}
MAXIMUM = Decimal(200)


@transaction.atomic
def load(context: dict) -> None:
    stdout = context["stdout"]
    _rules(stdout)
    volunteers = list(
        Volunteer.objects.filter(region_id__gte=LOW, region_id__lte=HIGH, station__isnull=False)
        .select_related("station")
        .order_by("number")
    )
    if not volunteers or Account.objects.filter(region_id__gte=LOW, region_id__lte=HIGH).exists():
        return
    today = timezone.localdate()
    rng = random.Random(SEED)
    start = today - datetime.timedelta(days=365)
    stations = {v.station_id: v.station for v in volunteers}
    residents = list(
        Recipient.objects.filter(station_id__in=stations, community_id__gte=LOW, community_id__lte=HIGH).order_by("pk")[
            :RESIDENTS
        ]
    )

    def account(kind, name, region_id, **owner):
        return Account(kind=kind, name=name, region_id=region_id, province_code=region_id[:2], opened_on=start, **owner)

    own = {pk: account("station", s.name, s.region_id, station=s) for pk, s in stations.items()}
    pools = {pk: account("pool", f"{s.name}互助池", s.region_id, station=s) for pk, s in stations.items()}
    members = [account("volunteer", v.name, v.region_id, volunteer=v) for v in volunteers]
    members += [account("resident", r.name, r.community_id, recipient=r) for r in residents]
    Account.objects.bulk_create([*own.values(), *pools.values(), *members])
    home = {a.pk: (a.volunteer.station_id if a.volunteer_id else a.recipient.station_id) for a in members}
    by_station: dict[int, list[Account]] = {}
    for member in members:
        by_station.setdefault(home[member.pk], []).append(member)
    login = User.objects.filter(username="volunteer").first()
    star = next(
        (a for a in members if login is not None and a.volunteer_id and a.volunteer.account_id == login.pk), None
    )

    balance = {a.pk: Decimal(0) for a in [*own.values(), *pools.values(), *members]}
    plan = []  # (date, kind, legs, memo, offer)

    def day():
        return start + datetime.timedelta(days=rng.randrange(1, 350))

    for member in members:  # opening grants in the first weeks
        hours = Decimal(5 if member.kind == "resident" else 2)
        when = start + datetime.timedelta(days=rng.randrange(0, 30))
        plan.append((when, "grant", [(own[home[member.pk]], -hours), (member, hours)], "开户赠送", None))
    offers = []
    for index in range(EXCHANGES):
        station = rng.choice(list(by_station))
        people = by_station[station]
        if len(people) < 2:
            continue
        helper = star if star is not None and index % 12 == 0 else rng.choice(people)
        served = rng.choice([p for p in people if p.pk != helper.pk] or people)
        if served.pk == helper.pk:
            continue
        category = rng.choice(list(TITLES))
        hours = Decimal(rng.choice([1, 1, 1.5, 2, 2, 3]))
        kind = rng.choice(["offer", "request"])
        poster, responder = (helper, served) if kind == "offer" else (served, helper)
        offer = Offer(
            kind=kind,
            category=category,
            title=TITLES[category],
            hours=hours,
            poster=poster,
            responder=responder,
            region_id=poster.region_id,
            province_code=poster.province_code,
            status="done",
        )
        offers.append(offer)
        plan.append((day(), "exchange", [(served, -hours), (helper, hours)], str(TITLES[category]), offer))
    for index in range(DONATIONS):
        member = star if star is not None and index % 30 == 0 else rng.choice(members)
        hours = Decimal(rng.choice([0.5, 1, 1, 2]))
        plan.append((day(), "donation", [(member, -hours), (pools[home[member.pk]], hours)], "捐入互助池", None))
    for _index in range(FAMILY):
        people = by_station[rng.choice(list(by_station))]
        if len(people) < 2:
            continue
        giver, taker = rng.sample(people, 2)
        hours = Decimal(rng.choice([1, 2, 3]))
        plan.append((day(), "family", [(giver, -hours), (taker, hours)], "转给家庭成员（母女）", None))
    plan.sort(key=lambda item: item[0])

    booked, movements, kept_offers = [], [], []
    for when, kind, legs, memo, offer in plan:
        payer, payee = legs[0][0], legs[1][0]
        amount = legs[1][1]
        payer_limit = None if payer.kind == "station" else Decimal(0)
        if payer_limit is not None and balance[payer.pk] - amount < payer_limit:
            continue  # the services would refuse it: the demo leaves it out
        if payee.is_personal and balance[payee.pk] + amount > MAXIMUM:
            continue
        balance[payer.pk] -= amount
        balance[payee.pk] += amount
        transfer = Transfer(kind=kind, memo=memo, occurred_on=when, exchange=offer)
        booked.append((transfer, [(payer, -amount, balance[payer.pk]), (payee, amount, balance[payee.pk])]))
        if offer is not None:
            done_at = timezone.make_aware(datetime.datetime.combine(when, datetime.time(18)))
            offer.poster_confirmed_at = offer.responder_confirmed_at = done_at
            kept_offers.append(offer)
    Offer.objects.bulk_create(kept_offers)
    for transfer, _legs in booked:
        if transfer.exchange is not None:
            transfer.exchange_id = transfer.exchange.pk
    Transfer.objects.bulk_create([transfer for transfer, _legs in booked])
    for transfer, legs in booked:
        movements += [Movement(transfer=transfer, account=a, amount=x, balance_after=after) for a, x, after in legs]
    # A few mistakes undone at the end: reversals of recent donations (the pool gives the hours back).
    reversals = []
    candidates = [(t, legs) for t, legs in booked if t.kind == "donation"][-REVERSALS * 3 :]
    for transfer, legs in rng.sample(candidates, min(REVERSALS, len(candidates))):
        (giver, given, _after), (pool, _x, _after2) = legs
        if balance[pool.pk] + given < 0 or balance[giver.pk] - given > MAXIMUM:
            continue
        balance[pool.pk] += given
        balance[giver.pk] -= given
        reversal = Transfer(
            kind="reversal", memo=f"冲正 #{transfer.pk}：录错了站点", occurred_on=today, reversal_of=transfer
        )
        reversals.append((reversal, [(giver, -given, balance[giver.pk]), (pool, given, balance[pool.pk])]))
    Transfer.objects.bulk_create([reversal for reversal, _legs in reversals])
    for reversal, legs in reversals:
        movements += [Movement(transfer=reversal, account=a, amount=x, balance_after=after) for a, x, after in legs]
    Movement.objects.bulk_create(movements, batch_size=2000)
    accounts = [*own.values(), *pools.values(), *members]
    for item in accounts:
        item.balance = balance[item.pk]
    Account.objects.bulk_update(accounts, ["balance"], batch_size=1000)
    _open_offers(rng, by_station, star)
    count = len(booked) + len(reversals)
    record(
        actor=None,
        actor_username="system",
        action=AuditEntry.Action.IMPORT,
        object_type=Transfer._meta.label_lower,
        object_repr=str(Transfer._meta.verbose_name_plural),
        changes={"accounts": [None, len(accounts)], "transfers": [None, count]},
        note="演示数据",
    )
    stdout.write(f"时间银行：账户 {len(accounts):,} 个，转账 {count:,} 笔（其中冲正 {len(reversals)} 笔）")


def _open_offers(rng, by_station, star) -> None:
    rows = []
    stations = list(by_station)
    for index in range(OPEN_OFFERS):
        people = by_station[stations[index % len(stations)]]
        poster = star if star is not None and index == 0 else rng.choice(people)
        category = rng.choice(list(TITLES))
        rows.append(
            Offer(
                kind=rng.choice(["offer", "request"]),
                category=category,
                title=TITLES[category],
                hours=Decimal(rng.choice([1, 2])),
                poster=poster,
                region_id=poster.region_id,
                province_code=poster.province_code,
            )
        )
    Offer.objects.bulk_create(rows)


def _rules(stdout) -> None:
    from shegong.policies import services as policy_services
    from shegong.policies.models import PolicyProfile, PolicyRule

    admin = User.objects.filter(username="gz_admin").first()
    today = timezone.localdate()
    profile = (
        PolicyProfile.objects.filter(region_id=PROFILE_REGION, valid_from__lte=today).order_by("-valid_from").first()
    )
    if admin is None or profile is None:
        return
    for kind, params in DEMO_RULES.items():
        if not PolicyRule.objects.filter(profile=profile, kind=kind).exists():
            policy_services.rule_add(actor=admin, profile=profile, kind=kind, params=params, source_text="演示设定")
    stdout.write(f"政策规则：{profile.name} 增加时间银行余额上下限、家庭转赠与互助池规则（演示设定）")
