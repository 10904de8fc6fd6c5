"""Demo: about 600 volunteers at 广州's demo stations (镇街社工站), about 40 teams with their leaders, about 3,000
service records over the last 12 months (most confirmed, some pending, a few voided), a little training, awards and
evaluations, the demo login "volunteer" (海珠) linked to a 海珠 volunteer who has records, and a few volunteer service
certificates (志愿服务记录证明) issued through the certificate service: the demo volunteer's own (self-service) and a
few issued by the keepers of the stations that recorded the hours.

Seeded random generator (same people on every load; dates relative to the day of loading). Written in bulk like an
import (the encrypted ID numbers are real, with their keyed hashes), numbers from the same locked sequence as the
registration form, one audit entry for the lot. Volunteers already registered are left alone, and the records, teams
and the rest are made only on the first load, so loading twice changes nothing.
"""

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from shegong.accounts.models import User
from shegong.audit.models import AuditEntry
from shegong.audit.services import record
from shegong.core.fields import blind_index_for
from shegong.recipients.identity import parse_recipient_id
from shegong.refdata.models import DictionaryItem
from shegong.regions.models import Region
from shegong.stations.models import Station
from shegong.volunteers.models import (
    SKILL_DICTIONARY,
    ServiceRecord,
    Volunteer,
    VolunteerAward,
    VolunteerEvaluation,
    VolunteerTeam,
    VolunteerTraining,
)
from shegong.volunteers.services import take_volunteer_numbers
from shegong.workers.identity import id_number_from_body
from shegong.workers.imports import Builder

CITY_PREFIX = "4401"
HAIZHU = "440105"
COUNT = 600
TEAMS = 40
RECORDS = 3000
SEED = 20_261_208
CERTIFICATES = 6
LOW, HIGH = CITY_PREFIX.ljust(12, "0"), CITY_PREFIX.ljust(12, "9")
SURNAMES = "陈李黄张梁林刘吴罗何郑杨谢郭冯曾邓周潘叶蔡许苏卢蒋余彭钟朱麦"
GIVEN = "伟芳敏静丽强磊洁婷军杰娟涛明超霞平刚桂华燕玲斌颖慧晶峰琳鹏倩嘉欣晓雯志浩宇俊诗雅"
AVAILABILITY = ["周末上午", "周末下午", "工作日晚上", "工作日白天", "节假日", "随时"]
CONTENTS = [
    ("长者探访陪伴", "社区长者家中"),
    ("长者饭堂助餐", "长者饭堂"),
    ("四点半课堂作业辅导", "社工站活动室"),
    ("社区义诊协助", "社区广场"),
    ("垃圾分类宣传", "小区门口"),
    ("防诈骗宣传", "社区广场"),
    ("时间银行服务对接", "社工站"),
    ("慈善义卖", "社区慈善捐赠站点"),
    ("残障人士康复陪伴", "康园工疗站"),
    ("社区环境清洁", "街巷"),
]
TRAININGS = ["志愿服务通用培训", "急救技能培训", "长者照护入门", "儿童安全保护", "反诈宣传讲师培训"]
AWARDS = ["优秀志愿者", "五星志愿者", "最美志愿者", "志愿服务先进个人"]


@transaction.atomic
def load(context: dict) -> None:
    stdout = context["stdout"]
    today = timezone.localdate()
    stations = list(
        Station.objects.filter(region_id__gte=LOW, region_id__lte=HIGH, kind=Station.Kind.STATION)
        .exclude(status=Station.Status.REVOKED)
        .select_related("region")
        .order_by("code")
    )
    if not stations:
        return
    rng = random.Random(SEED)
    villages = {}
    for code in Region.objects.filter(code__gte=LOW, code__lte=HIGH, level=Region.Level.VILLAGE).values_list(
        "code", flat=True
    ):
        villages.setdefault(code[:9], []).append(code)
    # 海珠 first, so the demo login "volunteer" finds a volunteer of their district.
    stations.sort(key=lambda station: (not station.region_id.startswith(HAIZHU), station.code))
    skills = list(DictionaryItem.objects.filter(dictionary__code=SKILL_DICTIONARY).values_list("pk", flat=True))
    plan = list(_plan(rng, stations, villages, skills, today))
    hashes = [row["id_number_index"] for row in plan]
    existing = set(Volunteer.objects.filter(id_number_index__in=hashes).values_list("id_number_index", flat=True))
    new = [row for row in plan if row["id_number_index"] not in existing]
    first_load = not existing
    made = _write(new)
    if first_load and made:
        teams = _teams(rng, made, today)
        records = _records(rng, made, today)
        _record_extras(rng, made, today)
        _link_demo_login(made)
        certificates = _certificates(made, today)
    else:
        teams = records = certificates = 0
    if new:
        record(
            actor=None,
            actor_username="system",
            action=AuditEntry.Action.IMPORT,
            object_type=Volunteer._meta.label_lower,
            object_repr=str(Volunteer._meta.verbose_name_plural),
            changes={"rows": [None, len(new)], "teams": [None, teams], "records": [None, records]},
            note="演示数据",
        )
    city = Volunteer.objects.filter(region_id__gte=LOW, region_id__lte=HIGH)
    confirmed = ServiceRecord.objects.filter(region_id__gte=LOW, region_id__lte=HIGH, status="confirmed")
    stdout.write(
        f"志愿者：{city.count():,} 人（新增 {len(new):,}），服务队 {VolunteerTeam.objects.count()} 支，"
        f"已确认服务记录 {confirmed.count():,} 条，出具志愿服务记录证明 {certificates} 份"
    )


