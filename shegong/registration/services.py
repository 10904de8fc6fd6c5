"""Writes for registration (登记) and continuing education (继续教育). Each move of the registration state machine is
one function: atomic, checked (state, role, level, scope, rules), audited in the same transaction. The row is locked
(SELECT … FOR UPDATE) before its state is read, so two reviewers acting at once cannot both succeed: the second waits
for the first to commit, then finds the state moved on and is refused.

    待审核 ─初审→ 初审通过 ─终审→ 终审通过 ─登记→ 已登记 ─到期→ 已到期
       └──────→ 初审未通过   └──────→ 终审未通过        └─再登记办结→ 已再登记
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.audit.models import AuditEntry
from shegong.audit.services import diff, record, snapshot
from shegong.registration import selectors
from shegong.registration.models import Registration, TrainingRecord
from shegong.registration.policy import RegistrationPolicy, policy_for
from shegong.workers.models import Certificate

State = Registration.State
REJECTED = (State.FIRST_REJECTED, State.FINAL_REJECTED)

# Plausibility of training hours: at most 12 hours per calendar day of the course (a full day is 8 class hours;
# 12 leaves room for evening sessions) and at most 1,000 hours in one record.
MAX_HOURS_PER_DAY = Decimal(12)
MAX_HOURS_PER_RECORD = Decimal(1000)
EARLIEST_TRAINING = datetime.date(1980, 1, 1)


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


def _locked(registration: Registration) -> Registration:
    """The row as it is now, locked until the end of the transaction."""
    return (
        Registration.objects.select_for_update(of=("self",))
        .select_related("worker", "worker__region", "certificate", "previous")
        .get(pk=registration.pk)
    )


def _require_state(registration: Registration, *allowed: str, action: str) -> None:
    if registration.state not in allowed:
        raise ValidationError(
            _("该登记当前状态为「%(state)s」，不能%(action)s。")
            % {"state": registration.get_state_display(), "action": action},
            code="wrong_state",
        )


def _require_first_reviewer(actor, registration: Registration) -> None:
    if not actor.has_perm(selectors.FIRST_REVIEW):
        raise PermissionDenied(_("您没有初审执业登记的权限。"))
    if not selectors.may_first_review(actor, registration):
        raise PermissionDenied(_("初审须由社会工作者工作地所在区县（或以下）的民政部门办理，您的授权范围不符合。"))


def _require_final_reviewer(actor, registration: Registration) -> None:
    if not actor.has_perm(selectors.FINAL_REVIEW):
        raise PermissionDenied(_("您没有终审执业登记的权限。"))
    if not selectors.may_final_review(actor, registration):
        raise PermissionDenied(_("终审须由社会工作者工作地所在地市（或以上）的民政部门办理，您的授权范围不符合。"))


def _require_note(note: str, action: str) -> str:
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("%(action)s时必须填写意见，说明不通过的理由。") % {"action": action}})
    return note


def _save_transition(registration: Registration, before: dict, *, actor, note: str = "") -> Registration:
    registration.full_clean()
    registration.save()
    record(
        actor=actor,
        action=AuditEntry.Action.TRANSITION,
        obj=registration,
        changes=diff(before, snapshot(registration)),
        note=note,
    )
    return registration


# --- Renewal conditions ----------------------------------------------------------------------------------------------


def renewal_blockers(previous: Registration, *, policy: RegistrationPolicy, today: datetime.date) -> list[str]:
    """Why the worker cannot renew this registration now (empty when they can): the hours of the period and open
    violations. The renewal window is checked separately (it applies when submitting, not when reviewing)."""
    problems = []
    period = selectors.period_hours(previous, policy)
    if not period.met:
        problems.append(
            _(
                "本登记有效期（%(start)s 至 %(end)s）内经核验的继续教育为 %(hours)s 小时，%(level)s须不少于 "
                "%(required)s 小时，还差 %(short)s 小时。"
            )
            % {
                "start": previous.valid_from,
                "end": previous.valid_until,
                "hours": _number(period.hours.continuing_total),
                "level": previous.certificate.get_level_display(),
                "required": _number(period.required),
                "short": _number(period.shortfall),
            }
        )
    violations = list(selectors.open_violations(previous.worker, today).values_list("title", flat=True)[:3])
    if violations:
        problems.append(_("有未办结的违规记录（%(titles)s），须办结后才能再登记。") % {"titles": "、".join(violations)})
    return problems


def _number(value: Decimal) -> str:
    """Hours as people write them: 72, 40.5 (never 7.2E+1)."""
    return format(value.normalize(), "f")


def renewal_window(previous: Registration, policy: RegistrationPolicy) -> tuple[datetime.date, datetime.date]:
    return policy.renewal_opens(previous.valid_until), previous.valid_until


# --- The moves -------------------------------------------------------------------------------------------------------


@transaction.atomic
def registration_submit(*, certificate, actor, today: datetime.date | None = None) -> Registration:
    """Apply for the first registration of a certificate (首次登记), within the first-registration period."""
    today = _today(today)
    # Locking the certificate serialises two applications for it made at the same moment (the second then finds the
    # first and is refused with a message, rather than hitting the unique constraint).
    certificate = (
        Certificate.objects.select_for_update(of=("self",))
        .select_related("worker", "worker__region")
        .get(pk=certificate.pk)
    )
    worker = certificate.worker
    if not selectors.may_submit_for(actor, worker):
        raise PermissionDenied(_("您没有为该社会工作者申请执业登记的权限。"))
    policy = policy_for(worker.region, today)
    if certificate.year_passed > today.year:
        raise ValidationError(
            _("证书的取得年份（%(year)s 年）晚于今天，请核对证书信息。") % {"year": certificate.year_passed}
        )
    deadline = policy.first_registration_deadline(certificate.year_passed)
    if today > deadline:
        raise ValidationError(
            _("首次登记须在取得证书后 %(years)s 年内申请：%(year)s 年取得的证书，首次登记截止于 %(deadline)s，已逾期。")
            % {"years": policy.first_registration_years, "year": certificate.year_passed, "deadline": deadline},
            code="too_late",
        )
    if Registration.objects.filter(certificate=certificate, state__in=Registration.WAS_REGISTERED).exists():
        raise ValidationError(
            _("该证书已办理过首次登记，请在有效期满前 3 个月内申请再登记。"), code="already_registered"
        )
    registration = Registration(
        worker=worker,
        certificate=certificate,
        kind=Registration.Kind.FIRST,
        state=State.PENDING,
        submitted_at=timezone.now(),
        submitted_by=actor,
    )
    registration.full_clean()
    registration.save()
    record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=registration,
        changes=diff({}, snapshot(registration)),
        note=_("申请首次登记"),
    )
    return registration


@transaction.atomic
def registration_renew(*, previous: Registration, actor, today: datetime.date | None = None) -> Registration:
    """Apply for re-registration (再登记): only in the last months of validity, with the continuing-education hours
    of the period and no open violation."""
    today = _today(today)
    previous = _locked(previous)
    worker = previous.worker
    if not selectors.may_submit_for(actor, worker):
        raise PermissionDenied(_("您没有为该社会工作者申请执业登记的权限。"))
    policy = policy_for(worker.region, today)
    if previous.state == State.EXPIRED:
        raise ValidationError(
            _("该登记已于 %(end)s 到期，已超过再登记受理期，不能再登记。") % {"end": previous.valid_until},
            code="outside_window",
        )
    _require_state(previous, State.REGISTERED, action=_("申请再登记"))
    opens, closes = renewal_window(previous, policy)
    if not opens <= today <= closes:
        raise ValidationError(
            _(
                "再登记须在登记有效期满前 %(months)s 个月内申请，即 %(opens)s 至 %(closes)s；"
                "今天（%(today)s）不在受理期内。"
            )
            % {"months": policy.renewal_window_months, "opens": opens, "closes": closes, "today": today},
            code="outside_window",
        )
    if previous.renewals.exclude(state__in=REJECTED).exists():
        raise ValidationError(_("该登记已有再登记申请。"), code="already_renewing")
    problems = renewal_blockers(previous, policy=policy, today=today)
    if problems:
        raise ValidationError(problems, code="renewal_blocked")
    registration = Registration(
        worker=worker,
        certificate=previous.certificate,
        kind=Registration.Kind.RENEWAL,
        previous=previous,
        state=State.PENDING,
        submitted_at=timezone.now(),
        submitted_by=actor,
    )
    registration.full_clean()
    registration.save()
    record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=registration,
        changes=diff({}, snapshot(registration)),
        note=_("申请再登记"),
    )
    return registration


def _check_renewal_still_allowed(registration: Registration, today: datetime.date) -> None:
    if registration.kind == Registration.Kind.RENEWAL:
        problems = renewal_blockers(
            registration.previous, policy=policy_for(registration.worker.region, today), today=today
        )
        if problems:
            raise ValidationError([*problems, _("不能审核通过，请填写意见后选择不通过。")], code="renewal_blocked")


def _record_review(registration: Registration, *, stage: str, state, actor, note: str, audit_note) -> Registration:
    """The decision of the `stage` ("first" or "final") review: the new state, who decided, when, and their note."""
    before = snapshot(registration)
    registration.state = state
    setattr(registration, f"{stage}_reviewed_by", actor)
    setattr(registration, f"{stage}_reviewed_at", timezone.now())
    setattr(registration, f"{stage}_review_note", note)
    return _save_transition(registration, before, actor=actor, note=audit_note)


@transaction.atomic
def registration_first_approve(
    *, registration: Registration, actor, note: str = "", today: datetime.date | None = None
) -> Registration:
    """初审通过, by the district bureau."""
    registration = _locked(registration)
    _require_state(registration, State.PENDING, action=_("初审"))
    _require_first_reviewer(actor, registration)
    _check_renewal_still_allowed(registration, _today(today))
    return _record_review(
        registration,
        stage="first",
        state=State.FIRST_APPROVED,
        actor=actor,
        note=(note or "").strip(),
        audit_note=_("初审通过"),
    )


@transaction.atomic
def registration_first_reject(*, registration: Registration, actor, note: str) -> Registration:
    """初审未通过, with the reason."""
    note = _require_note(note, _("初审不通过"))
    registration = _locked(registration)
    _require_state(registration, State.PENDING, action=_("初审"))
    _require_first_reviewer(actor, registration)
    return _record_review(
        registration, stage="first", state=State.FIRST_REJECTED, actor=actor, note=note, audit_note=_("初审未通过")
    )


def _require_second_person(actor, registration: Registration) -> None:
    if registration.first_reviewed_by_id == actor.pk:
        raise ValidationError(_("终审须由初审人以外的另一人办理：您已办理了本登记的初审。"), code="same_reviewer")


@transaction.atomic
def registration_final_approve(
    *, registration: Registration, actor, note: str = "", today: datetime.date | None = None
) -> Registration:
    """终审通过, by the city bureau, someone other than the first reviewer."""
    registration = _locked(registration)
    _require_state(registration, State.FIRST_APPROVED, action=_("终审"))
    _require_final_reviewer(actor, registration)
    _require_second_person(actor, registration)
    _check_renewal_still_allowed(registration, _today(today))
    return _record_review(
        registration,
        stage="final",
        state=State.FINAL_APPROVED,
        actor=actor,
        note=(note or "").strip(),
        audit_note=_("终审通过"),
    )


@transaction.atomic
def registration_final_reject(*, registration: Registration, actor, note: str) -> Registration:
    """终审未通过, with the reason."""
    note = _require_note(note, _("终审不通过"))
    registration = _locked(registration)
    _require_state(registration, State.FIRST_APPROVED, action=_("终审"))
    _require_final_reviewer(actor, registration)
    _require_second_person(actor, registration)
    return _record_review(
        registration, stage="final", state=State.FINAL_REJECTED, actor=actor, note=note, audit_note=_("终审未通过")
    )


@transaction.atomic
def registration_register(*, registration: Registration, actor, today: datetime.date | None = None) -> Registration:
    """办理登记 after 终审通过: valid for the profile's years (3) from today, or, for a renewal, from the day after
    the previous registration ends (which then becomes 已再登记)."""
    today = _today(today)
    registration = _locked(registration)
    _require_state(registration, State.FINAL_APPROVED, action=_("办理登记"))
    _require_final_reviewer(actor, registration)
    policy = policy_for(registration.worker.region, today)
    before = snapshot(registration)
    valid_from = today
    if registration.kind == Registration.Kind.RENEWAL:
        previous = _locked(registration.previous)
        valid_from = previous.valid_until + datetime.timedelta(days=1)
        if previous.state == State.REGISTERED:
            # First the old one leaves 已登记, then the new one enters it: one registration in force at any moment.
            previous_before = snapshot(previous)
            previous.state = State.SUPERSEDED
            previous.closed_at = timezone.now()
            _save_transition(previous, previous_before, actor=actor, note=_("已办理再登记"))
    registration.state = State.REGISTERED
    registration.registered_by = actor
    registration.registered_on = today
    registration.valid_from = valid_from
    registration.valid_until = policy.valid_until(valid_from)
    return _save_transition(
        registration,
        before,
        actor=actor,
        note=_("已登记，有效期 %(start)s 至 %(end)s") % {"start": valid_from, "end": registration.valid_until},
    )


@transaction.atomic
def registrations_expire(*, today: datetime.date | None = None, actor=None) -> int:
    """Move every registration whose last valid day has passed from 已登记 to 已到期. Idempotent: a second run finds
    nothing to move. Rows another process holds are skipped and picked up by the next run."""
    today = _today(today)
    from django.db import connection

    due = Registration.objects.select_for_update(
        skip_locked=connection.features.has_select_for_update_skip_locked, of=("self",)
    )
    due = due.filter(state=State.REGISTERED, valid_until__lt=today).select_related("worker", "certificate")
    moved = 0
    now = timezone.now()
    for registration in due.order_by("valid_until", "id"):
        before = snapshot(registration)
        registration.state = State.EXPIRED
        registration.closed_at = now
        registration.save(update_fields=["state", "closed_at", "updated_at"])
        record(
            actor=actor,
            actor_username="" if actor else "system",
            action=AuditEntry.Action.TRANSITION,
            obj=registration,
            changes=diff(before, snapshot(registration)),
            note=_("登记有效期已于 %(end)s 届满") % {"end": registration.valid_until},
        )
        moved += 1
    return moved


# --- Training records ------------------------------------------------------------------------------------------------


def training_problems(
    *, kind: str, hours: Decimal | None, start_date, end_date, today: datetime.date | None = None
) -> dict[str, list[str]]:
    """Field → messages for a training record's figures; shared by the form, the service and the Excel import."""
    today = _today(today)
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if start_date and end_date:
        if end_date < start_date:
            add("end_date", _("结束日期不能早于开始日期。"))
        if end_date > today:
            add("end_date", _("结束日期不能晚于今天：只登记已完成的学习。"))
        if start_date < EARLIEST_TRAINING:
            add("start_date", _("开始日期过早，请核对。"))
    if kind == TrainingRecord.Kind.DEGREE:
        return errors
    if hours is None:
        add("hours", _("请填写学时。"))
    elif hours <= 0:
        add("hours", _("学时必须大于 0。"))
    elif hours > MAX_HOURS_PER_RECORD:
        add(
            "hours",
            _("学时 %(hours)s 不合常理：一条记录最多 %(max)s 小时。") % {"hours": hours, "max": MAX_HOURS_PER_RECORD},
        )
    elif start_date and end_date and end_date >= start_date:
        days = (end_date - start_date).days + 1
        if hours > MAX_HOURS_PER_DAY * days:
            add(
                "hours",
                _("学时 %(hours)s 不合常理：%(days)s 天的学习最多记 %(max)s 小时（每天不超过 %(per_day)s 小时）。")
                % {"hours": hours, "days": days, "max": MAX_HOURS_PER_DAY * days, "per_day": MAX_HOURS_PER_DAY},
            )
    return errors


