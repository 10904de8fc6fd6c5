"""REST endpoints of the talent pool, mounted at /api/v1/workers/. They read through the same selectors and the same
filter form as the pages, so a worker is visible here exactly when it is visible on the list page, and outside the
caller's scope answers 404. ID numbers and phones are always masked here: seeing one in full is the detail page's
"显示" action, audited per view."""

import datetime

from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from shegong.core.masking import mask_id_number, mask_phone
from shegong.workers import permissions, selectors, vocabulary
from shegong.workers.forms import WorkerFilterForm
from shegong.workers.models import SocialWorker

router = Router(tags=["workers"])

MAX_PAGE_SIZE = 200
FILTERS = ("q", "region", "agency", "certificate", "domain", "status", "post_type", "job_grade", "blacklisted", "sort")


class WorkerOut(Schema):
    id: int
    name: str
    name_initials: str
    id_number: str = Field(description="masked (first 6 and last 4 characters)")
    sex: str = Field(description="M or F, from the ID number")
    birth_date: datetime.date = Field(description="from the ID number")
    phone: str = Field(description="masked")
    education: str = Field(description="code of the education_level dictionary")
    major_social_work: bool
    region: str = Field(description="12-digit division code")
    region_name: str
    province_code: str
    agency: int | None
    agency_name: str
    employer_kind: str = Field(description="code of the employer_kind dictionary, when not at an agency")
    employer_name: str
    post_type: str = Field(description="code of the post_type dictionary")
    post_type_label: str
    job_grade: str
    job_grade_label: str
    highest_certificate: str = Field(description="assistant, intermediate, senior, or empty")
    service_domains: list[str] = Field(description="codes of the service_domain dictionary")
    is_frontline: bool
    status: str = Field(description="active, left or retired")
    blacklisted: bool = Field(description="on the blacklist today")
    created_at: datetime.datetime
    updated_at: datetime.datetime


class WorkerPageOut(Schema):
    items: list[WorkerOut]
    next_cursor: str | None = Field(description="pass as `after` for the next page")
    previous_cursor: str | None = Field(description="pass as `before` for the previous page")
    count: int = Field(description="matching workers, counted up to count_limit")
    count_more: bool = Field(description="true when more than count_limit workers match")
    count_limit: int


class CertificateOut(Schema):
    id: int
    level: str
    level_label: str
    number: str
    year_passed: int
    authority: str


class CreditEventOut(Schema):
    id: int
    kind: str = Field(description="commendation or violation")
    kind_label: str
    severity: str = Field(description="minor, serious or blacklist for violations; empty for commendations")
    severity_label: str
    title: str
    description: str
    source_document: str
    occurred_on: datetime.date
    effective_until: datetime.date | None
    closed_on: datetime.date | None
    closing_note: str
    in_force: bool = Field(description="a violation in force today (open)")
    has_evidence: bool


