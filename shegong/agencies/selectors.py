"""Reading agencies, always through the data scope (shegong.core.scope): the list page, its export and the API use
the same `agency_search`, so they can never disagree about which agencies a user sees.

The list stays cheap at any size: every filter is an equality or a code range served by an index that leads with it
(Agency.Meta.indexes), and the count is capped (`count_capped`), so a page never counts more rows than it can show.
"""

import datetime
import re
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from shegong.agencies.models import Agency, AgencyRating, AgencyServiceDomain, AgencyStatus, AgencyStatusEvent
from shegong.core.scope import get_scoped_or_404, region_q, scoped

VIEW = "agencies.view_agency"
ADD = "agencies.add_agency"
CHANGE = "agencies.change_agency"
RATE = "agencies.add_agencyrating"
CHANGE_STATUS = "agencies.add_agencystatusevent"
REVEAL = "accounts.reveal_personal_data"

PAGE_SIZE = 50
COUNT_LIMIT = 10_000
NOT_RATED = "none"

CREDIT_CODE_SHAPE = re.compile(r"[0-9A-Z]{18}")
INITIALS_SHAPE = re.compile(r"[a-z0-9]+")
LATIN_LETTER = re.compile(r"[A-Za-z]")

SORTS = {
    "name": ("name", "id"),
    "-name": ("-name", "-id"),
    "founded": ("founded_on", "id"),
    "-founded": ("-founded_on", "-id"),
    "region": ("region_id", "name", "id"),
    "rating": ("latest_rating_level", "name", "id"),
    "-rating": ("-latest_rating_level", "name", "id"),
    "-created": ("-created_at", "-id"),
}
DEFAULT_SORT = "name"


@dataclass
class AgencyFilters:
    region: object = None  # a Region: the agency is in its subtree
    rating: int | str | None = None  # 1..5 (the level in force today) or NOT_RATED
    status: str = ""  # an AgencyStatus value, in force today
    legal_form: str = ""
    domain: object = None  # a DictionaryItem of the service_domain dictionary
    q: str = ""  # name, pinyin initials, or an exact credit code
    sort: str = DEFAULT_SORT
    today: datetime.date = field(default_factory=timezone.localdate)


def status_q(status: str, today: datetime.date) -> Q:
    """Agencies whose status in force today is `status`, from the cached latest event (see Agency)."""
    if status == AgencyStatus.NORMAL:
        return Q(latest_status=AgencyStatus.NORMAL) | Q(latest_status_to__lte=today)
    return Q(latest_status=status) & (Q(latest_status_to__isnull=True) | Q(latest_status_to__gt=today))


def rating_q(rating: int | str, today: datetime.date) -> Q:
    """Agencies whose rating in force today is `rating` (or which have none in force: NOT_RATED)."""
    in_force = Q(latest_rating_valid_until__gt=today)
    if rating == NOT_RATED:
        return Q(latest_rating_level__isnull=True) | ~in_force
    return Q(latest_rating_level=int(rating)) & in_force


def search_q(text: str) -> Q:
    """An 18-character code is looked up exactly (unique index). Latin letters and digits match the pinyin initials,
    which also hold the name's own Latin letters and digits in lower case ("qz" finds 启智, "ymca" finds 广州YMCA).
    Anything else matches the name as typed: Chinese has no case, so no UPPER() runs over every name (on
    PostgreSQL that costs more than the scan itself); only text with Latin letters in it is matched ignoring case."""
    text = text.strip()
    if not text:
        return Q()
    upper = text.upper().replace(" ", "")
    if CREDIT_CODE_SHAPE.fullmatch(upper):
        return Q(credit_code=upper)
    lower = text.lower().replace(" ", "")
    if INITIALS_SHAPE.fullmatch(lower):
        return Q(name_initials__contains=lower)
    if LATIN_LETTER.search(text):
        return Q(name__icontains=text)
    return Q(name__contains=text)


def agency_search(*, actor, filters: AgencyFilters | None = None, perm: str = VIEW) -> QuerySet[Agency]:
    """The agencies `actor` may see (by `perm`), filtered and sorted; rows carry their region (one join)."""
    filters = filters or AgencyFilters()
    agencies = scoped(Agency, actor, perm)
    if filters.region is not None:
        agencies = agencies.filter(region_q("region", filters.region.code, filters.region.level))
    if filters.rating not in (None, ""):
        agencies = agencies.filter(rating_q(filters.rating, filters.today))
    if filters.status:
        agencies = agencies.filter(status_q(filters.status, filters.today))
    if filters.legal_form:
        agencies = agencies.filter(legal_form=filters.legal_form)
    if filters.domain is not None:
        agencies = agencies.filter(pk__in=AgencyServiceDomain.objects.filter(domain=filters.domain).values("agency_id"))
    if filters.q:
        agencies = agencies.filter(search_q(filters.q))
    return agencies.select_related("region").order_by(*SORTS.get(filters.sort, SORTS[DEFAULT_SORT]))