def _check_training(record: TrainingRecord, today=None) -> None:
    if record.kind == TrainingRecord.Kind.DEGREE:
        record.hours = Decimal(0)
    errors = training_problems(
        kind=record.kind, hours=record.hours, start_date=record.start_date, end_date=record.end_date, today=today
    )
    if errors:
        raise ValidationError(errors)
    record.full_clean()


TRAINING_FIELDS = ("kind", "title", "provider", "hours", "start_date", "end_date", "evidence", "note")


@transaction.atomic
def training_record_create(*, worker, actor, today: datetime.date | None = None, **values) -> TrainingRecord:
    """Add a record. Staff who may verify the worker's hours verify it at once; others' records (the worker's own,
    an agency's) wait for verification and do not count toward a renewal until then."""
    if not selectors.may_add_training_for(actor, worker):
        raise PermissionDenied(_("您没有为该社会工作者登记继续教育的权限。"))
    unknown = set(values) - set(TRAINING_FIELDS)
    if unknown:
        raise TypeError(f"unknown training record fields: {sorted(unknown)}")
    training = TrainingRecord(worker=worker, created_by=actor, **values)
    if selectors.may_verify_training_for(actor, worker):
        training.verified_by, training.verified_at = actor, timezone.now()
    _check_training(training, today)
    training.save()
    record(actor=actor, action=AuditEntry.Action.CREATE, obj=training, changes=diff({}, snapshot(training)))
    return training


