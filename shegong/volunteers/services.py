"""Every write to the volunteer register and its records: atomic, permission and scope checked, audited in the same
transaction.

Registration is real-name (《志愿服务记录与证明出具办法》): the ID number is validated (python-stdnum's check character,
through `shegong.recipients.identity.parse_recipient_id`: minors volunteer too, with a guardian), birth date and sex
are read from it, and one person is one volunteer through the number's keyed hash (a unique constraint backs the
check against concurrent registrations). The volunteer number is "V" + province code + year + a 6-digit sequence
taken under a row lock of VolunteerNumberSequence.

Service records follow "谁记录谁证明": the organiser who recorded a service (or a keeper of the organising station or
agency) confirms it; a volunteer never confirms their own hours. A confirmed record changes only by a correction with
a reason (a ServiceRecordCorrection row and an audit entry) or is voided with a reason.
"""

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.audit.models import AuditEntry
from shegong.audit.services import diff, record, snapshot
from shegong.core.fields import blind_index_for
from shegong.core.scope import scoped
from shegong.recipients.identity import parse_recipient_id
from shegong.regions.codes import subtree_bounds
from shegong.volunteers import permissions
from shegong.volunteers.models import (
    SKILL_DICTIONARY,
    ServiceRecord,
    ServiceRecordCorrection,
    Volunteer,
    VolunteerAward,
    VolunteerEvaluation,
    VolunteerNumberSequence,
    VolunteerTeam,
    VolunteerTraining,
)

DUPLICATE_ID = "duplicate_id"
VOLUNTEER_ROLE = "volunteer"
EDITABLE = ("name", "phone", "region", "station", "agency", "availability")


def _require(actor, perm: str) -> None:
    if actor is not None and not actor.has_perm(perm):
        raise PermissionDenied(_("您没有执行此操作的权限。"))


def _assert_reachable(actor, model, obj, perm: str, field: str = "region") -> None:
    if actor is not None and not scoped(model, actor, perm).filter(pk=obj.pk).exists():
        raise ValidationError(
            {field: _("所在地区、站点或机构不在您的管辖范围内：只能登记和管理本辖区（本站点、本机构）的志愿者。")},
            code="outside_scope",
        )


def _locked(actor, model, obj, perm: str):
    """The row re-read under a row lock, inside the actor's scope (a concurrent change waits for this one)."""
    _require(actor, perm)
    rows = model._default_manager.all() if actor is None else scoped(model, actor, perm)
    locked = rows.select_for_update().filter(pk=obj.pk).first()
    if locked is None:
        raise PermissionDenied(_("该记录不存在或不在您的管辖范围内。"))
    return locked


def _text(value, field: str, label: str, max_length: int, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: _("请填写%(label)s。") % {"label": label}}, code="required")
    if len(value) > max_length:
        raise ValidationError(
            {field: _("%(label)s不能超过 %(n)s 个字。") % {"label": label, "n": max_length}}, code="max_length"
        )
    return value


