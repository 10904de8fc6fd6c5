"""Writes of the talent pool: appointing supervisors and moving them on the ladder, supervision sessions, leading
talents and honours. Each is one transaction that validates, checks the actor's permission over the worker and
writes its audit entry."""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.audit.models import AuditEntry
from shegong.audit.services import diff, record, snapshot
from shegong.talent.access import covers_worker, require_worker
from shegong.talent.models import (
    LADDER,
    Honour,
    LeadingTalent,
    SupervisionSession,
    SupervisorGrade,
    SupervisorGradeChange,
    SupervisorProfile,
    grade_rank,
    next_grade,
)

MANAGE_SUPERVISORS = "talent.change_supervisorprofile"
ADD_SESSION = "talent.add_supervisionsession"
DELETE_SESSION = "talent.delete_supervisionsession"
MANAGE_LEADING = "talent.change_leadingtalent"
MANAGE_HONOURS = "talent.change_honour"


def _created(actor, obj, note: str = "") -> None:
    record(actor=actor, action=AuditEntry.Action.CREATE, obj=obj, changes=diff({}, snapshot(obj)), note=note)


def _deleted(actor, obj, before: dict, note: str = "") -> None:
    record(actor=actor, action=AuditEntry.Action.DELETE, obj=obj, changes=diff(before, {}), note=note)


def _not_future(day: datetime.date, field: str, label: str) -> None:
    if day > timezone.localdate():
        raise ValidationError({field: _("%(label)s不能晚于今天。") % {"label": label}})


# --- Supervisors and the ladder ------------------------------------------------------------------------------------


@transaction.atomic
def supervisor_appoint(
    *, worker, grade: str, grade_since: datetime.date, approving_authority: str, notes: str = "", actor
) -> SupervisorProfile:
    """Put a worker into the supervisor pool at a grade (the first entry of the grade history)."""
    require_worker(actor, MANAGE_SUPERVISORS, worker)
    if SupervisorProfile.objects.filter(worker=worker).exists():
        raise ValidationError({"worker": _("%(name)s 已在督导人才库中，请在其督导页面办理晋升。") % {"name": worker}})
    if grade not in LADDER:
        raise ValidationError({"grade": _("请选择督导等级。")})
    _not_future(grade_since, "grade_since", _("认定日期"))
    approving_authority = (approving_authority or "").strip()
    profile = SupervisorProfile(worker=worker, grade=grade, grade_since=grade_since, notes=notes)
    profile.full_clean()
    profile.save()
    change = SupervisorGradeChange(
        profile=profile,
        kind=SupervisorGradeChange.Kind.APPOINTMENT,
        from_grade="",
        to_grade=grade,
        changed_on=grade_since,
        approving_authority=approving_authority,
        recorded_by=actor,
    )
    change.full_clean()
    change.save()
    _created(actor, profile, note=_("认定机关：%(authority)s") % {"authority": approving_authority})
    return profile


@transaction.atomic
def supervisor_change_grade(
    *,
    profile: SupervisorProfile,
    changed_on: datetime.date,
    approving_authority: str,
    to_grade: str | None = None,
    reason: str = "",
    actor,
) -> SupervisorGradeChange:
    """Move a supervisor on the ladder. Without `to_grade` it is the next step up; a named grade that is not the next
    step (skipping steps, or down) needs a reason, which the history keeps."""
    profile = SupervisorProfile.objects.select_for_update().select_related("worker").get(pk=profile.pk)
    require_worker(actor, MANAGE_SUPERVISORS, profile.worker)
    following = next_grade(profile.grade)
    if to_grade in (None, ""):
        if following is None:
            raise ValidationError(
                {"to_grade": _("%(grade)s已是最高等级，无法再晋升。") % {"grade": profile.get_grade_display()}}
            )
        to_grade = following
    if to_grade not in LADDER:
        raise ValidationError({"to_grade": _("请选择督导等级。")})
    if to_grade == profile.grade:
        raise ValidationError({"to_grade": _("新等级与现等级相同。")})
    reason = (reason or "").strip()
    if to_grade == following:
        kind = SupervisorGradeChange.Kind.PROMOTION
    elif grade_rank(to_grade) > grade_rank(profile.grade):
        kind = SupervisorGradeChange.Kind.SKIP
        if not reason:
            raise ValidationError(
                {
                    "reason": _(
                        "从%(from)s到%(to)s跨越了 %(steps)d 级。督导晋升应逐级进行，越级须写明理由（如认定文件）。"
                    )
                    % {
                        "from": profile.get_grade_display(),
                        "to": SupervisorGrade(to_grade).label,
                        "steps": grade_rank(to_grade) - grade_rank(profile.grade) - 1,
                    }
                }
            )
    else:
        kind = SupervisorGradeChange.Kind.DEMOTION
        if not reason:
            raise ValidationError({"reason": _("降级须写明理由。")})
    _not_future(changed_on, "changed_on", _("认定日期"))
    if changed_on < profile.grade_since:
        raise ValidationError(
            {"changed_on": _("认定日期不能早于现等级的认定日期（%(since)s）。") % {"since": profile.grade_since}}
        )
    before = snapshot(profile)
    change = SupervisorGradeChange(
        profile=profile,
        kind=kind,
        from_grade=profile.grade,
        to_grade=to_grade,
        changed_on=changed_on,
        approving_authority=(approving_authority or "").strip(),
        reason=reason,
        recorded_by=actor,
    )
    change.full_clean()
    change.save()
    profile.grade = to_grade
    profile.grade_since = changed_on
    profile.full_clean()
    profile.save(update_fields=["grade", "grade_since", "updated_at"])
    record(
        actor=actor,
        action=AuditEntry.Action.TRANSITION,
        obj=profile,
        changes=diff(before, snapshot(profile)),
        note=f"{change.get_kind_display()}；{change.approving_authority}" + (f"；{reason}" if reason else ""),
    )
    return change


