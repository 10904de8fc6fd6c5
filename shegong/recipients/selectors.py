"""Reading the recipients register, always through the data scope and never showing a withdrawn consent.

`Recipient.objects` (the default manager) already leaves out every person whose consent is withdrawn, so `scoped`,
`get_scoped_or_404` and the shared reveal view cannot reach them; only `withdrawn_list` (the bureau's legally required
record, VIEW_WITHDRAWN) reads `Recipient.all_records`, and only minimal fields.

The list, its export and the API share `recipient_search`. Every filter is an index range or equality (the community
code range, the station, a category semi-join, the pinyin-initials range, the ID number's keyed hash), the count is
capped (shegong.core.listing.CappedPaginator) and the categories of a page are read in one query.
"""

import re

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from shegong.core.fields import blind_index_for
from shegong.core.scope import get_scoped_or_404, region_q, scoped
from shegong.recipients import permissions
from shegong.recipients.models import Recipient, RecipientCategory
from shegong.workers.identity import COMPOUND_SURNAMES, name_initials
from shegong.workers.selectors import initials_q

ID_NUMBER_SHAPE = re.compile(r"\d{17}[\dX]")
MOBILE_SHAPE = re.compile(r"1[3-9]\d{9}")
INITIALS_SHAPE = re.compile(r"[a-z0-9]+")
LIST_FIELDS = (
    "id",
    "name",
    "name_initials",
    "id_number",
    "no_id_reason",
    "birth_date",
    "sex",
    "phone",
    "community__code",
    "community__name",
    "station__code",
    "station__name",
    "attention_level",
    "last_visit_on",
    "household_separated",
    "consent_given_on",
)


def is_personal_number(q: str) -> bool:
    text = (q or "").strip().upper().replace(" ", "")
    return bool(ID_NUMBER_SHAPE.fullmatch(text) or MOBILE_SHAPE.fullmatch(text))


def search_q(q: str) -> Q:
    """An exact ID number or mobile number (through the keyed hash), pinyin initials (zs → 张三) or a name's start."""
    text = (q or "").strip()
    if not text:
        return Q()
    upper = text.upper().replace(" ", "")
    if ID_NUMBER_SHAPE.fullmatch(upper):
        return Q(id_number_index=blind_index_for(Recipient, "id_number", upper))
    if MOBILE_SHAPE.fullmatch(upper):
        return Q(phone_index=blind_index_for(Recipient, "phone", upper))
    lower = text.lower()
    if INITIALS_SHAPE.fullmatch(lower):
        return initials_q(lower)
    condition = Q(name__startswith=text)
    if not any(surname.startswith(text) or text.startswith(surname) for surname in COMPOUND_SURNAMES):
        # The typed start of a name has the same initials as every name it begins, so the database walks the
        # pinyin-order index from there instead of sorting every 张 in the city (as the talent pool does).
        prefix = name_initials(text)
        if prefix:
            condition &= initials_q(prefix)
    return condition


def recipient_search(
    *,
    actor,
    region=None,
    station=None,
    category=None,
    attention_level: int | None = None,
    household_separated: bool | None = None,
    q: str = "",
    perm: str = permissions.VIEW,
) -> QuerySet:
    """The recipients `actor` may see with `perm` that match the filters (consent withdrawn: never)."""
    rows = scoped(Recipient, actor, perm).select_related("community", "station")
    if region is not None:
        rows = rows.filter(region_q("community", region.code, region.level))
    if station is not None:
        rows = rows.filter(station=station)
    if category is not None:
        rows = rows.filter(Exists(RecipientCategory.objects.filter(recipient=OuterRef("pk"), category=category)))
    if attention_level:
        rows = rows.filter(attention_level=attention_level)
    if household_separated is not None:
        rows = rows.filter(household_separated=household_separated)
    if q:
        rows = rows.filter(search_q(q))
    return rows


def with_categories(rows) -> QuerySet:
    """Categories of the listed rows in one query (not one per row)."""
    return rows.prefetch_related(
        Prefetch("category_links", queryset=RecipientCategory.objects.select_related("category").order_by("category"))
    )


def recipient_get(*, actor, pk, perm: str = permissions.VIEW) -> Recipient:
    """One recipient in the actor's scope for `perm`; 404 outside it and for a withdrawn consent."""
    return get_scoped_or_404(
        Recipient.objects.select_related("community", "station", "household_region"), actor, perm, pk=pk
    )


def withdrawn_list(*, actor) -> QuerySet:
    """已撤回同意: the legally required record, for the bureau's oversight permission only, with minimal fields."""
    return (
        scoped(Recipient.all_records.filter(consent_withdrawn_on__isnull=False), actor, permissions.VIEW_WITHDRAWN)
        .select_related("community")
        .only(
            "id",
            "name",
            "community__code",
            "community__name",
            "consent_given_on",
            "consent_withdrawn_on",
            "consent_withdrawal_reason",
        )
        .order_by("-consent_withdrawn_on", "id")
    )
