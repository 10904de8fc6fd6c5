"""Reads of the inbox: a person sees their own alerts only."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from shegong.inbox.models import Notification


def inbox(user, *, unread_only: bool = False, kind: str = "") -> QuerySet[Notification]:
    rows = Notification.objects.filter(user=user)
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    if kind:
        rows = rows.filter(kind=kind)
    return rows


def unread_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notification_get(user, pk: int) -> Notification:
    return get_object_or_404(Notification, pk=pk, user=user)