def _hours(value, field: str = "hours", maximum: Decimal = Decimal("24")) -> Decimal:
    try:
        hours = Decimal(str(value)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({field: _("时长应为数字（小时，可保留一位小数）。")}, code="invalid") from None
    if hours <= 0 or hours > maximum:
        raise ValidationError({field: _("时长应大于 0 且不超过 %(max)s 小时。") % {"max": maximum}}, code="hours_range")
    return hours


def _not_future(value: dt.date, field: str) -> None:
    if value is None:
        raise ValidationError({field: _("请填写日期。")}, code="required")
    if value > timezone.localdate():
        raise ValidationError({field: _("日期不能晚于今天。")}, code="future_date")


# Volunteers ---------------------------------------------------------------------------------------------------------


def take_volunteer_numbers(province_code: str, year: int, count: int) -> list[str]:
    """`count` consecutive numbers of the province and year under the sequence row's lock (inside a transaction):
    the form takes one, an import a block for its rows."""
    VolunteerNumberSequence.objects.get_or_create(province_code=province_code, year=year)
    sequence = VolunteerNumberSequence.objects.select_for_update().get(province_code=province_code, year=year)
    first = sequence.last + 1
    sequence.last += count
    sequence.save(update_fields=["last"])
    return [f"V{province_code}{year}{serial:06d}" for serial in range(first, first + count)]


def _skill_items(values: Iterable) -> list:
    from shegong.refdata.models import DictionaryItem

    values = list(values or [])
    if not values:
        return []
    codes = {value.code if isinstance(value, DictionaryItem) else str(value) for value in values}
    items = list(DictionaryItem.objects.filter(dictionary__code=SKILL_DICTIONARY, code__in=codes, is_active=True))
    if len(items) != len(codes):
        raise ValidationError({"skills": _("技能特长不在字典 volunteer_skill 中，或已停用。")}, code="unknown_skill")
    return items


def duplicate_error(actor, existing: Volunteer | None) -> ValidationError:
    if (
        existing is not None
        and actor is not None
        and scoped(Volunteer, actor, permissions.VIEW).filter(pk=existing.pk).exists()
    ):
        message = _("该身份证号已登记为志愿者（%(number)s，%(name)s），同一人不能重复登记，请直接编辑已有记录。") % {
            "number": existing.number,
            "name": existing.name,
        }
    else:
        message = _("该身份证号已登记为志愿者，同一人不能重复登记。如需在本辖区服务，请联系其所在站点办理转入。")
    return ValidationError({"id_number": ValidationError(message, code=DUPLICATE_ID)})


def _apply(volunteer: Volunteer, values: dict) -> dict:
    errors: dict[str, list] = {}
    for key, value in values.items():
        setattr(volunteer, key, value)
    volunteer.name = (volunteer.name or "").strip()
    if not volunteer.name:
        errors["name"] = [_("请填写姓名。")]
    volunteer.phone = (volunteer.phone or "").strip()
    if volunteer.phone and not (len(volunteer.phone) == 11 and volunteer.phone.isdigit() and volunteer.phone[0] == "1"):
        errors["phone"] = [_("手机号应为 1 开头的 11 位数字。")]
    if not volunteer.region_id:
        errors["region"] = [_("请选择所在地区。")]
    else:
        volunteer.province_code = volunteer.region_id[:2]
        if volunteer.station_id and not _covers(volunteer.station, volunteer.region_id):
            errors["station"] = [_("所选管理站点不覆盖志愿者所在地区：请选择覆盖该地区的站点。")]
    if volunteer.station_id is None and volunteer.agency_id is None:
        errors["station"] = [_("请选择管理站点或管理机构（谁管理，谁记录）。")]
    return errors


def _covers(station, region_code: str) -> bool:
    low, high = subtree_bounds(station.region_id, station.region.level)
    return low <= region_code <= high


@transaction.atomic
def volunteer_register(*, actor, id_number: str, skills: Iterable = (), preferred_regions: Iterable = (), **values):
    """Register a volunteer (real name). Values: name, phone, region, station, agency, availability,
    registered_on (defaults to today)."""
    _require(actor, permissions.ADD)
    volunteer = Volunteer(created_by=actor, registered_on=values.pop("registered_on", None) or timezone.localdate())
    errors = _apply(volunteer, {key: values[key] for key in EDITABLE if key in values})
    try:
        facts = parse_recipient_id(id_number)
    except ValidationError as exc:
        errors["id_number"] = exc.messages
    else:
        volunteer.id_number = facts.id_number
        volunteer.birth_date = facts.birth_date
        volunteer.sex = facts.sex
        volunteer.id_number_index = blind_index_for(Volunteer, "id_number", facts.id_number)
        holder = Volunteer.objects.filter(id_number_index=volunteer.id_number_index).first()
        if holder is not None:
            raise duplicate_error(actor, holder)
    try:
        items = _skill_items(skills)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    volunteer.number = take_volunteer_numbers(volunteer.province_code, volunteer.registered_on.year, 1)[0]
    volunteer.full_clean(exclude=["id_number_index", "phone_index", "skills", "preferred_regions"])
    try:
        with transaction.atomic():
            volunteer.save()
    except IntegrityError:
        holder = Volunteer.objects.filter(id_number_index=volunteer.id_number_index).first()
        if holder is not None:  # registered by another request between the check and this write
            raise duplicate_error(actor, holder) from None
        raise
    volunteer.skills.set(items)
    volunteer.preferred_regions.set(list(preferred_regions or []))
    _assert_reachable(actor, Volunteer, volunteer, permissions.ADD)
    record(actor=actor, action=AuditEntry.Action.CREATE, obj=volunteer, changes=diff({}, snapshot(volunteer)))
    return volunteer


@transaction.atomic
def volunteer_update(*, actor, volunteer: Volunteer, skills=None, preferred_regions=None, **values) -> Volunteer:
    volunteer = _locked(actor, Volunteer, volunteer, permissions.CHANGE)
    before = snapshot(volunteer)
    before["skills"] = ",".join(sorted(volunteer.skills.values_list("code", flat=True)))
    errors = _apply(volunteer, {key: values[key] for key in EDITABLE if key in values})
    items = None
    if skills is not None:
        try:
            items = _skill_items(skills)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    volunteer.full_clean(exclude=["id_number_index", "phone_index", "skills", "preferred_regions", "number"])
    volunteer.save()
    if items is not None:
        volunteer.skills.set(items)
    if preferred_regions is not None:
        volunteer.preferred_regions.set(list(preferred_regions))
    _assert_reachable(actor, Volunteer, volunteer, permissions.CHANGE)
    after = snapshot(volunteer)
    after["skills"] = ",".join(sorted(volunteer.skills.values_list("code", flat=True)))
    record(actor=actor, action=AuditEntry.Action.UPDATE, obj=volunteer, changes=diff(before, after))
    return volunteer


@transaction.atomic
def volunteer_set_status(*, actor, volunteer: Volunteer, status: str, reason: str) -> Volunteer:
    volunteer = _locked(actor, Volunteer, volunteer, permissions.CHANGE)
    if status not in Volunteer.Status.values:
        raise ValidationError({"status": _("状态不正确。")}, code="invalid_status")
    reason = _text(reason, "reason", _("变更原因"), 300)
    if status == volunteer.status:
        raise ValidationError({"status": _("志愿者已是该状态。")}, code="same_status")
    before = snapshot(volunteer, ["status"])
    volunteer.status = status
    volunteer.save(update_fields=["status", "updated_at"])
    record(
        actor=actor,
        action=AuditEntry.Action.TRANSITION,
        obj=volunteer,
        changes=diff(before, snapshot(volunteer, ["status"])),
        note=reason,
    )
    return volunteer


@transaction.atomic
def volunteer_link_account(*, actor, volunteer: Volunteer, account) -> Volunteer:
    """Give the volunteer their login: the account must hold the 志愿者 role and not own another volunteer row."""
    volunteer = _locked(actor, Volunteer, volunteer, permissions.CHANGE)
    if not account.assignments.filter(role__code=VOLUNTEER_ROLE).exists():
        raise ValidationError({"account": _("该账户没有“志愿者”角色，请先由管理员分配角色。")}, code="not_volunteer")
    other = Volunteer.objects.filter(account=account).exclude(pk=volunteer.pk).first()
    if other is not None:
        raise ValidationError({"account": _("该账户已关联其他志愿者。")}, code="account_taken")
    before = snapshot(volunteer, ["account"])
    volunteer.account = account
    volunteer.save(update_fields=["account", "updated_at"])
    record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        obj=volunteer,
        changes=diff(before, snapshot(volunteer, ["account"])),
    )
    return volunteer


