"""Demo: registrations in every state and continuing-education records, for a cohort of certified workers of 越秀区
and 海珠区 (the districts that have demo bureau logins). Every registration is walked through the real services on
simulated days (so each figure obeys the rules), then its stamps are dated back to those days. Some registrations
end within 90 days, some renewals lack hours, one worker has an open violation. Loading twice changes nothing.
"""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from shegong.accounts.demo import demo_login
from shegong.core.fields import matching
from shegong.policies.kinds.base import add_years
from shegong.registration import services
from shegong.registration.models import Registration, TrainingRecord

YUEXIU, HAIZHU = "440104000000", "440105000000"
DEMO_MARK = "演示"  # in the authority of demo certificates, so a second load finds them

SURNAMES = "陈林黄李张王吴刘蔡郑何梁谢罗许杨周徐邓冯"
GIVEN = ["嘉怡", "志强", "晓琳", "伟杰", "诗韵", "俊宏", "雅婷", "家豪", "慧敏", "子轩", "美玲", "浩然"]

# (scenario, level) for each demo worker, in order; district alternates 越秀 / 海珠.
PLAN = [
    ("pending", "assistant"),
    ("pending", "intermediate"),
    ("pending", "intermediate"),
    ("first_approved", "assistant"),
    ("first_approved", "intermediate"),
    ("first_rejected", "intermediate"),
    ("final_approved", "senior"),
    ("final_approved", "intermediate"),
    ("final_rejected", "assistant"),
    ("registered", "intermediate"),
    ("registered", "assistant"),
    ("registered", "senior"),
    ("expiring", "intermediate"),
    ("expiring", "assistant"),
    ("expiring", "intermediate"),
    ("expiring_short", "intermediate"),
    ("expiring_violation", "assistant"),
    ("renewal_pending", "intermediate"),
    ("renewal_pending", "assistant"),
    ("renewed", "intermediate"),
    ("renewed", "senior"),
    ("expired", "intermediate"),
    ("expired", "assistant"),
]


def _region(code: str):
    from shegong.regions.models import Region

    return Region.objects.get(pk=code)


def _id_number(index: int, district: str) -> str:
    from stdnum.cn import ric

    birth = datetime.date(1982, 1, 1) + datetime.timedelta(days=397 * index)
    body = f"{district[:6]}{birth:%Y%m%d}{870 + index:03d}"
    return body + ric.calc_check_digit(body + "0")


def _cohort(agencies, today: datetime.date) -> list:
    """Demo workers with one certificate each: (worker, certificate, scenario), created through the workers app."""
    from shegong.workers import services as worker_services
    from shegong.workers.models import Certificate, SocialWorker

    cohort = []
    for index, (scenario, level) in enumerate(PLAN):
        district = YUEXIU if index % 2 == 0 else HAIZHU
        id_number = _id_number(index, district)
        worker = matching(SocialWorker.objects.all(), "id_number", id_number).first()
        if worker is None:
            agency = next((a for a in agencies if a.region_id == district), None)
            worker = worker_services.worker_create(
                actor=None,
                name=SURNAMES[index % len(SURNAMES)] + GIVEN[index % len(GIVEN)],
                id_number=id_number,
                region=_region(district),
                agency=agency,
                major_social_work=index % 5 == 0,
            )
        certificate = worker.certificates.filter(authority__contains=DEMO_MARK).first()
        if certificate is None:
            certificate = worker_services.certificate_add(
                actor=None,
                worker=worker,
                level=level,
                number=f"DEMO{today.year}{index:05d}",
                year_passed=_year_passed(scenario, today),
                authority=f"人力资源和社会保障部、民政部（{DEMO_MARK}）",
            )
        assert isinstance(certificate, Certificate)
        cohort.append((worker, certificate, scenario))
    return cohort


def _days(scenario: str, today: datetime.date) -> dict:
    """The simulated day each step happens on, for each scenario."""
    if scenario in ("pending", "first_approved", "first_rejected", "final_approved", "final_rejected"):
        return {"submit": today - datetime.timedelta(days=20)}
    if scenario == "registered":
        return {"register": today - datetime.timedelta(days=300)}
    if scenario.startswith("expiring"):
        ends = today + datetime.timedelta(days=25 if scenario == "expiring" else 60)
        return {"register": add_years(ends + datetime.timedelta(days=1), -3)}
    if scenario == "renewal_pending":
        ends = today + datetime.timedelta(days=50)
        return {
            "register": add_years(ends + datetime.timedelta(days=1), -3),
            "renew": today - datetime.timedelta(days=3),
        }
    if scenario == "renewed":
        ends = today - datetime.timedelta(days=100)
        return {
            "register": add_years(ends + datetime.timedelta(days=1), -3),
            "renew": ends - datetime.timedelta(days=40),
            "renewal_registered": ends - datetime.timedelta(days=20),
        }
    ends = today - datetime.timedelta(days=45)  # expired
    return {"register": add_years(ends + datetime.timedelta(days=1), -3)}


