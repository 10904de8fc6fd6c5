"""Writes of recruitment and pay. Each is one transaction that validates, checks the actor's permission over the
agency or worker concerned and writes its audit entry."""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.accounts.selectors import grant_covers
from shegong.audit.models import AuditEntry
from shegong.audit.services import diff, record, snapshot
from shegong.recruitment.models import Employment, JobApplication, JobOpening, WorkerPay
from shegong.refdata import selectors as refdata
from shegong.talent.access import require_worker

CHANGE_OPENINGS = "recruitment.change_jobopening"
APPLY = "recruitment.add_jobapplication"
DECIDE = "recruitment.change_jobapplication"
ADD_PAY = "recruitment.add_workerpay"
DELETE_PAY = "recruitment.delete_workerpay"

State = JobApplication.State
# Who moves an application where. The applicant withdraws; the agency shortlists, rejects and hires.
AGENCY_MOVES = {
    State.SUBMITTED: {State.SHORTLISTED, State.REJECTED},
    State.SHORTLISTED: {State.HIRED, State.REJECTED},
}
APPLICANT_MOVES = {State.SUBMITTED: {State.WITHDRAWN}, State.SHORTLISTED: {State.WITHDRAWN}}
FINAL_STATES = {State.HIRED, State.REJECTED, State.WITHDRAWN}

OPENING_FIELDS = [
    "title",
    "post_type",
    "service_domain",
    "region",
    "headcount",
    "pay_min",
    "pay_max",
    "government_funded",
    "description",
    "opens_on",
    "closes_on",
]


def covers_opening(actor, perm: str, opening: JobOpening) -> bool:
    """An assignment granting `perm` over the opening's agency, its work region, or the whole country."""
    if not actor.has_perm(perm):
        return False
    return grant_covers(actor, perm, region=opening.region) or grant_covers(actor, perm, agency=opening.agency)


def _require_opening(actor, perm: str, opening: JobOpening) -> None:
    if not covers_opening(actor, perm, opening):
        raise PermissionDenied(_("您没有管理该机构招聘的权限。"))


POST_TYPE = "post_type"
SERVICE_DOMAIN = "service_domain"


def _check_post_type(code: str, previous: str | None = None) -> None:
    """A code of the post_type dictionary in use; a retired one only if the opening already had it."""
    if code == previous:
        return
    if code not in dict(refdata.choices(POST_TYPE)):
        raise ValidationError({"post_type": _("未知或已停用的岗位类型“%(code)s”。") % {"code": code}})


def _check_domain(item, previous_id: int | None = None) -> None:
    if item is None or item.pk == previous_id:
        return
    if item.dictionary.code != SERVICE_DOMAIN or not item.is_active:
        raise ValidationError({"service_domain": _("请选择在用的服务领域。")})


# --- Openings ------------------------------------------------------------------------------------------------------


@transaction.atomic
def opening_create(*, agency, actor, **fields) -> JobOpening:
    """A new opening, as a draft: it takes applications once published."""
    unknown = set(fields) - set(OPENING_FIELDS)
    if unknown:
        raise ValueError(f"opening_create cannot set {', '.join(sorted(unknown))}")
    opening = JobOpening(agency=agency, created_by=actor, status=JobOpening.Status.DRAFT, **fields)
    _require_opening(actor, CHANGE_OPENINGS, opening)
    _check_post_type(opening.post_type)
    _check_domain(opening.service_domain)
    opening.full_clean()
    opening.save()
    record(actor=actor, action=AuditEntry.Action.CREATE, obj=opening, changes=diff({}, snapshot(opening)))
    return opening


