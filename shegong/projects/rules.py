"""The money and staffing rules of projects, judged through the policy profile in force where the purchaser is
(DESIGN.md §4). The rule kinds and their numbers are the profiles' (shegong/policies/kinds/money.py: 广州 personnel
≥ 65% of a 240万 station project, 江苏 labour ≥ 80% and professionals ≥ 75%, 浙江 labour ≤ 70%, 深圳 16.3万 package fee
and all posts certified); this module reads each project's facts, in bulk:

- labour_cost_share: labour_cost = the planned 人员经费 line, total_funds = the project's total funds. When anything
  has been spent, the judgement also carries spent personnel and spent total (shown beside the verdict; the rule
  judges the budget, which is what the contract fixes).
- professional_staff_share: the distinct workers on the roster on the day; a professional (社会工作专业人才) holds a
  social work certificate (SocialWorker.highest_certificate) or studied social work (SocialWorker.major_social_work).
- certified_post_share: roster entries on the day on a social-work post (ProjectStaff.is_social_work_post), of which
  held by a certificate holder.
- package_fee_per_person: annual_funds = total funds × 12 ÷ the months of the service period, posts = the contract's
  social work posts (Project.social_work_posts; when 0, the roster's social-work posts on the day). The months of a
  period are counted from its start to the day after its end, whole calendar months plus the remaining days ÷ 30,
  rounded to the nearest whole month (at least 1): 2025-01-01 … 2025-12-31 is 12 months, 2025-07-01 … 2025-12-31 is
  6 months, so a half-year project of 120万 has annual funds of 240万.
- station_project_amount: judged only when the project covers at least one 镇街社工站 or 区县中心; annual funds ÷
  the number of those stations covered (community rooms ride along with their street station and are not counted).
- contractor_minimum_rating: the contractor's rating level in force on the contract date, against the rule in force
  on that date; not judged before a contractor and a contract date are set.

A kind with no rule in force where the purchaser is reads "未设定" (Judgement.unset), never a failure.
`judge(projects, on)` judges any number of projects in six queries.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, ROUND_HALF_EVEN, Decimal

from django.db.models import Count, Q, QuerySet

from shegong.policies import registry
from shegong.policies.models import PolicyRule
from shegong.policies.registry import MONEY_STEP, Verdict
from shegong.projects.models import BudgetLine, Project, ProjectStaff, ProjectStation
from shegong.projects.selectors import on_roster
from shegong.regions.codes import CODE_LENGTH, PREFIX_LENGTHS
from shegong.regions.models import Region

LABOUR = "labour_cost_share"
PROFESSIONAL = "professional_staff_share"
PACKAGE_FEE = "package_fee_per_person"
STATION_AMOUNT = "station_project_amount"
CERTIFIED = "certified_post_share"
CONTRACTOR = "contractor_minimum_rating"
PROJECT_RULES = (LABOUR, PROFESSIONAL, PACKAGE_FEE, STATION_AMOUNT, CERTIFIED, CONTRACTOR)
DAY_RULES = (LABOUR, PROFESSIONAL, PACKAGE_FEE, STATION_AMOUNT, CERTIFIED)
PERSONNEL = BudgetLine.Category.PERSONNEL.value
STATION_KINDS = ("centre", "station")


def period_months(start: datetime.date, end: datetime.date) -> int:
    """The months of the service period [start, end] (see the module docstring): at least 1."""
    after = end + datetime.timedelta(days=1)
    whole = (after.year - start.year) * 12 + (after.month - start.month)
    days = after.day - start.day
    months = Decimal(whole) + Decimal(days) / 30
    return max(1, int(months.quantize(Decimal(1), rounding="ROUND_HALF_UP")))


def annual_funds(total: Decimal, start: datetime.date, end: datetime.date) -> Decimal:
    """Total funds scaled to a year: total × 12 ÷ months of the period, to the fen."""
    months = period_months(start, end)
    return (Decimal(total) * 12 / months).quantize(MONEY_STEP, rounding=ROUND_HALF_EVEN)


def _parent(code: str, level: int) -> str:
    return code[: PREFIX_LENGTHS[level - 1]].ljust(CODE_LENGTH, "0")


class RuleBook:
    """The project rules in force for any region, on the judging day and (for the contractor rule) on any contract
    date, from one query: every rule of these kinds with its profile's validity; each region walks its ancestor codes
    in memory (rule-by-rule inheritance, as policies.selectors.rules_in_force)."""

    def __init__(self, on: datetime.date, kinds=PROJECT_RULES):
        self.on = on
        self._rules: dict[tuple[str, str | None], list[PolicyRule]] = defaultdict(list)
        for rule in PolicyRule.objects.filter(kind__in=list(kinds)).select_related("profile", "profile__region"):
            self._rules[(rule.kind, rule.profile.region_id)].append(rule)
        self._memo: dict[tuple, PolicyRule | None] = {}

    @staticmethod
    def _in_force(rule: PolicyRule, on: datetime.date) -> bool:
        profile = rule.profile
        return profile.valid_from <= on and (profile.valid_to is None or profile.valid_to > on)

    def _own(self, kind: str, region: str | None, on: datetime.date) -> PolicyRule | None:
        return next((rule for rule in self._rules.get((kind, region), ()) if self._in_force(rule, on)), None)

    def rule(self, kind: str, region_code: str, level: int, on: datetime.date | None = None) -> PolicyRule | None:
        on = on or self.on
        key = (kind, region_code, on)
        if key in self._memo:
            return self._memo[key]
        found = self._own(kind, region_code, on)
        if found is None:
            if level > Region.Level.PROVINCE:
                found = self.rule(kind, _parent(region_code, level), level - 1, on)
            else:
                found = self._own(kind, None, on)
        self._memo[key] = found
        return found


@dataclass(slots=True)
class Judgement:
    """What the rules say about one project on a day, with the facts they used."""

    project_id: int
    on: datetime.date
    total_funds: Decimal = Decimal(0)
    planned: dict = field(default_factory=dict)
    spent: dict = field(default_factory=dict)
    staff: int = 0
    professionals: int = 0
    posts: int = 0
    certified_posts: int = 0
    contract_posts: int = 0
    months: int = 0
    annual_funds: Decimal = Decimal(0)
    stations: int = 0
    rating_level: int | None = None
    verdicts: list[Verdict] = field(default_factory=list)
    unset: list[str] = field(default_factory=list)  # labels of the kinds with no rule in force

    @property
    def failing(self) -> list[Verdict]:
        return [verdict for verdict in self.verdicts if verdict.passed is False]

    @property
    def compliant(self) -> bool:
        return not self.failing

    @property
    def planned_personnel(self) -> Decimal:
        return self.planned.get(PERSONNEL, Decimal(0))

    @property
    def spent_personnel(self) -> Decimal:
        return self.spent.get(PERSONNEL, Decimal(0))

    @property
    def spent_total(self) -> Decimal:
        return sum(self.spent.values(), Decimal(0))

    @property
    def planned_total(self) -> Decimal:
        return sum(self.planned.values(), Decimal(0))

    @property
    def spent_share(self) -> Decimal | None:
        """Spent personnel over spent total, when anything is spent."""
        total = self.spent_total
        return (self.spent_personnel / total).quantize(Decimal("0.0001"), rounding=ROUND_FLOOR) if total else None

    @property
    def planned_share(self) -> Decimal | None:
        if not self.total_funds:
            return None
        return (self.planned_personnel / self.total_funds).quantize(Decimal("0.0001"), rounding=ROUND_FLOOR)

    def verdict(self, kind: str) -> Verdict | None:
        return next((verdict for verdict in self.verdicts if verdict.kind == kind), None)


def judge(projects: QuerySet[Project], on: datetime.date, book: RuleBook | None = None) -> dict[int, Judgement]:
    """Judge every project of `projects` on `on`: six queries whatever their number (projects, budget lines,
    roster, covered stations, rules, ratings)."""
    rows = list(
        projects.order_by().values_list(
            "pk",
            "region_id",
            "region__level",
            "total_funds",
            "start_date",
            "end_date",
            "social_work_posts",
            "agency_id",
            "contract_date",
        )
    )
    if not rows:
        return {}
    ids = projects.order_by().values("pk")
    planned: dict[int, dict] = defaultdict(dict)
    spent: dict[int, dict] = defaultdict(dict)
    for project_id, category, plan, paid in BudgetLine.objects.filter(project__in=ids).values_list(
        "project_id", "category", "planned", "spent"
    ):
        planned[project_id][category] = plan
        if paid:
            spent[project_id][category] = paid
    professional_q = Q(worker__major_social_work=True) | ~Q(worker__highest_certificate="")
    roster = {
        row["project_id"]: row
        for row in ProjectStaff.objects.filter(on_roster(on), project__in=ids)
        .values("project_id")
        .annotate(
            staff=Count("worker", distinct=True),
            professionals=Count("worker", filter=professional_q, distinct=True),
            posts=Count("pk", filter=Q(is_social_work_post=True)),
            certified=Count("pk", filter=Q(is_social_work_post=True) & ~Q(worker__highest_certificate="")),
        )
        .order_by()
    }
    stations = dict(
        ProjectStation.objects.filter(project__in=ids, station__kind__in=STATION_KINDS)
        .values("project_id")
        .annotate(count=Count("pk"))
        .order_by()
        .values_list("project_id", "count")
    )
    book = book or RuleBook(on)
    ratings = _ratings({(agency, day) for *_rest, agency, day in rows if agency and day})
    labels = {code: registry.kind_label(code) for code in PROJECT_RULES}
    seen: dict[tuple, Verdict] = {}

    def evaluate(rule: PolicyRule, facts: dict) -> Verdict:
        key = (rule.pk, *sorted(facts.items()))
        if key not in seen:
            seen[key] = rule.evaluate(facts)
        return seen[key]

    judgements = {}
    for pk, region_id, level, total, start, end, contract_posts, agency_id, contract_date in rows:
        counts = roster.get(pk, {})
        judgement = Judgement(
            project_id=pk,
            on=on,
            total_funds=total,
            planned=planned.get(pk, {}),
            spent=spent.get(pk, {}),
            staff=counts.get("staff", 0),
            professionals=counts.get("professionals", 0),
            posts=counts.get("posts", 0),
            certified_posts=counts.get("certified", 0),
            contract_posts=contract_posts,
            months=period_months(start, end),
            annual_funds=annual_funds(total, start, end),
            stations=stations.get(pk, 0),
        )
        for kind in PROJECT_RULES:
            when = contract_date if kind == CONTRACTOR else on
            if kind == CONTRACTOR and (agency_id is None or contract_date is None):
                continue
            if kind == STATION_AMOUNT and not judgement.stations:
                continue
            rule = book.rule(kind, region_id, level, when)
            if rule is None:
                judgement.unset.append(labels[kind])
                continue
            if kind == LABOUR:
                facts = {"labour_cost": judgement.planned_personnel, "total_funds": total}
            elif kind == PROFESSIONAL:
                facts = {"professional_staff": judgement.professionals, "total_staff": judgement.staff}
            elif kind == CERTIFIED:
                facts = {"certified_posts": judgement.certified_posts, "social_work_posts": judgement.posts}
            elif kind == PACKAGE_FEE:
                facts = {"annual_funds": judgement.annual_funds, "posts": contract_posts or judgement.posts}
            elif kind == STATION_AMOUNT:
                per_station = (judgement.annual_funds / judgement.stations).quantize(MONEY_STEP, rounding=ROUND_FLOOR)
                facts = {"annual_amount": per_station}
            else:
                judgement.rating_level = ratings.get((agency_id, contract_date))
                facts = {"rating_level": judgement.rating_level}
            judgement.verdicts.append(evaluate(rule, facts))
        judgements[pk] = judgement
    return judgements


def _ratings(pairs: set[tuple[int, datetime.date]]) -> dict[tuple[int, datetime.date], int | None]:
    """{(agency id, day): rating level in force that day} in one query (agencies.selectors.rating_in_force's rule:
    the latest rating given on or before the day, if it has not lapsed by then)."""
    if not pairs:
        return {}
    from shegong.agencies.models import AgencyRating

    by_agency: dict[int, list] = defaultdict(list)
    for agency_id, level, rated_on, valid_until in (
        AgencyRating.objects.filter(agency_id__in={agency for agency, _day in pairs})
        .order_by("agency_id", "-rated_on", "-pk")
        .values_list("agency_id", "level", "rated_on", "valid_until")
    ):
        by_agency[agency_id].append((level, rated_on, valid_until))
    found = {}
    for agency_id, day in pairs:
        latest = next((row for row in by_agency.get(agency_id, ()) if row[1] <= day), None)
        found[(agency_id, day)] = latest[0] if latest is not None and day < latest[2] else None
    return found


def judge_project(project: Project, on: datetime.date) -> Judgement:
    return judge(Project.objects.filter(pk=project.pk), on)[project.pk]


def failing(projects: QuerySet[Project], on: datetime.date) -> list[tuple[int, Judgement]]:
    """(project id, judgement) of the projects that fail at least one rule, in the queryset's order of ids."""
    return [(pk, judgement) for pk, judgement in judge(projects, on).items() if judgement.failing]


def failing_ids(projects: QuerySet[Project], on: datetime.date, limit: int) -> list[int]:
    """Ids of the first `limit` projects of `projects` that fail a rule (the list's failing-only filter)."""
    ids = list(projects.values_list("pk", flat=True)[:limit])
    return [pk for pk, judgement in judge(Project.objects.filter(pk__in=ids), on).items() if judgement.failing]