def _plan(rng, stations, villages, skills, today):
    for index in range(COUNT):
        station = stations[index % len(stations)] if index < len(stations) * 3 else rng.choice(stations)
        region = rng.choice(villages.get(station.region_id[:9]) or [station.region_id])
        birth = datetime.date(1950, 1, 1) + datetime.timedelta(days=rng.randrange(58 * 365))
        number = id_number_from_body(f"{region[:6]}{birth:%Y%m%d}{index % 1000:03d}")
        yield {
            "name": rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2)))),
            "id_number": number,
            "id_number_index": blind_index_for(Volunteer, "id_number", number),
            "phone": f"13{rng.randrange(10**9):09d}" if rng.random() < 0.8 else "",
            "region_id": region,
            "province_code": region[:2],
            "station_id": station.pk,
            "availability": rng.choice(AVAILABILITY),
            "status": rng.choices(["active", "suspended", "left"], weights=[92, 5, 3])[0],
            "registered_on": today - datetime.timedelta(days=rng.randrange(30, 1200)),
            "_skills": rng.sample(skills, rng.choice((0, 1, 2, 3))) if skills else [],
        }


def _write(plan: list[dict]) -> list[Volunteer]:
    build = Builder(Volunteer)
    now = timezone.now()
    volunteers = []
    groups: dict[tuple[str, int], list] = {}
    for values in plan:
        groups.setdefault((values["province_code"], values["registered_on"].year), []).append(values)
    for (province, year), group in sorted(groups.items()):
        for values, number in zip(group, take_volunteer_numbers(province, year, len(group)), strict=True):
            values = dict(values)
            skills = values.pop("_skills")
            facts = parse_recipient_id(values["id_number"])
            volunteer = build(
                number=number, birth_date=facts.birth_date, sex=facts.sex, created_at=now, updated_at=now, **values
            )
            volunteer._skills = skills
            volunteers.append(volunteer)
    Volunteer.objects.bulk_create(volunteers, batch_size=1000)
    link = Volunteer.skills.through
    link.objects.bulk_create(
        [link(volunteer_id=v.pk, dictionaryitem_id=skill) for v in volunteers for skill in v._skills], batch_size=2000
    )
    return volunteers


