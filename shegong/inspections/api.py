"""REST endpoints of inspections and rectification, mounted at /api/v1/inspections/. Scoped exactly like the pages
(the same selectors): an object outside the caller's scope answers 404, a caller without the permission 403.

- GET  /plans                      inspection plans (year, kind; limit/offset)
- GET  /plans/{id}                 one plan with its targets
- GET  /visits                     inspections (the list page's filters: region, year, kind, status)
- GET  /visits/{id}                one inspection: checklist results, findings (with file ids)
- GET  /rectifications             rectification items (region, q, status, overdue)
- GET  /rectifications/{id}        one item with its evidence
- POST /rectifications/{id}/evidence   the owner submits evidence (text; files through the page)
- POST /rectifications/{id}/review     the bureau passes (销号) or returns it with a reason
"""

import datetime

from django.http import Http404
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from shegong.core.api_helpers import Paging, check_filters, query_dict, require, run_service
from shegong.core.scope import get_scoped_or_404
from shegong.inspections import selectors, services
from shegong.inspections.forms import InspectionFilterForm, ItemFilterForm
from shegong.inspections.models import Inspection, InspectionPlan, RectificationItem
from shegong.inspections.selectors import VIEW_INSPECTION, VIEW_ITEM, VIEW_PLAN

router = Router(tags=["inspections"])


# --- Schemas ---------------------------------------------------------------------------------------------------------


class PlanOut(Schema):
    id: int
    title: str
    region: str = Field(description="12-digit division code")
    region_name: str
    year: int
    quarter: int
    kind: str = Field(description="routine (定期抽查), unannounced (随机暗访) or special (专项检查)")
    kind_label: str
    checklist: list[str] = Field(description="codes of the inspection_checklist dictionary")


class VisitOut(Schema):
    id: int
    plan: int
    target_kind: str = Field(description="station or agency")
    station: int | None
    agency: int | None
    target_name: str
    region: str
    project: int | None
    scheduled_on: datetime.date | None
    visited_on: datetime.date | None
    status: str = Field(description="planned or done (done is locked)")


class PlanDetailOut(PlanOut):
    inspectors: list[str]
    visits: list[VisitOut]


class ResultOut(Schema):
    area: str
    area_label: str
    result: str = Field(description="conform (符合), partly (基本符合) or nonconform (不符合)")
    notes: str


class FindingOut(Schema):
    id: int
    area: str
    description: str
    severity: str = Field(description="minor, major or serious")
    files: list[int] = Field(description="attachment ids, downloaded through the page /inspections/files/{id}/")


class VisitDetailOut(VisitOut):
    summary: str
    results: list[ResultOut]
    findings: list[FindingOut]


class ItemOut(Schema):
    id: int
    inspection: int
    finding: int
    owner_kind: str = Field(description="station or agency")
    owner_station: int | None
    owner_agency: int | None
    owner_name: str
    region: str
    responsible_person: str
    required_action: str
    deadline: datetime.date
    status: str = Field(description="open, submitted, returned or closed")
    overdue: bool = Field(description="past the deadline and not closed, today")
    return_reason: str
    closed_on: datetime.date | None


class EvidenceOut(Schema):
    id: int
    text: str
    submitted_at: datetime.datetime
    decision: str = Field(description="pending, passed or returned")
    review_note: str
    files: list[int]


class ItemDetailOut(ItemOut):
    finding_description: str
    evidence: list[EvidenceOut]


class Page(Schema):
    count: int
    limit: int
    offset: int


class PlanPage(Page):
    items: list[PlanOut]


class VisitPage(Page):
    items: list[VisitOut]


class ItemPage(Page):
    items: list[ItemOut]


class EvidenceIn(Schema):
    text: str


class ReviewIn(Schema):
    passed: bool
    note: str = ""


# --- Converters ------------------------------------------------------------------------------------------------------


def _plan(plan: InspectionPlan) -> dict:
    return {
        "id": plan.pk,
        "title": plan.title,
        "region": plan.region_id,
        "region_name": plan.region.name,
        "year": plan.year,
        "quarter": plan.quarter,
        "kind": plan.kind,
        "kind_label": plan.get_kind_display(),
        "checklist": list(plan.checklist),
    }


def _visit(visit: Inspection) -> dict:
    return {
        "id": visit.pk,
        "plan": visit.plan_id,
        "target_kind": "station" if visit.station_id else "agency",
        "station": visit.station_id,
        "agency": visit.agency_id,
        "target_name": str(visit.target),
        "region": visit.region_id,
        "project": visit.project_id,
        "scheduled_on": visit.scheduled_on,
        "visited_on": visit.visited_on,
        "status": visit.status,
    }


def _item(item: RectificationItem, today: datetime.date) -> dict:
    return {
        "id": item.pk,
        "inspection": item.inspection_id,
        "finding": item.finding_id,
        "owner_kind": "station" if item.owner_station_id else "agency",
        "owner_station": item.owner_station_id,
        "owner_agency": item.owner_agency_id,
        "owner_name": str(item.owner),
        "region": item.region_id,
        "responsible_person": item.responsible_person,
        "required_action": item.required_action,
        "deadline": item.deadline,
        "status": item.status,
        "overdue": item.is_overdue(today),
        "return_reason": item.return_reason,
        "closed_on": item.closed_on,
    }


