"""Every write of casework: atomic, scope checked, the case row locked, audited in the same transaction.

Who keeps a case: its 承办社工 (the owner, through the worker's account) and whoever holds casework.change_case over
its region or agency (station heads, agency admins). Stage content is written while the case is at the stage that
needs it (STAGES_OF); the stage moves only as `Case.MOVES` says, and a move is refused unless the content of the
stage being left is complete (`move_problem`). Each intervention session is one 服务人次 (persontimes) written and
erased with it. Raising a crisis flag alerts the station head(s) at once, in the same transaction.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.audit.models import AuditEntry
from shegong.audit.services import diff, record, snapshot
from shegong.casework import permissions
from shegong.casework.models import (
    NEED_AREAS,
    Case,
    CaseAssessment,
    CaseCrisis,
    CaseEvaluation,
    CaseGoal,
    CaseIntake,
    CasePlan,
    CaseReview,
    CaseSession,
    CaseStageEvent,
    ClosureReason,
    IntakeSource,
)
from shegong.core.scope import scoped
from shegong.inbox.models import Notification
from shegong.inbox.services import notify
from shegong.persontimes import services as persontimes
from shegong.persontimes.models import PersonTime
from shegong.regions.codes import subtree_bounds
from shegong.stations.models import StaffAssignment, Station
from shegong.stations.rules import current_q
from shegong.stations.selectors import heads_of

Stage = Case.Stage
CODE_ATTEMPTS = 3
SUPERVISION_RECENT_DAYS = 365
VIEW_RECIPIENT = "recipients.view_recipient"
SERVICE_DOMAIN = "service_domain"

# The stages during which each kind of content may be written.
STAGES_OF = {
    "intake": (Stage.INTAKE, Stage.ASSESSMENT, Stage.PLANNING, Stage.INTERVENTION),
    "assessment": (Stage.ASSESSMENT, Stage.PLANNING, Stage.INTERVENTION),
    "plan": (Stage.PLANNING, Stage.INTERVENTION),
    "session": (Stage.INTERVENTION,),
    "evaluation": (Stage.EVALUATION,),
}


# --- Helpers ---------------------------------------------------------------------------------------------------------


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _require(actor, *perms: str) -> None:
    """The actor holds one of `perms` (the installation, actor None, holds all)."""
    if actor is not None and not any(actor.has_perm(perm) for perm in perms):
        raise PermissionDenied(_("您没有执行此操作的权限。"))


def keepable(actor):
    """The cases `actor` may keep: their own (as 承办社工) and those of their scope granting change_case."""
    return Case.objects.all() if actor is None else scoped(Case, actor, permissions.CHANGE)


def can_keep(actor, case: Case) -> bool:
    return keepable(actor).filter(pk=case.pk).exists()


def _locked(actor, case: Case, version: int | None = None) -> Case:
    """The case re-read under a row lock, inside what the actor may keep; a stale form (version) is refused."""
    locked = keepable(actor).select_for_update(of=("self",)).filter(pk=case.pk).first()
    if locked is None:
        raise PermissionDenied(_("该个案不在您的管辖范围内，或您不是承办社工。"))
    if version is not None and int(version) != locked.version:
        raise ValidationError(
            _("该个案已被他人修改（您看到的是旧版本），请刷新页面后重新填写。"),
            code="stale",
        )
    return locked


def _touch(case: Case, *fields: str) -> None:
    case.version += 1
    case.save(update_fields=["version", "updated_at", *fields])


def _in_stage(case: Case, content: str) -> None:
    if case.stage not in STAGES_OF[content]:
        allowed = "、".join(str(Stage(stage).label) for stage in STAGES_OF[content])
        raise ValidationError(
            _("个案当前处于“%(stage)s”阶段，此内容只能在以下阶段填写：%(allowed)s。")
            % {"stage": case.get_stage_display(), "allowed": allowed},
            code="wrong_stage",
        )


def _text(value, field: str, message: str, errors: dict) -> str:
    text = (value or "").strip()
    if not text:
        errors.setdefault(field, []).append(ValidationError(message, code="required"))
    return text


def _date(value, field: str, errors: dict, *, not_before: datetime.date | None = None, label: str = "") -> None:
    if value is None:
        errors.setdefault(field, []).append(ValidationError(_("请填写日期。"), code="required"))
    elif value > timezone.localdate():
        errors.setdefault(field, []).append(ValidationError(_("日期不能晚于今天。"), code="future"))
    elif not_before is not None and value < not_before:
        errors.setdefault(field, []).append(
            ValidationError(_("日期不能早于接案日期（%(date)s）。") % {"date": not_before}, code="before_opened")
        )


def _field_error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def _url(case: Case) -> str:
    return reverse("casework:detail", args=[case.pk])


def is_domain(code: str) -> bool:
    from shegong.refdata.models import DictionaryItem

    return DictionaryItem.objects.filter(dictionary__code=SERVICE_DOMAIN, code=code, is_active=True).exists()


# --- Opening a case --------------------------------------------------------------------------------------------------


def station_covers(station: Station, community_code: str) -> bool:
    low, high = subtree_bounds(station.region_id, station.region.level)
    return low <= community_code <= high


def holds_post(worker, station: Station, on: datetime.date | None = None) -> bool:
    on = on or timezone.localdate()
    return StaffAssignment.objects.filter(current_q(on), station=station, worker=worker).exists()


def new_code(station: Station, year: int) -> str:
    """C + the station's region code (6 digits, the district) + the year + a 5-digit sequence (C440104202600001).
    The caller holds the station's row lock, so two cases opened at one station never take the same number; stations
    of one district share the prefix, so the unique constraint and a retry settle the rest."""
    prefix = f"C{station.region_id[:6]}{year}"
    last = (
        Case.objects.filter(code__startswith=prefix, code__regex=rf"^{prefix}\d{{5}}$")
        .order_by("-code")
        .values_list("code", flat=True)
        .first()
    )
    return f"{prefix}{(int(last[len(prefix) :]) + 1 if last else 1):05d}"


@transaction.atomic
def case_open(
    *,
    recipient,
    station: Station,
    worker,
    domain: str,
    opened_on: datetime.date,
    source: str,
    presenting_problem: str,
    project=None,
    source_request=None,
    actor,
) -> Case:
    """接案: open a case for a recipient in the actor's scope (consent not withdrawn), carried by a worker who holds a
    current post at the station. The code is generated (new_code); the intake is written with the case."""
    from shegong.recipients.models import Recipient

    _require(actor, permissions.ADD)
    errors: dict[str, list] = {}
    people = Recipient.objects.all() if actor is None else scoped(Recipient, actor, VIEW_RECIPIENT)
    if recipient is None or not people.filter(pk=recipient.pk).exists():
        errors["recipient"] = [
            ValidationError(_("请选择您管辖范围内的服务对象（已撤回同意的服务对象不能开案）。"), code="recipient")
        ]
    if station is None:
        errors["station"] = [ValidationError(_("请选择站点。"), code="required")]
    elif station.status != Station.Status.OPERATING:
        errors["station"] = [ValidationError(_("只能在运营中的站点开案。"), code="station_not_operating")]
    elif "recipient" not in errors and not (
        station.pk == recipient.station_id or station_covers(station, recipient.community_id)
    ):
        errors["station"] = [ValidationError(_("所选站点不覆盖该服务对象所在的村（社区）。"), code="station_outside")]
    if worker is None:
        errors["worker"] = [ValidationError(_("请选择承办社工。"), code="required")]
    elif station is not None and not holds_post(worker, station):
        errors["worker"] = [
            ValidationError(_("承办社工须在该站点有现任岗位（站点人员）。"), code="worker_not_at_station")
        ]
    if not domain or not is_domain(domain):
        errors["domain"] = [ValidationError(_("请选择服务领域（字典 service_domain）。"), code="invalid_domain")]
    _date(opened_on, "opened_on", errors)
    if source not in IntakeSource.values:
        errors["source"] = [ValidationError(_("请选择个案来源。"), code="invalid_source")]
    problem = _text(presenting_problem, "presenting_problem", _("请填写服务对象的主要问题。"), errors)
    if project is not None and station is not None and not project.covered.filter(station=station).exists():
        errors["project"] = [ValidationError(_("该服务项目不覆盖所选站点。"), code="project_outside")]
    _raise(errors)
    case = Case(
        recipient=recipient,
        region_id=recipient.community_id,
        province_code=recipient.community_id[:2],
        station=station,
        agency=station.agency,
        project=project,
        worker=worker,
        domain=domain,
        stage=Stage.INTAKE,
        opened_on=opened_on,
        created_by=_user(actor),
    )
    list(Station.objects.select_for_update().filter(pk=station.pk).values_list("pk", flat=True))
    for attempt in range(CODE_ATTEMPTS):
        case.code = new_code(station, opened_on.year)
        case.full_clean(exclude=["created_by", "recipient", "region", "station", "worker", "agency", "project"])
        try:
            with transaction.atomic():
                case.save(force_insert=True)
            break
        except IntegrityError:
            # Another station of the district took the number between the read and this write: take the next one.
            case.pk = None
            if attempt == CODE_ATTEMPTS - 1:
                raise
    request_id = getattr(source_request, "pk", source_request)
    CaseIntake.objects.create(
        case=case, source=source, presenting_problem=problem, intake_on=opened_on, source_request_id=request_id
    )
    CaseStageEvent.objects.create(case=case, from_stage="", to_stage=Stage.INTAKE, actor=_user(actor))
    if actor is not None and not scoped(Case, actor, permissions.ADD).filter(pk=case.pk).exists():
        raise _field_error(
            "recipient",
            _("该个案将不在您的管辖范围内：只能为本辖区（本站点、本机构）的服务对象开案。"),
            "outside_scope",
        )
    after = snapshot(case)
    after["source"] = source
    record(actor=actor, action=AuditEntry.Action.CREATE, obj=case, changes=diff({}, after), note=_("接案"))
    return case


@transaction.atomic
def case_update(*, case: Case, actor, worker=None, domain: str | None = None, version: int | None = None) -> Case:
    """Hand the case to another worker of the station, or change its domain (open cases only)."""
    case = _locked(actor, case, version)
    if not case.is_open:
        raise ValidationError(_("已结案的个案不能修改，请先重新开案。"), code="closed")
    before = snapshot(case)
    errors: dict[str, list] = {}
    if worker is not None and worker.pk != case.worker_id:
        if not holds_post(worker, case.station):
            errors["worker"] = [
                ValidationError(_("承办社工须在该站点有现任岗位（站点人员）。"), code="worker_not_at_station")
            ]
        case.worker = worker
    if domain is not None and domain != case.domain:
        if not is_domain(domain):
            errors["domain"] = [ValidationError(_("请选择服务领域（字典 service_domain）。"), code="invalid_domain")]
        case.domain = domain
    _raise(errors)
    _touch(case, "worker", "domain")
    for session in case.sessions.all():
        _count_session(session, case)
    record(actor=actor, action=AuditEntry.Action.UPDATE, obj=case, changes=diff(before, snapshot(case)))
    return case


# --- Stage content ---------------------------------------------------------------------------------------------------


@transaction.atomic
def intake_save(
    *, case: Case, actor, source: str, presenting_problem: str, intake_on: datetime.date, version: int | None = None
) -> CaseIntake:
    case = _locked(actor, case, version)
    _in_stage(case, "intake")
    errors: dict[str, list] = {}
    if source not in IntakeSource.values:
        errors["source"] = [ValidationError(_("请选择个案来源。"), code="invalid_source")]
    problem = _text(presenting_problem, "presenting_problem", _("请填写服务对象的主要问题。"), errors)
    _date(intake_on, "intake_on", errors)
    _raise(errors)
    intake, _created = CaseIntake.objects.get_or_create(
        case=case, defaults={"source": source, "presenting_problem": problem, "intake_on": intake_on}
    )
    before = snapshot(intake)
    intake.source, intake.presenting_problem, intake.intake_on = source, problem, intake_on
    intake.full_clean(exclude=["case"])
    intake.save()
    case.opened_on = intake_on  # the intake date is the case's 接案日期
    _touch(case, "opened_on")
    record(actor=actor, action=AuditEntry.Action.UPDATE, obj=intake, changes=diff(before, snapshot(intake)))
    return intake


def clean_needs(needs) -> dict:
    areas = dict(NEED_AREAS)
    cleaned = {key: (value or "").strip() for key, value in (needs or {}).items() if (value or "").strip()}
    if any(key not in areas for key in cleaned):
        raise _field_error("needs", _("需求领域不正确。"), "invalid_area")
    if not cleaned:
        raise _field_error("needs", _("请至少填写一个领域的需求。"), "required")
    return {key: cleaned[key] for key in areas if key in cleaned}


@transaction.atomic
def assessment_save(
    *,
    case: Case,
    actor,
    needs: dict,
    risk_level: str,
    risk_factors: str = "",
    strengths: str = "",
    assessed_on: datetime.date,
    version: int | None = None,
) -> CaseAssessment:
    """预估: needs by area (at least one), the risk level (a high risk names its factors) and strengths."""
    case = _locked(actor, case, version)
    _in_stage(case, "assessment")
    errors: dict[str, list] = {}
    try:
        needs = clean_needs(needs)
    except ValidationError as exc:
        errors.update(exc.error_dict)
    if risk_level not in CaseAssessment.Risk.values:
        errors["risk_level"] = [ValidationError(_("请选择风险等级。"), code="required")]
    factors = (risk_factors or "").strip()
    if risk_level == CaseAssessment.Risk.HIGH and not factors:
        errors["risk_factors"] = [ValidationError(_("风险等级为“高”时，请填写风险因素。"), code="required")]
    _date(assessed_on, "assessed_on", errors, not_before=case.opened_on)
    _raise(errors)
    assessment = CaseAssessment.objects.filter(case=case).first() or CaseAssessment(case=case)
    before = snapshot(assessment) if assessment.pk else {}
    assessment.needs, assessment.risk_level = needs, risk_level
    assessment.risk_factors, assessment.strengths = factors, (strengths or "").strip()
    assessment.assessed_on = assessed_on
    assessment.full_clean(exclude=["case"])
    assessment.save()
    _touch(case)
    record(actor=actor, action=AuditEntry.Action.UPDATE, obj=assessment, changes=diff(before, snapshot(assessment)))
    return assessment


@transaction.atomic
def plan_save(*, case: Case, actor, methods: str, planned_on: datetime.date, version: int | None = None) -> CasePlan:
    """计划: the methods and date; the goals are added one by one (goal_add)."""
    case = _locked(actor, case, version)
    _in_stage(case, "plan")
    errors: dict[str, list] = {}
    methods = _text(methods, "methods", _("请填写服务方法与策略。"), errors)
    _date(planned_on, "planned_on", errors, not_before=case.opened_on)
    _raise(errors)
    plan = CasePlan.objects.filter(case=case).first() or CasePlan(case=case)
    before = snapshot(plan) if plan.pk else {}
    plan.methods, plan.planned_on = methods, planned_on
    plan.full_clean(exclude=["case"])
    plan.save()
    _touch(case)
    record(actor=actor, action=AuditEntry.Action.UPDATE, obj=plan, changes=diff(before, snapshot(plan)))
    return plan


def _goal_values(description, measure, target_date, case: Case) -> tuple[str, str]:
    errors: dict[str, list] = {}
    description = _text(description, "description", _("请填写目标。"), errors)
    measure = _text(measure, "measure", _("请填写目标的衡量方式。"), errors)
    if target_date is None:
        errors["target_date"] = [ValidationError(_("请填写目标日期。"), code="required")]
    elif target_date < case.opened_on:
        errors["target_date"] = [ValidationError(_("目标日期不能早于接案日期。"), code="before_opened")]
    _raise(errors)
    return description, measure


@transaction.atomic
def goal_add(*, case: Case, actor, description: str, measure: str, target_date: datetime.date) -> CaseGoal:
    case = _locked(actor, case)
    _in_stage(case, "plan")
    description, measure = _goal_values(description, measure, target_date, case)
    goal = CaseGoal(case=case, description=description, measure=measure, target_date=target_date)
    goal.full_clean(exclude=["case"])
    goal.save()
    _touch(case)
    record(actor=actor, action=AuditEntry.Action.CREATE, obj=goal, changes=diff({}, snapshot(goal)))
    return goal


@transaction.atomic
def goal_update(*, goal: CaseGoal, actor, description: str, measure: str, target_date: datetime.date) -> CaseGoal:
    case = _locked(actor, goal.case)
    _in_stage(case, "plan")
    goal = CaseGoal.objects.select_for_update().get(pk=goal.pk, case=case)
    before = snapshot(goal)
    goal.description, goal.measure = _goal_values(description, measure, target_date, case)
    goal.target_date = target_date
    goal.full_clean(exclude=["case"])
    goal.save()
    _touch(case)
    record(actor=actor, action=AuditEntry.Action.UPDATE, obj=goal, changes=diff(before, snapshot(goal)))
    return goal


@transaction.atomic
def goal_delete(*, goal: CaseGoal, actor) -> None:
    case = _locked(actor, goal.case)
    _in_stage(case, "plan")
    goal = CaseGoal.objects.select_for_update().get(pk=goal.pk, case=case)
    record(actor=actor, action=AuditEntry.Action.DELETE, obj=goal, changes=diff(snapshot(goal), {}))
    goal.delete()
    _touch(case)


def _count_session(session: CaseSession, case: Case) -> None:
    """One 服务人次 per session, attributed like the case (region = the recipient's community)."""
    persontimes.record(
        kind=PersonTime.Kind.CASE_SESSION,
        source_id=session.pk,
        occurred_on=session.held_on,
        count=1,
        station=case.station,
        region=case.region,
        domain=case.domain,
        agency=case.agency,
        project=case.project,
        worker=case.worker,
    )


def _session_values(case: Case, held_on, kind, duration_minutes, notes) -> dict:
    errors: dict[str, list] = {}
    _date(held_on, "held_on", errors, not_before=case.opened_on)
    if kind not in CaseSession.Kind.values:
        errors["kind"] = [ValidationError(_("请选择服务方式。"), code="invalid_kind")]
    try:
        minutes = int(duration_minutes)
    except (TypeError, ValueError):
        minutes = 0
    if not 1 <= minutes <= 1440:
        errors["duration_minutes"] = [ValidationError(_("时长应为 1 至 1440 分钟。"), code="duration")]
    notes = _text(notes, "notes", _("请填写服务记录。"), errors)
    _raise(errors)
    return {"held_on": held_on, "kind": kind, "duration_minutes": minutes, "notes": notes}


@transaction.atomic
def session_add(
    *, case: Case, actor, held_on: datetime.date, kind: str, duration_minutes: int, notes: str
) -> CaseSession:
    """介入: one dated session; it counts one 服务人次 in the same transaction."""
    case = _locked(actor, case)
    _in_stage(case, "session")
    session = CaseSession(
        case=case, recorded_by=_user(actor), **_session_values(case, held_on, kind, duration_minutes, notes)
    )
    session.full_clean(exclude=["case", "recorded_by"])
    session.save()
    _count_session(session, case)
    _touch(case)
    after = snapshot(session, ["held_on", "kind", "duration_minutes"])
    record(actor=actor, action=AuditEntry.Action.CREATE, obj=session, changes=diff({}, after))
    return session


@transaction.atomic
def session_update(
    *, session: CaseSession, actor, held_on: datetime.date, kind: str, duration_minutes: int, notes: str
) -> CaseSession:
    case = _locked(actor, session.case)
    _in_stage(case, "session")
    session = CaseSession.objects.select_for_update().get(pk=session.pk, case=case)
    fields = ["held_on", "kind", "duration_minutes"]
    before = snapshot(session, fields)
    for key, value in _session_values(case, held_on, kind, duration_minutes, notes).items():
        setattr(session, key, value)
    session.full_clean(exclude=["case", "recorded_by"])
    session.save()
    _count_session(session, case)
    _touch(case)
    record(actor=actor, action=AuditEntry.Action.UPDATE, obj=session, changes=diff(before, snapshot(session, fields)))
    return session


@transaction.atomic
def session_delete(*, session: CaseSession, actor) -> None:
    case = _locked(actor, session.case)
    _in_stage(case, "session")
    session = CaseSession.objects.select_for_update().get(pk=session.pk, case=case)
    record(
        actor=actor,
        action=AuditEntry.Action.DELETE,
        obj=session,
        changes=diff(snapshot(session, ["held_on", "kind", "duration_minutes"]), {}),
    )
    persontimes.erase(kind=PersonTime.Kind.CASE_SESSION, source_id=session.pk)
    session.delete()
    _touch(case)


@transaction.atomic
def evaluation_save(
    *,
    case: Case,
    actor,
    overall: str,
    evaluated_on: datetime.date,
    achievements: dict,
    version: int | None = None,
) -> CaseEvaluation:
    """评估: every goal rated 达成 / 部分达成 / 未达成 (achievements: goal id → (achievement, note)) and an overall
    evaluation."""
    case = _locked(actor, case, version)
    _in_stage(case, "evaluation")
    errors: dict[str, list] = {}
    overall = _text(overall, "overall", _("请填写总体评估。"), errors)
    _date(evaluated_on, "evaluated_on", errors, not_before=case.opened_on)
    goals = {goal.pk: goal for goal in CaseGoal.objects.select_for_update().filter(case=case)}
    cleaned = {}
    for key, value in (achievements or {}).items():
        achievement, note = value if isinstance(value, (tuple, list)) else (value, "")
        goal = goals.get(int(key))
        if goal is None:
            errors.setdefault("achievements", []).append(ValidationError(_("目标不属于该个案。"), code="unknown_goal"))
        elif achievement not in CaseGoal.Achievement.values:
            errors.setdefault("achievements", []).append(
                ValidationError(_("请为目标“%(goal)s”选择达成情况。") % {"goal": goal.description}, code="required")
            )
        else:
            cleaned[goal.pk] = (achievement, (note or "").strip()[:1000])
    _raise(errors)
    for goal in goals.values():
        if goal.pk in cleaned:
            before = snapshot(goal, ["achievement", "achievement_note"])
            goal.achievement, goal.achievement_note = cleaned[goal.pk]
            goal.save(update_fields=["achievement", "achievement_note"])
            changes = diff(before, snapshot(goal, ["achievement", "achievement_note"]))
            if changes:
                record(actor=actor, action=AuditEntry.Action.UPDATE, obj=goal, changes=changes)
    evaluation = CaseEvaluation.objects.filter(case=case).first() or CaseEvaluation(case=case)
    before = snapshot(evaluation) if evaluation.pk else {}
    evaluation.overall, evaluation.evaluated_on = overall, evaluated_on
    evaluation.full_clean(exclude=["case"])
    evaluation.save()
    _touch(case)
    record(actor=actor, action=AuditEntry.Action.UPDATE, obj=evaluation, changes=diff(before, snapshot(evaluation)))
    return evaluation


# --- The stage machine -----------------------------------------------------------------------------------------------


def incomplete(case: Case, stage: str) -> str | None:
    """Why the content of `stage` is not complete yet (None when it is)."""
    if stage == Stage.INTAKE:
        intake = CaseIntake.objects.filter(case=case).first()
        if intake is None or not intake.presenting_problem.strip():
            return _("请先完成接案记录（个案来源与主要问题）。")
    elif stage == Stage.ASSESSMENT:
        if not CaseAssessment.objects.filter(case=case).exists():
            return _("请先完成预估（需求、风险等级与优势）后再进入计划阶段。")
    elif stage == Stage.PLANNING:
        if not CasePlan.objects.filter(case=case).exists():
            return _("请先填写服务计划（服务方法与策略）。")
        if not CaseGoal.objects.filter(case=case).exists():
            return _("服务计划至少需要一个目标。")
    elif stage == Stage.INTERVENTION:
        if not CaseSession.objects.filter(case=case).exists():
            return _("至少记录一次介入服务后才能进入评估阶段。")
    elif stage == Stage.EVALUATION:
        if not CaseEvaluation.objects.filter(case=case).exists():
            return _("请先填写总体评估。")
        if CaseGoal.objects.filter(case=case, achievement="").exists():
            return _("请评估每一个服务目标的达成情况后再结案。")
    return None


def allowed_targets(case: Case) -> list[str]:
    """The stages the case may move to from where it is, before content checks (for the buttons)."""
    if case.stage == Stage.CLOSED:
        return list(Case.REOPEN_TO)
    targets = [Case.MOVES[case.stage]]
    if Stage.CLOSED not in targets:
        targets.append(Stage.CLOSED)
    return targets


def move_problem(case: Case, to: str, *, reason: str = "", closure_reason: str = "", closure_summary: str = ""):
    """The ValidationError refusing the move, or None when it is allowed."""
    stages = dict(Stage.choices)
    if to not in stages:
        return _field_error("to", _("目标阶段不正确。"), "invalid_stage")
    names = {"from": stages[case.stage], "to": stages[to]}
    if to == case.stage:
        return _field_error("to", _("个案已处于“%(to)s”阶段。") % names, "same_stage")
    if to not in allowed_targets(case):
        if case.stage == Stage.CLOSED:
            message = _("已结案的个案只能重新开案到“预估”或“介入”阶段，不能到“%(to)s”。") % names
        else:
            message = _("不能从“%(from)s”直接进入“%(to)s”：个案须按 接案→预估→计划→介入→评估→结案 逐步推进。") % names
        return _field_error("to", message, "not_allowed")
    if case.stage == Stage.CLOSED:
        if not (reason or "").strip():
            return _field_error("reason", _("重新开案须填写原因。"), "reason_required")
        if to == Stage.INTERVENTION:
            problem = incomplete(case, Stage.PLANNING)
            if problem:
                return _field_error("to", problem + _("（或重新开案到“预估”阶段）"), "incomplete")
        return None
    if to == Stage.CLOSED:
        if closure_reason not in ClosureReason.values:
            return _field_error("closure_reason", _("请选择结案原因。"), "reason_required")
        if not (closure_summary or "").strip():
            return _field_error("closure_summary", _("请填写结案小结。"), "summary_required")
        if closure_reason != ClosureReason.GOALS_MET:
            return None  # early closure (提前结案): from any open stage, whatever content is missing
        if case.stage != Stage.EVALUATION:
            return _field_error(
                "closure_reason",
                _("尚未完成评估，不能以“目标达成”结案；提前结案请选择其他原因（如服务对象主动终止、转介、迁出）。"),
                "early_goals_met",
            )
    problem = incomplete(case, case.stage)
    if problem:
        return _field_error("to", problem, "incomplete")
    return None


@transaction.atomic
def case_move(
    *,
    case: Case,
    to: str,
    actor,
    reason: str = "",
    closure_reason: str = "",
    closure_summary: str = "",
    on: datetime.date | None = None,
    version: int | None = None,
) -> Case:
    """Move the case one stage forward, close it (normally from 评估, early from any open stage with a reason other
    than 目标达成) or reopen a closed case (重新开案, to 预估 or 介入, with a reason). Every move is a CaseStageEvent
    and an audit row; closing closes the 码上办 requests that became this case."""
    case = _locked(actor, case, version)
    problem = move_problem(case, to, reason=reason, closure_reason=closure_reason, closure_summary=closure_summary)
    if problem is not None:
        raise problem
    before = snapshot(case)
    from_stage = case.stage
    note = (reason or "").strip()
    if to == Stage.CLOSED:
        closed_on = on or timezone.localdate()
        if closed_on < case.opened_on or closed_on > timezone.localdate():
            raise _field_error("on", _("结案日期应在接案日期与今天之间。"), "closed_on")
        case.closed_on = closed_on
        case.closure_reason = closure_reason
        case.closure_summary = closure_summary.strip()
        note = ClosureReason(closure_reason).label + (f"：{note}" if note else "")
    elif from_stage == Stage.CLOSED:
        case.closed_on = None
        case.closure_reason = ""
        case.closure_summary = ""
    case.stage = to
    case.stage_changed_at = timezone.now()
    _touch(case, "stage", "closed_on", "closure_reason", "closure_summary", "stage_changed_at")
    CaseStageEvent.objects.create(case=case, from_stage=from_stage, to_stage=to, reason=note[:1000], actor=_user(actor))
    label = _("重新开案") if from_stage == Stage.CLOSED else _("阶段变更")
    record(
        actor=actor,
        action=AuditEntry.Action.TRANSITION,
        obj=case,
        changes=diff(before, snapshot(case)),
        note=f"{label}：{Stage(from_stage).label} → {Stage(to).label}" + (f"（{note}）" if note else ""),
    )
    if to == Stage.CLOSED:
        from shegong.servicerequests.services import requests_close_for_case

        requests_close_for_case(case=case, actor=actor)
    return case


# --- Crisis and review -----------------------------------------------------------------------------------------------


def crisis_recipients(case: Case) -> list:
    """The station head(s) (heads_of falls back up the network), the station's current supervisors (督导岗) and the
    worker's own supervisor: the one of their latest supervision session (talent) within SUPERVISION_RECENT_DAYS."""
    from shegong.talent.models import SupervisionSession

    today = timezone.localdate()
    supervisors = [
        row.worker.account
        for row in StaffAssignment.objects.filter(
            current_q(today), station=case.station, role=StaffAssignment.Role.SUPERVISOR
        ).select_related("worker__account")
        if row.worker.account is not None
    ]
    latest = (
        SupervisionSession.objects.filter(
            supervisees=case.worker, held_on__gte=today - datetime.timedelta(days=SUPERVISION_RECENT_DAYS)
        )
        .select_related("supervisor__worker__account")
        .order_by("-held_on", "-id")
        .first()
    )
    if latest is not None and latest.supervisor.worker.account is not None:
        supervisors.append(latest.supervisor.worker.account)
    return [user for user in dict.fromkeys([*heads_of(case.station), *supervisors]) if user is not None]


@transaction.atomic
def crisis_raise(*, case: Case, actor, kind: str, note: str) -> CaseCrisis:
    """危机: flag the case and alert the station head(s) at once (urgent), in this transaction."""
    case = _locked(actor, case)
    errors: dict[str, list] = {}
    if kind not in CaseCrisis.Kind.values:
        errors["kind"] = [ValidationError(_("请选择危机类型。"), code="required")]
    note = _text(note, "note", _("请简要说明危机情况。"), errors)
    _raise(errors)
    if not case.is_open:
        raise ValidationError(_("已结案的个案不能标记危机，请先重新开案。"), code="closed")
    if CaseCrisis.objects.filter(case=case, cleared_at__isnull=True).exists():
        raise ValidationError(_("该个案已有未解除的危机标记。"), code="crisis_open")
    crisis = CaseCrisis.objects.create(case=case, kind=kind, note=note[:2000], raised_by=_user(actor))
    case.crisis = True
    _touch(case, "crisis")
    names = {"code": case.code, "kind": crisis.get_kind_display(), "station": case.station.name}
    notify(
        users=crisis_recipients(case),
        kind=Notification.Kind.CRISIS,
        title=_("危机预警：个案 %(code)s（%(kind)s）") % names,
        body=_("%(station)s 的个案 %(code)s 被标记为危机（%(kind)s），请立即跟进。") % names + "\n" + note,
        url=_url(case),
        subject=f"casework.casecrisis:{crisis.pk}",
        urgent=True,
    )
    record(
        actor=actor, action=AuditEntry.Action.CREATE, obj=crisis, changes=diff({}, snapshot(crisis)), note=_("标记危机")
    )
    return crisis


@transaction.atomic
def crisis_clear(*, case: Case, actor, note: str) -> CaseCrisis:
    case = _locked(actor, case)
    errors: dict[str, list] = {}
    note = _text(note, "note", _("解除危机标记须填写说明。"), errors)
    _raise(errors)
    crisis = CaseCrisis.objects.select_for_update().filter(case=case, cleared_at__isnull=True).first()
    if crisis is None:
        raise ValidationError(_("该个案没有未解除的危机标记。"), code="no_crisis")
    before = snapshot(crisis)
    crisis.cleared_at, crisis.cleared_by, crisis.clear_note = timezone.now(), _user(actor), note[:2000]
    crisis.save(update_fields=["cleared_at", "cleared_by", "clear_note"])
    case.crisis = False
    _touch(case, "crisis")
    record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        obj=crisis,
        changes=diff(before, snapshot(crisis)),
        note=_("解除危机"),
    )
    return crisis