@transaction.atomic
def volunteer_unlink_account(*, actor, volunteer: Volunteer) -> Volunteer:
    volunteer = _locked(actor, Volunteer, volunteer, permissions.CHANGE)
    if volunteer.account_id is None:
        raise ValidationError({"account": _("该志愿者没有关联账户。")}, code="no_account")
    before = snapshot(volunteer, ["account"])
    volunteer.account = None
    volunteer.save(update_fields=["account", "updated_at"])
    record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        obj=volunteer,
        changes=diff(before, snapshot(volunteer, ["account"])),
    )
    return volunteer


# Teams --------------------------------------------------------------------------------------------------------------


def _team_values(team: VolunteerTeam, values: dict) -> None:
    for key in ("name", "region", "station", "agency", "founded_on", "is_active"):
        if key in values:
            setattr(team, key, values[key])
    team.name = _text(team.name, "name", _("队名"), 100)
    if not team.region_id:
        raise ValidationError({"region": _("请选择所在地区。")}, code="required")
    team.province_code = team.region_id[:2]
    if team.station_id is None and team.agency_id is None:
        raise ValidationError({"station": _("请选择管理站点或管理机构。")}, code="required")
    if VolunteerTeam.objects.filter(region_id=team.region_id, name=team.name).exclude(pk=team.pk).exists():
        raise ValidationError({"name": _("本地区已有同名的志愿服务队。")}, code="duplicate_name")


