"""Reading the talent pool (人才库), always through the data scope (shegong.core.scope).

The list page, its export and the API share `worker_search`, so they cannot disagree about which workers a user sees.
At a million workers a page stays cheap: every filter is a code range, an equality or a semi-join served by an index
(SocialWorker.Meta.indexes, WorkerServiceDomain), pages are keyset pages over the sort's index (never OFFSET), and the
count stops at COUNT_LIMIT.

Credit (信用监管): other apps ask `is_blacklisted(worker, on)` / `assert_worker_assignable(worker, on)` before they
put a worker on a government-funded project or post, and `open_violations(worker, on)` before a renewal.
"""

import base64
import binascii
import datetime
import json
import re
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.core.fields import blind_index_for
from shegong.core.scope import get_scoped_or_404, grants_of, region_q, scoped
from shegong.regions.codes import subtree_bounds
from shegong.workers import permissions
from shegong.workers.grades import CertificateLevel
from shegong.workers.identity import COMPOUND_SURNAMES, name_initials
from shegong.workers.models import Certificate, CreditEvent, SocialWorker, WorkerServiceDomain

PAGE_SIZE = 50
COUNT_LIMIT = 10_000
EXPORT_LIMIT = 100_000

# Each sort is a unique key (it ends with the id), so a page can start right after the last row of the previous one.
SORTS = {
    "pinyin": ("name_initials", "name", "id"),
    "-pinyin": ("-name_initials", "-name", "-id"),
    "newest": ("-id",),
    "oldest": ("id",),
}
DEFAULT_SORT = "pinyin"

BLACKLIST_INLINE = 5000
NO_CERTIFICATE = "none"
ANY_CERTIFICATE = "any"

ID_NUMBER_SHAPE = re.compile(r"\d{17}[\dX]|\d{15}")
MOBILE_SHAPE = re.compile(r"1[3-9]\d{9}")
INITIALS_SHAPE = re.compile(r"[a-z0-9]+")


# --- Credit: what is in force on a day ---------------------------------------------------------------------------


def in_force_q(day: datetime.date, prefix: str = "") -> Q:
    """Credit events in force on `day`: begun, not expired and not closed (see CreditEvent)."""
    return (
        Q(**{f"{prefix}occurred_on__lte": day})
        & (Q(**{f"{prefix}effective_until__isnull": True}) | Q(**{f"{prefix}effective_until__gte": day}))
        & (Q(**{f"{prefix}closed_on__isnull": True}) | Q(**{f"{prefix}closed_on__gt": day}))
    )


def open_violation_q(day: datetime.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}kind": CreditEvent.Kind.VIOLATION}) & in_force_q(day, prefix)


def blacklist_q(day: datetime.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}severity": CreditEvent.Severity.BLACKLIST}) & open_violation_q(day, prefix)


def open_violations(worker: SocialWorker, on: datetime.date | None = None) -> QuerySet[CreditEvent]:
    """The worker's violations in force on `on` (today by default): they block a renewal of registration."""
    return CreditEvent.objects.filter(worker=worker).filter(open_violation_q(on or timezone.localdate()))


def is_blacklisted(worker: SocialWorker, on: datetime.date | None = None) -> bool:
    return CreditEvent.objects.filter(worker=worker).filter(blacklist_q(on or timezone.localdate())).exists()


worker_is_blacklisted = is_blacklisted


def blacklisted_worker_ids(worker_ids, on: datetime.date | None = None) -> set[int]:
    """Which of many workers are on the blacklist on `on`: one query, for services that place a whole team."""
    rows = CreditEvent.objects.filter(worker_id__in=list(worker_ids)).filter(blacklist_q(on or timezone.localdate()))
    return set(rows.values_list("worker_id", flat=True))


def assert_worker_assignable(worker: SocialWorker, on: datetime.date | None = None) -> None:
    """Refuse to put `worker` on a government-funded project or post on `on`, saying why in Chinese.

    A blacklisted person cannot be placed (信用监管: 列入黑名单者不得承接政府购买服务项目或岗位), nor can someone
    who has left or retired. Later issues (stations, projects, posts) call this from their own services.
    """
    on = on or timezone.localdate()
    if worker.status != SocialWorker.Status.ACTIVE:
        raise ValidationError(
            _("%(name)s 当前状态为“%(status)s”，不能安排到项目或岗位。")
            % {"name": worker.name, "status": worker.get_status_display()},
            code="worker_not_active",
        )
    entry = CreditEvent.objects.filter(worker=worker).filter(blacklist_q(on)).order_by("-occurred_on", "-id").first()
    if entry is not None:
        until = (
            _("至 %(date)s") % {"date": entry.effective_until.isoformat()} if entry.effective_until else _("未定期限")
        )
        raise ValidationError(
            _("%(name)s 已被列入黑名单（%(title)s；%(since)s 起，%(until)s），期间不能安排到政府购买服务项目或岗位。")
            % {"name": worker.name, "title": entry.title, "since": entry.occurred_on.isoformat(), "until": until},
            code="worker_blacklisted",
        )