def reviewable(actor):
    return Case.objects.all() if actor is None else scoped(Case, actor, permissions.REVIEW)


@transaction.atomic
def review_add(*, case: Case, actor, decision: str, comment: str) -> CaseReview:
    """督导审阅: a reviewer in scope comments at any stage; the worker is alerted. The case's own worker does not
    review their own case."""
    _require(actor, permissions.REVIEW)
    locked = reviewable(actor).select_for_update(of=("self",)).filter(pk=case.pk).first()
    if locked is None:
        raise PermissionDenied(_("该个案不在您的督导范围内。"))
    case = locked
    if actor is not None and case.worker.account_id == actor.pk:
        raise PermissionDenied(_("承办社工不能审阅自己的个案。"))
    errors: dict[str, list] = {}
    if decision not in CaseReview.Decision.values:
        errors["decision"] = [ValidationError(_("请选择审阅意见。"), code="required")]
    comment = _text(comment, "comment", _("请填写审阅说明。"), errors)
    _raise(errors)
    review = CaseReview.objects.create(
        case=case, stage=case.stage, decision=decision, comment=comment, reviewer=_user(actor)
    )
    names = {"code": case.code, "decision": review.get_decision_display()}
    notify(
        users=[case.worker.account] if case.worker.account_id else [],
        kind=Notification.Kind.REVIEW,
        title=_("个案 %(code)s 督导审阅：%(decision)s") % names,
        body=comment,
        url=_url(case),
        subject=f"casework.casereview:{review.pk}",
        urgent=False,
    )
    record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=review,
        changes=diff({}, snapshot(review, ["stage", "decision"])),
    )
    return review
