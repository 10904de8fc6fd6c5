"""The station network's rules, judged through the policy profile in force where each station is (DESIGN.md §4).

No number lives here: the rule kinds are shegong/policies/kinds/staffing.py and coverage.py, their numbers are the
profiles' (重庆 staffing, 浙江 communities, 广州 presence, 江苏 and 黑龙江 coverage), and every verdict carries the
figures it used and the rule's source text. What this module adds is the facts, read in bulk:

- staffing_minimum: the distinct full-time workers assigned to a station on the day (and how many of them hold a
  certificate), against the minimum for its unit: a 区县中心, a 街道 or 乡镇 station (Region.area_class of the level-4
  region: a 街道 is urban, a 镇/乡 rural), an urban or rural community room (area_class of the level-5 region).
- presence_days_per_week (seed 003 广州 "一社区一社工"): the distinct days the room's resident social worker (驻点社工,
  see selectors.assigned_worker) checked in in the room's community during an ISO week (Monday to Sunday). Compliance
  is judged on the last complete week; the current week is shown as it goes.
- township_station_coverage / community_room_coverage: operating 镇街社工站 over level-4 regions and operating
  村社社工室 over level-5 regions of a subtree (the network page computes the counts with grouped range queries).

Only operating stations count towards compliance: a station in preparation or suspended is shown its verdicts but
is not counted as failing. Specialised stations (学校社工站, 两站合一) have no staffing unit in the rule kind and are
not judged by it; they are not counted in coverage either.

`judge(stations, on)` judges any number of stations in a constant number of queries (five), so the list, the
non-compliant list and the network page never query per station.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field, replace

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from shegong.policies import registry
from shegong.policies.models import PolicyRule
from shegong.policies.registry import Verdict
from shegong.regions.codes import CODE_LENGTH, PREFIX_LENGTHS
from shegong.regions.models import Region
from shegong.stations.models import PresenceCheckIn, StaffAssignment, Station

STAFFING = "staffing_minimum"
PRESENCE = "presence_days_per_week"
TOWNSHIP_COVERAGE = "township_station_coverage"
COMMUNITY_COVERAGE = "community_room_coverage"
STATION_RULES = (STAFFING, PRESENCE)
COVERAGE_RULES = (TOWNSHIP_COVERAGE, COMMUNITY_COVERAGE)

Kind = Station.Kind
AreaClass = Region.AreaClass
# Plain strings for the loops over thousands of stations (an enum member's comparison costs more).
NETWORK_KINDS = frozenset(str(kind) for kind in Station.NETWORK_KINDS)
ROOM = str(Kind.ROOM)
OPERATING = str(Station.Status.OPERATING)


# --- Days and weeks --------------------------------------------------------------------------------------------------


def current_q(on: datetime.date, prefix: str = "") -> Q:
    """Assignments in force on `on` (both ends included; no end = still in post)."""
    return Q(**{f"{prefix}start_date__lte": on}) & (
        Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gte": on})
    )


def overlap_q(start: datetime.date, end: datetime.date | None, prefix: str = "") -> Q:
    """Assignments sharing at least one day with [start, end] (end None = open)."""
    q = Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gte": start})
    if end is not None:
        q &= Q(**{f"{prefix}start_date__lte": end})
    return q


def iso_week(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """Monday and Sunday of the ISO week holding `day`."""
    monday = day - datetime.timedelta(days=day.weekday())
    return monday, monday + datetime.timedelta(days=6)


def last_complete_week(on: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The ISO week before the one holding `on`: the week compliance is judged on."""
    return iso_week(on - datetime.timedelta(days=7))


# --- Which rule is in force where ------------------------------------------------------------------------------------