# --- The list ----------------------------------------------------------------------------------------------------


@dataclass
class WorkerFilters:
    region: object = None  # a Region: the worker works in its subtree
    agency: object = None  # an Agency
    certificate: str = ""  # NO_CERTIFICATE, ANY_CERTIFICATE or a CertificateLevel (the highest held)
    domain: object = None  # a DictionaryItem of the service_domain dictionary
    status: str = ""
    post_type: str = ""
    job_grade: str = ""
    blacklisted: str = ""  # "yes" or "no": on the blacklist today
    q: str = ""  # name prefix, pinyin initials, or an exact ID number / mobile number
    sort: str = DEFAULT_SORT
    today: datetime.date = field(default_factory=timezone.localdate)

    def as_audit(self) -> dict:
        """The filters in use, as plain values for an export's audit entry (no personal data: a searched ID number
        is recorded as such, not repeated)."""
        values = {}
        for name in ("certificate", "status", "post_type", "job_grade", "blacklisted", "sort"):
            if getattr(self, name):
                values[name] = getattr(self, name)
        if self.region is not None:
            values["region"] = self.region.code
        if self.agency is not None:
            values["agency"] = self.agency.pk
        if self.domain is not None:
            values["domain"] = self.domain.code
        if self.q:
            values["q"] = _("（按身份证号或手机号）") if _is_personal_number(self.q) else self.q
        return values


def _is_personal_number(q: str) -> bool:
    text = q.strip().upper()
    return bool(ID_NUMBER_SHAPE.fullmatch(text) or MOBILE_SHAPE.fullmatch(text))


def search_q(q: str) -> Q:
    """An exact ID number or mobile number (through their keyed hashes), pinyin initials (zs → 张三), or the start
    of the name. Each is one index lookup or range."""
    text = (q or "").strip()
    if not text:
        return Q()
    upper = text.upper().replace(" ", "")
    if ID_NUMBER_SHAPE.fullmatch(upper):
        return Q(id_number_index=blind_index_for(SocialWorker, "id_number", upper))
    if MOBILE_SHAPE.fullmatch(upper):
        return Q(phone_index=blind_index_for(SocialWorker, "phone", upper))
    lower = text.lower()
    if INITIALS_SHAPE.fullmatch(lower):
        return initials_q(lower)
    condition = Q(name__startswith=text)
    if not any(surname.startswith(text) or text.startswith(surname) for surname in COMPOUND_SURNAMES):
        # The typed start of a name has the same initials as the start of every name it begins, so the database can
        # walk the pinyin-order index from there instead of sorting every 张 in the city.
        prefix = name_initials(text)
        if prefix:
            condition &= initials_q(prefix)
    return condition


def initials_q(prefix: str) -> Q:
    """Initials starting with `prefix`, written as a range as well so that the pinyin-order index serves it in order.

    A LIKE 'zw%' can use a b-tree only under the C collation (or with pattern operators, which cannot give the sort
    order); `>= 'zw' AND < 'zx'` can under any collation, because initials hold only a-z and 0-9, which every
    collation orders like the alphabet (digits first). The LIKE stays, so the answer is exact whatever the collation.
    """
    condition = Q(name_initials__gte=prefix) & Q(name_initials__startswith=prefix)
    upper = _next_prefix(prefix)
    return condition & Q(name_initials__lt=upper) if upper else condition


def _next_prefix(prefix: str) -> str | None:
    """The smallest string above every string that starts with `prefix` (over a-z0-9); None when there is none."""
    head = prefix.rstrip("z")
    if not head:
        return None
    last = head[-1]
    bumped = "a" if last == "9" else chr(ord(last) + 1)
    return head[:-1] + bumped


