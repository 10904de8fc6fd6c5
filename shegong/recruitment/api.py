"""Recruitment and pay API (/api/v1/recruitment/): the job board, managed openings, applications, employment and
pay. Same filters, scope and services as the pages: lists hold only rows in the caller's scope, an object outside it
answers 404 (pay included: a peer or another agency gets 404, never 403), a missing permission 403, a refused write
400 with the reasons in Chinese."""

import datetime
from decimal import Decimal

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from shegong.core.api_helpers import Paging, query_dict, require, run_service
from shegong.core.scope import get_scoped_or_404
from shegong.recruitment import selectors, services
from shegong.recruitment.forms import (
    ApplicationFilterForm,
    BoardFilterForm,
    EmploymentFilterForm,
    ManagedOpeningFilterForm,
    PayFilterForm,
)
from shegong.recruitment.models import JobApplication

router = Router(tags=["recruitment"])
# --- Openings ------------------------------------------------------------------------------------------------------


class BoardQuery(Schema):
    q: str | None = Field(None, description="part of the title or the agency's name")
    region: str | None = Field(None, description="division code of the work region (subtree)")
    domain: int | None = Field(None, description="id of a service_domain dictionary item")
    post_type: str | None = Field(None, description="code of the post_type dictionary")
    pay_at_least: int | None = Field(None, description="monthly pay (yuan) the range reaches at least")
    sort: str | None = Field(None, description="recent, closing or pay")


class ManagedQuery(BoardQuery):
    status: str | None = Field(None, description="draft, open or closed")
    agency: int | None = None


class OpeningOut(Schema):
    id: int
    title: str
    agency_id: int
    agency: str
    agency_status: str = Field(description="normal, abnormal (异常名录) or blacklist")
    post_type: str
    service_domain: str
    region: str
    headcount: int
    pay_min: int
    pay_max: int
    government_funded: bool
    status: str
    opens_on: datetime.date
    closes_on: datetime.date | None
    description: str


class OpeningPage(Schema):
    count: int
    items: list[OpeningOut]


class ManagedOpeningOut(OpeningOut):
    hired_count: int
    application_count: int


class ManagedOpeningPage(Schema):
    count: int
    items: list[ManagedOpeningOut]


def _opening_out(opening, counts: bool = False) -> dict:
    out = {
        "id": opening.pk,
        "title": opening.title,
        "agency_id": opening.agency_id,
        "agency": opening.agency.name,
        "agency_status": opening.agency.current_status(),
        "post_type": opening.post_type,
        "service_domain": opening.service_domain.code,
        "region": opening.region_id,
        "headcount": opening.headcount,
        "pay_min": opening.pay_min,
        "pay_max": opening.pay_max,
        "government_funded": opening.government_funded,
        "status": opening.status,
        "opens_on": opening.opens_on,
        "closes_on": opening.closes_on,
        "description": opening.description,
    }
    if counts:
        out.update(hired_count=opening.hired_count, application_count=opening.application_count)
    return out


@router.get("/openings", response=OpeningPage, summary="招聘信息（接受报名的岗位）")
def opening_list(request, filters: Query[BoardQuery], paging: Query[Paging]):
    require(request, selectors.VIEW_BOARD)
    rows = BoardFilterForm(query_dict(**filters.dict())).apply(selectors.board(request.user))
    items = [_opening_out(row) for row in paging.window(rows)]
    return {"count": rows.count(), "items": items}


@router.get("/openings/{pk}", response=ManagedOpeningOut, summary="一个招聘岗位")
def opening_detail(request, pk: int):
    return _opening_out(selectors.opening_get(request.user, pk), counts=True)


@router.get("/managed-openings", response=ManagedOpeningPage, summary="本机构（辖区）的招聘岗位")
def managed_list(request, filters: Query[ManagedQuery], paging: Query[Paging]):
    require(request, selectors.VIEW_APPLICATIONS)
    form = ManagedOpeningFilterForm(query_dict(**filters.dict()), actor=request.user)
    rows = form.apply(selectors.managed_openings(request.user))
    items = [_opening_out(row, counts=True) for row in paging.window(rows)]
    return {"count": rows.count(), "items": items}


# --- Applications --------------------------------------------------------------------------------------------------


