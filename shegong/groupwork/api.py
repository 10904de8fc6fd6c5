"""REST endpoints of group work and community activities, mounted at /api/v1/groupwork/. They read through the same
selectors as the pages (the caller's scope; 404 outside it) and write through the same services. Named members and
participants whose consent is withdrawn never appear; recipients are named by id and name only, never identifiers."""

import datetime

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from shegong.core.api_helpers import Paging, run_service
from shegong.groupwork import selectors, services
from shegong.groupwork.models import CommunityActivity, GroupWork
from shegong.projects.models import Project
from shegong.recipients.models import Recipient
from shegong.regions.codes import InvalidCode, canonical
from shegong.regions.models import Region
from shegong.stations.models import Station
from shegong.workers.models import SocialWorker

router = Router(tags=["groupwork"])


def _region(code: str) -> Region:
    try:
        region = Region.objects.filter(pk=canonical(code)).first()
    except InvalidCode:
        region = None
    if region is None:
        raise HttpError(422, _("区划代码不正确。"))
    return region


def _station(code: str) -> Station:
    station = Station.objects.filter(code=code).first()
    if station is None:
        raise HttpError(422, _("没有该编码的站点。"))
    return station


# --- groups ------------------------------------------------------------------------------------------------------


class GroupQuery(Paging):
    q: str = ""
    region: str = Field("", description="division code: groups serving its subtree")
    station: str = Field("", description="station code")
    stage: str = Field("", description="preparation / formation / transition / maturity / ending")
    domain: str = Field("", description="code of the service_domain dictionary")


class GroupOut(Schema):
    id: int
    code: str
    name: str
    stage: str
    stage_label: str
    station: str
    region: str
    domain: str
    leader: str
    planned_sessions: int
    sessions: int
    ended_on: datetime.date | None


class MemberOut(Schema):
    id: int
    name: str
    recipient: int | None
    joined_on: datetime.date
    left_on: datetime.date | None


class SessionOut(Schema):
    id: int
    number: int
    held_on: datetime.date
    theme: str
    present: list[int] = Field(description="ids of the (visible) members present")
    present_total: int = Field(description="members present, the session's 服务人次")


class GroupDetailOut(GroupOut):
    target_group: str
    goals: str
    members: list[MemberOut]
    session_list: list[SessionOut]


class GroupPageOut(Schema):
    items: list[GroupOut]
    count: int


def _group_out(group: GroupWork, sessions: int) -> dict:
    return {
        "id": group.pk,
        "code": group.code,
        "name": group.name,
        "stage": group.stage,
        "stage_label": group.get_stage_display(),
        "station": group.station.code,
        "region": group.region_id,
        "domain": group.domain,
        "leader": group.leader.name,
        "planned_sessions": group.planned_sessions,
        "sessions": sessions,
        "ended_on": group.ended_on,
    }


def _session_out(session) -> dict:
    return {
        "id": session.pk,
        "number": session.number,
        "held_on": session.held_on,
        "theme": session.theme,
        "present": sorted(session.present_ids),
        "present_total": session.present_total,
    }


def _require_groups(request) -> None:
    if not selectors.may_view_groups(request.user):
        raise HttpError(403, _("您没有查看小组的权限。"))


def _group_detail(user, pk: int) -> dict:
    group = selectors.group_get(actor=user, pk=pk)
    sessions = selectors.sessions_with_attendance(group)
    out = _group_out(group, len(sessions))
    out.update(
        target_group=group.target_group,
        goals=group.goals,
        members=[
            {
                "id": member.pk,
                "name": member.display_name,
                "recipient": member.recipient_id,
                "joined_on": member.joined_on,
                "left_on": member.left_on,
            }
            for member in selectors.members(group)
        ],
        session_list=[_session_out(session) for session in sessions],
    )
    return out


@router.get("/groups/", response=GroupPageOut, summary="Groups in the caller's scope")
def group_list(request, query: Query[GroupQuery]):
    _require_groups(request)
    rows = selectors.group_search(
        actor=request.user,
        region=_region(query.region) if query.region else None,
        station=_station(query.station) if query.station else None,
        stage=query.stage,
        domain=query.domain,
        q=query.q,
    ).order_by("-created_at", "-id")
    return {
        "items": [_group_out(group, group.session_count) for group in query.window(rows)],
        "count": rows.count(),
    }


@router.get("/groups/{int:pk}", response=GroupDetailOut, summary="One group with its members and sessions")
def group_detail(request, pk: int):
    _require_groups(request)
    return _group_detail(request.user, pk)


class SessionIn(Schema):
    held_on: datetime.date
    theme: str
    notes: str = ""
    present: list[int] = Field(default_factory=list, description="ids of the members present")


@router.post("/groups/{int:pk}/sessions", response={201: SessionOut}, summary="Record a session with its attendance")
def session_create(request, pk: int, payload: SessionIn):
    """Needs the change permission in the group's scope, or being its leader; the group must be in 形成期..成熟期."""
    user = request.user
    if not (user.has_perm(services.permissions.CHANGE_GROUP) or user.has_perm(services.permissions.ADD_GROUP)):
        raise HttpError(403, _("您没有执行此操作的权限。"))
    selectors.group_get(actor=request.user, pk=pk)  # 404 outside the scope
    group = services.keepable(GroupWork, request.user).filter(pk=pk).first()
    if group is None:
        raise HttpError(404, _("该小组不在您的管辖范围内，或您不是它的带领社工。"))
    session = run_service(
        lambda: services.session_record(
            actor=request.user,
            group=group,
            held_on=payload.held_on,
            theme=payload.theme,
            notes=payload.notes,
            present=payload.present,
        )
    )
    found = next(s for s in selectors.sessions_with_attendance(group) if s.pk == session.pk)
    return Status(201, _session_out(found))


