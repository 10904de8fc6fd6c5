"""Every write of group work and community activities: atomic, permission and scope checked, audited in the same
transaction, and the 服务人次 (shegong.persontimes) of each session and activity recorded with it.

Who may write. The keepers of a scope (KEEP_SERVICES: station heads, agencies) change every group and activity in it;
a social worker (SERVE: the add permissions only) creates groups and activities in their scope and keeps those they lead
or organise, as their owner (the data scope's owner rule). `keepable` is that rule, used by the services, the pages
and the API alike.

The group stage machine (MZ/T 095-2017): 筹备期 → 形成期 → 转折期 → 成熟期 → 结束期, one step forward at a time. A group
may end early (to 结束期 from any earlier stage than 成熟期) with a reason; nothing moves back and 结束期 is final.
Sessions are held only in 形成期, 转折期 and 成熟期.
"""

import datetime
import secrets
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.audit.models import AuditEntry
from shegong.audit.services import diff, record, snapshot
from shegong.core.scope import scope_q, scoped
from shegong.groupwork import permissions
from shegong.groupwork.models import (
    DOMAIN_DICTIONARY,
    SESSION_STAGES,
    STAGE_ORDER,
    ActivityParticipant,
    CommunityActivity,
    GroupMember,
    GroupSession,
    GroupStageEvent,
    GroupWork,
    SessionAttendance,
)
from shegong.persontimes import services as persontimes
from shegong.persontimes.models import PersonTime
from shegong.recipients.models import Recipient
from shegong.regions.codes import subtree_bounds
from shegong.regions.models import Region
from shegong.stations.models import Station
from shegong.workers.models import SocialWorker

RECIPIENT_VIEW = "recipients.view_recipient"
WORKER_VIEW = "workers.view_socialworker"
Stage = GroupWork.Stage
GROUP_FIELDS = ("name", "domain", "target_group", "goals", "planned_sessions", "project", "region", "leader")
ACTIVITY_FIELDS = (
    "title",
    "held_on",
    "starts_at",
    "ends_at",
    "domain",
    "place",
    "description",
    "community",
    "project",
    "organiser",
    "participants_count",
    "volunteers_count",
    "volunteer_names",
)


# --- who may write -----------------------------------------------------------------------------------------------


def keepable(model, actor) -> QuerySet:
    """The groups (or activities) `actor` may change: in the scope of their change permission, or their own."""
    change = permissions.CHANGE_GROUP if model is GroupWork else permissions.CHANGE_ACTIVITY
    add = permissions.ADD_GROUP if model is GroupWork else permissions.ADD_ACTIVITY
    if actor is None:
        return model.objects.all()
    if not (actor.has_perm(change) or actor.has_perm(add)):
        return model.objects.none()
    # scope_q adds the owner rule whatever the permission, so a worker without `change` keeps their own rows only.
    return scoped(model, actor, change)


def can_keep(actor, obj) -> bool:
    return keepable(type(obj), actor).filter(pk=obj.pk).exists()


def _require_any(actor, *perms: str) -> None:
    if actor is not None and not any(actor.has_perm(perm) for perm in perms):
        raise PermissionDenied(_("您没有执行此操作的权限。"))


def _locked(actor, obj):
    """`obj` re-read under a row lock, if the actor may keep it (a concurrent write waits for this one)."""
    locked = keepable(type(obj), actor).select_for_update(of=("self",)).filter(pk=obj.pk).first()
    if locked is None:
        raise PermissionDenied(_("该记录不在您的管辖范围内，或您不是它的带领社工或组织社工。"))
    return locked


def _error(field: str, message: str, code: str) -> ValidationError:
    """A refusal on one field with a code (the code sits on the message, where forms and tests read it)."""
    return ValidationError({field: ValidationError(message, code=code)})


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _new_code(prefix: str, model) -> str:
    """A code like XZ-20260315-7F3A2C; the unique constraint backs the (very unlikely) collision check."""
    for _attempt in range(5):
        code = f"{prefix}-{timezone.localdate():%Y%m%d}-{secrets.token_hex(3).upper()}"
        if not model.objects.filter(code=code).exists():
            return code
    raise RuntimeError("could not draw a free code")