def worker_search(*, actor, filters: WorkerFilters | None = None, perm: str = permissions.VIEW) -> QuerySet:
    """The workers `actor` may see with `perm` that match `filters`, in the filters' sort order."""
    filters = filters or WorkerFilters()
    workers = scoped(SocialWorker, actor, perm)
    if filters.region is not None:
        workers = workers.filter(region_q("region", filters.region.code, filters.region.level))
    if filters.agency is not None:
        workers = workers.filter(agency=filters.agency)
    if filters.certificate == NO_CERTIFICATE:
        workers = workers.filter(highest_certificate="")
    elif filters.certificate == ANY_CERTIFICATE:
        workers = workers.filter(highest_certificate__gt="")
    elif filters.certificate in CertificateLevel.values:
        workers = workers.filter(highest_certificate=filters.certificate)
    if filters.domain is not None:
        workers = workers.filter(
            Exists(WorkerServiceDomain.objects.filter(worker=OuterRef("pk"), domain=filters.domain))
        )
    for name in ("status", "post_type", "job_grade"):
        if getattr(filters, name):
            workers = workers.filter(**{name: getattr(filters, name)})
    if filters.blacklisted in ("yes", "no"):
        workers = workers.filter(_blacklisted_q(filters.today, filters.blacklisted == "yes"))
    if filters.q:
        workers = workers.filter(search_q(filters.q))
    return workers.order_by(*SORTS.get(filters.sort, SORTS[DEFAULT_SORT]))


def _blacklisted_q(today: datetime.date, listed: bool) -> Q:
    """On (or off) the blacklist today. The blacklist is short by nature: its ids go to the database as a list, so
    the planner fetches those rows and sorts them, instead of walking the sort index hoping to meet them (a subquery
    is used should the list ever be long)."""
    entries = CreditEvent.objects.filter(blacklist_q(today)).values_list("worker_id", flat=True).distinct()
    ids = list(entries[: BLACKLIST_INLINE + 1])
    if len(ids) > BLACKLIST_INLINE:
        ids = entries
    return Q(pk__in=ids) if listed else ~Q(pk__in=ids)


def with_badges(workers: QuerySet, today: datetime.date | None = None) -> QuerySet:
    """What a list row shows besides the worker: region, agency, and whether they are on the blacklist today."""
    today = today or timezone.localdate()
    return workers.select_related("region", "agency").annotate(
        on_blacklist=Exists(CreditEvent.objects.filter(worker=OuterRef("pk")).filter(blacklist_q(today)))
    )


def with_domains(rows: list[SocialWorker]) -> list[SocialWorker]:
    """The service domains of a page of workers, in one query."""
    from shegong.refdata.models import DictionaryItem

    prefetch_related_objects(
        rows, Prefetch("service_domains", queryset=DictionaryItem.objects.order_by("sort_order", "code"))
    )
    return rows


def count_capped(workers: QuerySet, limit: int = COUNT_LIMIT) -> tuple[int, bool]:
    """How many rows match, counting at most `limit` (and whether there are more)."""
    found = workers.order_by().values("pk")[: limit + 1].count()
    return min(found, limit), found > limit


@dataclass(frozen=True)
class Page:
    rows: list
    next_cursor: str | None  # pass as ?after= for the following page
    previous_cursor: str | None  # pass as ?before= for the preceding page


def encode_cursor(values: list) -> str:
    return base64.urlsafe_b64encode(json.dumps(values, ensure_ascii=False).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, width: int) -> list | None:
    """The sort values in a cursor, or None for a missing or tampered one (which shows the first page)."""
    if not cursor:
        return None
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    if not isinstance(values, list) or len(values) != width:
        return None
    if not all(isinstance(value, str | int) and not isinstance(value, bool) for value in values):
        return None
    return values


def _beyond_q(order: tuple[str, ...], values: list) -> Q:
    """Rows strictly after `values` in `order`. The leading column's bound is repeated on its own so that the
    database starts its index scan there instead of filtering from the first row."""
    clauses = []
    for index, key in enumerate(order):
        name = key.lstrip("-")
        equal = {order[j].lstrip("-"): values[j] for j in range(index)}
        equal[f"{name}__{'lt' if key.startswith('-') else 'gt'}"] = values[index]
        clauses.append(Q(**equal))
    lead = order[0]
    bound = Q(**{f"{lead.lstrip('-')}__{'lte' if lead.startswith('-') else 'gte'}": values[0]})
    return bound & reduce(or_, clauses)


