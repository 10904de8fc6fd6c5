"""REST endpoints of residents' requests, mounted at /api/v1/servicerequests/. Reads go through the same selectors as
the pages (the caller's scope, else 404; a worker reaches the requests assigned to them); the phone is always masked.
Writes: the head's assign, dismiss and 一键派单, the worker's accept and decline. The public channel is the QR form,
not this API."""

import datetime

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from shegong.core.api_helpers import check_filters, query_dict, require, run_service
from shegong.core.listing import COUNT_LIMIT, CappedPaginator
from shegong.core.masking import mask_phone
from shegong.servicerequests import permissions, selectors, services
from shegong.servicerequests.forms import RequestFilterForm
from shegong.servicerequests.models import ServiceRequest

router = Router(tags=["servicerequests"])

MAX_PAGE_SIZE = 200


class RequestQuery(Schema):
    q: str = Field("", description="tracking code, or text in the description")
    region: str = Field("", description="division code: requests of communities in its subtree")
    status: str = Field("", description="pending / assigned / accepted / in_service / closed / dismissed")
    domain: str = Field("", description="code of the service_domain dictionary")
    overdue: bool | None = Field(None, description="waiting past the first-response deadline")
    page: int = Field(1, ge=1)
    page_size: int = Field(50, ge=1, le=MAX_PAGE_SIZE)


class EventOut(Schema):
    action: str
    from_status: str
    to_status: str
    worker_id: int | None
    reason: str
    explanation: list[str]
    at: datetime.datetime


class RequestOut(Schema):
    id: int
    tracking_code: str
    community: str = Field(description="12-digit division code")
    community_name: str
    station: str | None = Field(description="station code")
    domain: str
    topic: str
    description: str
    phone: str = Field(description="masked")
    contact_consent: bool
    status: str
    assigned_worker_id: int | None
    created_at: datetime.datetime
    assigned_at: datetime.datetime | None
    first_response_at: datetime.datetime | None
    due_at: datetime.datetime | None
    escalated_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    case_id: int | None
    rating: int | None
    version: int


class RequestDetailOut(RequestOut):
    events: list[EventOut]


class RequestPageOut(Schema):
    items: list[RequestOut]
    count: int
    count_more: bool
    count_limit: int
    page: int


class AssignIn(Schema):
    worker_id: int
    version: int | None = Field(None, description="the version read; a request changed since is refused (409)")
    reason: str = ""


class ReasonIn(Schema):
    reason: str


class MatchIn(Schema):
    station: str = Field("", description="station code: its own and its rooms' pending requests")
    region: str = Field("", description="division code, for a bureau: every pending request under it")


class MatchOut(Schema):
    assigned: list[dict]
    unassigned: list[dict]
    total_cost: float


def _out(item: ServiceRequest) -> dict:
    return {
        "id": item.pk,
        "tracking_code": item.tracking_code,
        "community": item.community_id,
        "community_name": item.community.name,
        "station": item.station.code if item.station else None,
        "domain": item.domain,
        "topic": item.topic,
        "description": item.description,
        "phone": mask_phone(item.phone) if item.phone else "",
        "contact_consent": item.contact_consent,
        "status": item.status,
        "assigned_worker_id": item.assigned_worker_id,
        "created_at": item.created_at,
        "assigned_at": item.assigned_at,
        "first_response_at": item.first_response_at,
        "due_at": item.due_at,
        "escalated_at": item.escalated_at,
        "closed_at": item.closed_at,
        "case_id": item.case_id,
        "rating": item.rating,
        "version": item.version,
    }


def _detail(item: ServiceRequest) -> dict:
    events = [
        {
            "action": event.action,
            "from_status": event.from_status,
            "to_status": event.to_status,
            "worker_id": event.worker_id,
            "reason": event.reason,
            "explanation": list(event.explanation),
            "at": event.at,
        }
        for event in selectors.events(item)
    ]
    return _out(item) | {"events": events}


def _require_view_or_serve(request) -> None:
    if not (request.user.has_perm(permissions.VIEW) or request.user.has_perm(permissions.SERVE)):
        raise HttpError(403, _("您没有查看服务需求的权限。"))


def _write(call):
    """Run a write service; the loser of two simultaneous assignments gets 409 with the message."""

    def guarded():
        try:
            return call()
        except ValidationError as exc:
            if getattr(exc, "code", None) == services.ALREADY_TAKEN:
                raise HttpError(409, exc.messages[0]) from None
            raise

    return run_service(guarded)