def with_domains(agencies: QuerySet[Agency]) -> QuerySet[Agency]:
    """Prefetch the service domains (one query for the whole page), in the dictionary's order."""
    from shegong.refdata.models import DictionaryItem

    return agencies.prefetch_related(
        Prefetch("service_domains", queryset=DictionaryItem.objects.order_by("sort_order", "code"))
    )


def count_capped(rows: QuerySet, limit: int = COUNT_LIMIT) -> tuple[int, bool]:
    """How many rows match, counting at most `limit` of them, and whether there are more."""
    found = rows.order_by()[: limit + 1].count()
    return min(found, limit), found > limit


@dataclass(frozen=True)
class Page:
    rows: list
    number: int
    has_previous: bool
    has_next: bool

    @property
    def previous_number(self) -> int:
        return self.number - 1

    @property
    def next_number(self) -> int:
        return self.number + 1


def page_of(rows: QuerySet, number: int, size: int = PAGE_SIZE) -> Page:
    """One page, with one extra key to learn whether another page follows (no count needed).

    The keys come first, on their own: the index on (region, name, name_initials) answers the scope, the search and
    the name order without reading the table, so only the page's own rows are read in full (then their regions and
    domains, by the queryset's select_related and prefetch_related)."""
    number = max(1, number)
    start = (number - 1) * size
    keys = list(rows.values_list("pk", flat=True)[start : start + size + 1])
    wanted = keys[:size]
    by_key = {row.pk: row for row in rows.order_by().filter(pk__in=wanted)}
    return Page(
        rows=[by_key[key] for key in wanted if key in by_key],
        number=number,
        has_previous=number > 1,
        has_next=len(keys) > size,
    )


def agency_get(*, actor, pk: int, perm: str = VIEW) -> Agency:
    """One agency in the actor's scope, or 404."""
    return get_scoped_or_404(Agency.objects.select_related("region", "region__parent"), actor, perm, pk=pk)


# --- Histories -------------------------------------------------------------------------------------------------------


def rating_in_force(agency: Agency, on: datetime.date) -> AgencyRating | None:
    """The rating that holds on `on`: the latest given on or before that day, if it has not lapsed by then (a newer
    rating replaces an older one even while the older one would still be valid)."""
    latest = agency.ratings.filter(rated_on__lte=on).order_by("-rated_on").first()
    return latest if latest is not None and latest.is_valid_on(on) else None


@dataclass(frozen=True)
class StatusOnDate:
    status: str
    event: AgencyStatusEvent | None  # the entry that decides it (None: never listed, or that entry has ended)

    @property
    def label(self) -> str:
        return str(AgencyStatus(self.status).label)

    @property
    def is_listed(self) -> bool:
        return self.status != AgencyStatus.NORMAL


def status_on(agency: Agency, on: datetime.date) -> StatusOnDate:
    """The supervision status on `on`: the latest entry started on or before that day decides, until its end date."""
    event = agency.status_events.filter(valid_from__lte=on).order_by("-valid_from").first()
    if event is None or (event.valid_to is not None and event.valid_to <= on):
        return StatusOnDate(AgencyStatus.NORMAL, None)
    return StatusOnDate(event.status, event)


def rating_history(agency: Agency) -> list[AgencyRating]:
    """Newest first; each row says whether it is the rating in force today."""
    today = timezone.localdate()
    ratings = list(agency.ratings.select_related("created_by").order_by("-rated_on"))
    current = next((rating for rating in ratings if rating.rated_on <= today), None)
    for rating in ratings:
        rating.in_force = rating is current and rating.is_valid_on(today)
        rating.superseded = current is not None and rating.rated_on < current.rated_on
    return ratings


def status_history(agency: Agency) -> list[AgencyStatusEvent]:
    """Newest first; each entry carries `effective_to`, the day it stopped deciding the status (its own end date or
    the start of the next entry, whichever is earlier; None while it still decides it)."""
    today = timezone.localdate()
    events = list(agency.status_events.select_related("created_by").order_by("-valid_from"))
    following = None
    for event in events:
        ends = [day for day in (event.valid_to, following.valid_from if following else None) if day is not None]
        event.effective_to = min(ends) if ends else None
        event.in_force = event.valid_from <= today and (event.effective_to is None or today < event.effective_to)
        following = event
    return events


def workers_count(agency: Agency) -> int:
    """Social workers on the register who work for the agency now (the workers app's register)."""
    from shegong.workers.models import SocialWorker

    return SocialWorker.objects.filter(agency=agency, status=SocialWorker.Status.ACTIVE).count()


def revealable_ids(actor, agencies: QuerySet[Agency]) -> set[int]:
    """Which of these agencies' contact phones `actor` may see in full: the reveal permission counts only over the
    part of the scope where the actor holds it."""
    if not actor.has_perm(REVEAL):
        return set()
    return set(scoped(agencies.order_by(), actor, REVEAL).values_list("pk", flat=True))
