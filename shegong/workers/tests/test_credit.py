"""Credit (信用监管): commendations and violations, open violations, the blacklist, and whether a worker may be placed
on a government-funded project or post."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from shegong.audit.models import AuditEntry
from shegong.workers import selectors, services
from shegong.workers.models import CreditEvent, SocialWorker

pytestmark = pytest.mark.django_db

DAY = datetime.date(2025, 3, 1)


def violation(world, worker, severity="minor", occurred_on=DAY, until=None, **extra):
    extra.setdefault("source_document", "穗民〔2025〕1号")
    return services.credit_event_record(
        actor=world.city_admin,
        worker=worker,
        kind="violation",
        severity=severity,
        title="服务记录造假",
        occurred_on=occurred_on,
        effective_until=until,
        **extra,
    )


def test_commendations_have_no_severity_and_violations_need_one(world, make_worker):
    worker = make_worker()
    with pytest.raises(ValidationError) as caught:
        services.credit_event_record(
            actor=world.city_admin, worker=worker, kind="commendation", severity="minor", title="x", occurred_on=DAY
        )
    assert "severity" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.credit_event_record(
            actor=world.city_admin, worker=worker, kind="violation", title="x", occurred_on=DAY
        )
    assert "severity" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        violation(world, worker, severity="blacklist", source_document="")
    assert "source_document" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        violation(world, worker, until=DAY - datetime.timedelta(days=1))
    assert "effective_until" in caught.value.message_dict
    with pytest.raises(ValidationError):
        violation(world, worker, occurred_on=datetime.date.today() + datetime.timedelta(days=2))
    event = services.credit_event_record(
        actor=world.city_admin, worker=worker, kind="commendation", title="优秀社工", occurred_on=DAY
    )
    assert event.recorded_by == world.city_admin
    assert AuditEntry.objects.filter(object_type="workers.creditevent", action="create").count() == 1


def test_open_violations_and_the_blacklist_follow_dates_and_closing(world, make_worker):
    worker = make_worker()
    minor = violation(world, worker, until=datetime.date(2025, 6, 30))
    listed = violation(world, worker, severity="blacklist", occurred_on=datetime.date(2025, 4, 1))
    assert list(selectors.open_violations(worker, on=datetime.date(2025, 2, 28))) == []
    assert list(selectors.open_violations(worker, on=datetime.date(2025, 3, 15))) == [minor]
    assert set(selectors.open_violations(worker, on=datetime.date(2025, 5, 1))) == {minor, listed}
    assert list(selectors.open_violations(worker, on=datetime.date(2025, 7, 1))) == [listed]  # the minor one expired
    assert not selectors.is_blacklisted(worker, on=datetime.date(2025, 3, 31))
    assert selectors.is_blacklisted(worker, on=datetime.date(2025, 4, 1))
    assert selectors.worker_is_blacklisted(worker, on=datetime.date(2030, 1, 1))  # no end date: until closed
    services.credit_event_close(actor=world.city_admin, event=listed, closed_on=datetime.date(2025, 9, 1), note="撤销")
    assert selectors.is_blacklisted(worker, on=datetime.date(2025, 8, 31))
    assert not selectors.is_blacklisted(worker, on=datetime.date(2025, 9, 1))
    assert selectors.blacklisted_worker_ids([worker.pk], on=datetime.date(2025, 8, 1)) == {worker.pk}
    assert selectors.blacklisted_worker_ids([worker.pk], on=datetime.date(2025, 10, 1)) == set()
    listed.refresh_from_db()
    # The Python twin agrees with the query.
    for day in (datetime.date(2025, 3, 31), datetime.date(2025, 4, 1), datetime.date(2025, 9, 1)):
        assert listed.is_open_on(day) == selectors.open_violations(worker, on=day).filter(pk=listed.pk).exists()


def test_closing_rules(world, make_worker):
    worker = make_worker()
    event = violation(world, worker)
    commendation = services.credit_event_record(
        actor=world.city_admin, worker=worker, kind="commendation", title="表彰", occurred_on=DAY
    )
    with pytest.raises(ValidationError):
        services.credit_event_close(actor=world.city_admin, event=commendation, closed_on=DAY, note="x")
    with pytest.raises(ValidationError) as caught:
        services.credit_event_close(
            actor=world.city_admin, event=event, closed_on=DAY - datetime.timedelta(1), note="x"
        )
    assert "closed_on" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.credit_event_close(actor=world.city_admin, event=event, closed_on=DAY, note=" ")
    assert "note" in caught.value.message_dict
    with pytest.raises(PermissionDenied):
        services.credit_event_close(actor=world.agency_admin_a, event=event, closed_on=DAY, note="整改完成")
    services.credit_event_close(actor=world.city_admin, event=event, closed_on=DAY, note="整改完成")
    with pytest.raises(ValidationError):
        services.credit_event_close(actor=world.city_admin, event=event, closed_on=DAY, note="again")
    event.refresh_from_db()
    assert event.closed_by == world.city_admin
    assert AuditEntry.objects.filter(object_type="workers.creditevent", action="transition").count() == 1


def test_a_blacklisted_or_departed_worker_is_not_assignable(world, make_worker):
    worker = make_worker(name="黑名单人员")
    selectors.assert_worker_assignable(worker, on=DAY)
    violation(world, worker, severity="blacklist", until=datetime.date(2027, 3, 1))
    with pytest.raises(ValidationError) as caught:
        selectors.assert_worker_assignable(worker, on=DAY)
    assert caught.value.code == "worker_blacklisted"
    assert "黑名单" in caught.value.messages[0] and "2027-03-01" in caught.value.messages[0]
    selectors.assert_worker_assignable(worker, on=datetime.date(2027, 3, 2))
    other = make_worker(name="离职人员", status=SocialWorker.Status.LEFT, employer_kind="", employer_name="")
    with pytest.raises(ValidationError) as caught:
        selectors.assert_worker_assignable(other, on=DAY)
    assert caught.value.code == "worker_not_active" and "离职" in caught.value.messages[0]


def test_evidence_files_are_checked(world, make_worker, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    worker = make_worker()
    with pytest.raises(ValidationError) as caught:
        violation(world, worker, evidence=SimpleUploadedFile("virus.exe", b"MZ"))
    assert "evidence" in caught.value.message_dict
    event = violation(world, worker, evidence=SimpleUploadedFile("决定书.pdf", b"%PDF-1.4 test"))
    assert CreditEvent.objects.get(pk=event.pk).evidence.read() == b"%PDF-1.4 test"
    haizhu = make_worker(name="海珠人员", region="440105000000")
    with pytest.raises(PermissionDenied):
        services.credit_event_record(
            actor=world.district_a_admin, worker=haizhu, kind="commendation", title="x", occurred_on=DAY
        )