def _check_domain(code: str, errors: dict) -> None:
    from shegong.refdata.models import DictionaryItem

    if not code:
        errors["domain"] = [_("请选择服务领域。")]
    elif not DictionaryItem.objects.filter(dictionary__code=DOMAIN_DICTIONARY, code=code, is_active=True).exists():
        errors["domain"] = [_("服务领域不在字典 service_domain 中，或已停用。")]


def _check_project(project, station, errors: dict) -> None:
    if project is not None and not project.covered.filter(station=station).exists():
        errors["project"] = [_("所选服务项目不覆盖该站点。")]


def _within(code: str, region: Region) -> bool:
    low, high = subtree_bounds(region.code, region.level)
    return low <= code <= high


def _assert_keepable(actor, obj) -> None:
    """The record as saved is one the actor may keep (else the transaction is rolled back): nobody records a group or
    activity outside their scope, and a social worker records only those they lead or organise."""
    if actor is not None and not can_keep(actor, obj):
        message = _(
            "站点或村（社区）不在您的管辖范围内：只能登记本辖区（本站点、本机构）的小组和活动；"
            "社工只能登记由本人带领的小组、本人组织的活动。"
        )
        raise _error("station" if isinstance(obj, GroupWork) else "community", message, "outside_scope")


def _assert_station_in_scope(actor, station, perm: str) -> None:
    if actor is not None and station is not None and not scoped(Station, actor, perm).filter(pk=station.pk).exists():
        raise _error("station", _("该站点不在您的管辖范围内。"), "outside_scope")


def reachable_workers(actor, stations) -> QuerySet:
    """Workers who may lead or organise at `stations` for `actor`: those of the actor's talent-pool scope (their own
    record included) and those holding a current post at one of the stations."""
    if actor is None:
        return SocialWorker.objects.all()
    today = timezone.localdate()
    posted = Q(station_assignments__station__in=stations, station_assignments__start_date__lte=today) & (
        Q(station_assignments__end_date__isnull=True) | Q(station_assignments__end_date__gte=today)
    )
    return SocialWorker.objects.filter(scope_q(actor, SocialWorker, WORKER_VIEW) | posted).distinct()


def _check_workers(actor, station, workers: list, field: str) -> None:
    wanted = {worker.pk for worker in workers if worker is not None}
    if actor is None or not wanted:
        return
    found = set(reachable_workers(actor, [station]).filter(pk__in=wanted).values_list("pk", flat=True))
    if found != wanted:
        message = _("所选社工不在您的管辖范围内，也不在该站点任职。")
        raise _error(field, message, "worker_out_of_scope")


def _recipients_in_scope(actor, recipients: Iterable[Recipient], field: str) -> list[Recipient]:
    recipients = list(recipients)
    if not recipients:
        return []
    ids = {recipient.pk for recipient in recipients}
    rows = Recipient.objects.filter(pk__in=ids)
    if actor is not None:
        rows = scoped(rows, actor, RECIPIENT_VIEW)
    found = set(rows.values_list("pk", flat=True))
    if found != ids:
        message = _("有服务对象不在您的管辖范围内，或已撤回同意，不能登记为组员或参与者。")
        raise _error(field, message, "recipient_out_of_scope")
    return recipients


# --- groups ------------------------------------------------------------------------------------------------------


def _apply_group(group: GroupWork, values: dict) -> dict:
    errors: dict[str, list] = {}
    for key, value in values.items():
        setattr(group, key, value)
    group.name = (group.name or "").strip()
    if not group.name:
        errors["name"] = [_("请填写小组名称。")]
    station = group.station if group.station_id else None
    if station is None:
        errors["station"] = [_("请选择站点。")]
    else:
        group.agency = station.agency
        region = group.region if group.region_id else station.region
        if region.pk != station.region_id and not (
            region.level == Region.Level.VILLAGE and _within(region.pk, station.region)
        ):
            errors["region"] = [_("服务区域应为站点所在区划，或其下的一个村（社区）。")]
        else:
            group.region = region
            group.province_code = region.pk[:2]
        _check_project(group.project if group.project_id else None, station, errors)
    if not group.leader_id:
        errors["leader"] = [_("请选择带领社工。")]
    _check_domain(group.domain, errors)
    if not (group.planned_sessions or 0) >= 1 or group.planned_sessions > 100:
        errors["planned_sessions"] = [_("计划节数应为 1 至 100。")]
    if not (group.target_group or "").strip():
        errors["target_group"] = [_("请填写服务对象群体。")]
    if not (group.goals or "").strip():
        errors["goals"] = [_("请填写小组目标。")]
    return errors