@transaction.atomic
def training_record_update(
    *, record_obj: TrainingRecord, actor, today: datetime.date | None = None, **changes
) -> TrainingRecord:
    """Change a record. A change by someone who may not verify it makes it unverified again."""
    training = TrainingRecord.objects.select_for_update().select_related("worker").get(pk=record_obj.pk)
    if not selectors.may_change_training(actor, training):
        raise PermissionDenied(_("您不能修改这条继续教育记录（已核验的记录只有管理人员可以修改）。"))
    unknown = set(changes) - set(TRAINING_FIELDS)
    if unknown:
        raise TypeError(f"unknown training record fields: {sorted(unknown)}")
    before = snapshot(training)
    for name, value in changes.items():
        setattr(training, name, value)
    if selectors.may_verify_training_for(actor, training.worker):
        training.verified_by, training.verified_at = actor, timezone.now()
    else:
        training.verified_by = training.verified_at = None
    _check_training(training, today)
    training.save()
    record(actor=actor, action=AuditEntry.Action.UPDATE, obj=training, changes=diff(before, snapshot(training)))
    return training


@transaction.atomic
def training_record_verify(*, record_obj: TrainingRecord, actor) -> TrainingRecord:
    training = TrainingRecord.objects.select_for_update().select_related("worker").get(pk=record_obj.pk)
    if not selectors.may_verify_training_for(actor, training.worker):
        raise PermissionDenied(_("您没有核验该社会工作者继续教育记录的权限。"))
    if training.is_verified:
        raise ValidationError(_("这条记录已核验。"))
    before = snapshot(training)
    training.verified_by, training.verified_at = actor, timezone.now()
    training.full_clean()
    training.save(update_fields=["verified_by", "verified_at"])
    record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        obj=training,
        changes=diff(before, snapshot(training)),
        note=_("核验"),
    )
    return training


