"""Writes of volunteer needs, shifts, sign-ups, attendance and confirmed hours. Each runs in one transaction with its
audit row; a shift is locked while its places are counted, a sign-up while it changes."""

import datetime
import secrets
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.audit.models import AuditEntry
from shegong.audit.services import diff, record, snapshot
from shegong.groupwork.models import CommunityActivity, GroupWork
from shegong.projects.models import Project
from shegong.volunteering.models import NeedShift, SignUp, VolunteerNeed
from shegong.volunteers import services as volunteer_services
from shegong.volunteers.models import ServiceRecord, Volunteer

ADD_NEED = "volunteering.add_volunteerneed"
CHANGE_NEED = "volunteering.change_volunteerneed"
ADD_SIGNUP = "volunteering.add_signup"
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
MAX_HOURS = Decimal("24")


def _require(actor, perm: str) -> None:
    if actor is not None and not actor.has_perm(perm):
        raise PermissionDenied(_("您没有执行此操作的权限。"))


def _require_self(actor, volunteer: Volunteer) -> None:
    """Sign-ups, withdrawals and attendance are the volunteer's own acts (through their account)."""
    if actor is not None and volunteer.account_id != actor.pk:
        raise PermissionDenied(_("只能为自己报名、撤回或签到。"))


def _new_code() -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _i in range(8))
        if not VolunteerNeed.objects.filter(code=code).exists():
            return code


def _placement(target) -> dict:
    """Where a need on this activity, group or project lies (region, station, agency) and which field names it."""
    if isinstance(target, CommunityActivity):
        return {"activity": target, "region": target.community, "station": target.station, "agency": target.agency}
    if isinstance(target, GroupWork):
        return {"group": target, "region": target.region, "station": target.station, "agency": target.agency}
    if isinstance(target, Project):
        return {"project": target, "region": target.region, "station": None, "agency": target.agency}
    raise ValidationError({"target": ValidationError(_("志愿需求须挂在社区活动、小组或服务项目上。"), code="target")})


def _shift(need: VolunteerNeed, *, day, starts_at, ends_at, needed) -> NeedShift:
    if starts_at and ends_at and ends_at <= starts_at:
        raise ValidationError({"ends_at": ValidationError(_("结束时间须晚于开始时间。"), code="ends_before_start")})
    shift = NeedShift(need=need, day=day, starts_at=starts_at, ends_at=ends_at, needed=needed)
    shift.full_clean()
    shift.save()
    return shift


@transaction.atomic
def need_post(
    *, target, organiser, title: str, roles: str, place: str, shifts: list[dict], description: str = "", actor
) -> VolunteerNeed:
    """Post a need with its shifts (dicts of day, starts_at, ends_at, needed) on one activity, group or project."""
    _require(actor, ADD_NEED)
    if not shifts:
        raise ValidationError({"shifts": ValidationError(_("至少需要一个班次。"), code="no_shift")})
    placed = _placement(target)
    need = VolunteerNeed(
        code=_new_code(),
        title=title,
        roles=roles,
        place=place,
        description=description,
        organiser=organiser,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        **placed,
    )
    need.province_code = need.region_id[:2]
    need.full_clean(exclude=["code"])
    need.save()
    for values in shifts:
        _shift(need, **values)
    after = snapshot(need)
    after["shifts"] = [str(shift) for shift in need.shifts.all()]
    record(actor=actor, action=AuditEntry.Action.CREATE, obj=need, changes=diff({}, after))
    return need


def _locked_need(need: VolunteerNeed) -> VolunteerNeed:
    return VolunteerNeed.objects.select_for_update().get(pk=need.pk)


@transaction.atomic
def need_update(*, need: VolunteerNeed, actor, **values) -> VolunteerNeed:
    _require(actor, CHANGE_NEED)
    need = _locked_need(need)
    before = snapshot(need)
    for field in ("title", "roles", "place", "description"):
        if field in values:
            setattr(need, field, values[field])
    need.full_clean()
    need.save()
    record(actor=actor, action=AuditEntry.Action.UPDATE, obj=need, changes=diff(before, snapshot(need)))
    return need


@transaction.atomic
def need_set_status(*, need: VolunteerNeed, status: str, actor) -> VolunteerNeed:
    """Close (截止) or cancel (取消) an open need, or reopen a closed one; a cancelled need stays cancelled."""
    _require(actor, CHANGE_NEED)
    need = _locked_need(need)
    allowed = {
        VolunteerNeed.Status.OPEN: {VolunteerNeed.Status.CLOSED, VolunteerNeed.Status.CANCELLED},
        VolunteerNeed.Status.CLOSED: {VolunteerNeed.Status.OPEN, VolunteerNeed.Status.CANCELLED},
    }
    if status not in allowed.get(need.status, set()):
        raise ValidationError({"status": ValidationError(_("该需求当前状态不能这样变更。"), code="bad_transition")})
    before = snapshot(need, ["status"])
    need.status = status
    need.save(update_fields=["status", "updated_at"])
    record(actor=actor, action=AuditEntry.Action.TRANSITION, obj=need, changes=diff(before, snapshot(need, ["status"])))
    return need


