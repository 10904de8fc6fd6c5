"""Reading groups and activities, always through the data scope (out of scope: 404).

A social worker holds only the add permissions; they read the groups they lead and the activities they organise as
their owner (the owner rule of the data scope applies whatever the permission), so the pages and the API let in a
user with the view or the add permission and the scope does the rest.

Members and named participants whose recipient has withdrawn consent are hidden by the models' default managers.
"""

from django.db.models import Count, Prefetch, Q, QuerySet

from shegong.core.scope import get_scoped_or_404, region_q, scoped
from shegong.groupwork import permissions
from shegong.groupwork.models import (
    ActivityParticipant,
    CommunityActivity,
    GroupMember,
    GroupSession,
    GroupWork,
    SessionAttendance,
)


def may_view_groups(user) -> bool:
    return user.has_perm(permissions.VIEW_GROUP) or user.has_perm(permissions.ADD_GROUP)


def may_view_activities(user) -> bool:
    return user.has_perm(permissions.VIEW_ACTIVITY) or user.has_perm(permissions.ADD_ACTIVITY)


def group_search(
    *, actor, region=None, station=None, stage: str = "", domain: str = "", q: str = ""
) -> QuerySet[GroupWork]:
    rows = scoped(GroupWork, actor, permissions.VIEW_GROUP).select_related("station", "region", "leader")
    if region is not None:
        rows = rows.filter(region_q("region", region.code, region.level))
    if station is not None:
        rows = rows.filter(station=station)
    if stage:
        rows = rows.filter(stage=stage)
    if domain:
        rows = rows.filter(domain=domain)
    if q:
        rows = rows.filter(Q(name__contains=q) | Q(code=q.upper()))
    return rows.annotate(session_count=Count("sessions", distinct=True))


def group_get(*, actor, pk) -> GroupWork:
    return get_scoped_or_404(
        GroupWork.objects.select_related("station", "region", "leader", "agency", "project"),
        actor,
        permissions.VIEW_GROUP,
        pk=pk,
    )


def members(group: GroupWork) -> list[GroupMember]:
    """The visible members (consent not withdrawn), with their recipient."""
    return list(GroupMember.objects.filter(group=group).select_related("recipient", "recipient__community"))


def sessions_with_attendance(group: GroupWork) -> list[GroupSession]:
    """The sessions, each with `present_ids` (visible members present) and `present_total` (all present)."""
    sessions = list(
        GroupSession.objects.filter(group=group)
        .annotate(present_total=Count("attendance", filter=Q(attendance__present=True)))
        .prefetch_related(
            Prefetch(
                "attendance",
                queryset=SessionAttendance.objects.filter(present=True).only("session_id", "member_id"),
                to_attr="present_rows",
            )
        )
    )
    for session in sessions:
        session.present_ids = {row.member_id for row in session.present_rows}
    return sessions


def session_get(*, group: GroupWork, pk) -> GroupSession:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(GroupSession.objects.select_related("group"), group=group, pk=pk)


def activity_search(
    *, actor, region=None, station=None, domain: str = "", q: str = "", held_from=None, held_to=None
) -> QuerySet[CommunityActivity]:
    rows = scoped(CommunityActivity, actor, permissions.VIEW_ACTIVITY).select_related(
        "station", "community", "organiser"
    )
    if region is not None:
        rows = rows.filter(region_q("community", region.code, region.level))
    if station is not None:
        rows = rows.filter(station=station)
    if domain:
        rows = rows.filter(domain=domain)
    if q:
        rows = rows.filter(Q(title__contains=q) | Q(code=q.upper()) | Q(place__contains=q))
    if held_from:
        rows = rows.filter(held_on__gte=held_from)
    if held_to:
        rows = rows.filter(held_on__lte=held_to)
    return rows


def activity_get(*, actor, pk) -> CommunityActivity:
    return get_scoped_or_404(
        CommunityActivity.objects.select_related("station", "community", "organiser", "agency", "project"),
        actor,
        permissions.VIEW_ACTIVITY,
        pk=pk,
    )


def participants(activity: CommunityActivity) -> list[ActivityParticipant]:
    """The visible named participants (consent not withdrawn)."""
    return list(ActivityParticipant.objects.filter(activity=activity).select_related("recipient"))