@transaction.atomic
def team_create(*, actor, **values) -> VolunteerTeam:
    _require(actor, permissions.ADD_TEAM)
    team = VolunteerTeam()
    _team_values(team, values)
    team.full_clean(exclude=["leader", "members"])
    team.save()
    _assert_reachable(actor, VolunteerTeam, team, permissions.ADD_TEAM)
    record(actor=actor, action=AuditEntry.Action.CREATE, obj=team, changes=diff({}, snapshot(team)))
    return team


@transaction.atomic
def team_update(*, actor, team: VolunteerTeam, **values) -> VolunteerTeam:
    team = _locked(actor, VolunteerTeam, team, permissions.CHANGE_TEAM)
    before = snapshot(team)
    _team_values(team, values)
    team.full_clean(exclude=["leader", "members"])
    team.save()
    _assert_reachable(actor, VolunteerTeam, team, permissions.CHANGE_TEAM)
    record(actor=actor, action=AuditEntry.Action.UPDATE, obj=team, changes=diff(before, snapshot(team)))
    return team


def _visible_volunteer(actor, volunteer: Volunteer) -> Volunteer:
    if actor is not None and not scoped(Volunteer, actor, permissions.VIEW).filter(pk=volunteer.pk).exists():
        raise ValidationError({"volunteer": _("该志愿者不在您的管辖范围内。")}, code="outside_scope")
    return volunteer


@transaction.atomic
def team_add_member(*, actor, team: VolunteerTeam, volunteer: Volunteer) -> VolunteerTeam:
    team = _locked(actor, VolunteerTeam, team, permissions.CHANGE_TEAM)
    _visible_volunteer(actor, volunteer)
    if volunteer.status != Volunteer.Status.ACTIVE:
        raise ValidationError({"volunteer": _("只能把在册的志愿者加入服务队。")}, code="not_active")
    if team.members.filter(pk=volunteer.pk).exists():
        raise ValidationError({"volunteer": _("该志愿者已是本队队员。")}, code="already_member")
    team.members.add(volunteer)
    record(actor=actor, action=AuditEntry.Action.UPDATE, obj=team, changes={"members": [None, f"+{volunteer.number}"]})
    return team


@transaction.atomic
def team_remove_member(*, actor, team: VolunteerTeam, volunteer: Volunteer) -> VolunteerTeam:
    team = _locked(actor, VolunteerTeam, team, permissions.CHANGE_TEAM)
    if not team.members.filter(pk=volunteer.pk).exists():
        raise ValidationError({"volunteer": _("该志愿者不是本队队员。")}, code="not_member")
    if team.leader_id == volunteer.pk:
        raise ValidationError({"volunteer": _("队长不能直接移出：请先更换队长。")}, code="is_leader")
    team.members.remove(volunteer)
    record(actor=actor, action=AuditEntry.Action.UPDATE, obj=team, changes={"members": [f"-{volunteer.number}", None]})
    return team


@transaction.atomic
def team_set_leader(*, actor, team: VolunteerTeam, volunteer: Volunteer | None) -> VolunteerTeam:
    team = _locked(actor, VolunteerTeam, team, permissions.CHANGE_TEAM)
    if volunteer is not None and not team.members.filter(pk=volunteer.pk).exists():
        raise ValidationError({"leader": _("队长必须是本队队员：请先把该志愿者加入服务队。")}, code="leader_not_member")
    before = snapshot(team, ["leader"])
    team.leader = volunteer
    team.save(update_fields=["leader"])
    record(actor=actor, action=AuditEntry.Action.UPDATE, obj=team, changes=diff(before, snapshot(team, ["leader"])))
    return team


# Service records ----------------------------------------------------------------------------------------------------


def _organiser_of(actor):
    from shegong.workers.models import SocialWorker

    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    return SocialWorker.objects.filter(account=actor).first()