@transaction.atomic
def shift_add(*, need: VolunteerNeed, day, starts_at, ends_at, needed: int, actor) -> NeedShift:
    _require(actor, CHANGE_NEED)
    need = _locked_need(need)
    if need.status != VolunteerNeed.Status.OPEN:
        raise ValidationError(_("只有招募中的需求可以增加班次。"), code="not_open")
    shift = _shift(need, day=day, starts_at=starts_at, ends_at=ends_at, needed=needed)
    record(actor=actor, action=AuditEntry.Action.UPDATE, obj=need, changes={"shift": [None, str(shift)]})
    return shift


def places_left(shift: NeedShift) -> int:
    taken = shift.signups.filter(status__in=SignUp.TAKING_PLACES).count()
    return max(shift.needed - taken, 0)


@transaction.atomic
def signup_create(*, shift: NeedShift, volunteer: Volunteer, actor) -> SignUp:
    """A volunteer takes a place on a shift (报名). The shift is locked while its places are counted, so the last place
    goes to exactly one of two volunteers asking at once."""
    _require(actor, ADD_SIGNUP)
    _require_self(actor, volunteer)
    shift = NeedShift.objects.select_for_update().select_related("need").get(pk=shift.pk)
    if shift.need.status != VolunteerNeed.Status.OPEN:
        raise ValidationError(_("该需求已停止招募。"), code="not_open")
    if shift.day < timezone.localdate():
        raise ValidationError(_("该班次已经过去。"), code="past")
    if volunteer.status != Volunteer.Status.ACTIVE:
        raise ValidationError(_("志愿者不在册，不能报名。"), code="inactive")
    existing = SignUp.objects.select_for_update().filter(shift=shift, volunteer=volunteer).first()
    if existing is not None and existing.status != SignUp.Status.WITHDRAWN:
        raise ValidationError(_("您已报名过这个班次。"), code="duplicate")
    if places_left(shift) <= 0:
        raise ValidationError(_("这个班次已经报满。"), code="full")
    if existing is not None:
        signup, before = existing, snapshot(existing, ["status"])
        signup.status, signup.reason = SignUp.Status.APPLIED, ""
        signup.save(update_fields=["status", "reason"])
    else:
        signup, before = SignUp.objects.create(shift=shift, volunteer=volunteer), {}
    record(actor=actor, action=AuditEntry.Action.CREATE, obj=signup, changes=diff(before, snapshot(signup, ["status"])))
    return signup


def _locked_signup(signup: SignUp) -> SignUp:
    return SignUp.objects.select_for_update().select_related("shift__need__organiser", "volunteer").get(pk=signup.pk)


def _move(signup: SignUp, status: str, actor, *, reason: str = "") -> SignUp:
    before = snapshot(signup, ["status", "reason"])
    signup.status, signup.reason = status, reason
    if getattr(actor, "is_authenticated", False):
        signup.decided_by = actor
    signup.save(update_fields=["status", "reason", "decided_by"])
    record(
        actor=actor,
        action=AuditEntry.Action.TRANSITION,
        obj=signup,
        changes=diff(before, snapshot(signup, ["status", "reason"])),
        note=reason,
    )
    return signup


@transaction.atomic
def signup_withdraw(*, signup: SignUp, actor) -> SignUp:
    """The volunteer withdraws (撤回) before checking in; the place goes back to the shift."""
    signup = _locked_signup(signup)
    _require_self(actor, signup.volunteer)
    if signup.status not in SignUp.TAKING_PLACES or signup.checked_in_at:
        raise ValidationError(_("该报名当前不能撤回。"), code="bad_transition")
    return _move(signup, SignUp.Status.WITHDRAWN, actor)


@transaction.atomic
def signup_decide(*, signup: SignUp, accept: bool, reason: str = "", actor) -> SignUp:
    """The organiser accepts (录用) or declines (不录用, with a reason) an application."""
    _require(actor, CHANGE_NEED)
    signup = _locked_signup(signup)
    if signup.status != SignUp.Status.APPLIED:
        raise ValidationError(_("只能处理待录用的报名。"), code="bad_transition")
    if not accept and not reason.strip():
        raise ValidationError({"reason": ValidationError(_("不录用须填写原因。"), code="reason_required")})
    return _move(signup, SignUp.Status.ACCEPTED if accept else SignUp.Status.DECLINED, actor, reason=reason.strip())


def _attendable(signup: SignUp, now: datetime.datetime) -> None:
    if signup.status != SignUp.Status.ACCEPTED:
        raise ValidationError(_("只有已录用的报名可以签到。"), code="not_accepted")
    if signup.shift.day != timezone.localdate(now):
        raise ValidationError(_("只能在班次当天签到、签退。"), code="not_today")


