"""REST endpoints of the time bank, mounted at /api/v1/timebank/. They read through the same selectors as the pages
(scope: out of scope answers 404) and write through the same services (audited, limits checked)."""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from shegong.timebank import permissions, selectors, services
from shegong.timebank.models import Account, Category, Offer

router = Router(tags=["timebank"])
MAX_PAGE_SIZE = 200


class BalanceOut(Schema):
    account: int
    name: str
    kind: str
    balance: Decimal = Field(description="hours")


class MovementOut(Schema):
    transfer: int
    kind: str
    occurred_on: datetime.date
    memo: str
    amount: Decimal = Field(description="signed hours")
    balance_after: Decimal


class Page(Schema):
    page: int = Field(1, ge=1)
    page_size: int = Field(50, ge=1, le=MAX_PAGE_SIZE)


class OfferQuery(Page):
    kind: str = ""
    category: str = ""
    status: str = ""


class OfferOut(Schema):
    id: int
    kind: str
    category: str
    title: str
    hours: Decimal
    status: str
    poster: int
    responder: int | None
    region: str


class OfferIn(Schema):
    account: int
    kind: Offer.Kind
    category: Category
    title: str = Field(max_length=100)
    hours: Decimal
    description: str = ""


def _need(request, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise HttpError(403, _("您没有此操作的权限。"))


def _account(request, account_id: int) -> Account:
    """Keepers read accounts in their scope; a volunteer reads their own."""
    own = selectors.my_account(request.user)
    if own is not None and own.pk == account_id:
        return own
    _need(request, permissions.VIEW)
    return selectors.account_get(request.user, account_id)


def _offer_out(offer: Offer) -> dict:
    return {
        "id": offer.pk,
        "kind": offer.kind,
        "category": offer.category,
        "title": offer.title,
        "hours": offer.hours,
        "status": offer.status,
        "poster": offer.poster_id,
        "responder": offer.responder_id,
        "region": offer.region_id,
    }


def _refuse(error: ValidationError):
    raise HttpError(422, "；".join(error.messages))


@router.get("/accounts/{account_id}/balance", response=BalanceOut, summary="An account's balance")
def balance(request, account_id: int):
    account = _account(request, account_id)
    return {"account": account.pk, "name": account.name, "kind": account.kind, "balance": account.balance}


@router.get("/accounts/{account_id}/statement", response=list[MovementOut], summary="An account's movements")
def statement(request, account_id: int, query: Query[Page]):
    account = _account(request, account_id)
    start = (query.page - 1) * query.page_size
    rows = selectors.statement(account)[start : start + query.page_size]
    return [
        {
            "transfer": m.transfer_id,
            "kind": m.transfer.kind,
            "occurred_on": m.transfer.occurred_on,
            "memo": m.transfer.memo,
            "amount": m.amount,
            "balance_after": m.balance_after,
        }
        for m in rows
    ]


@router.get("/offers/", response=list[OfferOut], summary="Offers and requests in the caller's scope")
def offer_list(request, query: Query[OfferQuery]):
    _need(request, permissions.VIEW_OFFER)
    rows = selectors.offers(request.user).order_by("-created_at", "-pk")
    for name in ("kind", "category", "status"):
        if getattr(query, name):
            rows = rows.filter(**{name: getattr(query, name)})
    start = (query.page - 1) * query.page_size
    return [_offer_out(offer) for offer in rows[start : start + query.page_size]]


@router.post("/offers/", response={201: OfferOut}, summary="Post an offer or a request")
def offer_create(request, payload: OfferIn):
    _need(request, permissions.ADD_OFFER)
    account = selectors.acting_accounts(request.user).filter(pk=payload.account).first()
    if account is None:
        raise Http404
    try:
        offer = services.offer_post(
            account=account,
            kind=payload.kind,
            category=payload.category,
            title=payload.title,
            hours=payload.hours,
            description=payload.description,
            actor=request.user,
        )
    except ValidationError as error:
        _refuse(error)
    return 201, _offer_out(offer)


@router.post("/offers/{offer_id}/confirm", response=OfferOut, summary="Confirm the service is done (one side)")
def offer_confirm(request, offer_id: int):
    _need(request, permissions.VIEW_OFFER)
    offer = selectors.offer_get(request.user, offer_id)
    try:
        offer = services.offer_confirm(offer=offer, actor=request.user)
    except ValidationError as error:
        _refuse(error)
    except PermissionDenied:
        raise HttpError(403, _("只有供需双方可以确认。")) from None
    return _offer_out(offer)