def _get_item(request, pk: int) -> RectificationItem:
    try:
        return selectors.items(request.user).get(pk=pk)
    except RectificationItem.DoesNotExist:
        raise Http404 from None


def _item_detail(item: RectificationItem) -> dict:
    evidence = item.evidence.prefetch_related("files").order_by("submitted_at", "pk")
    return {
        **_item(item, timezone.localdate()),
        "finding_description": item.finding.description,
        "evidence": [
            {
                "id": entry.pk,
                "text": entry.text,
                "submitted_at": entry.submitted_at,
                "decision": entry.decision,
                "review_note": entry.review_note,
                "files": [file.pk for file in entry.files.all()],
            }
            for entry in evidence
        ],
    }


# --- Endpoints -------------------------------------------------------------------------------------------------------


@router.get("/plans", response=PlanPage, summary="Inspection plans in scope")
def plan_list(request, year: int | None = None, kind: str = "", paging: Query[Paging] = None):
    require(request, VIEW_PLAN)
    paging = paging or Paging()
    rows = selectors.plans(request.user).order_by("-year", "-quarter", "region_id", "pk")
    if year:
        rows = rows.filter(year=year)
    if kind:
        rows = rows.filter(kind=kind)
    return {
        "items": [_plan(plan) for plan in paging.window(rows)],
        "count": rows.count(),
        "limit": paging.limit,
        "offset": paging.offset,
    }


@router.get("/plans/{int:pk}", response=PlanDetailOut, summary="One plan with its targets")
def plan_detail(request, pk: int):
    require(request, VIEW_PLAN)
    plan = get_scoped_or_404(InspectionPlan.objects.select_related("region"), request.user, VIEW_PLAN, pk=pk)
    visits = plan.visits.select_related("station", "agency").order_by("region_id", "pk")
    return {
        **_plan(plan),
        "inspectors": [user.username for user in plan.inspectors.order_by("username")],
        "visits": [_visit(visit) for visit in visits],
    }


@router.get("/visits", response=VisitPage, summary="Inspections in scope (the list page's filters)")
def visit_list(
    request,
    region: str = "",
    year: int | None = None,
    kind: str = "",
    status: str = "",
    paging: Query[Paging] = None,
):
    require(request, VIEW_INSPECTION)
    paging = paging or Paging()
    form = InspectionFilterForm(query_dict(region=region, year=year, kind=kind, status=status), actor=request.user)
    check_filters(form)
    rows = form.apply(selectors.inspections(request.user))
    return {
        "items": [_visit(visit) for visit in paging.window(rows)],
        "count": rows.count(),
        "limit": paging.limit,
        "offset": paging.offset,
    }


@router.get("/visits/{int:pk}", response=VisitDetailOut, summary="One inspection: results and findings")
def visit_detail(request, pk: int):
    require(request, VIEW_INSPECTION)
    visit = get_scoped_or_404(
        Inspection.objects.select_related("station", "agency", "plan"), request.user, VIEW_INSPECTION, pk=pk
    )
    labels = selectors.checklist_labels()
    return {
        **_visit(visit),
        "summary": visit.summary,
        "results": [
            {"area": row.area, "area_label": labels.get(row.area, row.area), "result": row.result, "notes": row.notes}
            for row in visit.results.all()
        ],
        "findings": [
            {
                "id": finding.pk,
                "area": finding.area,
                "description": finding.description,
                "severity": finding.severity,
                "files": [file.pk for file in finding.files.all()],
            }
            for finding in visit.findings.prefetch_related("files").order_by("pk")
        ],
    }


@router.get("/rectifications", response=ItemPage, summary="Rectification items in scope")
def item_list(
    request,
    region: str = "",
    q: str = "",
    status: str = "",
    overdue: bool = False,
    paging: Query[Paging] = None,
):
    require(request, VIEW_ITEM)
    paging = paging or Paging()
    form = ItemFilterForm(
        query_dict(region=region, q=q, status=status, overdue="on" if overdue else ""), actor=request.user
    )
    check_filters(form)
    rows = form.apply(selectors.items(request.user))
    return {
        "items": [_item(item, form.today) for item in paging.window(rows)],
        "count": rows.count(),
        "limit": paging.limit,
        "offset": paging.offset,
    }


@router.get("/rectifications/{int:pk}", response=ItemDetailOut, summary="One rectification item with its evidence")
def item_detail(request, pk: int):
    require(request, VIEW_ITEM)
    return _item_detail(_get_item(request, pk))


@router.post("/rectifications/{int:pk}/evidence", response=ItemDetailOut, summary="The owner submits evidence (text)")
def item_submit(request, pk: int, payload: EvidenceIn):
    require(request, selectors.ANSWER_ITEM)
    item = _get_item(request, pk)
    run_service(lambda: services.rectification_submit(actor=request.user, item=item, text=payload.text))
    item.refresh_from_db()
    return _item_detail(item)


@router.post("/rectifications/{int:pk}/review", response=ItemDetailOut, summary="The bureau passes or returns")
def item_review(request, pk: int, payload: ReviewIn):
    require(request, selectors.REVIEW_ITEM)
    item = _get_item(request, pk)
    run_service(
        lambda: services.rectification_review(actor=request.user, item=item, passed=payload.passed, note=payload.note)
    )
    item.refresh_from_db()
    return _item_detail(item)
