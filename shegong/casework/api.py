"""REST endpoints of casework, mounted at /api/v1/casework/. They read through the same selectors as the pages, so a
case is visible here exactly when it is there: in the caller's scope or carried by the caller (else 404), and never
once the recipient withdrew consent. Notes (presenting problem, session notes, closure summary) are given only to a
caller who may keep the case; writes go through the same services as the pages."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from shegong.casework import permissions, selectors, services
from shegong.casework.models import Case
from shegong.core.listing import COUNT_LIMIT, CappedPaginator
from shegong.stations.models import Station

router = Router(tags=["casework"])

MAX_PAGE_SIZE = 200


class CaseQuery(Schema):
    q: str = Field("", description="case code or the start of the recipient's name")
    stage: str = Field("", description="intake, assessment, planning, intervention, evaluation or closed")
    crisis: bool | None = None
    station: str = Field("", description="station code")
    domain: str = Field("", description="code of the service_domain dictionary")
    awaiting_review: bool | None = Field(None, description="待督导: no review since the last stage move")
    mine: bool = Field(False, description="only the cases the caller carries as 承办社工")
    page: int = Field(1, ge=1)
    page_size: int = Field(50, ge=1, le=MAX_PAGE_SIZE)


class CaseOut(Schema):
    id: int
    code: str
    recipient_id: int
    recipient_name: str
    community: str = Field(description="12-digit division code of the recipient's community")
    station: str = Field(description="station code")
    worker_id: int
    worker_name: str
    domain: str
    stage: str
    crisis: bool
    opened_on: datetime.date
    closed_on: datetime.date | None
    closure_reason: str
    version: int
    can_keep: bool


class SessionOut(Schema):
    id: int
    held_on: datetime.date
    kind: str
    duration_minutes: int
    notes: str | None = Field(description="only for a caller who may keep the case")


class GoalOut(Schema):
    id: int
    description: str
    measure: str
    target_date: datetime.date
    achievement: str


class CaseDetailOut(CaseOut):
    intake_source: str | None
    presenting_problem: str | None = Field(description="only for a caller who may keep the case")
    risk_level: str | None
    goals: list[GoalOut]
    sessions: list[SessionOut]
    closure_summary: str | None = Field(description="only for a caller who may keep the case")
    allowed_moves: list[str]


class CasePageOut(Schema):
    items: list[CaseOut]
    count: int
    count_more: bool
    count_limit: int
    page: int


class MoveIn(Schema):
    to: str
    reason: str = ""
    closure_reason: str = ""
    closure_summary: str = ""
    on: datetime.date | None = None
    version: int | None = None


class SessionIn(Schema):
    held_on: datetime.date
    kind: str
    duration_minutes: int
    notes: str


def _require_read(request) -> None:
    if not (request.user.has_perm(permissions.VIEW) or request.user.has_perm(permissions.ADD)):
        raise HttpError(403, _("您没有查看个案的权限。"))


def _require_keep(request, case: Case) -> None:
    if not (request.user.has_perm(permissions.CHANGE) or request.user.has_perm(permissions.ADD)):
        raise HttpError(403, _("您没有修改个案的权限。"))
    if not services.can_keep(request.user, case):
        raise HttpError(403, _("该个案不在您的管辖范围内，或您不是承办社工。"))


def _out(case: Case, keep: bool) -> dict:
    return {
        "id": case.pk,
        "code": case.code,
        "recipient_id": case.recipient_id,
        "recipient_name": case.recipient.name,
        "community": case.region_id,
        "station": case.station.code,
        "worker_id": case.worker_id,
        "worker_name": case.worker.name,
        "domain": case.domain,
        "stage": case.stage,
        "crisis": case.crisis,
        "opened_on": case.opened_on,
        "closed_on": case.closed_on,
        "closure_reason": case.closure_reason,
        "version": case.version,
        "can_keep": keep,
    }


def _session(session, keep: bool) -> dict:
    return {
        "id": session.pk,
        "held_on": session.held_on,
        "kind": session.kind,
        "duration_minutes": session.duration_minutes,
        "notes": session.notes if keep else None,
    }


def _detail(request, case: Case) -> dict:
    keep = services.can_keep(request.user, case)
    intake = getattr(case, "intake", None)
    assessment = getattr(case, "assessment", None)
    return {
        **_out(case, keep),
        "intake_source": intake.source if intake else None,
        "presenting_problem": intake.presenting_problem if intake and keep else None,
        "risk_level": assessment.risk_level if assessment else None,
        "goals": [
            {
                "id": goal.pk,
                "description": goal.description,
                "measure": goal.measure,
                "target_date": goal.target_date,
                "achievement": goal.achievement,
            }
            for goal in case.goals.all()
        ],
        "sessions": [_session(session, keep) for session in case.sessions.all()],
        "closure_summary": case.closure_summary if keep else None,
        "allowed_moves": services.allowed_targets(case) if keep else [],
    }


def _refusal(exc: ValidationError) -> HttpError:
    return HttpError(422, " ".join(exc.messages))


@router.get("/", response=CasePageOut, summary="Cases in the caller's scope (or carried by the caller)")
def case_list(request, query: Query[CaseQuery]):
    _require_read(request)
    filters = {"q": query.q, "stage": query.stage, "crisis": query.crisis, "domain": query.domain}
    filters["awaiting_review"] = query.awaiting_review
    if query.stage and query.stage not in Case.Stage.values:
        raise HttpError(422, _("阶段不正确。"))
    if query.station:
        filters["station"] = Station.objects.filter(code=query.station).first()
        if filters["station"] is None:
            raise HttpError(422, _("没有该编码的站点。"))
    rows = selectors.case_search(actor=request.user, **filters).order_by("-opened_on", "-id")
    if query.mine:
        rows = rows.filter(worker__account=request.user)
    keepable = set(services.keepable(request.user).filter(pk__in=rows.values("pk")).values_list("pk", flat=True))
    paginator = CappedPaginator(rows, query.page_size)
    page = paginator.page(min(query.page, paginator.num_pages))
    return {
        "items": [_out(case, case.pk in keepable) for case in page],
        "count": paginator.count,
        "count_more": paginator.capped,
        "count_limit": COUNT_LIMIT,
        "page": page.number,
    }


@router.get("/{case_id}", response=CaseDetailOut, summary="One case")
def case_detail(request, case_id: int):
    """404 outside the caller's scope or once the recipient withdrew consent; notes only for those who keep it."""
    _require_read(request)
    return _detail(request, selectors.case_get(actor=request.user, pk=case_id))