def _year_passed(scenario: str, today: datetime.date) -> int:
    days = _days(scenario, today)
    first = days.get("register", days.get("submit"))
    return first.year if first.month > 2 else first.year - 1


def _backdate(registration: Registration, **stamps) -> None:
    Registration.objects.filter(pk=registration.pk).update(**stamps)


def _moment(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 30)))


def _first_registration(certificate, *, submitted: datetime.date, to: str, reviewers: dict, today) -> Registration:
    """Walk a first registration up to state `to`, each step on its simulated day."""
    district, city = reviewers["district"], reviewers["city"]
    registration = services.registration_submit(certificate=certificate, actor=district, today=submitted)
    stamps = {"submitted_at": _moment(submitted, 9)}
    first_day, final_day, register_day = (submitted + datetime.timedelta(days=step) for step in (3, 8, 10))
    if to == "first_rejected":
        services.registration_first_reject(
            registration=registration, actor=district, note="证书编号与证书原件不一致，请核对后重新申请。"
        )
    elif to != "pending":
        services.registration_first_approve(registration=registration, actor=district, note="材料齐全，同意。")
    if to != "pending":
        stamps["first_reviewed_at"] = _moment(first_day, 10)
    if to == "final_rejected":
        services.registration_final_reject(
            registration=registration, actor=city, note="身份证明材料不清晰，请补充后重新申请。"
        )
    elif to in ("final_approved", "registered"):
        services.registration_final_approve(registration=registration, actor=city, note="同意登记。")
    if to in ("final_approved", "final_rejected", "registered"):
        stamps["final_reviewed_at"] = _moment(final_day, 15)
    if to == "registered":
        services.registration_register(registration=registration, actor=city, today=register_day)
    _backdate(registration, **stamps)
    registration.refresh_from_db()
    return registration


def _training(worker, registration: Registration, *, share: Decimal, verifier, agency_admin, today, degree: bool):
    """Continuing education inside the registration's period: `share` of the hours it needs, verified; plus some
    training and a record awaiting verification."""
    from shegong.registration.policy import policy_for

    needed = policy_for(worker.region, today).required_hours(registration.certificate.level)
    target = (needed * share).quantize(Decimal("1"))
    start = registration.valid_from
    end_of_period = min(registration.valid_until, today)
    titles = ["社会工作伦理与价值观", "个案工作实务技巧", "小组工作方法", "社区营造与社区治理", "社会工作督导入门"]
    given = Decimal(0)
    for step, title in enumerate(titles):
        if given >= target:
            break
        hours = min(Decimal(24), target - given)
        begins = start + datetime.timedelta(days=60 + 150 * step)
        days = max(2, int((hours / 8).to_integral_value(rounding="ROUND_CEILING")))
        ends = begins + datetime.timedelta(days=days - 1)
        if ends > end_of_period:
            break
        services.training_record_create(
            worker=worker,
            actor=verifier,
            kind=TrainingRecord.Kind.CONTINUING,
            title=f"{title}（{begins.year}）",
            provider="广州市社会工作协会",
            hours=hours,
            start_date=begins,
            end_date=ends,
            today=today,
        )
        given += hours
    practice = start + datetime.timedelta(days=30)
    if practice + datetime.timedelta(days=1) <= today:
        services.training_record_create(
            worker=worker,
            actor=verifier,
            kind=TrainingRecord.Kind.TRAINING,
            title="新入职社工岗前培训",
            provider="广州市民政局",
            hours=Decimal(16),
            start_date=practice,
            end_date=practice + datetime.timedelta(days=1),
            today=today,
        )
    recent = today - datetime.timedelta(days=10)
    if agency_admin is not None and worker.agency_id and agency_admin.home_agency_id == worker.agency_id:
        services.training_record_create(
            worker=worker,
            actor=agency_admin,
            kind=TrainingRecord.Kind.TRAINING,
            title="机构内部案例研讨",
            provider=worker.agency.name,
            hours=Decimal(6),
            start_date=recent,
            end_date=recent,
            today=today,
        )
    if degree:
        for title, begins, ends in [
            ("社会工作专业本科", datetime.date(2004, 9, 1), datetime.date(2008, 6, 30)),
            ("社会工作硕士（MSW）", datetime.date(2016, 9, 1), datetime.date(2018, 6, 30)),
        ]:
            services.training_record_create(
                worker=worker,
                actor=verifier,
                kind=TrainingRecord.Kind.DEGREE,
                title=title,
                provider="中山大学",
                hours=None,
                start_date=begins,
                end_date=ends,
                today=today,
            )


