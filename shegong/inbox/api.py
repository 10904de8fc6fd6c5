"""REST endpoints of the inbox, mounted at /api/v1/inbox/: the caller's own alerts only (another person's: 404)."""

import datetime

from ninja import Field, Query, Router, Schema

from shegong.core.api_helpers import Paging
from shegong.inbox import selectors, services
from shegong.inbox.models import Notification

router = Router(tags=["inbox"])


class InboxQuery(Paging):
    unread: bool = Field(False, description="unread alerts only")
    kind: str = Field("", description="crisis, overdue, assignment, referral, review or notice")


class NotificationOut(Schema):
    id: int
    kind: str
    urgency: str
    title: str
    body: str
    url: str
    subject: str
    created_at: datetime.datetime
    read_at: datetime.datetime | None


class InboxPageOut(Schema):
    items: list[NotificationOut]
    count: int
    unread: int


class ReadAllOut(Schema):
    marked: int


@router.get("/", response=InboxPageOut, summary="The caller's alerts, unread first")
def inbox_list(request, query: Query[InboxQuery]):
    rows = selectors.unread_first(selectors.inbox(request.user, unread_only=query.unread, kind=query.kind))
    return {
        "items": list(query.window(rows)),
        "count": rows.count(),
        "unread": selectors.unread_count(request.user),
    }


@router.post("/read-all", response=ReadAllOut, summary="Mark all the caller's alerts read")
def inbox_read_all(request):
    return {"marked": services.mark_all_read(actor=request.user)}


@router.post("/{notification_id}/read", response=NotificationOut, summary="Mark one of the caller's alerts read")
def notification_read(request, notification_id: int):
    notification: Notification = selectors.notification_get(request.user, notification_id)
    services.mark_read(notification=notification, actor=request.user)
    notification.refresh_from_db()
    return notification