def _set_co_leaders(group: GroupWork, co_leaders) -> None:
    co_leaders = [worker for worker in co_leaders if worker.pk != group.leader_id]
    group.co_leaders.set(co_leaders)


def _group_snapshot(group: GroupWork) -> dict:
    values = snapshot(group)
    values["co_leaders"] = ",".join(str(pk) for pk in sorted(group.co_leaders.values_list("pk", flat=True)))
    return values


@transaction.atomic
def group_create(*, actor, station, co_leaders: Iterable = (), **values) -> GroupWork:
    """A new group in 筹备期. Agency from the station; region the station's or a community under it."""
    _require_any(actor, permissions.ADD_GROUP)
    unknown = set(values) - set(GROUP_FIELDS)
    if unknown:
        raise TypeError(f"unknown group fields: {sorted(unknown)}")
    _assert_station_in_scope(actor, station, permissions.ADD_GROUP)
    group = GroupWork(station=station, stage=Stage.PREPARATION, created_by=_user(actor))
    errors = _apply_group(group, values)
    if errors:
        raise ValidationError(errors)
    _check_workers(actor, station, [group.leader], "leader")
    _check_workers(actor, station, list(co_leaders), "co_leaders")
    group.code = _new_code("XZ", GroupWork)
    group.full_clean(exclude=["created_by", "agency"])
    group.save()
    _set_co_leaders(group, co_leaders)
    _assert_keepable(actor, group)
    record(actor=actor, action=AuditEntry.Action.CREATE, obj=group, changes=diff({}, _group_snapshot(group)))
    return group


@transaction.atomic
def group_update(*, actor, group: GroupWork, co_leaders: Iterable | None = None, **values) -> GroupWork:
    unknown = set(values) - set(GROUP_FIELDS)
    if unknown:
        raise TypeError(f"unknown group fields: {sorted(unknown)}")
    group = _locked(actor, group)
    if group.is_ended:
        raise ValidationError(_("小组已结束，不能再修改。"), code="ended")
    before = _group_snapshot(group)
    errors = _apply_group(group, values)
    if errors:
        raise ValidationError(errors)
    if "leader" in values:
        _check_workers(actor, group.station, [group.leader], "leader")
    if co_leaders is not None:
        _check_workers(actor, group.station, list(co_leaders), "co_leaders")
    group.full_clean(exclude=["created_by", "agency"])
    group.save()
    if co_leaders is not None:
        _set_co_leaders(group, co_leaders)
    record(actor=actor, action=AuditEntry.Action.UPDATE, obj=group, changes=diff(before, _group_snapshot(group)))
    return group


def allowed_moves(group: GroupWork) -> list[str]:
    """The stages the group may move to: the next one, and 结束期 early from any stage before 成熟期."""
    if group.stage == Stage.ENDING:
        return []
    index = STAGE_ORDER.index(group.stage)
    moves = [STAGE_ORDER[index + 1]]
    if Stage.ENDING not in moves:
        moves.append(Stage.ENDING)
    return moves


def is_early_end(group: GroupWork, to_stage: str) -> bool:
    return to_stage == Stage.ENDING and group.stage != Stage.MATURITY