class ApplicationQuery(Schema):
    q: str | None = Field(None, description="the applicant: name prefix, pinyin initials or exact ID number")
    state: str | None = Field(None, description="submitted, shortlisted, hired, rejected or withdrawn")
    opening: int | None = None
    region: str | None = None
    sort: str | None = None


class ApplicationOut(Schema):
    id: int
    opening_id: int
    opening_title: str
    worker_id: int
    worker_name: str
    state: str
    cover_note: str
    submitted_at: datetime.datetime
    decided_at: datetime.datetime | None
    allowed_moves: list[str] = Field(description="the states the caller may move this application to now")


class ApplicationPage(Schema):
    count: int
    items: list[ApplicationOut]


def _application_out(request, application: JobApplication) -> dict:
    return {
        "id": application.pk,
        "opening_id": application.opening_id,
        "opening_title": application.opening.title,
        "worker_id": application.worker_id,
        "worker_name": application.worker.name,
        "state": application.state,
        "cover_note": application.cover_note,
        "submitted_at": application.submitted_at,
        "decided_at": application.decided_at,
        "allowed_moves": services.allowed_moves(request.user, application),
    }


@router.get("/applications", response=ApplicationPage, summary="应聘申请（本人的，或所管岗位的）")
def application_list(request, filters: Query[ApplicationQuery], paging: Query[Paging]):
    if not (request.user.has_perm(selectors.VIEW_APPLICATIONS) or request.user.has_perm(services.APPLY)):
        raise HttpError(403, _("您没有执行此操作的权限。"))
    rows = ApplicationFilterForm(query_dict(**filters.dict())).apply(selectors.applications(request.user))
    items = [_application_out(request, row) for row in paging.window(rows)]
    return {"count": rows.count(), "items": items}


class ApplyIn(Schema):
    cover_note: str = Field("", max_length=2000)


@router.post("/openings/{pk}/applications", response={201: ApplicationOut}, summary="报名应聘（本人）")
def application_submit(request, pk: int, payload: ApplyIn):
    from shegong.workers.selectors import worker_of_account

    require(request, services.APPLY)
    opening = selectors.opening_get(request.user, pk)
    worker = worker_of_account(request.user)
    if worker is None:
        raise HttpError(400, _("您的账户没有关联社工档案，不能在线应聘。"))
    application = run_service(
        lambda: services.application_submit(
            opening=opening, worker=worker, cover_note=payload.cover_note, actor=request.user
        )
    )
    return Status(201, _application_out(request, application))


class TransitionIn(Schema):
    to: str = Field(description="shortlisted, rejected, withdrawn or hired")
    note: str = ""
    started_on: datetime.date | None = Field(None, description="for hired: the first day of work (default: today)")


@router.post("/applications/{pk}/transition", response=ApplicationOut, summary="变更应聘申请状态（含录用）")
def application_transition(request, pk: int, payload: TransitionIn):
    application = get_scoped_or_404(
        JobApplication.objects.select_related("opening", "worker"), request.user, selectors.VIEW_APPLICATIONS, pk=pk
    )
    if payload.to not in JobApplication.State.values:
        raise HttpError(400, _("未知的状态“%(state)s”。") % {"state": payload.to})
    if payload.to == JobApplication.State.HIRED:
        run_service(
            lambda: services.application_hire(
                application=application, started_on=payload.started_on or timezone.localdate(), actor=request.user
            )
        )
    else:
        run_service(
            lambda: services.application_transition(
                application=application, to_state=payload.to, note=payload.note, actor=request.user
            )
        )
    application.refresh_from_db()
    return _application_out(request, application)


# --- Employment ----------------------------------------------------------------------------------------------------


class EmploymentQuery(Schema):
    q: str | None = None
    current: str | None = Field(None, description="1: still employed; 0: ended")
    region: str | None = None
    sort: str | None = None


class EmploymentOut(Schema):
    id: int
    worker_id: int
    worker_name: str
    agency_id: int
    agency: str
    post_type: str
    title: str
    started_on: datetime.date
    ended_on: datetime.date | None
    application_id: int | None


class EmploymentPage(Schema):
    count: int
    items: list[EmploymentOut]


