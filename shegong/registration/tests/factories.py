"""Small builders for the registration tests: workers, certificates, registrations in any state, training records.

They write rows directly (no services, no audit) so each test states only what it is about; the services under test
are called by the tests themselves.
"""

import datetime
import itertools
from decimal import Decimal

from django.utils import timezone
from stdnum.cn import ric

from shegong.registration.models import Registration, TrainingRecord
from shegong.testing.world import DISTRICT_A
from shegong.workers.models import Certificate, CreditEvent, SocialWorker

_serial = itertools.count(1)


def id_number(serial: int, region: str = "440104", birth: str = "19900101") -> str:
    body = f"{region}{birth}{serial % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")  # stdnum expects a placeholder check digit


def make_worker(*, name: str = "", region: str = DISTRICT_A, agency=None, account=None, frontline=True) -> SocialWorker:
    serial = next(_serial)
    return SocialWorker.objects.create(
        name=name or f"测试社工{serial}",
        name_initials="csxg",
        id_number=id_number(serial, birth=f"1990{1 + serial // 28 % 12:02d}{1 + serial % 28:02d}"),
        birth_date=datetime.date(1990, 1 + serial // 28 % 12, 1 + serial % 28),
        sex="M",
        region_id=region,
        province_code=region[:2],
        agency=agency,
        account=account,
        is_frontline=frontline,
    )


def make_certificate(worker, *, level: str = "intermediate", year: int | None = None) -> Certificate:
    serial = next(_serial)
    return Certificate.objects.create(
        worker=worker,
        level=level,
        number=f"TEST{serial:08d}",
        year_passed=year or timezone.localdate().year,
        authority="人力资源和社会保障部、民政部",
    )


def make_registration(
    certificate,
    *,
    state: str = Registration.State.PENDING,
    first_by=None,
    final_by=None,
    registered_by=None,
    valid_from: datetime.date | None = None,
    years: int = 3,
    previous=None,
    submitted_by=None,
) -> Registration:
    """A registration already in `state`, with the stamps its state needs."""
    now = timezone.now()
    registration = Registration(
        worker=certificate.worker,
        certificate=certificate,
        kind=Registration.Kind.RENEWAL if previous else Registration.Kind.FIRST,
        previous=previous,
        state=state,
        submitted_at=now,
        submitted_by=submitted_by or first_by or registered_by,
    )
    if state in Registration.REVIEWED_FIRST:
        registration.first_reviewed_by, registration.first_reviewed_at = first_by, now
    if state in Registration.REVIEWED_FINAL:
        registration.final_reviewed_by, registration.final_reviewed_at = final_by, now
    if state in Registration.WAS_REGISTERED:
        start = valid_from or timezone.localdate()
        registration.registered_by = registered_by or final_by
        registration.registered_on = start
        registration.valid_from = start
        registration.valid_until = start.replace(year=start.year + years) - datetime.timedelta(days=1)
    registration.save()
    return registration


def registered(certificate, world, *, valid_until: datetime.date) -> Registration:
    """A registration in force whose last valid day is `valid_until` (3 years long)."""
    start = (valid_until + datetime.timedelta(days=1)).replace(year=valid_until.year - 3)
    return make_registration(
        certificate,
        state=Registration.State.REGISTERED,
        first_by=world.district_a_admin,
        final_by=world.city_admin,
        valid_from=start,
    )


def make_training(
    worker,
    *,
    kind: str = TrainingRecord.Kind.CONTINUING,
    hours="10",
    end: datetime.date | None = None,
    days: int = 2,
    verified_by=None,
    title: str = "",
    created_by=None,
) -> TrainingRecord:
    end = end or timezone.localdate()
    serial = next(_serial)
    return TrainingRecord.objects.create(
        worker=worker,
        kind=kind,
        title=title or f"课程{serial}",
        provider="广州市社会工作协会",
        hours=Decimal(0) if kind == TrainingRecord.Kind.DEGREE else Decimal(hours),
        start_date=end - datetime.timedelta(days=days - 1),
        end_date=end,
        created_by=created_by or verified_by,
        verified_by=verified_by,
        verified_at=timezone.now() if verified_by else None,
    )


def make_violation(worker, recorded_by, *, title="违规执业", occurred_on=None, closed_on=None) -> CreditEvent:
    return CreditEvent.objects.create(
        worker=worker,
        kind=CreditEvent.Kind.VIOLATION,
        severity=CreditEvent.Severity.MINOR,
        title=title,
        occurred_on=occurred_on or timezone.localdate() - datetime.timedelta(days=30),
        closed_on=closed_on,
        recorded_by=recorded_by,
    )