@transaction.atomic
def group_move(
    *, actor, group: GroupWork, to_stage: str, effective_on: datetime.date | None = None, reason: str = ""
) -> GroupWork:
    """Move the group one stage forward (or end it early, with a reason). Back, skip and after 结束期: refused."""
    group = _locked(actor, group)
    effective_on = effective_on or timezone.localdate()
    reason = (reason or "").strip()
    labels = dict(Stage.choices)
    if to_stage not in labels:
        raise _error("to_stage", _("阶段不正确。"), "invalid_stage")
    if group.stage == Stage.ENDING:
        raise _error("to_stage", _("小组已处于结束期，不能再变更阶段。"), "final")
    if to_stage == group.stage:
        raise _error("to_stage", _("小组已处于%(stage)s。") % {"stage": labels[to_stage]}, "same")
    if STAGE_ORDER.index(to_stage) < STAGE_ORDER.index(group.stage):
        raise _error(
            "to_stage",
            _("小组阶段不能回退（从%(from)s到%(to)s）。") % {"from": labels[group.stage], "to": labels[to_stage]},
            "backward",
        )
    if to_stage not in allowed_moves(group):
        following = labels[STAGE_ORDER[STAGE_ORDER.index(group.stage) + 1]]
        message = _("小组阶段只能逐级推进：%(from)s之后是%(next)s。") % {"from": labels[group.stage], "next": following}
        raise _error("to_stage", message, "skip")
    if is_early_end(group, to_stage) and not reason:
        raise _error("reason", _("提前结束小组须填写原因。"), "reason_required")
    if effective_on > timezone.localdate():
        raise _error("effective_on", _("生效日期不能晚于今天。"), "future")
    before = snapshot(group)
    from_stage, early = group.stage, is_early_end(group, to_stage)
    group.stage = to_stage
    if to_stage == Stage.ENDING:
        group.ended_on = effective_on
        group.end_reason = reason[:500] if early else ""
    group.save(update_fields=["stage", "ended_on", "end_reason", "updated_at"])
    GroupStageEvent.objects.create(
        group=group,
        from_stage=from_stage,
        to_stage=to_stage,
        effective_on=effective_on,
        reason=reason[:500],
        recorded_by=_user(actor),
    )
    record(
        actor=actor,
        action=AuditEntry.Action.TRANSITION,
        obj=group,
        changes=diff(before, snapshot(group)),
        note=reason[:200],
    )
    return group


# --- members -----------------------------------------------------------------------------------------------------


@transaction.atomic
def member_add(
    *, actor, group: GroupWork, recipient: Recipient | None = None, name: str = "", joined_on: datetime.date
) -> GroupMember:
    """A member: a recipient in the actor's scope (consent not withdrawn), or a named participant not registered."""
    group = _locked(actor, group)
    name = (name or "").strip()
    if group.is_ended:
        raise ValidationError(_("小组已结束，不能再添加组员。"), code="ended")
    if (recipient is None) == (not name):
        raise _error("recipient", _("请选择一位服务对象，或填写未登记参与者的姓名（二选一）。"), "one_of")
    if joined_on is None:
        raise _error("joined_on", _("请填写入组日期。"), "required")
    if joined_on > timezone.localdate():
        raise _error("joined_on", _("入组日期不能晚于今天。"), "future")
    if recipient is not None:
        _recipients_in_scope(actor, [recipient], "recipient")
        if GroupMember.all_records.filter(group=group, recipient=recipient).exists():
            raise _error("recipient", _("该服务对象已是本小组组员。"), "duplicate_member")
    member = GroupMember(group=group, recipient=recipient, name=name[:50], joined_on=joined_on)
    member.full_clean(exclude=["group", "recipient"])
    member.save()
    record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        obj=group,
        changes={"members": [None, member.display_name]},
        note=_("添加组员"),
    )
    return member


@transaction.atomic
def member_leave(*, actor, member: GroupMember, left_on: datetime.date) -> GroupMember:
    _locked(actor, member.group)
    member = GroupMember.objects.select_for_update(of=("self",)).get(pk=member.pk)
    if left_on is None or left_on < member.joined_on:
        raise _error("left_on", _("退出日期不能早于入组日期。"), "left_before_joined")
    if left_on > timezone.localdate():
        raise _error("left_on", _("退出日期不能晚于今天。"), "future")
    before = snapshot(member)
    member.left_on = left_on
    member.save(update_fields=["left_on"])
    record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        obj=member.group,
        changes={f"member {member.pk}": [before.get("left_on"), str(left_on)]},
        note=_("组员退出"),
    )
    return member