@router.get("/employments", response=EmploymentPage, summary="聘用记录")
def employment_list(request, filters: Query[EmploymentQuery], paging: Query[Paging]):
    require(request, selectors.VIEW_EMPLOYMENTS)
    rows = EmploymentFilterForm(query_dict(**filters.dict())).apply(selectors.employments(request.user))
    items = [
        {
            "id": row.pk,
            "worker_id": row.worker_id,
            "worker_name": row.worker.name,
            "agency_id": row.agency_id,
            "agency": row.agency.name,
            "post_type": row.post_type,
            "title": row.title,
            "started_on": row.started_on,
            "ended_on": row.ended_on,
            "application_id": row.application_id,
        }
        for row in paging.window(rows)
    ]
    return {"count": rows.count(), "items": items}


# --- Pay -----------------------------------------------------------------------------------------------------------


class PayQuery(Schema):
    q: str | None = None
    grade: str | None = Field(None, description="a job grade code, e.g. intermediate_2")
    position: str | None = Field(None, description="below, within, above or unknown (against the guidance)")
    region: str | None = None
    sort: str | None = None


class ComparisonOut(Schema):
    position: str | None = Field(description="below, within, above, or null when it cannot be judged")
    label: str
    message: str
    minimum: Decimal | None
    maximum: Decimal | None
    profile: str | None = Field(description="the profile whose pay guidance applies")
    review_due: datetime.date | None
    review_overdue: bool


class PayOut(Schema):
    id: int
    worker_id: int
    worker_name: str
    job_grade: str
    effective_from: datetime.date
    monthly_pay: Decimal
    comparison: ComparisonOut


class PayPage(Schema):
    count: int
    items: list[PayOut]


class WorkerPayOut(Schema):
    worker_id: int
    worker_name: str
    history: list[PayOut]


def _comparison_out(comparison) -> dict:
    figures = comparison.verdict.figures if comparison.verdict is not None else {}
    return {
        "position": comparison.position,
        "label": comparison.label,
        "message": comparison.message,
        "minimum": figures.get("minimum"),
        "maximum": figures.get("maximum"),
        "profile": str(comparison.rule.profile) if comparison.rule else None,
        "review_due": comparison.review_due,
        "review_overdue": comparison.review_overdue,
    }


def _pay_out(pay, worker=None) -> dict:
    worker = worker or pay.worker
    return {
        "id": pay.pk,
        "worker_id": worker.pk,
        "worker_name": worker.name,
        "job_grade": worker.job_grade,
        "effective_from": pay.effective_from,
        "monthly_pay": pay.monthly_pay,
        "comparison": _comparison_out(pay.comparison),
    }


@router.get("/pay", response=PayPage, summary="现行薪酬与指导价位比较")
def pay_list(request, filters: Query[PayQuery], paging: Query[Paging]):
    require(request, selectors.VIEW_PAY)
    form = PayFilterForm(query_dict(**filters.dict()))
    today = timezone.localdate()
    rows = form.filter(selectors.current_pay(request.user, today))
    rules = None
    if form.value("position"):
        condition, rules = selectors.position_q(rows, form.value("position"), today)
        rows = rows.filter(condition)
    rows = form.apply(rows)
    page = list(paging.window(rows))
    selectors.compare_rows(page, today, rules)
    return {"count": rows.count(), "items": [_pay_out(row) for row in page]}


def _pay_worker(request, pk: int):
    from shegong.workers.models import SocialWorker

    workers = SocialWorker.objects.select_related("region", "agency")
    worker = get_scoped_or_404(workers, request.user, selectors.VIEW_PAY, pk=pk)
    if not selectors.can_view_pay(request.user, worker):
        raise Http404
    return worker


def _history_out(worker) -> dict:
    history = selectors.pay_history(worker)
    selectors.compare_history(worker, history)
    return {
        "worker_id": worker.pk,
        "worker_name": worker.name,
        "history": [_pay_out(pay, worker) for pay in history],
    }


@router.get("/pay/workers/{pk}", response=WorkerPayOut, summary="一名社会工作者的薪酬记录")
def pay_worker(request, pk: int):
    return _history_out(_pay_worker(request, pk))


class PayIn(Schema):
    effective_from: datetime.date
    monthly_pay: Decimal = Field(gt=0, max_digits=10, decimal_places=2)
    note: str = Field("", max_length=200)


@router.post("/pay/workers/{pk}", response={201: WorkerPayOut}, summary="登记薪酬")
def pay_record(request, pk: int, payload: PayIn):
    worker = _pay_worker(request, pk)
    run_service(lambda: services.pay_record(worker=worker, actor=request.user, **payload.dict()))
    return Status(201, _history_out(worker))
