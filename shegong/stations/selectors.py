"""Reading the station network, always through the data scope (shegong.core.scope): a station out of the user's
scope never appears in a list, a count, an export or the network page, and fetching it answers 404.

The network page (`network`) computes, for every child of a region, the stations of each kind, township and
community coverage and how many stations fail a rule, with grouped range queries over the node's subtree (the child
is a prefix of the 12-digit code, so "group by child" is GROUP BY SUBSTR(code, 1, n)): the number of queries does not
depend on the number of children, and a whole province costs a handful of grouped scans, never a query per child.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr
from django.http import Http404
from django.utils import timezone

from shegong.core.scope import get_scoped_or_404, grants_of, region_q, scope_q, scoped
from shegong.regions.codes import PREFIX_LENGTHS, ancestor_codes, subtree_bounds
from shegong.regions.loading import VERSION_CACHE_KEY
from shegong.regions.models import Region
from shegong.stations import rules
from shegong.stations.models import PresenceCheckIn, StaffAssignment, Station, StationService, StationStatusEvent
from shegong.stations.rules import CoverageFigures, Judgement, RuleBook, current_q, iso_week, overlap_q

VIEW = "stations.view_station"
ADD = "stations.add_station"
CHANGE = "stations.change_station"
CHANGE_STATUS = "stations.add_stationstatusevent"
ASSIGN = "stations.change_staffassignment"
CHECK_IN = "stations.add_presencecheckin"

PRESENCE_WEEKS = 8
COUNTS_CACHE_SECONDS = 24 * 3600
SERVICE_DOMAIN_DICTIONARY = "service_domain"

Kind = Station.Kind
Status = Station.Status


# --- Stations ------------------------------------------------------------------------------------------------------


def stations(actor, perm: str = VIEW) -> QuerySet[Station]:
    """The stations `actor` may see with `perm`, with what a list shows."""
    return scoped(Station.objects.select_related("region", "agency"), actor, perm)


def station_get(*, actor, code: str, perm: str = VIEW) -> Station:
    """One station by its code, or 404 when unknown or outside the actor's scope for `perm`."""
    rows = Station.objects.select_related("region", "region__parent", "agency")
    return get_scoped_or_404(rows, actor, perm, code=code)


def can(actor, perm: str, station: Station) -> bool:
    """Whether the actor holds `perm` over this station (the page shows a form only then)."""
    return actor.has_perm(perm) and scoped(Station, actor, perm).filter(pk=station.pk).exists()


def status_history(station: Station) -> list[StationStatusEvent]:
    return list(station.status_events.select_related("recorded_by").order_by("-effective_on", "-id"))


def service_items(station: Station) -> list[StationService]:
    """The service list in its order, each with `domain_label` (the dictionary's name for its domain code)."""
    from shegong.refdata.selectors import labels

    names = labels(SERVICE_DOMAIN_DICTIONARY)
    items = list(station.services.order_by("sort_order", "id"))
    for item in items:
        item.domain_label = names.get(item.domain, item.domain)
    return items


def assignments(station: Station, on: datetime.date | None = None) -> list[StaffAssignment]:
    """Everyone who has held a post at the station: current ones first (by role), then past and future ones, each
    with `is_current` set."""
    on = on or timezone.localdate()
    rows = list(station.assignments.select_related("worker", "worker__agency").order_by("role", "start_date", "pk"))
    for row in rows:
        row.is_current = row.start_date <= on and (row.end_date is None or row.end_date >= on)
        row.is_future = row.start_date > on
    return sorted(rows, key=lambda row: (not row.is_current, row.is_future, row.role != "head"))


def assigned_worker(room: Station, on: datetime.date | None = None):
    """一社区一社工: the room's social worker on `on`, i.e. the worker of its current 驻点社工 assignment (at most one,
    services.staff_assign sees to that); None when the room has none (the room is then flagged)."""
    on = on or timezone.localdate()
    row = (
        StaffAssignment.objects.filter(station=room, role=StaffAssignment.Role.RESIDENT)
        .filter(current_q(on))
        .select_related("worker")
        .order_by("-start_date", "-pk")
        .first()
    )
    return row.worker if row is not None else None


def full_time_staff_count(station: Station, on: datetime.date | None = None) -> int:
    """Distinct full-time workers assigned to the station on `on`, the staffing rule's fact."""
    on = on or timezone.localdate()
    return (
        StaffAssignment.objects.filter(station=station, full_time=True)
        .filter(current_q(on))
        .values("worker_id")
        .distinct()
        .count()
    )


