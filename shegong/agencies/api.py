"""REST endpoints for the agency register, mounted at /api/v1/agencies/. They read through the same selectors and the
same filter form as the pages, so an agency is visible here exactly when it is visible on the list page; outside the
caller's scope it answers 404. Contact phones are always masked here: seeing one in full is the detail page's
"显示" action, which is audited per view."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from shegong.agencies import selectors
from shegong.agencies.forms import AgencyFilterForm
from shegong.agencies.models import Agency, AgencyStatus
from shegong.core.api_helpers import check_filters, query_dict
from shegong.core.masking import mask_phone

router = Router(tags=["agencies"])

MAX_PAGE_SIZE = 200
FILTERS = {"q", "region", "rating", "status", "legal_form", "domain", "sort"}


class AgencyOut(Schema):
    id: int
    name: str
    name_initials: str
    credit_code: str
    legal_form: str
    legal_form_label: str
    registration_authority: str
    region: str = Field(description="12-digit division code")
    region_name: str
    province_code: str
    founded_on: datetime.date | None
    service_domains: list[str] = Field(description="codes of the service_domain dictionary")
    rating_level: int | None = Field(description="the rating level in force today (1..5), null when none")
    rating_valid_until: datetime.date | None = Field(description="first day the rating no longer holds")
    status: str = Field(description="supervision status in force today: normal, abnormal or blacklist")
    status_label: str
    status_since: datetime.date | None
    contact_person: str
    contact_phone: str = Field(description="masked")
    address: str
    created_at: datetime.datetime
    updated_at: datetime.datetime


class AgencyDetailOut(AgencyOut):
    workers_count: int = Field(description="social workers on the register working for the agency now")


class AgencyPageOut(Schema):
    items: list[AgencyOut]
    page: int
    page_size: int
    has_next: bool
    count: int = Field(description="matching agencies, counted up to count_limit")
    count_more: bool = Field(description="true when more than count_limit agencies match")
    count_limit: int


class RatingOut(Schema):
    id: int
    level: int
    level_label: str
    score: str
    full_score: int
    rated_on: datetime.date
    valid_until: datetime.date = Field(description="first day the rating no longer holds")
    source_document: str
    policy_note: str
    in_force: bool


class StatusEventOut(Schema):
    id: int
    status: str
    status_label: str
    reason: str
    source_document: str
    valid_from: datetime.date
    valid_to: datetime.date | None
    effective_to: datetime.date | None = Field(description="when the entry stopped deciding the status, if it has")
    in_force: bool


class AgencyQuery(Schema):
    q: str = Field("", description="name, pinyin initials (e.g. qz), or an exact 18-character credit code")
    region: str = Field("", description="division code (6, 9 or 12 digits): agencies in its subtree")
    rating: str = Field("", description="1..5 for the level in force today, or none")
    status: str = Field("", description="normal, abnormal or blacklist (in force today)")
    legal_form: str = Field("", description="social_service, social_group, foundation, public_institution, enterprise")
    domain: str = Field("", description="a service_domain dictionary code")
    sort: str = Field("", description="name, -name, founded, -founded, region, rating, -rating, -created")
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(selectors.PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


def _require_view(request) -> None:
    if not request.user.has_perm(selectors.VIEW):
        raise HttpError(403, _("您没有查看社工机构的权限。"))


def _agency_out(agency: Agency, today: datetime.date) -> dict:
    level = agency.current_rating_level(today)
    status = agency.current_status(today)
    return {
        "id": agency.pk,
        "name": agency.name,
        "name_initials": agency.name_initials,
        "credit_code": agency.credit_code,
        "legal_form": agency.legal_form,
        "legal_form_label": agency.get_legal_form_display(),
        "registration_authority": agency.registration_authority,
        "region": agency.region_id,
        "region_name": agency.region.name,
        "province_code": agency.province_code,
        "founded_on": agency.founded_on,
        "service_domains": [domain.code for domain in agency.service_domains.all()],
        "rating_level": level,
        "rating_valid_until": agency.latest_rating_valid_until if level else None,
        "status": status,
        "status_label": str(AgencyStatus(status).label),
        "status_since": agency.latest_status_from if status != AgencyStatus.NORMAL else None,
        "contact_person": agency.contact_person,
        "contact_phone": mask_phone(agency.contact_phone) if agency.contact_phone else "",
        "address": agency.address,
        "created_at": agency.created_at,
        "updated_at": agency.updated_at,
    }


@router.get("/", response=AgencyPageOut, summary="Agencies in the caller's scope")
def agency_list(request, query: Query[AgencyQuery]):
    """Filtered, sorted and paged like the list page (needs agencies.view_agency)."""
    _require_view(request)
    form = AgencyFilterForm(query_dict(**query.dict(include=FILTERS)))
    check_filters(form)
    agencies = selectors.agency_search(actor=request.user, filters=form.filters())
    page = selectors.page_of(selectors.with_domains(agencies), query.page, size=query.page_size)
    count, more = selectors.count_capped(agencies)
    today = timezone.localdate()
    return {
        "items": [_agency_out(agency, today) for agency in page.rows],
        "page": page.number,
        "page_size": query.page_size,
        "has_next": page.has_next,
        "count": count,
        "count_more": more,
        "count_limit": selectors.COUNT_LIMIT,
    }


def _agency(request, agency_id: int) -> Agency:
    _require_view(request)
    return selectors.agency_get(actor=request.user, pk=agency_id)


@router.get("/{agency_id}", response=AgencyDetailOut, summary="One agency in the caller's scope")
def agency_detail(request, agency_id: int):
    """404 when the agency does not exist or lies outside the caller's scope (the two look the same)."""
    agency = _agency(request, agency_id)
    return {**_agency_out(agency, timezone.localdate()), "workers_count": selectors.workers_count(agency)}


@router.get("/{agency_id}/ratings", response=list[RatingOut], summary="An agency's rating history")
def agency_ratings(request, agency_id: int):
    """Newest first; `in_force` marks the rating that holds today."""
    agency = _agency(request, agency_id)
    return [
        {
            "id": rating.pk,
            "level": rating.level,
            "level_label": rating.get_level_display(),
            "score": f"{rating.score:f}",
            "full_score": rating.full_score,
            "rated_on": rating.rated_on,
            "valid_until": rating.valid_until,
            "source_document": rating.source_document,
            "policy_note": rating.policy_note,
            "in_force": rating.in_force,
        }
        for rating in selectors.rating_history(agency)
    ]


@router.get("/{agency_id}/status-history", response=list[StatusEventOut], summary="An agency's supervision history")
def agency_status_history(request, agency_id: int):
    """Entries of the abnormal list (异常名录) and the blacklist (黑名单) and removals from them, newest first."""
    agency = _agency(request, agency_id)
    return [
        {
            "id": event.pk,
            "status": event.status,
            "status_label": event.get_status_display(),
            "reason": event.reason,
            "source_document": event.source_document,
            "valid_from": event.valid_from,
            "valid_to": event.valid_to,
            "effective_to": event.effective_to,
            "in_force": event.in_force,
        }
        for event in selectors.status_history(agency)
    ]