def _teams(rng, volunteers: list[Volunteer], today) -> int:
    by_station: dict[int, list[Volunteer]] = {}
    for volunteer in volunteers:
        if volunteer.status == Volunteer.Status.ACTIVE:
            by_station.setdefault(volunteer.station_id, []).append(volunteer)
    stations = {s.pk: s for s in Station.objects.filter(pk__in=by_station).select_related("region")}
    made = 0
    kinds = ["助老", "青少年", "助残", "环保", "应急", "文明实践"]
    for station_id, members in sorted(by_station.items(), key=lambda item: -len(item[1])):
        if made >= TEAMS or len(members) < 3:
            continue
        station = stations[station_id]
        for kind in kinds[: max(1, min(3, len(members) // 4))]:
            if made >= TEAMS:
                break
            team = VolunteerTeam.objects.create(
                name=f"{station.region.name}{kind}志愿服务队",
                region_id=station.region_id,
                province_code=station.region_id[:2],
                station=station,
                founded_on=today - datetime.timedelta(days=rng.randrange(100, 2000)),
            )
            chosen = rng.sample(members, min(len(members), rng.randrange(3, 15)))
            team.members.set(chosen)
            team.leader = chosen[0]
            team.save(update_fields=["leader"])
            made += 1
    return made


def _confirmers() -> dict:
    """A confirmer per district: a social worker's account there (the organiser), else a station head, else any
    demo keeper; the organiser row (SocialWorker) when there is one."""
    from shegong.workers.models import SocialWorker

    organisers = {}
    for worker in SocialWorker.objects.filter(region_id__gte=LOW, region_id__lte=HIGH, account__isnull=False).order_by(
        "pk"
    ):
        organisers.setdefault(worker.region_id[:6], worker)
    fallback = User.objects.filter(username__in=["station_head", "worker", "gz_admin"]).order_by("username").first()
    if fallback is None and organisers:
        fallback = next(iter(organisers.values())).account
    return {"organisers": organisers, "fallback": fallback}


def _records(rng, volunteers: list[Volunteer], today) -> int:
    who = _confirmers()
    fallback = who["fallback"]
    if fallback is None:
        return 0
    active = [v for v in volunteers if v.status == Volunteer.Status.ACTIVE]
    stations = {s.pk: s for s in Station.objects.filter(pk__in={v.station_id for v in active})}
    build = Builder(ServiceRecord)
    now = timezone.now()
    rows = []
    for index in range(RECORDS):
        volunteer = active[index % len(active)] if index < len(active) else rng.choice(active)
        station = stations[volunteer.station_id]
        organiser = who["organisers"].get(station.region_id[:6])
        recorder = organiser.account if organiser is not None else fallback
        status = rng.choices(["confirmed", "pending", "void"], weights=[85, 10, 5])[0]
        day = max(today - datetime.timedelta(days=rng.randrange(0, 365)), volunteer.registered_on)
        content, place = rng.choice(CONTENTS)
        rows.append(
            build(
                volunteer_id=volunteer.pk,
                service_date=day,
                hours=Decimal(rng.choice(["1.0", "1.5", "2.0", "2.0", "3.0", "4.0"])),
                content=content,
                place=place,
                region_id=station.region_id,
                province_code=station.region_id[:2],
                station_id=station.pk,
                organiser_id=organiser.pk if organiser is not None else None,
                source="demo",
                status=status,
                recorded_by_id=recorder.pk,
                confirmed_by_id=recorder.pk if status == "confirmed" else None,
                confirmed_at=now if status == "confirmed" else None,
                void_reason="重复登记" if status == "void" else "",
                created_at=now,
            )
        )
    ServiceRecord.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def _record_extras(rng, volunteers: list[Volunteer], today) -> None:
    trainings, awards, evaluations = [], [], []
    for volunteer in volunteers:
        if rng.random() < 0.3:
            trainings.append(
                VolunteerTraining(
                    volunteer=volunteer,
                    trained_on=today - datetime.timedelta(days=rng.randrange(10, 700)),
                    title=rng.choice(TRAININGS),
                    hours=Decimal(rng.choice(["2.0", "3.0", "4.0", "8.0"])),
                    organiser="广州市志愿者协会",
                )
            )
        if rng.random() < 0.08:
            awards.append(
                VolunteerAward(
                    volunteer=volunteer,
                    awarded_on=today - datetime.timedelta(days=rng.randrange(10, 700)),
                    title=rng.choice(AWARDS),
                    awarded_by="广州市民政局",
                )
            )
        if rng.random() < 0.2:
            evaluations.append(
                VolunteerEvaluation(
                    volunteer=volunteer,
                    evaluated_on=today - datetime.timedelta(days=rng.randrange(10, 365)),
                    grade=rng.choices(["excellent", "good", "pass", "fail"], weights=[30, 45, 22, 3])[0],
                    evaluator="所在社工站",
                )
            )
    VolunteerTraining.objects.bulk_create(trainings)
    VolunteerAward.objects.bulk_create(awards)
    VolunteerEvaluation.objects.bulk_create(evaluations)


def _link_demo_login(volunteers: list[Volunteer]) -> None:
    """The demo login "volunteer" (海珠) owns the first active 海珠 volunteer that has confirmed records."""
    login = User.objects.filter(username="volunteer").first()
    if login is None or Volunteer.objects.filter(account=login).exists():
        return
    candidates = [v for v in volunteers if v.region_id.startswith(HAIZHU) and v.status == Volunteer.Status.ACTIVE]
    for volunteer in candidates:
        if volunteer.service_records.filter(status="confirmed").exists():
            Volunteer.objects.filter(pk=volunteer.pk).update(account=login)
            return


def _certificates(volunteers: list[Volunteer], today) -> int:
    """A few certificates through the certificate service (numbers, totals and audit as on the page): the demo
    login's own, then some by a keeper (a login that may issue for the recording station) of other volunteers."""
    from shegong.volunteers import certificates

    start = today - datetime.timedelta(days=365)
    made = 0
    login = User.objects.filter(username="volunteer").first()
    own = Volunteer.objects.filter(account=login).first() if login is not None else None
    if own is not None:
        for issuer in certificates.issuers_of_volunteer(own)[:1]:
            certificates.certificate_issue(
                volunteer=own, issuer=issuer, period_start=start, period_end=today, actor=login
            )
            made += 1
    keepers = [user for user in User.objects.filter(is_active=True).order_by("pk") if user.has_perm(certificates.ISSUE)]
    for volunteer in volunteers:
        if made >= CERTIFICATES or volunteer == own:
            continue
        for issuer in certificates.issuers_of_volunteer(volunteer)[:1]:
            keeper = next((user for user in keepers if certificates.may_issue(user, issuer)), None)
            if keeper is not None:
                certificates.certificate_issue(
                    volunteer=volunteer,
                    issuer=issuer,
                    period_start=start,
                    period_end=today,
                    handler=str(keeper),
                    actor=keeper,
                )
                made += 1
    return made