@router.get("/", response=RequestPageOut, summary="Requests in the caller's scope")
def request_list(request, query: Query[RequestQuery]):
    """Filtered like the list page, newest first, paged; needs servicerequests.view_servicerequest."""
    require(request, permissions.VIEW)
    form = RequestFilterForm(
        query_dict(q=query.q, region=query.region, status=query.status, domain=query.domain), actor=request.user
    )
    check_filters(form)
    kwargs = form.search_kwargs()
    kwargs["overdue"] = query.overdue
    rows = selectors.request_search(actor=request.user, **kwargs).order_by("-created_at", "-id")
    paginator = CappedPaginator(rows, query.page_size)
    page = paginator.page(min(query.page, paginator.num_pages))
    return {
        "items": [_out(item) for item in page],
        "count": paginator.count,
        "count_more": paginator.capped,
        "count_limit": COUNT_LIMIT,
        "page": page.number,
    }


@router.get("/mine", response=list[RequestOut], summary="The requests assigned to the caller (a social worker)")
def my_requests(request):
    require(request, permissions.SERVE)
    return [_out(item) for item in selectors.mine(actor=request.user)[:500]]


@router.post("/match", response=MatchOut, summary="一键派单: assign every pending request of a station or region")
def request_match(request, payload: MatchIn):
    require(request, permissions.DISPATCH)
    station = region = None
    if payload.station:
        station = selectors.dispatch_stations(request.user).filter(code=payload.station).first()
        if station is None:
            raise HttpError(404, _("没有该编码的站点，或不在您的管辖范围内。"))
    elif payload.region:
        from shegong.regions.codes import InvalidCode, canonical
        from shegong.regions.models import Region

        try:
            region = Region.objects.filter(pk=canonical(payload.region)).first()
        except InvalidCode:
            region = None
        if region is None:
            raise HttpError(422, _("区划代码不正确。"))
    else:
        raise HttpError(422, _("请指定站点或区划。"))
    result = run_service(lambda: services.requests_match(actor=request.user, station=station, region=region))
    return {
        "assigned": [
            {"request_id": item.pk, "tracking_code": item.tracking_code, "worker_id": worker.pk, "reasons": reasons}
            for item, worker, reasons in result.assigned
        ],
        "unassigned": [
            {"request_id": item.pk, "tracking_code": item.tracking_code, "reason": reason}
            for item, reason in result.unassigned
        ],
        "total_cost": result.total_cost,
    }


@router.get("/{request_id}", response=RequestDetailOut, summary="One request in the caller's scope, with its events")
def request_detail(request, request_id: int):
    _require_view_or_serve(request)
    return _detail(selectors.request_get(actor=request.user, pk=request_id))


@router.post("/{request_id}/assign", response=RequestOut, summary="Assign a request to a worker (station head)")
def request_assign(request, request_id: int, payload: AssignIn):
    require(request, permissions.DISPATCH)
    item = selectors.request_get(actor=request.user, pk=request_id, perm=permissions.DISPATCH)
    worker = services.candidates_for(item).filter(pk=payload.worker_id).first()
    if worker is None:
        raise HttpError(400, _("该社工不是本站点（及下属社工室）的在岗人员。"))
    done = _write(
        lambda: services.request_assign(
            request=item, worker=worker, actor=request.user, expected_version=payload.version, reason=payload.reason
        )
    )
    return _out(done)


@router.post("/{request_id}/dismiss", response=RequestOut, summary="Dismiss a request with a reason (station head)")
def request_dismiss(request, request_id: int, payload: ReasonIn):
    require(request, permissions.DISPATCH)
    item = selectors.request_get(actor=request.user, pk=request_id, perm=permissions.DISPATCH)
    return _out(run_service(lambda: services.request_dismiss(request=item, actor=request.user, reason=payload.reason)))


def _own(request, request_id: int) -> ServiceRequest:
    require(request, permissions.SERVE)
    return get_object_or_404(selectors.mine(actor=request.user), pk=request_id)


@router.post("/{request_id}/accept", response=RequestOut, summary="Accept a request assigned to the caller")
def request_accept(request, request_id: int):
    item = _own(request, request_id)
    return _out(run_service(lambda: services.request_accept(request=item, actor=request.user)))


@router.post("/{request_id}/decline", response=RequestOut, summary="Decline a request assigned to the caller")
def request_decline(request, request_id: int, payload: ReasonIn):
    item = _own(request, request_id)
    return _out(run_service(lambda: services.request_decline(request=item, actor=request.user, reason=payload.reason)))