class WorkerQuery(Schema):
    q: str = Field("", description="start of the name, pinyin initials (zs), or an exact ID number or mobile number")
    region: str = Field("", description="division code (6, 9 or 12 digits): workers working in its subtree")
    agency: str = Field("", description="agency id")
    certificate: str = Field("", description="any, none, or the highest level held: assistant, intermediate, senior")
    domain: str = Field("", description="a service_domain dictionary code")
    status: str = Field("", description="active, left or retired")
    post_type: str = Field("", description="a post_type dictionary code")
    job_grade: str = Field("", description="senior_1 … assistant_2")
    blacklisted: str = Field("", description="yes or no (on the blacklist today)")
    sort: str = Field("", description="pinyin, -pinyin, newest, oldest")
    after: str = Field("", description="cursor from next_cursor")
    before: str = Field("", description="cursor from previous_cursor")
    page_size: int = Field(selectors.PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


def _worker_out(worker: SocialWorker, tables: dict, today: datetime.date) -> dict:
    return {
        "id": worker.pk,
        "name": worker.name,
        "name_initials": worker.name_initials,
        "id_number": mask_id_number(worker.id_number),
        "sex": worker.sex,
        "birth_date": worker.birth_date,
        "phone": mask_phone(worker.phone) if worker.phone else "",
        "education": worker.education,
        "major_social_work": worker.major_social_work,
        "region": worker.region_id,
        "region_name": worker.region.name,
        "province_code": worker.province_code,
        "agency": worker.agency_id,
        "agency_name": worker.agency.name if worker.agency else "",
        "employer_kind": worker.employer_kind,
        "employer_name": worker.employer_name,
        "post_type": worker.post_type,
        "post_type_label": vocabulary.label(tables[vocabulary.POST_TYPE], worker.post_type),
        "job_grade": worker.job_grade,
        "job_grade_label": worker.get_job_grade_display() if worker.job_grade else "",
        "highest_certificate": worker.highest_certificate,
        "service_domains": [domain.code for domain in worker.service_domains.all()],
        "is_frontline": worker.is_frontline,
        "status": worker.status,
        "blacklisted": worker.on_blacklist
        if hasattr(worker, "on_blacklist")
        else selectors.is_blacklisted(worker, today),
        "created_at": worker.created_at,
        "updated_at": worker.updated_at,
    }


@router.get("/", response=WorkerPageOut, summary="Social workers in the caller's scope")
def worker_list(request, query: Query[WorkerQuery]):
    """Filtered, sorted and paged (keyset cursors) like the list page; needs workers.view_socialworker."""
    if not request.user.has_perm(permissions.VIEW):
        raise HttpError(403, _("您没有查看社工人才库的权限。"))
    params = QueryDict(mutable=True)
    for name in FILTERS:
        value = getattr(query, name)
        if value:
            params[name] = value
    form = WorkerFilterForm(params, user=request.user)
    if not form.is_valid():
        raise HttpError(
            422, "；".join(f"{name}: {' '.join(str(m) for m in messages)}" for name, messages in form.errors.items())
        )
    filters = form.filters()
    workers = selectors.worker_search(actor=request.user, filters=filters)
    page = selectors.keyset_page(
        selectors.with_badges(workers, filters.today),
        sort=filters.sort,
        after=query.after or None,
        before=query.before or None,
        size=query.page_size,
    )
    selectors.with_domains(page.rows)
    count, more = selectors.count_capped(workers)
    tables = vocabulary.all_options()
    return {
        "items": [_worker_out(worker, tables, filters.today) for worker in page.rows],
        "next_cursor": page.next_cursor,
        "previous_cursor": page.previous_cursor,
        "count": count,
        "count_more": more,
        "count_limit": selectors.COUNT_LIMIT,
    }


def _worker(request, worker_id: int) -> SocialWorker:
    worker = selectors.worker_get(actor=request.user, pk=worker_id)
    selectors.with_domains([worker])
    return worker


@router.get("/me", response=WorkerOut, summary="The caller's own record (我的档案)")
def my_record(request):
    """404 when the caller's account is not linked to a worker's record."""
    worker = selectors.worker_of_account(request.user)
    if worker is None:
        raise HttpError(404, _("您的账户尚未关联社会工作者档案。"))
    selectors.with_domains([worker])
    return _worker_out(worker, vocabulary.all_options(), timezone.localdate())


@router.get("/{worker_id}", response=WorkerOut, summary="One worker in the caller's scope")
def worker_detail(request, worker_id: int):
    """404 when the worker does not exist or lies outside the caller's scope (the two look the same); a worker
    always reaches their own record."""
    return _worker_out(_worker(request, worker_id), vocabulary.all_options(), timezone.localdate())


@router.get("/{worker_id}/certificates", response=list[CertificateOut], summary="A worker's certificates")
def worker_certificates(request, worker_id: int):
    worker = _worker(request, worker_id)
    return [
        {
            "id": certificate.pk,
            "level": certificate.level,
            "level_label": certificate.get_level_display(),
            "number": certificate.number,
            "year_passed": certificate.year_passed,
            "authority": certificate.authority,
        }
        for certificate in selectors.certificates_of(worker)
    ]


@router.get("/{worker_id}/credit-events", response=list[CreditEventOut], summary="A worker's credit records")
def worker_credit_events(request, worker_id: int):
    """Commendations and violations, newest first; needs workers.view_creditevent (a worker sees their own)."""
    worker = _worker(request, worker_id)
    if worker.account_id != request.user.pk and not request.user.has_perm(permissions.VIEW_CREDIT):
        raise HttpError(403, _("您没有查看信用记录的权限。"))
    today = timezone.localdate()
    return [
        {
            "id": event.pk,
            "kind": event.kind,
            "kind_label": event.get_kind_display(),
            "severity": event.severity,
            "severity_label": event.get_severity_display() if event.severity else "",
            "title": event.title,
            "description": event.description,
            "source_document": event.source_document,
            "occurred_on": event.occurred_on,
            "effective_until": event.effective_until,
            "closed_on": event.closed_on,
            "closing_note": event.closing_note,
            "in_force": event.is_open_on(today),
            "has_evidence": bool(event.evidence),
        }
        for event in selectors.credit_events_of(worker)
    ]