def worker_candidates(actor, station: Station, limit: int = 200) -> list:
    """Names to suggest in the assignment form: active workers in the actor's scope who work in the station's
    region, or for its operating agency, not already in post there."""
    from shegong.workers.models import SocialWorker

    workers = scoped(SocialWorker, actor, "workers.view_socialworker").filter(status=SocialWorker.Status.ACTIVE)
    near = region_q("region", station.region_id, station.region.level)
    if station.agency_id:
        near |= Q(agency_id=station.agency_id)
    on = timezone.localdate()
    busy = StaffAssignment.objects.filter(station=station).filter(current_q(on)).values("worker_id")
    return list(workers.filter(near).exclude(pk__in=busy).order_by("name_initials", "name", "id")[:limit])


def check_in_candidates(station: Station, on: datetime.date | None = None) -> list:
    """The workers in post at the station (whose check-ins may be recorded there)."""
    on = on or timezone.localdate()
    rows = (
        StaffAssignment.objects.filter(station=station)
        .filter(overlap_q(on - datetime.timedelta(days=7 * PRESENCE_WEEKS), on))
        .select_related("worker")
        .order_by("worker__name_initials", "worker_id")
    )
    return list({row.worker_id: row.worker for row in rows}.values())


def communities_of(station: Station) -> QuerySet[Region]:
    """The communities a worker of the station may check in at: the room's own, else those under the station."""
    if station.region.level == Region.Level.VILLAGE:
        return Region.objects.filter(pk=station.region_id)
    low, high = subtree_bounds(station.region_id, station.region.level)
    return Region.objects.filter(level=Region.Level.VILLAGE, code__gte=low, code__lte=high).order_by("code")


# --- The list ------------------------------------------------------------------------------------------------------


@dataclass
class StationFilters:
    """The station list's filters, shared by the page, its export and the API."""

    region: Region | None = None
    kind: str = ""
    status: str = ""
    agency: object = None
    q: str = ""
    noncompliant: bool = False


def search_q(text: str) -> Q:
    """A name containing the text, or a code starting with it (codes are upper case)."""
    text = (text or "").strip()
    if not text:
        return Q()
    return Q(name__contains=text) | Q(code__startswith=text.upper())


def station_search(*, actor, filters: StationFilters | None = None, on: datetime.date | None = None) -> QuerySet:
    filters = filters or StationFilters()
    rows = stations(actor)
    if filters.region is not None:
        rows = rows.filter(region_q("region", filters.region.code, filters.region.level))
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.agency is not None:
        rows = rows.filter(agency=filters.agency)
    if filters.q:
        rows = rows.filter(search_q(filters.q))
    if filters.noncompliant:
        judged = rules.judge(rows, on or timezone.localdate())
        rows = rows.filter(pk__in=[pk for pk, judgement in judged.items() if judgement.noncompliant])
    return rows


def attach_judgements(rows, on: datetime.date | None = None) -> None:
    """Set `judgement` on each station of a page (five queries for the page, none per row)."""
    rows = list(rows)
    if not rows:
        return
    judged = rules.judge(Station.objects.filter(pk__in=[row.pk for row in rows]), on or timezone.localdate())
    for row in rows:
        row.judgement = judged.get(row.pk)


@dataclass
class FailingStation:
    station: Station
    judgement: Judgement


def noncompliant(*, actor, region: Region | None, on: datetime.date | None = None) -> list[FailingStation]:
    """The operating stations under `region` (all of the actor's when None) that fail a rule on `on`, each with the
    failing verdicts (figures and source), in region order."""
    on = on or timezone.localdate()
    rows = stations(actor)
    if region is not None:
        rows = rows.filter(region_q("region", region.code, region.level))
    judged = rules.judge(rows, on)
    failing = [pk for pk, judgement in judged.items() if judgement.noncompliant]
    found = rows.filter(pk__in=failing).order_by("region_id", "kind", "name")
    return [FailingStation(station, judged[station.pk]) for station in found]


# --- Presence ------------------------------------------------------------------------------------------------------


@dataclass
class WeekPresence:
    """One ISO week of a room's presence: the resident worker, the days they checked in, and the verdict (None for
    the current week, which is still going, or where no presence rule is in force)."""

    monday: datetime.date
    sunday: datetime.date
    worker_id: int | None
    worker_name: str | None
    days: list[datetime.date]
    verdict: object = None
    current: bool = False
    room: Station | None = None

    @property
    def count(self) -> int:
        return len(self.days)

    @property
    def iso(self) -> str:
        year, week, _day = self.monday.isocalendar()
        return f"{year}-W{week:02d}"

    def weekday_marks(self) -> list[tuple[datetime.date, bool]]:
        present = set(self.days)
        return [(day, day in present) for day in (self.monday + datetime.timedelta(days=i) for i in range(7))]