class RuleBook:
    """The rules of some kinds in force on a day, for any region, from one query.

    Same answer as policies.selectors.rule_in_force (rule-by-rule inheritance: for each kind, the nearest profile in
    force on the day that defines it, up the region's ancestors to the national profile), but for thousands of
    stations at once: the rules of a kind in force on a day are few (one per profile), so all of them are read once
    and each region walks its ancestor codes in memory. Profiles of one region never overlap in time, so a (kind,
    region) pair has at most one rule on a day.
    """

    def __init__(self, kinds, on: datetime.date):
        self.on = on
        in_force = Q(profile__valid_from__lte=on) & (Q(profile__valid_to__isnull=True) | Q(profile__valid_to__gt=on))
        rules = PolicyRule.objects.filter(kind__in=list(kinds)).filter(in_force).select_related("profile")
        self._rules: dict[tuple[str, str | None], PolicyRule] = {
            (rule.kind, rule.profile.region_id): rule for rule in rules
        }
        self._memo: dict[tuple[str, str], PolicyRule | None] = {}

    def rule(self, kind: str, region_code: str, level: int) -> PolicyRule | None:
        """The rule of `kind` in force for the region: its own profile's, else its parent's answer (remembered, so a
        province's ten thousand communities cost one dictionary lookup each once their streets are known)."""
        key = (kind, region_code)
        if key in self._memo:
            return self._memo[key]
        found = self._rules.get(key)
        if found is None:
            if level > Region.Level.PROVINCE:
                # The code cut at the level above: for 东莞市's towns (no county) that is the city's code itself.
                parent = region_code[: PREFIX_LENGTHS[level - 1]].ljust(CODE_LENGTH, "0")
                found = self.rule(kind, parent, level - 1)
            else:
                found = self._rules.get((kind, None))
        self._memo[key] = found
        return found


# --- Staffing --------------------------------------------------------------------------------------------------------


def staffing_unit(kind: str, area_class: str) -> str | None:
    """The unit of the staffing rule kind (policies/kinds/staffing.py UNITS) a station of `kind` on a region of
    `area_class` is judged as; None when it cannot be told (a level-4 region neither 街道 nor 镇/乡) or the kind has
    no unit (specialised stations)."""
    if kind == Kind.CENTRE:
        return "centre"
    if kind == Kind.STATION:
        return {AreaClass.URBAN: "street_station", AreaClass.RURAL: "township_station"}.get(area_class)
    if kind == Kind.ROOM:
        return {AreaClass.URBAN: "urban_community", AreaClass.RURAL: "rural_community"}.get(area_class)
    return None


def staffing_verdict(rule: PolicyRule, kind: str, area_class: str, staff: int, certified: int) -> Verdict | None:
    """The staffing verdict, or None when the rule sets no minimum for the station's unit (浙江's rule speaks of
    communities only: it asks nothing of a street station, which is then not judged rather than 无法判定)."""
    unit = staffing_unit(kind, area_class)
    # When the unit cannot be told, the station is judged only if the rule sets a minimum for one of its kind's units.
    candidates = {unit} if unit is not None else _candidate_units(kind)
    if all(rule.params.get(code) in (None, "") for code in candidates):
        return None
    if unit is None:
        return Verdict(
            kind=STAFFING,
            label=registry.kind_label(STAFFING),
            passed=None,
            figures={"staff": staff},
            message=_("无法判定：所在区划未标明是街道还是乡镇（城镇或乡村），请在行政区划中补充城乡属性。"),
        ).attributed(rule)
    return rule.evaluate({"unit": unit, "staff": staff, "certified_staff": certified})


def _candidate_units(kind: str) -> set[str]:
    return {
        Kind.CENTRE: {"centre"},
        Kind.STATION: {"street_station", "township_station"},
        Kind.ROOM: {"urban_community", "rural_community"},
    }.get(kind, set())


# --- Presence --------------------------------------------------------------------------------------------------------


def presence_verdict(rule: PolicyRule, days: int, worker_name: str | None) -> Verdict:
    return _named(rule.evaluate({"days_per_week": days}), worker_name)


def _named(verdict: Verdict, worker_name: str | None, prefix: str | None = None) -> Verdict:
    """The presence verdict saying whose days they are (or that the room has nobody)."""
    if worker_name is None:
        return replace(verdict, message=_("本社工室没有驻点社工。") + verdict.message)
    prefix = prefix if prefix is not None else _("驻点社工 %(name)s：")
    return replace(verdict, message=prefix % {"name": worker_name} + verdict.message)


# --- Judging stations in bulk ----------------------------------------------------------------------------------------


@dataclass(slots=True)
class Judgement:
    """What the rules say about one station on a day."""

    station_id: int
    kind: str
    status: str
    region_id: str
    staff: int = 0
    certified: int = 0
    resident_id: int | None = None
    resident_name: str | None = None
    presence_week: tuple[datetime.date, datetime.date] | None = None
    presence_days: int | None = None
    verdicts: list[Verdict] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)

    @property
    def judged(self) -> bool:
        """Only operating stations count towards compliance."""
        return self.status == OPERATING

    @property
    def failing(self) -> list[Verdict]:
        return [verdict for verdict in self.verdicts if verdict.passed is False]

    @property
    def compliant(self) -> bool:
        return not self.failing

    @property
    def noncompliant(self) -> bool:
        return self.status == OPERATING and any(verdict.passed is False for verdict in self.verdicts)

    def verdict(self, kind: str) -> Verdict | None:
        return next((verdict for verdict in self.verdicts if verdict.kind == kind), None)


