"""Talent pool API (/api/v1/talent/): supervisors with their supervisee ratio, supervision sessions, leading talents
and honours. Same filters, scope and services as the pages: a list holds only rows in the caller's scope, an object
outside it answers 404, a missing permission 403, a refused write 400 with the reasons in Chinese."""

import datetime
from decimal import Decimal

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from shegong.core.api_helpers import Paging, query_dict, require, run_service
from shegong.core.scope import get_scoped_or_404, scoped
from shegong.talent import selectors, services
from shegong.talent.forms import HonourFilterForm, LeadingTalentFilterForm, SessionFilterForm, SupervisorFilterForm
from shegong.talent.models import SupervisionSession, SupervisorProfile

router = Router(tags=["talent"])
# --- Supervisors ---------------------------------------------------------------------------------------------------


class SupervisorQuery(Schema):
    q: str | None = Field(None, description="name prefix, pinyin initials or exact ID number")
    grade: str | None = Field(None, description="assistant, trainee, junior, intermediate or senior")
    region: str | None = Field(None, description="division code of the work region (subtree)")
    agency: int | None = None
    over_ratio: str | None = Field(None, description="1: only those over the supervisee ratio; 0: only the others")
    start: datetime.date | None = Field(None, description="period start (default: twelve months before `end`)")
    end: datetime.date | None = Field(None, description="period end (default: today)")
    sort: str | None = Field(None, description="name, grade, supervisees or hours")


class RatioOut(Schema):
    supervisees: int = Field(description="distinct supervisees in the period")
    max_supervisees: int
    status: str = Field(description="pass, fail or unknown")
    message: str
    source: str = Field(description="the profile whose rule applies, or the national default")
    is_default: bool


class SupervisorOut(Schema):
    id: int
    worker_id: int
    name: str
    grade: str
    grade_label: str
    grade_since: datetime.date
    agency_id: int | None
    agency: str
    region: str
    session_count: int
    session_hours: Decimal
    ratio: RatioOut


class GradeChangeOut(Schema):
    kind: str
    from_grade: str
    to_grade: str
    changed_on: datetime.date
    approving_authority: str
    reason: str


class SupervisorDetailOut(SupervisorOut):
    period_start: datetime.date
    period_end: datetime.date
    history: list[GradeChangeOut]
    supervisee_ids: list[int]


class SupervisorPage(Schema):
    count: int
    items: list[SupervisorOut]


def _supervisor_out(row: SupervisorProfile) -> dict:
    return {
        "id": row.pk,
        "worker_id": row.worker_id,
        "name": row.worker.name,
        "grade": row.grade,
        "grade_label": row.get_grade_display(),
        "grade_since": row.grade_since,
        "agency_id": row.worker.agency_id,
        "agency": str(row.worker.agency or row.worker.employer_name or ""),
        "region": row.worker.region_id,
        "session_count": row.session_count,
        "session_hours": row.session_hours,
        "ratio": {
            "supervisees": row.supervisee_count,
            "max_supervisees": row.ratio.limit.max_supervisees,
            "status": row.ratio.verdict.status,
            "message": row.ratio.verdict.message,
            "source": row.ratio.limit.source,
            "is_default": row.ratio.limit.is_default,
        },
    }


@router.get("/supervisors", response=SupervisorPage, summary="督导人才库")
def supervisor_list(request, filters: Query[SupervisorQuery], paging: Query[Paging]):
    require(request, selectors.VIEW_SUPERVISORS)
    form = SupervisorFilterForm(query_dict(**filters.dict()), actor=request.user)
    period = form.period()
    base = selectors.with_period_figures(form.filter(selectors.supervisors(request.user)), period)
    condition, limits = selectors.over_ratio_q(base, period.end)
    over = form.over_ratio_wanted()
    rows = base.filter(condition) if over is True else base.exclude(condition) if over is False else base
    rows = form.apply(rows)
    page = list(paging.window(rows))
    selectors.attach_verdicts(page, period.end, limits)
    return {"count": rows.count(), "items": [_supervisor_out(row) for row in page]}


def _profile(request, pk: int, perm: str) -> SupervisorProfile:
    rows = SupervisorProfile.objects.select_related("worker", "worker__region", "worker__agency")
    return get_scoped_or_404(rows, request.user, perm, pk=pk)


@router.get("/supervisors/{pk}", response=SupervisorDetailOut, summary="一名督导：等级变动、被督导人与督导配比")
def supervisor_detail(request, pk: int, start: datetime.date | None = None, end: datetime.date | None = None):
    require(request, selectors.VIEW_SUPERVISORS)
    from shegong.talent.forms import period_from

    profile = _profile(request, pk, selectors.VIEW_SUPERVISORS)
    period = period_from(start, end)
    selectors.supervisor_figures(profile, period)
    out = _supervisor_out(profile)
    out.update(
        period_start=period.start,
        period_end=period.end,
        history=list(selectors.grade_history(profile)),
        supervisee_ids=[worker.pk for worker in selectors.supervisees_of(profile, period)],
    )
    return out


class GradeChangeIn(Schema):
    to_grade: str | None = Field(None, description="omit for one step up the ladder")
    changed_on: datetime.date
    approving_authority: str
    reason: str = Field("", description="required when skipping steps or moving down")