@transaction.atomic
def opening_update(*, opening: JobOpening, actor, **changes) -> JobOpening:
    unknown = set(changes) - set(OPENING_FIELDS)
    if unknown:
        raise ValueError(f"opening_update cannot change {', '.join(sorted(unknown))}")
    opening = JobOpening.objects.select_for_update().select_related("agency", "region").get(pk=opening.pk)
    _require_opening(actor, CHANGE_OPENINGS, opening)
    if opening.status == JobOpening.Status.CLOSED:
        raise ValidationError(_("招聘已结束，不能再修改。"))
    before = snapshot(opening)
    previous_post_type, previous_domain = opening.post_type, opening.service_domain_id
    for name, value in changes.items():
        setattr(opening, name, value)
    # The new region must be one the actor manages too (or the agency's own).
    _require_opening(actor, CHANGE_OPENINGS, opening)
    _check_post_type(opening.post_type, previous_post_type)
    _check_domain(opening.service_domain, previous_domain)
    hired = opening.applications.filter(state=State.HIRED).count()
    if opening.headcount < hired:
        raise ValidationError({"headcount": _("已录用 %(hired)d 人，招聘人数不能少于此数。") % {"hired": hired}})
    opening.full_clean()
    opening.save()
    record(actor=actor, action=AuditEntry.Action.UPDATE, obj=opening, changes=diff(before, snapshot(opening)))
    return opening


def _set_status(opening: JobOpening, status: str, actor, note: str) -> None:
    before = snapshot(opening, ["status", "closed_at"])
    opening.status = status
    opening.closed_at = timezone.now() if status == JobOpening.Status.CLOSED else None
    opening.save(update_fields=["status", "closed_at", "updated_at"])
    record(
        actor=actor,
        action=AuditEntry.Action.TRANSITION,
        obj=opening,
        changes=diff(before, snapshot(opening, ["status", "closed_at"])),
        note=note,
    )


@transaction.atomic
def opening_publish(*, opening: JobOpening, actor) -> JobOpening:
    """Open a draft (or reopen a closed opening that still has places) to applications."""
    from shegong.agencies.services import assert_agency_contractable

    opening = JobOpening.objects.select_for_update().select_related("agency", "region").get(pk=opening.pk)
    _require_opening(actor, CHANGE_OPENINGS, opening)
    if opening.status == JobOpening.Status.OPEN:
        raise ValidationError(_("该岗位已在招聘中。"))
    today = timezone.localdate()
    if opening.closes_on is not None and opening.closes_on < today:
        raise ValidationError({"closes_on": _("报名截止日期已过，请先修改截止日期。")})
    if opening.applications.filter(state=State.HIRED).count() >= opening.headcount:
        raise ValidationError(_("已招满 %(count)d 人，不能重新开放。") % {"count": opening.headcount})
    if opening.government_funded:
        # A government-purchased post needs an agency that may hold government contracts (not on the abnormal list
        # or the blacklist); the agencies app says why not.
        assert_agency_contractable(opening.agency, today)
    _set_status(opening, JobOpening.Status.OPEN, actor, _("发布招聘"))
    return opening


@transaction.atomic
def opening_close(*, opening: JobOpening, actor) -> JobOpening:
    """Stop taking applications. Shortlisted applicants may still be hired while places remain."""
    opening = JobOpening.objects.select_for_update().select_related("agency", "region").get(pk=opening.pk)
    _require_opening(actor, CHANGE_OPENINGS, opening)
    if opening.status == JobOpening.Status.CLOSED:
        raise ValidationError(_("招聘已结束。"))
    _set_status(opening, JobOpening.Status.CLOSED, actor, _("结束招聘"))
    return opening


# --- Applications --------------------------------------------------------------------------------------------------