@transaction.atomic
def signup_check_in(*, signup: SignUp, actor, now: datetime.datetime | None = None) -> SignUp:
    """签到: an accepted sign-up of a shift of today. A second check-in keeps the first time."""
    now = now or timezone.now()
    signup = _locked_signup(signup)
    _require_self(actor, signup.volunteer)
    _attendable(signup, now)
    if signup.checked_in_at is None:
        signup.checked_in_at = now
        signup.save(update_fields=["checked_in_at"])
        record(actor=actor, action=AuditEntry.Action.UPDATE, obj=signup, changes={"checked_in_at": [None, str(now)]})
    return signup


@transaction.atomic
def signup_check_out(*, signup: SignUp, actor, now: datetime.datetime | None = None) -> SignUp:
    """签退: after the check-in; a later check-out moves the time on, until the hours are confirmed."""
    now = now or timezone.now()
    signup = _locked_signup(signup)
    _require_self(actor, signup.volunteer)
    _attendable(signup, now)
    if signup.checked_in_at is None:
        raise ValidationError(_("请先签到。"), code="not_checked_in")
    if signup.record_id:
        raise ValidationError(_("时长已确认，不能再签退。"), code="confirmed")
    before = str(signup.checked_out_at) if signup.checked_out_at else None
    signup.checked_out_at = max(now, signup.checked_in_at)
    signup.save(update_fields=["checked_out_at"])
    record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        obj=signup,
        changes={"checked_out_at": [before, str(signup.checked_out_at)]},
    )
    return signup


def computed_hours(signup: SignUp) -> Decimal | None:
    """Hours between check-in and check-out, rounded to the nearest half hour (None before both are taken)."""
    if not (signup.checked_in_at and signup.checked_out_at):
        return None
    seconds = Decimal((signup.checked_out_at - signup.checked_in_at).total_seconds())
    halves = (seconds / Decimal(1800)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return min(halves / 2, MAX_HOURS).quantize(Decimal("0.1"))


def _write_record(signup: SignUp, hours: Decimal, actor) -> ServiceRecord:
    """The volunteer's service record for this sign-up (source "need:<id>"), recorded and confirmed by the organiser
    through the volunteers app's services."""
    need = signup.shift.need
    entry = volunteer_services.service_record_create(
        actor=actor,
        volunteer=signup.volunteer,
        service_date=signup.shift.day,
        hours=hours,
        content=f"{need.title}（{need.roles}）"[:300],
        place=need.place,
        region=need.region,
        station=need.station,
        agency=need.agency,
        organiser=need.organiser,
        source=f"need:{need.pk}",
        served_with_actor=True,  # an accepted sign-up of this organiser's need (checked by hours_confirm)
    )
    return volunteer_services.service_record_confirm(actor=actor, record_=entry)


def _clean_hours(hours) -> Decimal:
    try:
        hours = Decimal(str(hours)).quantize(Decimal("0.1"))
    except ArithmeticError:
        hours = Decimal(0)
    if not (Decimal(0) < hours <= MAX_HOURS):
        raise ValidationError({"hours": ValidationError(_("服务时长须大于 0 且不超过 24 小时。"), code="hours_range")})
    return hours


def _reason_error(message: str) -> ValidationError:
    return ValidationError({"reason": ValidationError(message, code="reason_required")})


@transaction.atomic
def hours_confirm(*, signup: SignUp, actor, hours=None, reason: str = "") -> ServiceRecord:
    """The organiser confirms the hours of a sign-up ("谁记录谁证明"): the computed hours, or other hours with a reason.
    Once confirmed, a change is a correction: it needs a reason and is audited with the hours before and after."""
    _require(actor, CHANGE_NEED)
    signup = _locked_signup(signup)
    need = signup.shift.need
    if actor is None or need.organiser.account_id != actor.pk:
        raise PermissionDenied(_("只有组织这项服务的社工可以确认时长（谁记录谁证明）。"))
    if signup.volunteer.account_id == actor.pk:
        raise PermissionDenied(_("不能确认自己的服务时长。"))
    if signup.status != SignUp.Status.ACCEPTED:
        raise ValidationError(_("只有已录用的报名可以确认时长。"), code="not_accepted")
    reason = reason.strip()
    computed = computed_hours(signup)
    hours = _clean_hours(hours if hours not in (None, "") else computed if computed else 0)
    if signup.record_id is None:
        if computed is None and not reason:
            raise _reason_error(_("没有签到签退记录，须填写原因。"))
        if computed is not None and hours != computed and not reason:
            raise _reason_error(_("时长与签到签退不符，须填写原因。"))
        service_record = _write_record(signup, hours, actor)
        signup.record = service_record
        signup.save(update_fields=["record"])
        record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            obj=signup,
            changes={"record": [None, service_record.pk], "hours": [None, str(hours)]},
            note=reason,
        )
        return service_record
    if not reason:
        raise ValidationError({"reason": ValidationError(_("更正时长须填写原因。"), code="reason_required")})
    service_record = ServiceRecord.objects.get(pk=signup.record_id)
    if service_record.hours == hours:
        raise ValidationError({"hours": ValidationError(_("更正后的时长与原时长相同。"), code="unchanged")})
    service_record = volunteer_services.service_record_correct(
        actor=actor, record_=service_record, hours=hours, reason=reason
    )
    return service_record