@transaction.atomic
def service_record_create(
    *,
    actor,
    volunteer: Volunteer,
    service_date: dt.date,
    hours,
    content: str,
    place: str = "",
    region=None,
    station=None,
    agency=None,
    organiser=None,
    source: str = "",
    served_with_actor: bool = False,
) -> ServiceRecord:
    """Record a service (pending until the organiser confirms it). The organiser defaults to the actor's own social
    worker row; the region to the station's, else the volunteer's.

    A volunteer registered in another district may serve in the actor's need: the caller that has checked an accepted
    sign-up to the actor's own need passes `served_with_actor=True`, and the volunteer need not be in the actor's
    scope (谁组织，谁记录)."""
    _require(actor, permissions.ADD_RECORD)
    if not served_with_actor:
        _visible_volunteer(actor, volunteer)
    if actor is not None and volunteer.account_id == actor.pk:
        raise PermissionDenied(_("志愿者不能为自己记录服务时长（谁组织，谁记录）。"))
    if volunteer.status != Volunteer.Status.ACTIVE:
        raise ValidationError({"volunteer": _("只能为在册的志愿者记录服务。")}, code="not_active")
    _not_future(service_date, "service_date")
    entry = ServiceRecord(
        volunteer=volunteer,
        service_date=service_date,
        hours=_hours(hours),
        content=_text(content, "content", _("服务内容"), 300),
        place=_text(place, "place", _("服务地点"), 200, required=False),
        station=station,
        agency=agency if agency is not None else (volunteer.agency if station is None else None),
        organiser=organiser if organiser is not None else _organiser_of(actor),
        source=(source or "")[:60],
        recorded_by=actor,
    )
    if entry.station is None and entry.agency is None:
        entry.station = volunteer.station
    entry.region = region or (entry.station.region if entry.station is not None else volunteer.region)
    entry.province_code = entry.region.pk[:2]
    entry.full_clean()
    entry.save()
    _assert_reachable(actor, ServiceRecord, entry, permissions.ADD_RECORD)
    record(actor=actor, action=AuditEntry.Action.CREATE, obj=entry, changes=diff({}, snapshot(entry)))
    return entry


def may_confirm(actor, entry: ServiceRecord) -> bool:
    """谁记录谁证明: the recorder, the organiser, or a keeper of the organising station/agency; never the volunteer."""
    if actor is None:
        return True
    if not getattr(actor, "is_authenticated", False):
        return False
    if entry.volunteer.account_id == actor.pk:
        return False
    if (
        actor.has_perm(permissions.CHANGE_RECORD)
        and scoped(ServiceRecord, actor, permissions.CHANGE_RECORD).filter(pk=entry.pk).exists()
    ):
        return True
    if not actor.has_perm(permissions.CONFIRM):
        return False
    return entry.recorded_by_id == actor.pk or (
        entry.organiser_id is not None and entry.organiser.account_id == actor.pk
    )


def _locked_record(actor, entry: ServiceRecord) -> ServiceRecord:
    locked = ServiceRecord.objects.select_for_update().filter(pk=entry.pk).first()
    if locked is None:
        raise PermissionDenied(_("该记录不存在。"))
    if not may_confirm(actor, locked):
        if actor is not None and locked.volunteer.account_id == actor.pk:
            raise PermissionDenied(_("志愿者不能确认或更改自己的服务时长。"))
        raise PermissionDenied(_("只有记录该服务的组织者（或组织站点、机构的负责人）才能确认或更正（谁记录谁证明）。"))
    return locked


@transaction.atomic
def service_record_confirm(*, actor, record_: ServiceRecord) -> ServiceRecord:
    entry = _locked_record(actor, record_)
    if entry.status != ServiceRecord.Status.PENDING:
        raise ValidationError({"status": _("只有待确认的记录可以确认。")}, code="not_pending")
    before = snapshot(entry, ["status", "confirmed_by", "confirmed_at"])
    entry.status = ServiceRecord.Status.CONFIRMED
    entry.confirmed_by = actor
    entry.confirmed_at = timezone.now()
    entry.save(update_fields=["status", "confirmed_by", "confirmed_at"])
    after = snapshot(entry, ["status", "confirmed_by", "confirmed_at"])
    record(actor=actor, action=AuditEntry.Action.TRANSITION, obj=entry, changes=diff(before, after))
    return entry


