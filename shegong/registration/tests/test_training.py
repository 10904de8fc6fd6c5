"""Training records: who adds and verifies them, plausibility checks, and the totals per registration period and
toward the front-line target (a degree counts once)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shegong.audit.models import AuditEntry
from shegong.registration import selectors, services
from shegong.registration.models import Registration, TrainingRecord
from shegong.registration.policy import policy_for
from shegong.registration.tests.factories import make_certificate, make_training, registered

pytestmark = pytest.mark.django_db
Kind = TrainingRecord.Kind
DAY = datetime.date(2025, 3, 10)


def values(**overrides) -> dict:
    base = {
        "kind": Kind.CONTINUING,
        "title": "社会工作督导实务",
        "provider": "广州市社会工作协会",
        "hours": Decimal("16"),
        "start_date": DAY,
        "end_date": DAY + datetime.timedelta(days=1),
    }
    return {**base, **overrides}


def test_staff_who_verify_create_verified_records_others_wait_for_verification(world, worker):
    by_bureau = services.training_record_create(worker=worker, actor=world.district_a_admin, **values())
    by_agency = services.training_record_create(worker=worker, actor=world.agency_admin_a, **values(title="个案管理"))
    by_self = services.training_record_create(worker=worker, actor=worker.account, **values(title="小组工作"))
    assert by_bureau.is_verified and by_bureau.verified_by == world.district_a_admin
    assert not by_agency.is_verified and not by_self.is_verified
    services.training_record_verify(record_obj=by_self, actor=world.city_admin)
    by_self.refresh_from_db()
    assert by_self.verified_by == world.city_admin
    assert AuditEntry.objects.filter(object_type="registration.trainingrecord", action="create").count() == 3
    with pytest.raises(ValidationError):
        services.training_record_verify(record_obj=by_self, actor=world.city_admin)  # already verified
    with pytest.raises(PermissionDenied):
        services.training_record_verify(record_obj=by_agency, actor=world.agency_admin_a)
    with pytest.raises(PermissionDenied):
        services.training_record_verify(record_obj=by_agency, actor=world.district_b_admin)


def test_who_may_not_add(world, worker):
    for user in (world.station_head_a, world.district_b_admin, world.worker_b, world.no_role, world.outsider):
        with pytest.raises(PermissionDenied):
            services.training_record_create(worker=worker, actor=user, **values())


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"hours": Decimal(0)}, "hours", "学时必须大于 0"),
        ({"hours": None}, "hours", "请填写学时"),
        ({"hours": Decimal("25")}, "hours", "2 天的学习最多记 24 小时"),
        ({"hours": Decimal("1200"), "start_date": DAY - datetime.timedelta(days=400)}, "hours", "最多 1000 小时"),
        ({"end_date": DAY - datetime.timedelta(days=1)}, "end_date", "不能早于开始日期"),
        ({"end_date": datetime.date.today() + datetime.timedelta(days=1)}, "end_date", "不能晚于今天"),
    ],
    ids=["zero", "missing", "more-than-12-a-day", "more-than-1000", "ends-before-start", "in-the-future"],
)
def test_implausible_records_are_refused(world, worker, overrides, field, message):
    with pytest.raises(ValidationError) as refused:
        services.training_record_create(worker=worker, actor=world.district_a_admin, **values(**overrides))
    assert any(message in text for text in refused.value.message_dict[field]), refused.value.message_dict
    assert not TrainingRecord.objects.exists()


def test_a_degree_has_no_hours_of_its_own_and_duplicates_are_refused(world, worker):
    degree = services.training_record_create(
        worker=worker,
        actor=world.district_a_admin,
        **values(kind=Kind.DEGREE, title="社会工作硕士", hours=None, start_date=datetime.date(2019, 9, 1)),
    )
    assert degree.hours == 0
    services.training_record_create(worker=worker, actor=world.district_a_admin, **values())
    with pytest.raises(ValidationError) as refused:
        services.training_record_create(worker=worker, actor=world.district_a_admin, **values(hours=Decimal(8)))
    assert "同日开始" in str(refused.value)


def test_totals_per_period_and_toward_the_frontline_target(world, worker, certificate):
    registration = registered(certificate, world, valid_until=datetime.date(2026, 6, 30))  # from 2023-07-01
    verified = world.district_a_admin
    make_training(worker, hours="30", end=datetime.date(2024, 1, 10), verified_by=verified)
    make_training(worker, kind=Kind.TRAINING, hours="20", end=datetime.date(2024, 2, 10), verified_by=verified)
    make_training(worker, hours="12", end=datetime.date(2024, 3, 10), created_by=worker.account)  # pending
    make_training(worker, hours="40", end=datetime.date(2022, 5, 1), verified_by=verified)  # before the period
    make_training(worker, kind=Kind.DEGREE, end=datetime.date(2024, 6, 30), days=700, verified_by=verified)
    make_training(worker, kind=Kind.DEGREE, end=datetime.date(2025, 6, 30), days=700, verified_by=verified)

    summary = selectors.training_summary(worker)
    [period] = summary.periods
    assert period.registration == registration and period.required == Decimal(90)
    # Continuing education of the period (30) + one degree (90); training does not count toward registration.
    assert period.hours.continuing_total == Decimal(120) and period.met
    assert period.hours.pending_total == Decimal(12)
    # Toward the 120 h front-line target everything verified counts, the degree once: 30 + 20 + 40 + 90.
    assert summary.all_time.frontline_total == Decimal(180)
    assert summary.policy.frontline_minimum_hours == Decimal(120) and summary.frontline_met


def test_an_unverified_degree_is_pending(world, worker):
    make_training(worker, kind=Kind.DEGREE, end=datetime.date(2024, 6, 30), days=700, created_by=worker.account)
    hours = selectors.hours_between(worker, policy_for(worker.region))
    assert hours.degree == 0 and hours.pending_degree == Decimal(90)


def test_changes_by_someone_who_cannot_verify_need_verification_again(world, worker):
    record = services.training_record_create(worker=worker, actor=world.district_a_admin, **values())
    services.training_record_update(record_obj=record, actor=world.agency_admin_a, hours=Decimal(20))
    record.refresh_from_db()
    assert record.hours == Decimal(20) and not record.is_verified
    services.training_record_verify(record_obj=record, actor=world.district_a_admin)
    record.refresh_from_db()
    with pytest.raises(PermissionDenied):  # the worker may change only their own unverified records
        services.training_record_update(record_obj=record, actor=worker.account, hours=Decimal(24))
    with pytest.raises(PermissionDenied):
        services.training_record_delete(record_obj=record, actor=worker.account)
    services.training_record_delete(record_obj=record, actor=world.district_a_admin)
    assert not TrainingRecord.objects.exists()
    assert AuditEntry.objects.filter(object_type="registration.trainingrecord", action="delete").count() == 1


def test_training_form_pages(client, world, worker, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    client.force_login(world.district_a_admin)
    url = reverse("registration:training_create", args=[worker.pk])
    response = client.post(url, {**values(hours="0"), "kind": "continuing"})
    assert response.status_code == 200 and "学时必须大于 0" in response.content.decode()
    evidence = SimpleUploadedFile("证书.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    response = client.post(url, {**values(), "evidence": evidence})
    assert response.status_code == 302 and response["Location"] == reverse("registration:worker", args=[worker.pk])
    record = TrainingRecord.objects.get()
    assert record.evidence and record.is_verified
    download = client.get(reverse("registration:training_evidence", args=[record.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    page = client.get(reverse("registration:worker", args=[worker.pk])).content.decode()
    assert "社会工作督导实务" in page and 'data-testid="frontline-total"' in page
    bad = SimpleUploadedFile("x.exe", b"MZ", content_type="application/octet-stream")
    response = client.post(url, {**values(title="另一门课"), "evidence": bad})
    assert "PDF、JPG 或 PNG" in response.content.decode()
    # The worker adds their own: it waits for verification and the page says so.
    client.force_login(worker.account)
    response = client.post(url, values(title="自学课程"))
    assert response.status_code == 302 and response["Location"] == reverse("registration:mine")
    assert not TrainingRecord.objects.get(title="自学课程").is_verified
    assert "待核验" in client.get(reverse("registration:mine")).content.decode()


def test_registration_list_filters_and_export(client, world, worker):
    from io import BytesIO

    from openpyxl import load_workbook

    soon = registered(make_certificate(worker, level="assistant"), world, valid_until=datetime.date.today())
    later = registered(make_certificate(worker, level="senior"), world, valid_until=datetime.date(2030, 1, 1))
    client.force_login(world.city_admin)
    page = client.get(reverse("registration:list"), {"expiring": "on"}).content.decode()
    assert f"/registration/{soon.pk}/" in page and f"/registration/{later.pk}/" not in page
    page = client.get(reverse("registration:list"), {"level": "senior"}).content.decode()
    assert f"/registration/{later.pk}/" in page and f"/registration/{soon.pk}/" not in page
    page = client.get(reverse("registration:list"), {"region": "440105"}).content.decode()
    assert "没有符合条件的执业登记" in page
    response = client.post(reverse("registration:export") + "?level=senior")
    rows = list(load_workbook(BytesIO(response.content)).worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][0] == worker.name
    assert rows[1][1] == worker.id_number  # the city admin may see full ID numbers
    entry = AuditEntry.objects.filter(action="export").latest("sequence")
    assert entry.changes["rows"] == [None, 1] and entry.changes["filters"] == [None, {"level": "senior"}]
    # Without accounts.reveal_personal_data the ID number is masked.
    from shegong.accounts.models import Role

    Role.objects.get(code="civil_affairs_admin").permissions.remove(
        *Role.objects.get(code="civil_affairs_admin").permissions.filter(codename="reveal_personal_data")
    )
    client.force_login(world.city_admin)
    response = client.post(reverse("registration:export") + "?level=senior")
    rows = list(load_workbook(BytesIO(response.content)).worksheets[0].iter_rows(values_only=True))
    assert rows[1][1] != worker.id_number and "*" in rows[1][1]
    assert Registration.objects.count() == 2