@router.post("/supervisors/{pk}/grade", response={201: GradeChangeOut}, summary="督导等级变动")
def supervisor_change_grade(request, pk: int, payload: GradeChangeIn):
    require(request, services.MANAGE_SUPERVISORS)
    profile = _profile(request, pk, services.MANAGE_SUPERVISORS)
    change = run_service(
        lambda: services.supervisor_change_grade(profile=profile, actor=request.user, **payload.dict())
    )
    return Status(201, change)


# --- Sessions ------------------------------------------------------------------------------------------------------


class SessionQuery(Schema):
    q: str | None = Field(None, description="the supervisor: name prefix, pinyin initials or exact ID number")
    supervisor: int | None = None
    mode: str | None = Field(None, description="individual or group")
    region: str | None = None
    start: datetime.date | None = None
    end: datetime.date | None = None
    sort: str | None = Field(None, description="recent, oldest or hours")


class SessionOut(Schema):
    id: int
    supervisor_id: int
    supervisor_name: str
    held_on: datetime.date
    hours: Decimal
    topic: str
    mode: str
    supervisee_ids: list[int]


class SessionPage(Schema):
    count: int
    items: list[SessionOut]


def _session_out(session: SupervisionSession) -> dict:
    return {
        "id": session.pk,
        "supervisor_id": session.supervisor_id,
        "supervisor_name": session.supervisor.worker.name,
        "held_on": session.held_on,
        "hours": session.hours,
        "topic": session.topic,
        "mode": session.mode,
        "supervisee_ids": [worker.pk for worker in session.supervisees.all()],
    }


@router.get("/sessions", response=SessionPage, summary="督导记录")
def session_list(request, filters: Query[SessionQuery], paging: Query[Paging]):
    require(request, selectors.VIEW_SESSIONS)
    form = SessionFilterForm(query_dict(**filters.dict()))
    rows = form.apply(selectors.sessions(request.user))
    page = selectors.with_supervisee_names(paging.window(rows))
    return {"count": rows.count(), "items": [_session_out(session) for session in page]}


class SessionIn(Schema):
    held_on: datetime.date
    hours: Decimal = Field(gt=0, le=24)
    topic: str
    mode: str = Field(description="individual or group")
    supervisee_ids: list[int]
    notes: str = ""


@router.post("/supervisors/{pk}/sessions", response={201: SessionOut}, summary="登记督导记录")
def session_create(request, pk: int, payload: SessionIn):
    from shegong.workers.models import SocialWorker

    require(request, services.ADD_SESSION)
    profile = _profile(request, pk, services.ADD_SESSION)
    supervisees = list(scoped(SocialWorker, request.user, services.ADD_SESSION).filter(pk__in=payload.supervisee_ids))
    if len(supervisees) != len(set(payload.supervisee_ids)):
        raise HttpError(400, _("有被督导人不存在或不在您的管辖范围内。"))
    data = payload.dict(exclude={"supervisee_ids"})
    session = run_service(
        lambda: services.session_create(supervisor=profile, supervisees=supervisees, actor=request.user, **data)
    )
    session = selectors.with_supervisee_names(selectors.sessions(request.user).filter(pk=session.pk))[0]
    return Status(201, _session_out(session))


# --- Leading talents and honours -----------------------------------------------------------------------------------


class TalentQuery(Schema):
    q: str | None = None
    level: str | None = Field(None, description="national, provincial, municipal or district")
    year: int | None = None
    region: str | None = None
    sort: str | None = None


class LeadingTalentOut(Schema):
    id: int
    worker_id: int
    name: str
    level: str
    selected_year: int
    field: str
    programme: str


class LeadingTalentPage(Schema):
    count: int
    items: list[LeadingTalentOut]


@router.get("/leading-talents", response=LeadingTalentPage, summary="领军人才")
def leading_list(request, filters: Query[TalentQuery], paging: Query[Paging]):
    require(request, selectors.VIEW_LEADING)
    rows = LeadingTalentFilterForm(query_dict(**filters.dict())).apply(selectors.leading_talents(request.user))
    items = [
        {
            "id": row.pk,
            "worker_id": row.worker_id,
            "name": row.worker.name,
            "level": row.level,
            "selected_year": row.selected_year,
            "field": row.field,
            "programme": row.programme,
        }
        for row in paging.window(rows)
    ]
    return {"count": rows.count(), "items": items}


class HonourOut(Schema):
    id: int
    worker_id: int
    name: str
    title: str
    level: str
    awarded_on: datetime.date
    awarding_body: str


class HonourPage(Schema):
    count: int
    items: list[HonourOut]


@router.get("/honours", response=HonourPage, summary="荣誉")
def honour_list(request, filters: Query[TalentQuery], paging: Query[Paging]):
    require(request, selectors.VIEW_HONOURS)
    rows = HonourFilterForm(query_dict(**filters.dict())).apply(selectors.honours(request.user))
    items = [
        {
            "id": row.pk,
            "worker_id": row.worker_id,
            "name": row.worker.name,
            "title": row.title,
            "level": row.level,
            "awarded_on": row.awarded_on,
            "awarding_body": row.awarding_body,
        }
        for row in paging.window(rows)
    ]
    return {"count": rows.count(), "items": items}