def presence_weeks(on: datetime.date, weeks: int = PRESENCE_WEEKS) -> list[tuple[datetime.date, datetime.date]]:
    """The current ISO week and the `weeks` complete ones before it, newest first."""
    monday, _sunday = iso_week(on)
    return [iso_week(monday - datetime.timedelta(days=7 * n)) for n in range(weeks + 1)]


def _resident_for_week(rows, monday, sunday):
    """Of a room's resident assignments (ordered by start), the one in post on the week's last day, else the latest
    one that served during the week."""
    chosen = None
    for row in rows:
        if row.start_date > sunday or (row.end_date is not None and row.end_date < monday):
            continue
        chosen_at_end = chosen is not None and (chosen.end_date is None or chosen.end_date >= sunday)
        if chosen_at_end and row.end_date is not None and row.end_date < sunday:
            continue
        chosen = row
    return chosen


def room_presence(room: Station, on: datetime.date | None = None, weeks: int = PRESENCE_WEEKS) -> list[WeekPresence]:
    """The room's presence for this week and the `weeks` before it (newest first), in three queries."""
    on = on or timezone.localdate()
    spans = presence_weeks(on, weeks)
    first, last = spans[-1][0], spans[0][1]
    residents = list(
        StaffAssignment.objects.filter(station=room, role=StaffAssignment.Role.RESIDENT)
        .filter(overlap_q(first, last))
        .select_related("worker")
        .order_by("start_date", "pk")
    )
    days = defaultdict(set)
    if residents:
        for worker_id, day in PresenceCheckIn.objects.filter(
            community_id=room.region_id,
            worker_id__in={row.worker_id for row in residents},
            date__gte=first,
            date__lte=last,
        ).values_list("worker_id", "date"):
            days[worker_id].add(day)
    rule = RuleBook([rules.PRESENCE], on).rule(rules.PRESENCE, room.region_id, room.region.level)
    result = []
    for index, (monday, sunday) in enumerate(spans):
        resident = _resident_for_week(residents, monday, sunday)
        worker_id = resident.worker_id if resident else None
        name = resident.worker.name if resident else None
        in_week = sorted(day for day in days.get(worker_id, ()) if monday <= day <= sunday)
        row = WeekPresence(monday, sunday, worker_id, name, in_week, current=index == 0, room=room)
        if rule is not None and index > 0:
            row.verdict = rules.presence_verdict(rule, len(in_week), name)
        result.append(row)
    return result


def worker_presence(worker, on: datetime.date | None = None, weeks: int = PRESENCE_WEEKS) -> list[list[WeekPresence]]:
    """For each room where `worker` was the resident social worker during the period, their weeks (newest first)."""
    on = on or timezone.localdate()
    spans = presence_weeks(on, weeks)
    first, last = spans[-1][0], spans[0][1]
    posts = list(
        StaffAssignment.objects.filter(worker=worker, role=StaffAssignment.Role.RESIDENT, station__kind=Kind.ROOM)
        .filter(overlap_q(first, last))
        .select_related("station", "station__region")
        .order_by("station__region_id", "start_date")
    )
    days = defaultdict(set)
    for community, day in PresenceCheckIn.objects.filter(worker=worker, date__gte=first, date__lte=last).values_list(
        "community_id", "date"
    ):
        days[community].add(day)
    book = RuleBook([rules.PRESENCE], on)
    grids = []
    for room in {post.station_id: post.station for post in posts}.values():
        rule = book.rule(rules.PRESENCE, room.region_id, room.region.level)
        own = [post for post in posts if post.station_id == room.pk]
        grid = []
        for index, (monday, sunday) in enumerate(spans):
            served = any(
                post.start_date <= sunday and (post.end_date is None or post.end_date >= monday) for post in own
            )
            in_week = sorted(day for day in days.get(room.region_id, ()) if monday <= day <= sunday)
            row = WeekPresence(
                monday,
                sunday,
                worker.pk if served else None,
                worker.name if served else None,
                in_week,
                current=index == 0,
                room=room,
            )
            if rule is not None and served and index > 0:
                row.verdict = rules.presence_verdict(rule, len(in_week), worker.name)
            grid.append(row)
        grids.append(grid)
    return grids