# --- sessions and attendance -------------------------------------------------------------------------------------


def _record_person_times(session: GroupSession) -> int:
    """服务人次 of the session = members present (all: a withdrawn consent hides the person, not the service)."""
    group = session.group
    present = SessionAttendance.objects.filter(session=session, present=True).count()
    persontimes.record(
        kind=PersonTime.Kind.GROUP_SESSION,
        source_id=session.pk,
        occurred_on=session.held_on,
        count=present,
        station=group.station,
        region=group.region,
        domain=group.domain,
        agency=group.agency,
        project=group.project,
        worker=group.leader,
    )
    return present


def _present_members(session: GroupSession, present: Iterable) -> set[int]:
    """Member ids of `present` (members or ids), each a member of the group active on the session's day."""
    ids = {getattr(item, "pk", item) for item in present}
    ids = {int(pk) for pk in ids}
    members = {m.pk: m for m in GroupMember.objects.filter(group=session.group, pk__in=ids)}
    if set(members) != ids:
        raise _error("present", _("出席名单中有不属于本小组的组员。"), "not_member")
    inactive = [m.display_name for m in members.values() if not m.active_on(session.held_on)]
    if inactive:
        message = _("以下组员在该节日期未在组内：%(names)s。") % {"names": "、".join(inactive)}
        raise _error("present", message, "not_active")
    return ids


def _write_attendance(session: GroupSession, present_ids: set[int]) -> None:
    """One row per member active on the day (visible members; the rows of hidden members are left as they were)."""
    members = [m for m in GroupMember.objects.filter(group=session.group) if m.active_on(session.held_on)]
    existing = {row.member_id: row for row in SessionAttendance.objects.filter(session=session)}
    changed, new = [], []
    for member in members:
        present = member.pk in present_ids
        row = existing.get(member.pk)
        if row is None:
            new.append(SessionAttendance(session=session, member=member, present=present))
        elif row.present != present:
            row.present = present
            changed.append(row)
    SessionAttendance.objects.bulk_create(new)
    SessionAttendance.objects.bulk_update(changed, ["present"])


def _session_errors(group: GroupWork, held_on, theme: str) -> dict:
    errors = {}
    if group.stage not in SESSION_STAGES:
        if group.stage == Stage.PREPARATION:
            message = _("小组尚在筹备期，须进入形成期后才能记录节次。")
        else:
            message = _("小组已结束，不能再记录或修改节次。")
        raise ValidationError(message, code="stage_closed")
    if held_on is None:
        errors["held_on"] = [_("请填写日期。")]
    elif held_on > timezone.localdate():
        errors["held_on"] = [_("节次日期不能晚于今天。")]
    if not (theme or "").strip():
        errors["theme"] = [_("请填写本节主题。")]
    return errors


@transaction.atomic
def session_record(
    *,
    actor,
    group: GroupWork,
    held_on: datetime.date,
    theme: str,
    notes: str = "",
    present: Iterable = (),
    number: int | None = None,
) -> GroupSession:
    """A session with its attendance; its 服务人次 (members present) recorded in the same transaction."""
    group = _locked(actor, group)
    errors = _session_errors(group, held_on, theme)
    if number is None:
        last = group.sessions.order_by("-number").values_list("number", flat=True).first()
        number = (last or 0) + 1
    elif number < 1:
        errors["number"] = [_("节次应为正整数。")]
    elif group.sessions.filter(number=number).exists():
        errors["number"] = [_("第 %(number)d 节已记录。") % {"number": number}]
    if errors:
        raise ValidationError(errors)
    session = GroupSession(
        group=group, number=number, held_on=held_on, theme=theme.strip(), notes=notes or "", recorded_by=_user(actor)
    )
    present_ids = _present_members(session, present)
    session.save()
    _write_attendance(session, present_ids)
    count = _record_person_times(session)
    after = snapshot(session)
    after["present"] = count
    record(actor=actor, action=AuditEntry.Action.CREATE, obj=session, changes=diff({}, after))
    return session


