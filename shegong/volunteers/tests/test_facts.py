"""Registered volunteers, confirmed hours and active volunteers in the indicator catalogue follow registration,
status changes, confirmation, correction and voiding of service records."""

import datetime

import pytest

from shegong.analytics import maintenance
from shegong.analytics.catalogue import indicator
from shegong.analytics.figures import Node, evaluate
from shegong.analytics.periods import Period
from shegong.regions.models import Region
from shegong.testing.world import DISTRICT_A
from shegong.volunteers import services
from shegong.volunteers.tests.factories import COMMUNITY_A, COMMUNITY_B, DISTRICT_B, make_volunteer, make_worker

pytestmark = pytest.mark.django_db

JANUARY = Period(datetime.date(2026, 1, 1), datetime.date(2026, 1, 31))
MARCH = Period(datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))
APRIL = Period(datetime.date(2026, 4, 1), datetime.date(2026, 4, 30))


def value(code: str, region: str, period: Period):
    node = Node.of(Region.objects.get(pk=region))
    return evaluate([indicator(code)], [node], period)[(code, node)].value


def serve(world, volunteer, day: datetime.date, hours: str, confirm: bool = True):
    entry = services.service_record_create(
        actor=world.worker_b, volunteer=volunteer, service_date=day, hours=hours, content="长者探访陪伴"
    )
    if confirm:
        services.service_record_confirm(actor=world.worker_b, record_=entry)
    return entry


def test_registered_volunteers_follow_status(world):
    first, second = make_volunteer("甲", COMMUNITY_B), make_volunteer("乙", COMMUNITY_B)
    make_volunteer("丙", COMMUNITY_A)
    assert value("volunteers_registered", DISTRICT_B, JANUARY) == 2
    assert value("volunteers_registered", DISTRICT_A, JANUARY) == 1
    assert (
        value("volunteers_registered", DISTRICT_B, Period(datetime.date(2025, 12, 1), datetime.date(2025, 12, 31))) == 0
    )
    services.volunteer_set_status(actor=None, volunteer=second, status="suspended", reason="外出务工")
    assert value("volunteers_registered", DISTRICT_B, MARCH) == 1
    services.volunteer_set_status(actor=None, volunteer=first, status="left", reason="本人申请注销")
    assert value("volunteers_registered", DISTRICT_B, MARCH) == 0
    services.volunteer_set_status(actor=None, volunteer=first, status="active", reason="重新登记")
    assert value("volunteers_registered", DISTRICT_B, MARCH) == 1
    assert maintenance.verify() == (0, [])


def test_hours_and_active_volunteers_follow_the_records(world):
    make_worker(region="440105000000", account=world.worker_b)
    first, second = make_volunteer("甲", COMMUNITY_B), make_volunteer("乙", COMMUNITY_B)
    early = serve(world, first, datetime.date(2026, 3, 5), "2.5")
    serve(world, first, datetime.date(2026, 3, 20), "1.5")
    pending = serve(world, first, datetime.date(2026, 4, 2), "3", confirm=False)
    voided = serve(world, second, datetime.date(2026, 3, 10), "2")
    assert value("volunteer_hours", DISTRICT_B, MARCH) == 6
    assert value("volunteers_active", DISTRICT_B, MARCH) == 2
    assert value("volunteers_active_share", DISTRICT_B, MARCH) == 100

    services.service_record_void(actor=world.worker_b, record_=voided, reason="重复登记")
    services.service_record_correct(actor=world.worker_b, record_=early, hours="1", reason="实际服务1小时")
    assert value("volunteer_hours", DISTRICT_B, MARCH) == 2.5
    assert value("volunteer_hours", DISTRICT_A, MARCH) == 0
    assert value("volunteers_active", DISTRICT_B, MARCH) == 1
    assert value("volunteers_active_share", DISTRICT_B, MARCH) == 50
    # A month to date counts the volunteers whose first service of the month falls in it.
    assert value("volunteers_active", DISTRICT_B, Period(datetime.date(2026, 3, 1), datetime.date(2026, 3, 10))) == 1
    assert value("volunteers_active", DISTRICT_B, APRIL) == 0

    services.service_record_confirm(actor=world.worker_b, record_=pending)
    assert value("volunteers_active", DISTRICT_B, APRIL) == 1
    assert value("volunteer_hours", DISTRICT_B, APRIL) == 3
    # Over two months: the mean of the monthly figures, not a volunteer counted twice.
    assert value("volunteers_active", DISTRICT_B, Period(MARCH.start, APRIL.end)) == 1
    assert maintenance.verify() == (0, [])


def test_volunteers_per_certified_social_worker(world):
    from shegong.talent.tests.factories import make_worker as make_talent
    from shegong.workers import services as workers

    for name in ("甲", "乙", "丙"):
        make_volunteer(name, COMMUNITY_B)
    make_volunteer("丁", COMMUNITY_A)
    for number, region in enumerate(("440105000000", "440105000000", DISTRICT_A)):
        worker = make_talent(region=region)
        workers.certificate_add(
            actor=world.city_admin, worker=worker, level="assistant", number=f"VOL{number:06d}", year_passed=2020
        )
    assert value("volunteers_per_social_worker", DISTRICT_B, MARCH) == 1.5
    assert value("volunteers_per_social_worker", DISTRICT_A, MARCH) == 1
    assert value("volunteers_per_social_worker", "440100000000", MARCH) == 4 / 3
    assert maintenance.verify() == (0, [])


def test_imported_volunteers_count(world, settings, tmp_path, django_capture_on_commit_callbacks):
    """The Excel import writes volunteers in bulk (no signals): they count all the same."""
    from shegong.volunteers.tests import test_imports

    settings.TASKS_MODE = "immediate"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    job = test_imports.run(
        world.station_head_a, django_capture_on_commit_callbacks, test_imports.workbook(test_imports.good_rows())
    )
    assert (job.status, job.written_rows) == ("done", 2), job.message
    assert (
        value("volunteers_registered", DISTRICT_A, Period(datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))) == 2
    )
    assert maintenance.verify() == (0, [])