@transaction.atomic
def training_record_delete(*, record_obj: TrainingRecord, actor) -> None:
    training = TrainingRecord.objects.select_for_update().select_related("worker").get(pk=record_obj.pk)
    if not selectors.may_delete_training(actor, training):
        raise PermissionDenied(_("您不能删除这条继续教育记录。"))
    before = snapshot(training)
    record(actor=actor, action=AuditEntry.Action.DELETE, obj=training, changes=diff(before, {}))
    training.delete()


def training_records_import(*, rows: list[dict], actor) -> int:
    """Write checked import rows (called by the Excel import inside its transaction, which audits the import as a
    whole). Rows for workers the actor may verify are verified by the import."""
    from shegong.workers.models import SocialWorker

    workers = {worker.pk: worker for worker in SocialWorker.objects.filter(pk__in={row["worker_id"] for row in rows})}
    now = timezone.now()
    records = []
    for row in rows:
        worker = workers[row["worker_id"]]
        verified = selectors.may_verify_training_for(actor, worker)
        records.append(
            TrainingRecord(
                worker=worker,
                kind=row["kind"],
                title=row["title"],
                provider=row["provider"],
                hours=Decimal(0) if row["kind"] == TrainingRecord.Kind.DEGREE else row["hours"],
                start_date=row["start_date"],
                end_date=row["end_date"],
                note=row.get("note") or "",
                created_by=actor,
                verified_by=actor if verified else None,
                verified_at=now if verified else None,
            )
        )
    TrainingRecord.objects.bulk_create(records, batch_size=1000)
    return len(records)