@dataclass
class RoomRow:
    """A room under a station, for the station's page: its resident, this week's days so far, its judgement."""

    room: Station
    judgement: Judgement | None
    days_this_week: int


def rooms_under(actor, station: Station, on: datetime.date | None = None) -> list[RoomRow]:
    """The live rooms under a station's region that the actor may see (a street station's 村社社工室)."""
    on = on or timezone.localdate()
    if station.region.level >= Region.Level.VILLAGE:
        return []
    rooms = (
        stations(actor)
        .filter(region_q("region", station.region_id, station.region.level), kind=Kind.ROOM)
        .exclude(status=Status.REVOKED)
        .order_by("region_id")
    )
    found = list(rooms)
    if not found:
        return []
    judged = rules.judge(Station.objects.filter(pk__in=[room.pk for room in found]), on)
    monday, sunday = iso_week(on)
    days = {
        (row["worker_id"], row["community_id"]): row["days"]
        for row in PresenceCheckIn.objects.filter(
            date__gte=monday, date__lte=sunday, community_id__in=[room.region_id for room in found]
        )
        .values("worker_id", "community_id")
        .annotate(days=Count("date", distinct=True))
        .order_by()
    }
    result = []
    for room in found:
        judgement = judged.get(room.pk)
        resident = judgement.resident_id if judgement else None
        result.append(RoomRow(room, judgement, days.get((resident, room.region_id), 0)))
    return result


# --- The network page ----------------------------------------------------------------------------------------------


@dataclass
class NetworkNode:
    """A region's figures on the network page (its whole subtree, as the user may see it)."""

    region: Region | None
    counts: dict[str, int] = field(default_factory=dict)  # live stations by kind
    coverage: CoverageFigures = field(default_factory=CoverageFigures)
    judged: int = 0  # operating stations judged by the rules
    noncompliant: int = 0

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def compliant(self) -> int:
        return self.judged - self.noncompliant

    def count(self, kind: str) -> int:
        return self.counts.get(kind, 0)

    @property
    def specialised(self) -> int:
        return sum(count for kind, count in self.counts.items() if kind not in Station.NETWORK_KINDS)


@dataclass
class NetworkPage:
    node: Region | None
    trail: list[Region]
    summary: NetworkNode
    children: list[NetworkNode]
    stations: list[Station]  # the stations of a street or community (level ≥ 4), each with `judgement`
    on: datetime.date
    compliance_shown: bool = True


def _view_grants(user) -> list:
    return [grant for grant in grants_of(user) if VIEW in grant.permissions]


def network_roots(user) -> list[Region] | None:
    """Where the user's network starts: None (the provinces) for a nationwide assignment, else the regions of their
    assignments, an agency assignment giving its agency's region. Nested roots collapse into the outer one."""
    grants = _view_grants(user)
    if any(grant.nationwide for grant in grants):
        return None
    codes = {grant.region_code for grant in grants if grant.region_code}
    agency_ids = [grant.agency_id for grant in grants if grant.agency_id]
    if agency_ids:
        from shegong.agencies.models import Agency

        codes |= set(Agency.objects.filter(pk__in=agency_ids).values_list("region_id", flat=True))
    found = list(Region.objects.filter(code__in=codes).order_by("code"))

    def inside(inner, outer):
        low, high = outer.subtree_bounds
        return inner is not outer and outer.level < inner.level and low <= inner.code <= high

    return [row for row in found if not any(inside(row, other) for other in found)]


def _within(region: Region, roots: list[Region] | None) -> bool:
    if roots is None:
        return True
    return any(root.subtree_bounds[0] <= region.code <= root.subtree_bounds[1] for root in roots)