@router.post("/{case_id}/move", response=CaseDetailOut, summary="Move the case (next stage, 结案, 重新开案)")
def case_move(request, case_id: int, payload: MoveIn):
    _require_read(request)
    case = selectors.case_get(actor=request.user, pk=case_id)
    _require_keep(request, case)
    try:
        case = services.case_move(case=case, actor=request.user, **payload.dict())
    except ValidationError as exc:
        raise _refusal(exc) from None
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from None
    return _detail(request, selectors.case_get(actor=request.user, pk=case.pk))


@router.get("/{case_id}/sessions", response=list[SessionOut], summary="The intervention sessions of a case")
def session_list(request, case_id: int):
    _require_read(request)
    case = selectors.case_get(actor=request.user, pk=case_id)
    keep = services.can_keep(request.user, case)
    return [_session(session, keep) for session in case.sessions.all()]


@router.post("/{case_id}/sessions", response={201: SessionOut}, summary="Record an intervention session")
def session_add(request, case_id: int, payload: SessionIn):
    _require_read(request)
    case = selectors.case_get(actor=request.user, pk=case_id)
    _require_keep(request, case)
    try:
        session = services.session_add(case=case, actor=request.user, **payload.dict())
    except ValidationError as exc:
        raise _refusal(exc) from None
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from None
    return Status(201, _session(session, True))
