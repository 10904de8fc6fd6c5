"""Reads of the talent pool, always scoped to the actor."""

import datetime
from dataclasses import dataclass

from django.db.models import Case, Count, DecimalField, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce

from shegong.core.scope import scoped
from shegong.policies.registry import Verdict
from shegong.talent import ratio
from shegong.talent.models import LADDER, Honour, LeadingTalent, Level, SupervisionSession, SupervisorProfile

VIEW_SUPERVISORS = "talent.view_supervisorprofile"
VIEW_SESSIONS = "talent.view_supervisionsession"
VIEW_LEADING = "talent.view_leadingtalent"
VIEW_HONOURS = "talent.view_honour"

Supervisees = SupervisionSession.supervisees.through


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date

    @classmethod
    def ending(cls, as_of: datetime.date) -> "Period":
        return cls(*ratio.default_period(as_of))


def with_period_figures(qs: QuerySet[SupervisorProfile], period: Period) -> QuerySet[SupervisorProfile]:
    """Annotate distinct supervisees, sessions and hours in the period, each as its own subquery (joining sessions
    and supervisees once would multiply the hours by the number of supervisees)."""
    in_period = {"held_on__gte": period.start, "held_on__lte": period.end}
    supervisees = (
        Supervisees.objects.filter(
            supervisionsession__supervisor=OuterRef("pk"),
            supervisionsession__held_on__gte=period.start,
            supervisionsession__held_on__lte=period.end,
        )
        .values("supervisionsession__supervisor")
        .annotate(n=Count("socialworker", distinct=True))
        .values("n")
    )
    sessions = SupervisionSession.objects.filter(supervisor=OuterRef("pk"), **in_period).values("supervisor")
    return qs.annotate(
        supervisee_count=Coalesce(Subquery(supervisees, output_field=IntegerField()), Value(0)),
        session_count=Coalesce(
            Subquery(sessions.annotate(n=Count("pk")).values("n"), output_field=IntegerField()), Value(0)
        ),
        session_hours=Coalesce(
            Subquery(
                sessions.annotate(h=Sum("hours")).values("h"),
                output_field=DecimalField(max_digits=8, decimal_places=1),
            ),
            Value(0, output_field=DecimalField(max_digits=8, decimal_places=1)),
        ),
    )


def rank_of(field: str, codes) -> Case:
    """A code's position in an ordered list (the ladder, the levels), for sorting by meaning rather than spelling."""
    whens = [When(**{field: code}, then=Value(index)) for index, code in enumerate(codes)]
    return Case(*whens, default=Value(len(whens)), output_field=IntegerField())


def supervisors(actor, perm: str = VIEW_SUPERVISORS) -> QuerySet[SupervisorProfile]:
    return (
        scoped(SupervisorProfile, actor, perm)
        .select_related("worker", "worker__region", "worker__agency")
        .annotate(grade_rank=rank_of("grade", LADDER))
    )


def over_ratio_q(qs: QuerySet[SupervisorProfile], as_of: datetime.date) -> tuple[Q, dict]:
    """A condition "more distinct supervisees than the limit of the supervisor's region" over annotated rows, and
    the limits it used ({region code: RatioLimit}), so the page shows the same verdict it filtered by."""
    region_codes = set(qs.order_by().values_list("worker__region_id", flat=True).distinct())
    limits = ratio.limits_for_regions(region_codes, as_of)
    by_limit: dict[int, list[str]] = {}
    for code, limit in limits.items():
        by_limit.setdefault(limit.max_supervisees, []).append(code)
    condition = Q(pk__in=[])
    for max_supervisees, codes in by_limit.items():
        condition |= Q(worker__region_id__in=codes, supervisee_count__gt=max_supervisees)
    return condition, limits


@dataclass(frozen=True)
class RatioRow:
    limit: ratio.RatioLimit
    verdict: Verdict

    @property
    def over(self) -> bool:
        return self.verdict.passed is False


def attach_verdicts(rows, as_of: datetime.date, limits: dict | None = None) -> None:
    """Give each annotated supervisor on a page `.ratio` (limit and verdict), reading limits once for the page."""
    rows = list(rows)
    limits = dict(limits or {})
    missing = {row.worker.region_id for row in rows} - set(limits)
    if missing:
        limits.update(ratio.limits_for_regions(missing, as_of))
    for row in rows:
        limit = limits[row.worker.region_id]
        row.ratio = RatioRow(limit, ratio.verdict(limit, row.supervisee_count))


def supervisor_figures(profile: SupervisorProfile, period: Period) -> SupervisorProfile:
    """One supervisor with the period's figures and the verdict of the rule in force (read through policies)."""
    row = with_period_figures(SupervisorProfile.objects.filter(pk=profile.pk), period).get()
    limit = ratio.limit_for_region(profile.worker.region_id, period.end)
    profile.supervisee_count = row.supervisee_count
    profile.session_count = row.session_count
    profile.session_hours = row.session_hours
    profile.ratio = RatioRow(limit, ratio.verdict(limit, row.supervisee_count))
    return profile


def supervisees_of(profile: SupervisorProfile, period: Period):
    """The distinct supervisees in the period, each with the number of sessions and hours they attended."""
    from shegong.workers.models import SocialWorker

    condition = Q(
        supervision_sessions__supervisor=profile,
        supervision_sessions__held_on__gte=period.start,
        supervision_sessions__held_on__lte=period.end,
    )
    return (
        SocialWorker.objects.filter(condition)
        .annotate(sessions=Count("supervision_sessions", filter=condition), hours=Sum("supervision_sessions__hours"))
        .select_related("agency", "region")
        .order_by("name", "pk")
    )


def sessions(actor, perm: str = VIEW_SESSIONS) -> QuerySet[SupervisionSession]:
    return (
        scoped(SupervisionSession, actor, perm)
        .select_related("supervisor__worker", "supervisor__worker__agency", "recorded_by")
        .annotate(supervisee_total=Count("supervisees", distinct=True))
    )


def with_supervisee_names(rows) -> list[SupervisionSession]:
    """Prefetch the supervisees of one page of sessions (one query for the page)."""
    from django.db.models import prefetch_related_objects

    rows = list(rows)
    prefetch_related_objects(rows, "supervisees")
    return rows


def grade_history(profile: SupervisorProfile):
    return profile.grade_changes.select_related("recorded_by").order_by("-changed_on", "-id")


def leading_talents(actor, perm: str = VIEW_LEADING) -> QuerySet[LeadingTalent]:
    return (
        scoped(LeadingTalent, actor, perm)
        .select_related("worker", "worker__region", "worker__agency")
        .annotate(level_rank=rank_of("level", Level.values))
    )


def honours(actor, perm: str = VIEW_HONOURS) -> QuerySet[Honour]:
    return (
        scoped(Honour, actor, perm)
        .select_related("worker", "worker__region", "worker__agency")
        .annotate(level_rank=rank_of("level", Level.values))
    )