def network(user, node: Region | None = None, on: datetime.date | None = None) -> NetworkPage:
    """The network page for `node` (the user's starting point when None): 404 when the node is outside the user's
    scope. A constant number of queries whatever the number of children (see the module docstring)."""
    on = on or timezone.localdate()
    roots = network_roots(user)
    if node is None and roots is not None and len(roots) == 1:
        node = roots[0]
    if node is not None and not _within(node, roots):
        raise Http404
    if node is None:
        children = roots if roots is not None else list(Region.objects.filter(level=Region.Level.PROVINCE))
        trail = []
    else:
        children = list(Region.objects.filter(parent_id=node.code).order_by("code"))
        above = [code for code in ancestor_codes(node.code, node.level)[1:] if code != node.code]
        trail = [
            region
            for region in Region.objects.filter(code__in=above, level__lt=node.level).order_by("level")
            if _within(region, roots)
        ]
    summary = NetworkNode(node)
    nodes = [NetworkNode(child) for child in children]
    book = RuleBook((*rules.STATION_RULES, *rules.COVERAGE_RULES), on)
    visible = scoped(Station, user, VIEW)
    if node is not None:
        visible = visible.filter(region_q("region", node.code, node.level))
    elif roots is not None:
        visible = visible.filter(_union_q("region", roots))
    _add_region_counts(summary, nodes, node)
    _add_station_counts(summary, nodes, node, visible)
    # The national page would judge every station of the country; compliance starts at a province (or a user's own
    # roots), where it is a few thousand stations.
    national = node is None and roots is None
    _add_compliance(summary, nodes, [] if national else rules.failing_by_region(visible, on, book))
    for item in [summary, *nodes]:
        if item.region is not None:
            item.coverage.judge(book, item.region.code, item.region.level)
    listed: list[Station] = []
    if node is not None and node.level >= Region.Level.TOWNSHIP:
        listed = list(
            visible.exclude(status=Status.REVOKED).select_related("region", "agency").order_by("region_id", "kind")
        )
        judged = rules.judge(visible, on, book)  # a street's few dozen stations, with their verdicts to show
        for station in listed:
            station.judgement = judged.get(station.pk)
    return NetworkPage(
        node=node, trail=trail, summary=summary, children=nodes, stations=listed, on=on, compliance_shown=not national
    )


def region_coverage(region: Region, on: datetime.date | None = None, user=None) -> CoverageFigures:
    """Coverage of one region's subtree with the verdicts of the coverage rules in force there; counts every
    station when no user is given (reports), else those the user may see."""
    on = on or timezone.localdate()
    summary = NetworkNode(region)
    visible = Station.objects.filter(region_q("region", region.code, region.level))
    if user is not None:
        visible = visible.filter(scope_q(user, Station, VIEW))
    _add_region_counts(summary, [], region)
    _add_station_counts(summary, [], region, visible)
    summary.coverage.judge(RuleBook(rules.COVERAGE_RULES, on), region.code, region.level)
    return summary.coverage


def _union_q(path: str, roots: list[Region]) -> Q:
    q = Q(pk__in=[])
    for root in roots:
        q |= region_q(path, root.code, root.level)
    return q


def _lengths(nodes: list[NetworkNode]) -> dict[int, dict[str, NetworkNode]]:
    """{prefix length: {child prefix: node}}: children of one parent share a level, but a user's several roots may
    not, so each distinct level is grouped on its own (at most five groupings, however many children)."""
    grouped: dict[int, dict[str, NetworkNode]] = defaultdict(dict)
    for item in nodes:
        length = PREFIX_LENGTHS[item.region.level]
        grouped[length][item.region.code[:length]] = item
    return grouped


def _bounds(node: Region | None, members: dict[str, NetworkNode]) -> tuple[str, str]:
    if node is not None or not members:
        return node.subtree_bounds
    lows, highs = zip(*(item.region.subtree_bounds for item in members.values()), strict=True)
    return min(lows), max(highs)


def _targets(summary: NetworkNode, members: dict[str, NetworkNode], head: str, node: Region | None) -> list:
    """Where a grouped row counts: in its child, and in the summary. Under a node, every row of the node's range is
    the node's (a centre sits on the node itself, in no child); on the starting page (no node) the summary is the sum
    of the user's roots, each grouped at its own level, so only the rows of a root count."""
    member = members.get(head)
    if node is not None:
        return [summary, member] if member is not None else [summary]
    return [summary, member] if member is not None else []


def _add_region_counts(summary: NetworkNode, nodes: list[NetworkNode], node: Region | None) -> None:
    """Townships (level 4) and communities (level 5) under each child and under the node: one grouped range query
    per children's level. Above a county the answer (tens of thousands of regions for a province, 600,000 for the
    country) is kept in the cache until the next division load: divisions change only through the loader."""
    groups = _lengths(nodes) or {PREFIX_LENGTHS[node.level]: {}}
    for length, members in groups.items():
        low, high = _bounds(node, members)
        for head, level, count in _region_counts(length, low, high):
            for target in _targets(summary, members, head, node):
                if level == Region.Level.TOWNSHIP:
                    target.coverage.townships += count
                else:
                    target.coverage.communities += count