@transaction.atomic
def application_submit(*, opening: JobOpening, worker, cover_note: str = "", actor) -> JobApplication:
    """A worker applies (for themselves) to an opening that takes applications today."""
    from shegong.workers.selectors import is_blacklisted

    if not actor.has_perm(APPLY) or worker.account_id != actor.pk:
        raise PermissionDenied(_("只能以本人的社工档案应聘。"))
    opening = JobOpening.objects.select_for_update().get(pk=opening.pk)
    today = timezone.localdate()
    if not opening.accepting(today):
        if opening.status == JobOpening.Status.OPEN and opening.opens_on > today:
            raise ValidationError(_("该岗位 %(day)s 起接受报名。") % {"day": opening.opens_on})
        raise ValidationError(_("该岗位已停止招聘，不能再报名。"))
    if JobApplication.objects.filter(opening=opening, worker=worker).exists():
        raise ValidationError(_("您已应聘过这个岗位，不能重复报名。"))
    if worker.status != worker.Status.ACTIVE:
        raise ValidationError(_("您的档案状态为“%(status)s”，不能应聘。") % {"status": worker.get_status_display()})
    if opening.government_funded and is_blacklisted(worker, today):
        raise ValidationError(_("您目前被列入黑名单，不能应聘政府购买服务岗位。"))
    application = JobApplication(opening=opening, worker=worker, cover_note=(cover_note or "").strip())
    application.full_clean()
    application.save()
    record(actor=actor, action=AuditEntry.Action.CREATE, obj=application, changes=diff({}, snapshot(application)))
    return application


def _moves_for(actor, application: JobApplication) -> dict:
    moves: dict = {}
    if application.worker.account_id == actor.pk and actor.has_perm(APPLY):
        for state, targets in APPLICANT_MOVES.items():
            moves.setdefault(state, set()).update(targets)
    if covers_opening(actor, DECIDE, application.opening):
        for state, targets in AGENCY_MOVES.items():
            moves.setdefault(state, set()).update(targets)
    return moves


def allowed_moves(actor, application: JobApplication) -> list[str]:
    """The states `actor` may move the application to now, in display order."""
    targets = _moves_for(actor, application).get(application.state, set())
    return [state for state in State.values if state in targets]


def _refuse_move(application: JobApplication, to_state: str, actor) -> None:
    if application.state in FINAL_STATES:
        raise ValidationError(
            _("该申请已是“%(state)s”，不能再变更。") % {"state": application.get_state_display()}, code="final"
        )
    if to_state in AGENCY_MOVES.get(application.state, set()) | APPLICANT_MOVES.get(application.state, set()):
        raise PermissionDenied(_("您不能办理这项操作。"))
    raise ValidationError(
        _("不能从“%(from)s”变为“%(to)s”。") % {"from": application.get_state_display(), "to": State(to_state).label},
        code="invalid_transition",
    )


@transaction.atomic
def application_transition(*, application: JobApplication, to_state: str, note: str = "", actor) -> JobApplication:
    """Shortlist, reject or withdraw. Hiring records an employment: use application_hire."""
    if to_state == State.HIRED:
        raise ValueError("use application_hire to hire")
    application = (
        JobApplication.objects.select_for_update()
        .select_related("opening__agency", "opening__region", "worker")
        .get(pk=application.pk)
    )
    if to_state not in allowed_moves(actor, application):
        _refuse_move(application, to_state, actor)
    before = snapshot(application, ["state", "decision_note"])
    application.state = to_state
    application.decided_at = timezone.now()
    application.decided_by = actor
    application.decision_note = (note or "").strip()
    application.save(update_fields=["state", "decided_at", "decided_by", "decision_note"])
    record(
        actor=actor,
        action=AuditEntry.Action.TRANSITION,
        obj=application,
        changes=diff(before, snapshot(application, ["state", "decision_note"])),
    )
    return application


def _move_worker(worker, *, opening: JobOpening, actor) -> None:
    """Make the hiring agency the worker's employer on the register, working where the post is, through the workers
    app's own service (its checks, derived columns and audit entry naming the actor who hired)."""
    from shegong.workers.services import worker_employ

    worker_employ(actor=actor, worker=worker, agency=opening.agency, region=opening.region, post_type=opening.post_type)