@transaction.atomic
def session_update(
    *, actor, session: GroupSession, present: Iterable, held_on=None, theme: str | None = None, notes: str | None = None
) -> GroupSession:
    """Change a session's attendance (and date, theme, notes); the 服务人次 are recounted."""
    group = _locked(actor, session.group)
    session = GroupSession.objects.select_for_update(of=("self",)).get(pk=session.pk)
    session.group = group
    before = snapshot(session)
    before["present"] = SessionAttendance.objects.filter(session=session, present=True).count()
    held_on = held_on or session.held_on
    theme = session.theme if theme is None else theme
    errors = _session_errors(group, held_on, theme)
    if errors:
        raise ValidationError(errors)
    session.held_on, session.theme = held_on, theme.strip()
    if notes is not None:
        session.notes = notes
    present_ids = _present_members(session, present)
    session.save()
    # Members no longer active on a moved date lose their row; the others get theirs.
    SessionAttendance.objects.filter(session=session).exclude(
        member__in=[m.pk for m in GroupMember.all_records.filter(group=group) if m.active_on(held_on)]
    ).delete()
    _write_attendance(session, present_ids)
    count = _record_person_times(session)
    after = snapshot(session)
    after["present"] = count
    record(actor=actor, action=AuditEntry.Action.UPDATE, obj=session, changes=diff(before, after))
    return session


@transaction.atomic
def session_delete(*, actor, session: GroupSession) -> None:
    """Delete a session recorded in error: its attendance and 服务人次 go with it."""
    group = _locked(actor, session.group)
    if group.is_ended:
        raise ValidationError(_("小组已结束，不能再记录或修改节次。"), code="stage_closed")
    session = GroupSession.objects.select_for_update(of=("self",)).get(pk=session.pk)
    before = snapshot(session)
    persontimes.erase(kind=PersonTime.Kind.GROUP_SESSION, source_id=session.pk)
    record(actor=actor, action=AuditEntry.Action.DELETE, obj=session, changes=diff(before, {}))
    session.delete()


# --- community activities ----------------------------------------------------------------------------------------


def _apply_activity(activity: CommunityActivity, values: dict, named: int) -> dict:
    errors: dict[str, list] = {}
    for key, value in values.items():
        setattr(activity, key, value)
    activity.title = (activity.title or "").strip()
    activity.place = (activity.place or "").strip()
    if not activity.title:
        errors["title"] = [_("请填写活动名称。")]
    if not activity.place:
        errors["place"] = [_("请填写活动地点。")]
    station = activity.station if activity.station_id else None
    community = activity.community if activity.community_id else None
    if station is None:
        errors["station"] = [_("请选择站点。")]
    elif community is None or community.level != Region.Level.VILLAGE:
        errors["community"] = [_("请选择到村（社区）一级。")]
    elif not _within(community.pk, station.region):
        errors["community"] = [_("所选村（社区）不在该站点的服务区域内。")]
    else:
        activity.province_code = community.pk[:2]
        activity.agency = station.agency
    if station is not None:
        _check_project(activity.project if activity.project_id else None, station, errors)
    if not activity.organiser_id:
        errors["organiser"] = [_("请选择组织社工。")]
    _check_domain(activity.domain, errors)
    if activity.held_on is None:
        errors["held_on"] = [_("请填写活动日期。")]
    elif activity.held_on > timezone.localdate():
        errors["held_on"] = [_("活动日期不能晚于今天（只登记已举办的活动）。")]
    if activity.starts_at and activity.ends_at and activity.ends_at < activity.starts_at:
        errors["ends_at"] = [_("结束时间不能早于开始时间。")]
    count = activity.participants_count
    if count is None or count < 0:
        errors["participants_count"] = [_("参与人数应为不小于 0 的整数。")]
    elif count < named:
        errors["participants_count"] = [
            _("参与人数（%(count)d）不能少于登记姓名的参与者人数（%(named)d）。") % {"count": count, "named": named}
        ]
    if (activity.volunteers_count or 0) < 0:
        errors["volunteers_count"] = [_("志愿者人数应为不小于 0 的整数。")]
    activity.named_participants = named
    return errors