@dataclass
class _Facts:
    """What the rules need about many stations, read in five queries."""

    rows: list  # (pk, kind, status, region code, region level, area class)
    staff: dict[int, tuple[int, int]]  # station id → (full-time staff, of whom certified)
    residents: dict[int, tuple[int, str | None]]  # room id → (worker id, name)
    days: dict[tuple[int, str], int]  # (worker id, community code) → days in the week
    week: tuple[datetime.date, datetime.date]
    book: RuleBook


def _facts(stations: QuerySet[Station], on: datetime.date, book: RuleBook | None, *, names: bool = True) -> _Facts:
    live = stations.exclude(status=Station.Status.REVOKED)
    rows = list(live.order_by().values_list("pk", "kind", "status", "region_id", "region__level", "region__area_class"))
    week = last_complete_week(on)
    book = book or RuleBook((*STATION_RULES, *COVERAGE_RULES), on)
    if not rows:
        return _Facts([], {}, {}, {}, week, book)
    ids = live.values("pk")
    staff = {
        row["station_id"]: (row["staff"], row["certified"])
        for row in StaffAssignment.objects.filter(current_q(on), full_time=True, station__in=ids)
        .values("station_id")
        .annotate(
            # A worker holds one post at a station at a time (services refuse overlapping posts at one station), so
            # counting posts counts workers, without the sort a DISTINCT would cost.
            staff=Count("pk"),
            certified=Count("pk", filter=~Q(worker__highest_certificate="")),
        )
        .order_by()
    }
    residents = _residents(ids, week, names=names)
    return _Facts(rows, staff, residents, _presence_days(ids, residents, week), week, book)


def judge(stations: QuerySet[Station], on: datetime.date, book: RuleBook | None = None) -> dict[int, Judgement]:
    """Judge every live station of `stations` on `on` (presence on the last complete week): five queries whatever
    the number of stations. Revoked stations are left out."""
    facts = _facts(stations, on, book)
    book, week, residents, days = facts.book, facts.week, facts.residents, facts.days
    # Rules are pure functions of their facts, and a province's stations share a few hundred combinations of
    # (rule, unit, staff, certified): each is evaluated (and its message worded) once.
    staffing_seen: dict[tuple, Verdict | None] = {}
    presence_seen: dict[tuple, Verdict] = {}
    no_resident = _("未配备驻点社工（一社区一社工）")
    named = _("驻点社工 %(name)s：")
    judgements = {}
    for pk, kind, status, region_id, level, area_class in facts.rows:
        count, certified = facts.staff.get(pk, (0, 0))
        judgement = Judgement(
            station_id=pk, kind=kind, status=status, region_id=region_id, staff=count, certified=certified
        )
        rule = book.rule(STAFFING, region_id, level) if kind in NETWORK_KINDS else None
        if rule is not None:
            key = (rule.pk, kind, area_class, count, certified)
            if key not in staffing_seen:
                staffing_seen[key] = staffing_verdict(rule, kind, area_class, count, certified)
            if staffing_seen[key] is not None:
                judgement.verdicts.append(staffing_seen[key])
        if kind == ROOM:
            resident = residents.get(pk)
            judgement.presence_week = week
            if resident is None:
                judgement.flags.append(no_resident)
            else:
                judgement.resident_id, judgement.resident_name = resident
                judgement.presence_days = days.get((resident[0], region_id), 0)
            rule = book.rule(PRESENCE, region_id, level)
            if rule is not None:
                key = (rule.pk, judgement.presence_days or 0)
                if key not in presence_seen:
                    presence_seen[key] = rule.evaluate({"days_per_week": key[1]})
                judgement.verdicts.append(_named(presence_seen[key], judgement.resident_name, named))
        judgements[pk] = judgement
    return judgements