def _region_counts(length: int, low: str, high: str) -> list[tuple[str, int, int]]:
    def query():
        return [
            (row["head"], row["level"], row["count"])
            for row in Region.objects.filter(level__gte=Region.Level.TOWNSHIP, code__gte=low, code__lte=high)
            .annotate(head=Substr("code", 1, length))
            .values("head", "level")
            .annotate(count=Count("code"))
            .order_by()
        ]

    if length > PREFIX_LENGTHS[Region.Level.COUNTY]:
        return query()  # a county's townships and communities: a few hundred rows, cheaper than a cache round trip
    try:
        key = f"stations:region-counts:{cache.get(VERSION_CACHE_KEY, 0)}:{length}:{low}:{high}"
        counts = cache.get(key)
        if counts is None:
            counts = query()
            cache.set(key, counts, COUNTS_CACHE_SECONDS)
        return counts
    except DatabaseError:
        # The database cache's table is missing (`createcachetable` not run): count without it.
        if connection.in_atomic_block:
            raise
        return query()


def _add_station_counts(
    summary: NetworkNode, nodes: list[NetworkNode], node: Region | None, visible: QuerySet[Station]
) -> None:
    """Live stations by kind, and the operating 镇街社工站 / 村社社工室 that make coverage (one live station per region
    and kind, so a count of stations is a count of covered regions): one grouped query per children's level."""
    groups = _lengths(nodes) or {PREFIX_LENGTHS[node.level]: {}}
    for length, members in groups.items():
        rows = (
            visible.exclude(status=Status.REVOKED)
            .annotate(head=Substr("region_id", 1, length))
            .values("head", "kind", "status")
            .annotate(count=Count("pk"))
            .order_by()
        )
        for row in rows:
            for target in _targets(summary, members, row["head"], node):
                target.counts[row["kind"]] = target.counts.get(row["kind"], 0) + row["count"]
                if row["status"] == Status.OPERATING:
                    if row["kind"] == Kind.STATION:
                        target.coverage.townships_with_station += row["count"]
                    elif row["kind"] == Kind.ROOM:
                        target.coverage.communities_with_room += row["count"]


def _add_compliance(summary: NetworkNode, nodes: list[NetworkNode], failing: list[tuple[str, bool]]) -> None:
    """Operating stations judged and failing, per child and in all (rules.failing_by_region's answer)."""
    groups = list(_lengths(nodes).items())
    for region_id, fails in failing:
        summary.judged += 1
        summary.noncompliant += fails
        for length, members in groups:
            found = members.get(region_id[:length])
            if found is not None:
                found.judged += 1
                found.noncompliant += fails
                break


def heads_of(station: Station, on: datetime.date | None = None) -> list:
    """The accounts to alert about a station's work (crisis flags, overdue requests, the dispatch queue): the current
    站长 and 副站长 of the station; a station without one passes the alert up its chain (a room to the 镇街社工站 of its
    street, a station to its 区县中心), so an alert never falls on nobody while a head exists above."""
    on = on or timezone.localdate()
    chain = [station, *_upper_stations(station)]
    for candidate in chain:
        rows = (
            StaffAssignment.objects.filter(
                station=candidate, role__in=[StaffAssignment.Role.HEAD, StaffAssignment.Role.DEPUTY]
            )
            .filter(current_q(on))
            .select_related("worker__account")
            .order_by("pk")
        )
        accounts = [
            row.worker.account
            for row in sorted(rows, key=lambda row: row.role != StaffAssignment.Role.HEAD)  # the head first
            if row.worker.account is not None and row.worker.account.is_active
        ]
        if accounts:
            return list(dict.fromkeys(accounts))
    return []


def _upper_stations(station: Station) -> list[Station]:
    """The operating stations above `station` in the network, nearest first: for a room (its region is a community)
    the street's 镇街社工站, then the district's 区县中心."""
    # Up to the district (level 3): a community's street, then its district; a street's district.
    codes = [code for code in dict.fromkeys(ancestor_codes(station.region_id, 5)[1:3]) if code != station.region_id]
    kinds = {
        Station.Kind.ROOM: [Station.Kind.STATION, Station.Kind.CENTRE],
        Station.Kind.STATION: [Station.Kind.CENTRE],
    }
    wanted = kinds.get(station.kind, [])
    if not wanted or not codes:
        return []
    found = Station.objects.filter(region_id__in=codes, kind__in=wanted).exclude(status=Station.Status.REVOKED)
    by_code = {}
    for row in found.order_by("pk"):
        by_code.setdefault(row.region_id, row)
    return [by_code[code] for code in codes if code in by_code]
