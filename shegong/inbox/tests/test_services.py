"""notify: one alert per person and subject, inactive accounts skipped; delivery through outside channels records
each attempt, success or failure, and a failing channel does not stop the next."""

import pytest
from django.test import override_settings

from shegong.inbox.models import Notification
from shegong.inbox.services import mark_all_read, mark_read, notify

pytestmark = pytest.mark.django_db

SENT: list = []


class RecordingChannel:
    code = "fake_sms"

    def send(self, notification):
        SENT.append((self.code, notification.user.username, notification.title))
        return f"msg-{notification.pk}"


class BrokenChannel:
    code = "fake_wechat"

    def send(self, notification):
        raise ConnectionError("gateway down")


CHANNELS = [f"{__name__}.BrokenChannel", f"{__name__}.RecordingChannel"]


def test_one_alert_per_person_and_subject(world):
    first = notify(users=[world.station_head_a, world.station_head_a], kind="crisis", title="危机", subject="x:1")
    assert len(first) == 1
    again = notify(users=[world.station_head_a, world.district_a_admin], kind="crisis", title="危机", subject="x:1")
    assert [n.user for n in again] == [world.district_a_admin]
    # Another kind, or no subject at all, alerts again.
    assert len(notify(users=[world.station_head_a], kind="overdue", title="超时", subject="x:1")) == 1
    assert len(notify(users=[world.station_head_a], kind="notice", title="通知")) == 1
    assert len(notify(users=[world.station_head_a], kind="notice", title="通知")) == 1
    assert Notification.objects.filter(user=world.station_head_a).count() == 4


def test_inactive_and_missing_users_are_skipped(world):
    world.worker_b.is_active = False
    world.worker_b.save(update_fields=["is_active"])
    created = notify(users=[world.worker_b, None, world.city_admin], kind="notice", title="通知", urgent=True)
    assert [n.user for n in created] == [world.city_admin]
    assert created[0].urgency == Notification.Urgency.URGENT


def test_delivery_records_every_channel_and_a_failure_does_not_stop_the_next(world, django_capture_on_commit_callbacks):
    SENT.clear()
    with (
        override_settings(NOTIFICATION_CHANNELS=CHANNELS, TASKS_MODE="immediate"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        (alert,) = notify(users=[world.station_head_a], kind="crisis", title="危机预警", subject="case:9")
    alert.refresh_from_db()
    assert [(d["channel"], d["ok"]) for d in alert.deliveries] == [("fake_wechat", False), ("fake_sms", True)]
    assert "gateway down" in alert.deliveries[0]["error"]
    assert alert.deliveries[1]["id"] == f"msg-{alert.pk}"
    assert SENT == [("fake_sms", "station_head_a", "危机预警")]


def test_without_channels_nothing_is_queued(world, django_capture_on_commit_callbacks):
    from shegong.core.models import Task

    with django_capture_on_commit_callbacks(execute=True):
        notify(users=[world.station_head_a], kind="notice", title="通知")
    assert not Task.objects.filter(name="inbox.deliver").exists()


def test_only_the_owner_marks_read(world):
    (alert,) = notify(users=[world.station_head_a], kind="notice", title="通知")
    with pytest.raises(PermissionError):
        mark_read(notification=alert, actor=world.city_admin)
    mark_read(notification=alert, actor=world.station_head_a)
    alert.refresh_from_db()
    assert alert.is_read
    notify(users=[world.station_head_a], kind="notice", title="通知2")
    notify(users=[world.city_admin], kind="notice", title="通知3")
    assert mark_all_read(actor=world.station_head_a) == 1
    assert Notification.objects.filter(user=world.city_admin, read_at__isnull=True).count() == 1
