"""REST endpoints of the charity donation points, mounted at /api/v1/charity/. They read through the same selectors as
the pages: a point, donation or allocation outside the caller's scope is never listed and answers 404. Donor phones are
never returned; an anonymous donor is "匿名"; an allocation to a person gives no name."""

import datetime
from decimal import Decimal

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from shegong.charity import permissions, selectors
from shegong.core.listing import COUNT_LIMIT, CappedPaginator

router = Router(tags=["charity"])

MAX_PAGE_SIZE = 200


class PageQuery(Schema):
    point: int | None = Field(None, description="charity point id")
    page: int = Field(1, ge=1)
    page_size: int = Field(50, ge=1, le=MAX_PAGE_SIZE)


class PointOut(Schema):
    id: int
    station: str = Field(description="station code")
    station_name: str
    region: str
    opened_on: datetime.date
    status: str


class DonationOut(Schema):
    id: int
    point: int
    receipt_number: str
    received_on: datetime.date
    kind: str
    amount: Decimal | None
    items: str
    quantity: int | None
    estimated_value: Decimal | None
    donor: str = Field(description="the donor's name, or 匿名")
    purpose_kind: str
    purpose: str


class AllocationOut(Schema):
    id: int
    point: int
    allocated_on: datetime.date
    kind: str
    amount: Decimal | None
    items: str
    quantity: int | None
    estimated_value: Decimal | None
    purpose_kind: str
    purpose: str
    target: str
    destination: str = Field(description="group, project or point; a person is never named")
    approver: str


class TotalOut(Schema):
    received: Decimal
    allocated: Decimal
    balance: Decimal


class PurposeLineOut(Schema):
    kind: str
    purpose_kind: str
    purpose: str
    donations: int
    received: Decimal
    allocated: Decimal
    balance: Decimal


class LedgerOut(Schema):
    point: int
    year: int | None
    money: TotalOut
    goods: TotalOut
    by_purpose: list[PurposeLineOut]


def _require(request, perm: str, message: str) -> None:
    if not request.user.has_perm(perm):
        raise HttpError(403, message)


def _point_filter(request, query: PageQuery, perm: str):
    if query.point is None:
        return None
    return selectors.point_get(actor=request.user, pk=query.point, perm=perm)


def _page(rows, query: PageQuery, out) -> dict:
    paginator = CappedPaginator(rows, query.page_size)
    page = paginator.page(min(query.page, paginator.num_pages))
    return {
        "items": [out(row) for row in page],
        "count": paginator.count,
        "count_more": paginator.capped,
        "count_limit": COUNT_LIMIT,
        "page": page.number,
    }


def _point_out(point) -> dict:
    return {
        "id": point.pk,
        "station": point.station.code,
        "station_name": point.station.name,
        "region": point.station.region_id,
        "opened_on": point.opened_on,
        "status": point.status,
    }


def _donation_out(d) -> dict:
    return {
        "id": d.pk,
        "point": d.point_id,
        "receipt_number": d.receipt_number,
        "received_on": d.received_on,
        "kind": d.kind,
        "amount": d.amount,
        "items": d.items,
        "quantity": d.quantity,
        "estimated_value": d.estimated_value,
        "donor": d.donor_display,
        "purpose_kind": d.purpose_kind,
        "purpose": d.purpose,
    }


def _allocation_out(a) -> dict:
    return {
        "id": a.pk,
        "point": a.point_id,
        "allocated_on": a.allocated_on,
        "kind": a.kind,
        "amount": a.amount,
        "items": a.items,
        "quantity": a.quantity,
        "estimated_value": a.estimated_value,
        "purpose_kind": a.purpose_kind,
        "purpose": a.purpose,
        "target": a.target,
        "destination": a.public_target(),
        "approver": a.approver,
    }


class PointPageOut(Schema):
    items: list[PointOut]
    count: int
    count_more: bool
    count_limit: int
    page: int


class DonationPageOut(PointPageOut):
    items: list[DonationOut]


class AllocationPageOut(PointPageOut):
    items: list[AllocationOut]


@router.get("/points", response=PointPageOut, summary="Charity points in the caller's scope")
def point_list(request, query: Query[PageQuery]):
    _require(request, permissions.VIEW_POINT, _("您没有查看慈善捐赠站点的权限。"))
    rows = selectors.point_search(actor=request.user).order_by("station__code")
    return _page(rows, query, _point_out)


@router.get("/points/{point_id}/ledger", response=LedgerOut, summary="A point's ledger by kind and purpose")
def point_ledger(request, point_id: int, year: int | None = None):
    _require(request, permissions.VIEW_POINT, _("您没有查看慈善捐赠站点的权限。"))
    point = selectors.point_get(actor=request.user, pk=point_id)
    data = selectors.ledger(point, year)
    return {
        "point": point.pk,
        "year": year,
        "money": data["totals"]["money"],
        "goods": data["totals"]["goods"],
        "by_purpose": [{**line, "purpose": str(line["purpose"])} for line in data["by_purpose"]],
    }


@router.get("/donations", response=DonationPageOut, summary="Donations in the caller's scope")
def donation_list(request, query: Query[PageQuery]):
    _require(request, permissions.VIEW_DONATION, _("您没有查看捐赠的权限。"))
    point = _point_filter(request, query, permissions.VIEW_DONATION)
    rows = selectors.donation_search(actor=request.user, point=point).order_by("-received_on", "-id")
    return _page(rows, query, _donation_out)


@router.get("/allocations", response=AllocationPageOut, summary="Allocations in the caller's scope")
def allocation_list(request, query: Query[PageQuery]):
    _require(request, permissions.VIEW_ALLOCATION, _("您没有查看捐赠拨付的权限。"))
    point = _point_filter(request, query, permissions.VIEW_ALLOCATION)
    rows = selectors.allocation_search(actor=request.user, point=point).order_by("-allocated_on", "-id")
    return _page(rows, query, _allocation_out)
