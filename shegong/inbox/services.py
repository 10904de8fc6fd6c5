"""Writes of the inbox. `notify` is what every app calls to alert people, inside the transaction of the event."""

from collections.abc import Iterable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from shegong.core.tasks import enqueue
from shegong.inbox.channels import DELIVER_TASK
from shegong.inbox.models import Notification


def notify(
    *,
    users: Iterable,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    subject: str = "",
    urgent: bool = False,
) -> list[Notification]:
    """Alert each user (inactive accounts and duplicates skipped). With a `subject`, a user already alerted of this
    kind about it is not alerted again (an overdue request escalates once, a crisis flag raised twice alerts once).
    Outside channels, if any are configured, are delivered after commit."""
    created = []
    for user in dict.fromkeys(u for u in users if u is not None and u.is_active):
        try:
            with transaction.atomic():
                notification = Notification.objects.create(
                    user=user,
                    kind=kind,
                    urgency=Notification.Urgency.URGENT if urgent else Notification.Urgency.NORMAL,
                    title=str(title)[:200],
                    body=str(body),
                    url=url,
                    subject=subject,
                )
        except IntegrityError:
            continue  # already alerted about this subject
        created.append(notification)
        if getattr(settings, "NOTIFICATION_CHANNELS", []):
            enqueue(DELIVER_TASK, notification_id=notification.pk)
    return created


def mark_read(*, notification: Notification, actor) -> None:
    if notification.user_id != actor.pk:
        raise PermissionError("an alert is read by its own recipient only")
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())


def mark_all_read(*, actor) -> int:
    return Notification.objects.filter(user=actor, read_at__isnull=True).update(read_at=timezone.now())