def _link_demo_worker(cohort, agencies) -> None:
    """The demo login "worker" (海珠区) sees a registration about to end under 我的登记与学时, unless the workers
    demo already linked that login to a record of its own."""
    from shegong.workers import services as worker_services
    from shegong.workers.models import SocialWorker

    account = demo_login("worker")
    if SocialWorker.objects.filter(account=account).exists():
        return
    target = next(
        (
            w
            for w, _c, scenario in cohort
            if w.region_id == HAIZHU and scenario.startswith("expiring") and not w.account_id
        ),
        None,
    )
    if target is not None:
        worker_services.worker_link_account(actor=None, worker=target, account=account)


@transaction.atomic
def load(context: dict) -> None:
    stdout = context["stdout"]
    today = timezone.localdate()
    cohort = _cohort(context.get("agencies", []), today)
    if Registration.objects.filter(certificate__in=[certificate for _w, certificate, _s in cohort]).exists():
        stdout.write(f"执业登记：演示登记 {Registration.objects.count()} 条（均已存在）")
        return
    agencies = context.get("agencies", [])
    city = demo_login("gz_admin")
    district_of = {YUEXIU: demo_login("yuexiu_admin"), HAIZHU: demo_login("haizhu_admin")}
    agency_admin = demo_login("agency_admin") if agencies else None
    for index, (worker, certificate, scenario) in enumerate(cohort):
        reviewers = {"district": district_of[worker.region_id], "city": city}
        days = _days(scenario, today)
        if "submit" in days:
            _first_registration(certificate, submitted=days["submit"], to=scenario, reviewers=reviewers, today=today)
            continue
        registered_on = days["register"]
        registration = _first_registration(
            certificate,
            submitted=registered_on - datetime.timedelta(days=10),
            to="registered",
            reviewers=reviewers,
            today=today,
        )
        short = scenario == "expiring_short"
        _training(
            worker,
            registration,
            share=Decimal("0.5") if short else Decimal("1.1"),
            verifier=reviewers["district"],
            agency_admin=agency_admin,
            today=today,
            degree=index % 5 == 0,
        )
        if scenario == "expiring_violation":
            from shegong.workers import services as worker_services
            from shegong.workers.models import CreditEvent

            worker_services.credit_event_record(
                actor=None,
                worker=worker,
                kind=CreditEvent.Kind.VIOLATION,
                severity=CreditEvent.Severity.MINOR,
                title="服务记录弄虚作假",
                occurred_on=today - datetime.timedelta(days=40),
                description="演示数据：未办结的违规记录，办结前不能再登记。",
            )
        if "renew" in days:
            renewal = services.registration_renew(
                previous=registration, actor=reviewers["district"], today=days["renew"]
            )
            _backdate(renewal, submitted_at=_moment(days["renew"], 9))
            if "renewal_registered" in days:
                services.registration_first_approve(
                    registration=renewal, actor=reviewers["district"], note="学时达标，同意。", today=days["renew"]
                )
                services.registration_final_approve(
                    registration=renewal, actor=city, note="同意再登记。", today=days["renew"]
                )
                services.registration_register(registration=renewal, actor=city, today=days["renewal_registered"])
                _backdate(
                    renewal,
                    first_reviewed_at=_moment(days["renew"] + datetime.timedelta(days=3), 10),
                    final_reviewed_at=_moment(days["renew"] + datetime.timedelta(days=9), 15),
                )
                _backdate(registration, closed_at=_moment(days["renewal_registered"], 16))
    _link_demo_worker(cohort, agencies)
    expired = services.registrations_expire(today=today)
    counts = {
        str(label): Registration.objects.filter(certificate__authority__contains=DEMO_MARK, state=state).count()
        for state, label in Registration.State.choices
    }
    stdout.write(
        f"执业登记：{sum(counts.values())} 条（"
        + "，".join(f"{label} {count}" for label, count in counts.items())
        + f"；到期 {expired} 条），继续教育记录 {TrainingRecord.objects.count()} 条"
    )