# --- activities --------------------------------------------------------------------------------------------------


class ActivityQuery(Paging):
    q: str = ""
    region: str = Field("", description="division code: activities in its subtree")
    station: str = Field("", description="station code")
    domain: str = ""
    held_from: datetime.date | None = None
    held_to: datetime.date | None = None


class ActivityOut(Schema):
    id: int
    code: str
    title: str
    held_on: datetime.date
    starts_at: datetime.time | None
    ends_at: datetime.time | None
    domain: str
    place: str
    community: str
    station: str
    organiser: str
    participants_count: int
    named_participants: int
    volunteers_count: int


class ParticipantOut(Schema):
    name: str
    recipient: int | None


class ActivityDetailOut(ActivityOut):
    description: str
    volunteer_names: str
    participants: list[ParticipantOut]


class ActivityPageOut(Schema):
    items: list[ActivityOut]
    count: int


class ActivityIn(Schema):
    title: str
    station: str = Field(description="station code")
    community: str = Field(description="12-digit division code of the village or community")
    held_on: datetime.date
    starts_at: datetime.time | None = None
    ends_at: datetime.time | None = None
    domain: str
    place: str
    description: str = ""
    organiser: int = Field(description="id of the organising social worker")
    project: int | None = None
    participants_count: int = Field(ge=0)
    participants: list[int] = Field(default_factory=list, description="recipient ids")
    participant_names: list[str] = Field(default_factory=list, description="names of people not registered")
    volunteers_count: int = Field(0, ge=0)
    volunteer_names: str = ""


def _activity_out(activity: CommunityActivity) -> dict:
    return {
        "id": activity.pk,
        "code": activity.code,
        "title": activity.title,
        "held_on": activity.held_on,
        "starts_at": activity.starts_at,
        "ends_at": activity.ends_at,
        "domain": activity.domain,
        "place": activity.place,
        "community": activity.community_id,
        "station": activity.station.code,
        "organiser": activity.organiser.name,
        "participants_count": activity.participants_count,
        "named_participants": activity.named_participants,
        "volunteers_count": activity.volunteers_count,
    }


def _activity_detail(user, pk: int) -> dict:
    activity = selectors.activity_get(actor=user, pk=pk)
    out = _activity_out(activity)
    out.update(
        description=activity.description,
        volunteer_names=activity.volunteer_names,
        participants=[{"name": p.display_name, "recipient": p.recipient_id} for p in selectors.participants(activity)],
    )
    return out


def _require_activities(request) -> None:
    if not selectors.may_view_activities(request.user):
        raise HttpError(403, _("您没有查看社区活动的权限。"))


@router.get("/activities/", response=ActivityPageOut, summary="Community activities in the caller's scope")
def activity_list(request, query: Query[ActivityQuery]):
    _require_activities(request)
    rows = selectors.activity_search(
        actor=request.user,
        region=_region(query.region) if query.region else None,
        station=_station(query.station) if query.station else None,
        domain=query.domain,
        q=query.q,
        held_from=query.held_from,
        held_to=query.held_to,
    ).order_by("-held_on", "-id")
    return {"items": [_activity_out(row) for row in query.window(rows)], "count": rows.count()}


@router.get("/activities/{int:pk}", response=ActivityDetailOut, summary="One community activity")
def activity_detail(request, pk: int):
    _require_activities(request)
    return _activity_detail(request.user, pk)


@router.post("/activities/", response={201: ActivityDetailOut}, summary="Record a community activity held")
def activity_create(request, payload: ActivityIn):
    """Needs groupwork.add_communityactivity; the station, community, organiser and recipients in the caller's reach."""
    if not request.user.has_perm(services.permissions.ADD_ACTIVITY):
        raise HttpError(403, _("您没有执行此操作的权限。"))
    organiser = SocialWorker.objects.filter(pk=payload.organiser).first()
    if organiser is None:
        raise HttpError(422, _("没有该社工。"))
    project = None
    if payload.project is not None:
        project = Project.objects.filter(pk=payload.project).first()
        if project is None:
            raise HttpError(422, _("没有该服务项目。"))
    recipients = list(Recipient.objects.filter(pk__in=payload.participants))
    if len(recipients) != len(set(payload.participants)):
        raise HttpError(400, _("有服务对象不在您的管辖范围内，或已撤回同意，不能登记为组员或参与者。"))
    activity = run_service(
        lambda: services.activity_create(
            actor=request.user,
            station=_station(payload.station),
            community=_region(payload.community),
            title=payload.title,
            held_on=payload.held_on,
            starts_at=payload.starts_at,
            ends_at=payload.ends_at,
            domain=payload.domain,
            place=payload.place,
            description=payload.description,
            organiser=organiser,
            project=project,
            participants_count=payload.participants_count,
            participants=recipients,
            participant_names=payload.participant_names,
            volunteers_count=payload.volunteers_count,
            volunteer_names=payload.volunteer_names,
        )
    )
    return Status(201, _activity_detail(request.user, activity.pk))