@transaction.atomic
def application_hire(*, application: JobApplication, started_on: datetime.date, actor) -> Employment:
    """Hire a shortlisted applicant: the application becomes 已录用, an Employment is recorded (ending the worker's
    current one the day before), the worker's record moves to the agency, and the opening closes when full."""
    from shegong.workers.selectors import assert_worker_assignable

    application = JobApplication.objects.select_related("worker").get(pk=application.pk)
    # Lock the opening first: two hires into the last place must not both succeed.
    opening = JobOpening.objects.select_for_update().select_related("agency", "region").get(pk=application.opening_id)
    application = JobApplication.objects.select_for_update().select_related("worker").get(pk=application.pk)
    application.opening = opening
    if State.HIRED not in allowed_moves(actor, application):
        _refuse_move(application, State.HIRED, actor)
    worker = application.worker
    if opening.government_funded:
        # 信用监管: a blacklisted person is not put on a government-funded post (the workers app says why).
        assert_worker_assignable(worker, started_on)
    hired = opening.applications.filter(state=State.HIRED).count()
    if hired >= opening.headcount:
        raise ValidationError(_("该岗位已招满 %(count)d 人。") % {"count": opening.headcount})
    if started_on < opening.opens_on:
        raise ValidationError(
            {"started_on": _("入职日期不能早于报名开始日期（%(day)s）。") % {"day": opening.opens_on}}
        )
    current = Employment.objects.select_for_update().filter(worker=worker, ended_on__isnull=True).first()
    if current is not None:
        if current.started_on >= started_on:
            raise ValidationError(
                {
                    "started_on": _("%(name)s 现岗位于 %(day)s 入职，新岗位的入职日期须晚于此日。")
                    % {"name": worker.name, "day": current.started_on}
                }
            )
        before = snapshot(current, ["ended_on"])
        current.ended_on = started_on - datetime.timedelta(days=1)
        current.full_clean()
        current.save(update_fields=["ended_on"])
        record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            obj=current,
            changes=diff(before, snapshot(current, ["ended_on"])),
            note=_("因录用到新岗位而结束"),
        )
    before = snapshot(application, ["state"])
    application.state = State.HIRED
    application.decided_at = timezone.now()
    application.decided_by = actor
    application.save(update_fields=["state", "decided_at", "decided_by"])
    record(
        actor=actor,
        action=AuditEntry.Action.TRANSITION,
        obj=application,
        changes=diff(before, snapshot(application, ["state"])),
    )
    employment = Employment(
        worker=worker,
        agency=opening.agency,
        post_type=opening.post_type,
        title=opening.title,
        started_on=started_on,
        application=application,
        recorded_by=actor,
    )
    employment.full_clean()
    employment.save()
    record(actor=actor, action=AuditEntry.Action.CREATE, obj=employment, changes=diff({}, snapshot(employment)))
    _move_worker(worker, opening=opening, actor=actor)
    if hired + 1 >= opening.headcount and opening.status != JobOpening.Status.CLOSED:
        _set_status(opening, JobOpening.Status.CLOSED, actor, _("已招满，自动结束招聘"))
    return employment


# --- Pay -----------------------------------------------------------------------------------------------------------


@transaction.atomic
def pay_record(*, worker, effective_from: datetime.date, monthly_pay: Decimal, note: str = "", actor) -> WorkerPay:
    """Record a worker's monthly pay from a date. Only the employer's administrators and the civil-affairs
    administrators of the worker's region hold the permission over the worker (talent.access)."""
    require_worker(actor, ADD_PAY, worker)
    if WorkerPay.objects.filter(worker=worker, effective_from=effective_from).exists():
        raise ValidationError({"effective_from": _("%(day)s 已有薪酬记录。") % {"day": effective_from}})
    pay = WorkerPay(
        worker=worker,
        agency_id=worker.agency_id,
        effective_from=effective_from,
        monthly_pay=monthly_pay,
        note=(note or "").strip(),
        recorded_by=actor,
    )
    pay.full_clean()
    pay.save()
    record(actor=actor, action=AuditEntry.Action.CREATE, obj=pay, changes=diff({}, snapshot(pay)))
    return pay


@transaction.atomic
def pay_delete(*, pay: WorkerPay, actor) -> None:
    pay = WorkerPay.objects.select_related("worker").get(pk=pay.pk)
    require_worker(actor, DELETE_PAY, pay.worker)
    record(actor=actor, action=AuditEntry.Action.DELETE, obj=pay, changes=diff(snapshot(pay), {}))
    pay.delete()