@transaction.atomic
def service_record_correct(*, actor, record_: ServiceRecord, hours, reason: str, content: str | None = None):
    """Correct a confirmed record's hours (and content): the reason is required; the before/after values are kept in
    a ServiceRecordCorrection row and in the audit log."""
    reason = _text(reason, "reason", _("更正原因"), 300)
    entry = _locked_record(actor, record_)
    if entry.status != ServiceRecord.Status.CONFIRMED:
        raise ValidationError(
            {"status": _("只有已确认的记录需要更正；待确认的记录请直接确认或作废。")}, code="not_confirmed"
        )
    new_hours = _hours(hours)
    new_content = entry.content if content is None else _text(content, "content", _("服务内容"), 300)
    if new_hours == entry.hours and new_content == entry.content:
        raise ValidationError({"hours": _("更正后的时长和内容与原记录相同。")}, code="no_change")
    correction = ServiceRecordCorrection.objects.create(
        record=entry,
        hours_before=entry.hours,
        hours_after=new_hours,
        content_before=entry.content,
        content_after=new_content,
        reason=reason,
        corrected_by=actor,
    )
    before = snapshot(entry, ["hours", "content"])
    entry.hours = new_hours
    entry.content = new_content
    entry.full_clean()
    entry.save(update_fields=["hours", "content"])
    record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        obj=entry,
        changes=diff(before, snapshot(entry, ["hours", "content"])),
        note=_("更正（%(id)s）：%(reason)s") % {"id": correction.pk, "reason": reason},
    )
    return entry


@transaction.atomic
def service_record_void(*, actor, record_: ServiceRecord, reason: str) -> ServiceRecord:
    reason = _text(reason, "reason", _("作废原因"), 300)
    entry = _locked_record(actor, record_)
    if entry.status == ServiceRecord.Status.VOID:
        raise ValidationError({"status": _("该记录已作废。")}, code="already_void")
    before = snapshot(entry, ["status", "void_reason"])
    entry.status = ServiceRecord.Status.VOID
    entry.void_reason = reason
    entry.save(update_fields=["status", "void_reason"])
    record(
        actor=actor,
        action=AuditEntry.Action.TRANSITION,
        obj=entry,
        changes=diff(before, snapshot(entry, ["status", "void_reason"])),
        note=reason,
    )
    return entry


# Training, awards, evaluations --------------------------------------------------------------------------------------


def _add_to_record(actor, volunteer: Volunteer, row) -> None:
    volunteer = _locked(actor, Volunteer, volunteer, permissions.CHANGE)
    row.volunteer = volunteer
    row.recorded_by = actor
    row.full_clean()
    row.save()
    record(actor=actor, action=AuditEntry.Action.CREATE, obj=row, changes=diff({}, snapshot(row)))


@transaction.atomic
def training_add(*, actor, volunteer: Volunteer, trained_on, title: str, hours, organiser: str) -> VolunteerTraining:
    _not_future(trained_on, "trained_on")
    row = VolunteerTraining(
        trained_on=trained_on,
        title=_text(title, "title", _("培训内容"), 200),
        hours=_hours(hours, maximum=Decimal("200")),
        organiser=_text(organiser, "organiser", _("培训组织单位"), 200),
    )
    _add_to_record(actor, volunteer, row)
    return row


@transaction.atomic
def award_add(*, actor, volunteer: Volunteer, awarded_on, title: str, awarded_by: str) -> VolunteerAward:
    _not_future(awarded_on, "awarded_on")
    row = VolunteerAward(
        awarded_on=awarded_on,
        title=_text(title, "title", _("表彰名称"), 200),
        awarded_by=_text(awarded_by, "awarded_by", _("表彰单位"), 200),
    )
    _add_to_record(actor, volunteer, row)
    return row


@transaction.atomic
def evaluation_add(
    *, actor, volunteer: Volunteer, evaluated_on, grade: str, evaluator: str, comment: str = ""
) -> VolunteerEvaluation:
    _not_future(evaluated_on, "evaluated_on")
    if grade not in VolunteerEvaluation.Grade.values:
        raise ValidationError({"grade": _("评价等级不正确。")}, code="invalid_grade")
    row = VolunteerEvaluation(
        evaluated_on=evaluated_on,
        grade=grade,
        evaluator=_text(evaluator, "evaluator", _("评价单位"), 200),
        comment=_text(comment, "comment", _("评语"), 500, required=False),
    )
    _add_to_record(actor, volunteer, row)
    return row