def _flip(order: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(key[1:] if key.startswith("-") else f"-{key}" for key in order)


def keyset_page(
    workers: QuerySet,
    *,
    sort: str = DEFAULT_SORT,
    after: str | None = None,
    before: str | None = None,
    size: int = PAGE_SIZE,
) -> Page:
    """One page in `sort` order: the rows after the cursor `after`, before the cursor `before`, or the first."""
    order = SORTS.get(sort, SORTS[DEFAULT_SORT])
    names = [key.lstrip("-") for key in order]
    after_values = decode_cursor(after, len(order))
    before_values = decode_cursor(before, len(order)) if after_values is None else None
    if before_values is not None:
        rows = list(workers.filter(_beyond_q(_flip(order), before_values)).order_by(*_flip(order))[: size + 1])
        has_previous = len(rows) > size
        rows = rows[:size][::-1]
        has_next = bool(rows)
    else:
        if after_values is not None:
            workers = workers.filter(_beyond_q(order, after_values))
        rows = list(workers.order_by(*order)[: size + 1])
        has_next = len(rows) > size
        rows = rows[:size]
        has_previous = after_values is not None and bool(rows)

    def cursor(row) -> str:
        return encode_cursor([getattr(row, name) for name in names])

    return Page(
        rows=rows,
        next_cursor=cursor(rows[-1]) if rows and has_next else None,
        previous_cursor=cursor(rows[0]) if rows and has_previous else None,
    )


# --- One worker ----------------------------------------------------------------------------------------------------


def worker_get(*, actor, pk, perm: str = permissions.VIEW) -> SocialWorker:
    """One worker in `actor`'s scope for `perm` (a worker always reaches their own record), else 404."""
    workers = SocialWorker.objects.select_related("region", "agency", "account")
    return get_scoped_or_404(workers, actor, perm, pk=pk)


def worker_of_account(user) -> SocialWorker | None:
    """The talent-pool record linked to a signed-in account (我的档案), if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    return SocialWorker.objects.select_related("region", "agency").filter(account=user).first()


def certificates_of(worker: SocialWorker) -> list[Certificate]:
    return list(worker.certificates.order_by("-year_passed", "level"))


def credit_events_of(worker: SocialWorker) -> list[CreditEvent]:
    return list(worker.credit_events.select_related("recorded_by", "closed_by").order_by("-occurred_on", "-id"))


def credit_event_get(*, actor, pk, perm: str = permissions.VIEW_CREDIT) -> CreditEvent:
    events = CreditEvent.objects.select_related("worker", "worker__region", "worker__agency")
    return get_scoped_or_404(events, actor, perm, pk=pk)


def certificate_get(*, actor, worker: SocialWorker, pk, perm: str) -> Certificate:
    return get_scoped_or_404(Certificate.objects.filter(worker=worker), actor, perm, pk=pk)


def reveal_scope_q(actor) -> Q:
    """Rows whose personal identifiers `actor` may see in full (the reveal permission, within its own scope)."""
    from shegong.core.scope import scope_q

    if not actor.has_perm(permissions.REVEAL):
        return Q(pk__in=[])
    return scope_q(actor, SocialWorker, permissions.REVEAL)


class ScopeCheck:
    """The data scope of one permission, evaluated in Python for rows not yet written (an import checks thousands of
    rows against it without a query each). Mirrors scope_q for SocialWorker: region subtree, agency, or nationwide."""

    def __init__(self, actor, perm: str):
        grants = [grant for grant in grants_of(actor) if perm in grant.permissions]
        self.everywhere = any(grant.nationwide for grant in grants)
        self.bounds = [subtree_bounds(g.region_code, g.region_level) for g in grants if g.region_code]
        self.agencies = {grant.agency_id for grant in grants if grant.agency_id}

    def allows(self, region_code: str | None, agency_id: int | None) -> bool:
        if self.everywhere:
            return True
        if agency_id is not None and agency_id in self.agencies:
            return True
        return bool(region_code) and any(low <= region_code <= high for low, high in self.bounds)


def worker_search_q(text: str, path: str = "worker") -> Q:
    """Rows whose worker matches the talent pool's search (workers.selectors.search_q: exact ID or mobile number
    through their keyed hashes, pinyin initials, or the start of the name), as a semi-join on the worker's indexes."""
    if not (text or "").strip():
        return Q()
    if not path:
        return search_q(text)
    return Q(**{f"{path}__in": SocialWorker.objects.filter(search_q(text)).values("pk")})