def _participants(actor, recipients, names) -> tuple[list[Recipient], list[str]]:
    recipients = _recipients_in_scope(actor, recipients or [], "participants")
    if len({r.pk for r in recipients}) != len(recipients):
        raise _error("participants", _("同一服务对象不能重复登记为参与者。"), "duplicate")
    names = [name.strip()[:50] for name in (names or []) if name and name.strip()]
    return recipients, names


def _set_participants(activity: CommunityActivity, recipients: list[Recipient], names: list[str]) -> None:
    ActivityParticipant.objects.filter(activity=activity).delete()  # visible ones; hidden (withdrawn) rows stay
    ActivityParticipant.objects.bulk_create(
        [ActivityParticipant(activity=activity, recipient=recipient) for recipient in recipients]
        + [ActivityParticipant(activity=activity, name=name) for name in names]
    )


def _record_activity_person_times(activity: CommunityActivity) -> None:
    persontimes.record(
        kind=PersonTime.Kind.ACTIVITY,
        source_id=activity.pk,
        occurred_on=activity.held_on,
        count=activity.participants_count,
        station=activity.station,
        region=activity.community,
        domain=activity.domain,
        agency=activity.agency,
        project=activity.project,
        worker=activity.organiser,
    )


def _activity_snapshot(activity: CommunityActivity) -> dict:
    values = snapshot(activity)
    values["participants"] = ",".join(p.display_name for p in ActivityParticipant.objects.filter(activity=activity))
    return values


@transaction.atomic
def activity_create(
    *, actor, station, participants: Iterable = (), participant_names: Iterable = (), **values
) -> CommunityActivity:
    """Record an activity held; its 服务人次 = the participant count (never less than the named participants)."""
    _require_any(actor, permissions.ADD_ACTIVITY)
    unknown = set(values) - set(ACTIVITY_FIELDS)
    if unknown:
        raise TypeError(f"unknown activity fields: {sorted(unknown)}")
    _assert_station_in_scope(actor, station, permissions.ADD_ACTIVITY)
    recipients, names = _participants(actor, participants, participant_names)
    activity = CommunityActivity(station=station, created_by=_user(actor))
    errors = _apply_activity(activity, values, len(recipients) + len(names))
    if errors:
        raise ValidationError(errors)
    _check_workers(actor, station, [activity.organiser], "organiser")
    activity.code = _new_code("HD", CommunityActivity)
    activity.full_clean(exclude=["created_by", "agency"])
    activity.save()
    _set_participants(activity, recipients, names)
    _assert_keepable(actor, activity)
    _record_activity_person_times(activity)
    record(actor=actor, action=AuditEntry.Action.CREATE, obj=activity, changes=diff({}, _activity_snapshot(activity)))
    return activity


@transaction.atomic
def activity_update(
    *,
    actor,
    activity: CommunityActivity,
    participants: Iterable | None = None,
    participant_names: Iterable | None = None,
    **values,
) -> CommunityActivity:
    """Edit an activity; given participants replace the named ones (people hidden by a withdrawn consent stay)."""
    unknown = set(values) - set(ACTIVITY_FIELDS)
    if unknown:
        raise TypeError(f"unknown activity fields: {sorted(unknown)}")
    activity = _locked(actor, activity)
    before = _activity_snapshot(activity)
    hidden = ActivityParticipant.all_records.filter(activity=activity).count() - activity.participants.count()
    if participants is None and participant_names is None:
        named = activity.named_participants
        recipients = names = None
    else:
        recipients, names = _participants(actor, participants or [], participant_names or [])
        named = len(recipients) + len(names) + hidden
    errors = _apply_activity(activity, values, named)
    if errors:
        raise ValidationError(errors)
    if "organiser" in values:
        _check_workers(actor, activity.station, [activity.organiser], "organiser")
    activity.full_clean(exclude=["created_by", "agency"])
    activity.save()
    if recipients is not None:
        _set_participants(activity, recipients, names)
    _record_activity_person_times(activity)
    record(
        actor=actor, action=AuditEntry.Action.UPDATE, obj=activity, changes=diff(before, _activity_snapshot(activity))
    )
    return activity