def failing_by_region(
    stations: QuerySet[Station], on: datetime.date, book: RuleBook | None = None
) -> list[tuple[str, bool]]:
    """(region code, fails a rule) for every operating station of `stations`: the same facts and rules as `judge`,
    reduced to what the network page counts, so a province's ten thousand stations cost no verdict objects."""
    facts = _facts(stations.filter(status=Station.Status.OPERATING), on, book, names=False)
    book, residents, days = facts.book, facts.residents, facts.days
    staffing_fails: dict[tuple, bool] = {}
    presence_fails: dict[tuple, bool] = {}
    result = []
    for pk, kind, _status, region_id, level, area_class in facts.rows:
        fails = False
        rule = book.rule(STAFFING, region_id, level) if kind in NETWORK_KINDS else None
        if rule is not None:
            count, certified = facts.staff.get(pk, (0, 0))
            key = (rule.pk, kind, area_class, count, certified)
            if key not in staffing_fails:
                verdict = staffing_verdict(rule, kind, area_class, count, certified)
                staffing_fails[key] = verdict is not None and verdict.passed is False
            fails = staffing_fails[key]
        if kind == ROOM and not fails:
            rule = book.rule(PRESENCE, region_id, level)
            if rule is not None:
                resident = residents.get(pk)
                key = (rule.pk, days.get((resident[0], region_id), 0) if resident else 0)
                if key not in presence_fails:
                    presence_fails[key] = rule.evaluate({"days_per_week": key[1]}).passed is False
                fails = presence_fails[key]
        result.append((region_id, fails))
    return result


def judge_station(station: Station, on: datetime.date) -> Judgement | None:
    """The judgement of one station (None when revoked)."""
    return judge(Station.objects.filter(pk=station.pk), on).get(station.pk)


def _residents(station_ids, week: tuple[datetime.date, datetime.date], *, names: bool = True) -> dict:
    """{room id: (worker id, name)} of each room's resident social worker for the week: the one in post on its last
    day, else the latest one who served during it. Without `names` the name is None (no join to the workers)."""
    start, end = week
    columns = ["station_id", "worker_id", "worker__name" if names else "role", "start_date", "end_date"]
    rows = (
        StaffAssignment.objects.filter(role=StaffAssignment.Role.RESIDENT, station__in=station_ids)
        .filter(overlap_q(start, end))
        .order_by("station_id", "start_date", "pk")
        .values_list(*columns)
    )
    found: dict[int, tuple[int, str]] = {}
    covers_end: set[int] = set()
    for station_id, worker_id, name, _start, until in rows:
        in_post_at_end = until is None or until >= end
        if station_id in covers_end and not in_post_at_end:
            continue
        found[station_id] = (worker_id, name if names else None)
        if in_post_at_end:
            covers_end.add(station_id)
    return found


def _presence_days(station_ids, residents: dict[int, tuple[int, str]], week) -> dict[tuple[int, str], int]:
    """{(worker id, community code): distinct check-in days in the week} for the rooms' resident workers."""
    if not residents:
        return {}
    start, end = week
    # A semi-join rather than a list of ids: a province has thousands of rooms.
    workers = (
        StaffAssignment.objects.filter(role=StaffAssignment.Role.RESIDENT, station__in=station_ids)
        .filter(overlap_q(start, end))
        .values("worker_id")
    )
    rows = (
        PresenceCheckIn.objects.filter(date__gte=start, date__lte=end, worker_id__in=workers)
        .values("worker_id", "community_id")
        .annotate(days=Count("pk"))  # one check-in per worker, community and day (checkin_once_per_day)
        .order_by()
    )
    return {(row["worker_id"], row["community_id"]): row["days"] for row in rows}


# --- Coverage --------------------------------------------------------------------------------------------------------


@dataclass
class CoverageFigures:
    """Coverage of one region's subtree: townships (level 4) with an operating 镇街社工站, communities (level 5) with
    an operating 村社社工室, and the verdicts of the coverage rules in force there."""

    townships: int = 0
    townships_with_station: int = 0
    communities: int = 0
    communities_with_room: int = 0
    township_verdict: Verdict | None = None
    community_verdict: Verdict | None = None

    @property
    def township_share(self) -> float | None:
        return self.townships_with_station / self.townships if self.townships else None

    @property
    def community_share(self) -> float | None:
        return self.communities_with_room / self.communities if self.communities else None

    @property
    def verdicts(self) -> list[Verdict]:
        return [verdict for verdict in (self.township_verdict, self.community_verdict) if verdict is not None]

    def judge(self, book: RuleBook, region_code: str, level: int) -> None:
        rule = book.rule(TOWNSHIP_COVERAGE, region_code, level)
        if rule is not None and self.townships:
            self.township_verdict = rule.evaluate(
                {"townships_with_station": self.townships_with_station, "townships": self.townships}
            )
        rule = book.rule(COMMUNITY_COVERAGE, region_code, level)
        if rule is not None and self.communities:
            self.community_verdict = rule.evaluate(
                {"communities_with_room": self.communities_with_room, "communities": self.communities}
            )
