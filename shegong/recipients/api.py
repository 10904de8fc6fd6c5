"""REST endpoints of the recipients register, mounted at /api/v1/recipients/. They read through the same selector as
the list page, so a recipient is visible here exactly when they are visible there: in the caller's scope (else 404)
and never once consent is withdrawn. ID numbers and phones are always masked."""

import datetime

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from shegong.core.listing import COUNT_LIMIT, CappedPaginator
from shegong.core.masking import mask_id_number, mask_phone
from shegong.recipients import permissions, selectors
from shegong.recipients.models import Recipient
from shegong.refdata.models import DictionaryItem
from shegong.regions.codes import InvalidCode, canonical
from shegong.regions.models import Region
from shegong.stations.models import Station

router = Router(tags=["recipients"])

MAX_PAGE_SIZE = 200


class RecipientQuery(Schema):
    q: str = Field("", description="name start, pinyin initials, or an exact ID number / mobile number")
    region: str = Field("", description="division code: recipients living in its subtree")
    station: str = Field("", description="station code")
    category: str = Field("", description="code of the recipient_category dictionary")
    attention_level: int | None = Field(None, ge=1, le=6)
    household_separated: bool | None = None
    page: int = Field(1, ge=1)
    page_size: int = Field(50, ge=1, le=MAX_PAGE_SIZE)


class RecipientOut(Schema):
    id: int
    name: str
    name_initials: str
    id_number: str = Field(description="masked; empty without an ID number")
    no_id_reason: str
    sex: str
    birth_date: datetime.date
    phone: str = Field(description="masked")
    community: str = Field(description="12-digit division code of the village or community")
    community_name: str
    station: str | None = Field(description="station code")
    categories: list[str] = Field(description="codes of the recipient_category dictionary")
    attention_level: int
    visit_interval_days: int
    last_visit_on: datetime.date | None
    next_visit_due: datetime.date | None
    household_separated: bool
    consent_given_on: datetime.date
    consent_scopes: list[str]


class RecipientPageOut(Schema):
    items: list[RecipientOut]
    count: int = Field(description="matching recipients, counted up to count_limit")
    count_more: bool
    count_limit: int
    page: int


def _out(recipient: Recipient) -> dict:
    return {
        "id": recipient.pk,
        "name": recipient.name,
        "name_initials": recipient.name_initials,
        "id_number": mask_id_number(recipient.id_number) if recipient.id_number else "",
        "no_id_reason": recipient.no_id_reason,
        "sex": recipient.sex,
        "birth_date": recipient.birth_date,
        "phone": mask_phone(recipient.phone) if recipient.phone else "",
        "community": recipient.community_id,
        "community_name": recipient.community.name,
        "station": recipient.station.code if recipient.station else None,
        "categories": [link.category.code for link in recipient.category_links.all()],
        "attention_level": recipient.attention_level,
        "visit_interval_days": recipient.visit_interval_days,
        "last_visit_on": recipient.last_visit_on,
        "next_visit_due": recipient.next_visit_due,
        "household_separated": recipient.household_separated,
        "consent_given_on": recipient.consent_given_on,
        "consent_scopes": list(recipient.consent_scopes),
    }


def _require_view(request) -> None:
    if not request.user.has_perm(permissions.VIEW):
        raise HttpError(403, _("您没有查看服务对象的权限。"))


def _filters(query: RecipientQuery) -> dict:
    filters = {
        "q": query.q,
        "attention_level": query.attention_level,
        "household_separated": query.household_separated,
    }
    if query.region:
        try:
            code = canonical(query.region)
        except InvalidCode:
            raise HttpError(422, _("区划代码不正确。")) from None
        filters["region"] = Region.objects.filter(pk=code).first()
        if filters["region"] is None:
            raise HttpError(422, _("区划代码不正确。"))
    if query.station:
        filters["station"] = Station.objects.filter(code=query.station).first()
        if filters["station"] is None:
            raise HttpError(422, _("没有该编码的站点。"))
    if query.category:
        filters["category"] = DictionaryItem.objects.filter(
            dictionary__code="recipient_category", code=query.category
        ).first()
        if filters["category"] is None:
            raise HttpError(422, _("服务对象类别不正确。"))
    return filters


@router.get("/", response=RecipientPageOut, summary="Recipients in the caller's scope")
def recipient_list(request, query: Query[RecipientQuery]):
    """Filtered like the list page, in pinyin order, paged; needs recipients.view_recipient."""
    _require_view(request)
    rows = selectors.recipient_search(actor=request.user, **_filters(query)).order_by("name_initials", "name", "id")
    paginator = CappedPaginator(selectors.with_categories(rows), query.page_size)
    page = paginator.page(min(query.page, paginator.num_pages))
    return {
        "items": [_out(recipient) for recipient in page],
        "count": paginator.count,
        "count_more": paginator.capped,
        "count_limit": COUNT_LIMIT,
        "page": page.number,
    }


@router.get("/{recipient_id}", response=RecipientOut, summary="One recipient in the caller's scope")
def recipient_detail(request, recipient_id: int):
    """404 when the recipient does not exist, lies outside the caller's scope or has withdrawn consent."""
    _require_view(request)
    recipient = selectors.recipient_get(actor=request.user, pk=recipient_id)
    return _out(recipient)
