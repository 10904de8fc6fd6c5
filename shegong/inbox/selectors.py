"""Reads of the inbox: a person sees their own alerts only."""

from django.db.models import Case, IntegerField, QuerySet, Value, When
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


def unread_first(rows: QuerySet[Notification]) -> QuerySet[Notification]:
    """Unread alerts first, each group newest first."""
    unread = Case(When(read_at__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField())
    return rows.order_by(unread, "-created_at", "-id")