# --- Supervision sessions ------------------------------------------------------------------------------------------


def can_record_session(actor, profile: SupervisorProfile) -> bool:
    """The supervisor themselves, or a keeper of the pool (who may also manage supervisors) over the supervisor's
    worker record. A supervisor's region-wide assignment alone does not let them record sessions for colleagues."""
    if not actor.has_perm(ADD_SESSION):
        return False
    if profile.worker.account_id == actor.pk:
        return True
    return covers_worker(actor, ADD_SESSION, profile.worker) and covers_worker(
        actor, MANAGE_SUPERVISORS, profile.worker
    )


@transaction.atomic
def session_create(
    *,
    supervisor: SupervisorProfile,
    supervisees,
    held_on: datetime.date,
    hours: Decimal,
    topic: str,
    mode: str,
    notes: str = "",
    actor,
) -> SupervisionSession:
    supervisor = SupervisorProfile.objects.select_related("worker").get(pk=supervisor.pk)
    if not can_record_session(actor, supervisor):
        raise PermissionDenied(_("您不能为这位督导登记督导记录。"))
    supervisees = list({worker.pk: worker for worker in supervisees}.values())
    if not supervisees:
        raise ValidationError({"supervisees": _("请至少选择一名被督导人。")})
    if any(worker.pk == supervisor.worker_id for worker in supervisees):
        raise ValidationError({"supervisees": _("督导不能督导自己。")})
    if mode == SupervisionSession.Mode.INDIVIDUAL and len(supervisees) != 1:
        raise ValidationError({"mode": _("个别督导只能有一名被督导人；多人请选择小组督导。")})
    if mode == SupervisionSession.Mode.GROUP and len(supervisees) < 2:
        raise ValidationError({"mode": _("小组督导至少要有两名被督导人。")})
    _not_future(held_on, "held_on", _("督导日期"))
    first = supervisor.grade_changes.order_by("changed_on").values_list("changed_on", flat=True).first()
    if first is not None and held_on < first:
        raise ValidationError({"held_on": _("督导日期不能早于该督导的入库认定日期（%(day)s）。") % {"day": first}})
    session = SupervisionSession(
        supervisor=supervisor,
        held_on=held_on,
        hours=hours,
        topic=(topic or "").strip(),
        mode=mode,
        notes=notes,
        recorded_by=actor,
    )
    session.full_clean()
    session.save()
    session.supervisees.set(supervisees)
    changes = diff({}, snapshot(session))
    changes["supervisees"] = [None, sorted(worker.pk for worker in supervisees)]
    record(actor=actor, action=AuditEntry.Action.CREATE, obj=session, changes=changes)
    return session


@transaction.atomic
def session_delete(*, session: SupervisionSession, actor) -> None:
    """Remove a session recorded by mistake; the audit entry keeps what it said."""
    session = SupervisionSession.objects.select_related("supervisor__worker").get(pk=session.pk)
    if not (actor.has_perm(DELETE_SESSION) and covers_worker(actor, DELETE_SESSION, session.supervisor.worker)):
        raise PermissionDenied(_("您没有删除这条督导记录的权限。"))
    before = snapshot(session)
    before["supervisees"] = str(sorted(session.supervisees.values_list("pk", flat=True)))
    _deleted(actor, session, before)
    session.delete()


# --- Leading talents and honours -----------------------------------------------------------------------------------


@transaction.atomic
def leading_talent_create(
    *, worker, level: str, selected_year: int, field: str, programme: str = "", notes: str = "", actor
) -> LeadingTalent:
    require_worker(actor, MANAGE_LEADING, worker)
    if selected_year > timezone.localdate().year:
        raise ValidationError({"selected_year": _("入选年份不能晚于今年。")})
    if LeadingTalent.objects.filter(worker=worker, level=level).exists():
        raise ValidationError({"level": _("%(name)s 已登记为该级别的领军人才。") % {"name": worker}})
    talent = LeadingTalent(
        worker=worker,
        level=level,
        selected_year=selected_year,
        field=(field or "").strip(),
        programme=(programme or "").strip(),
        notes=notes,
        recorded_by=actor,
    )
    talent.full_clean()
    talent.save()
    _created(actor, talent)
    return talent


@transaction.atomic
def leading_talent_delete(*, talent: LeadingTalent, actor) -> None:
    talent = LeadingTalent.objects.select_related("worker").get(pk=talent.pk)
    require_worker(actor, MANAGE_LEADING, talent.worker)
    _deleted(actor, talent, snapshot(talent))
    talent.delete()


@transaction.atomic
def honour_create(
    *, worker, title: str, level: str, awarded_on: datetime.date, awarding_body: str, notes: str = "", actor
) -> Honour:
    require_worker(actor, MANAGE_HONOURS, worker)
    _not_future(awarded_on, "awarded_on", _("授予日期"))
    title = (title or "").strip()
    if Honour.objects.filter(worker=worker, title=title, awarded_on=awarded_on).exists():
        raise ValidationError({"title": _("该荣誉已登记（同一称号、同一授予日期）。")})
    honour = Honour(
        worker=worker,
        title=title,
        level=level,
        awarded_on=awarded_on,
        awarding_body=(awarding_body or "").strip(),
        notes=notes,
        recorded_by=actor,
    )
    honour.full_clean()
    honour.save()
    _created(actor, honour)
    return honour


@transaction.atomic
def honour_delete(*, honour: Honour, actor) -> None:
    honour = Honour.objects.select_related("worker").get(pk=honour.pk)
    require_worker(actor, MANAGE_HONOURS, honour.worker)
    _deleted(actor, honour, snapshot(honour))
    honour.delete()
