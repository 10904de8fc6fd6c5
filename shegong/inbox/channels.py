"""Where an alert goes besides the inbox: the notification interface SMS or WeChat plug into.

A channel is a class with a `code` and a `send(notification) -> str` that delivers one alert (and returns the outside
system's message id, or "" when it has none) or raises on failure. Channels are listed by dotted path in the
NOTIFICATION_CHANNELS setting (environment variable of the same name, comma-separated); none by default, so alerts stay
in the inbox. Delivery runs in the task queue after the alert's transaction commits, one task per alert; every attempt
(channel, time, outcome) is appended to `Notification.deliveries`, and a failing channel never stops the others.

    class SmsChannel:
        code = "sms"

        def send(self, notification):
            ...  # call the SMS gateway with notification.user's phone and notification.title
            return gateway_message_id
"""

from typing import Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from shegong.core.tasks import task

DELIVER_TASK = "inbox.deliver"


class Channel(Protocol):
    code: str

    def send(self, notification) -> str: ...


def configured_channels() -> list[Channel]:
    return [import_string(path)() for path in getattr(settings, "NOTIFICATION_CHANNELS", [])]


@task(DELIVER_TASK)
def deliver(*, notification_id: int) -> None:
    from shegong.inbox.models import Notification

    notification = Notification.objects.filter(pk=notification_id).select_related("user").first()
    if notification is None:
        return
    attempts = []
    for channel in configured_channels():
        entry = {"channel": channel.code, "at": timezone.now().isoformat()}
        try:
            entry |= {"ok": True, "id": channel.send(notification) or ""}
        except Exception as error:  # one channel's outage must not stop the others
            entry |= {"ok": False, "error": f"{type(error).__name__}: {error}"[:300]}
        attempts.append(entry)
    if attempts:
        Notification.objects.filter(pk=notification_id).update(deliveries=notification.deliveries + attempts)
