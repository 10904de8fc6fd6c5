"""Reading cases, always through the data scope; a recipient whose consent is withdrawn takes their cases out of every
list, page, export and API answer (the rows stay in the database).

A social worker holds casework.add_case but not view_case: the data scope's owner path (the worker's account) lets
them read their own cases, so reads check VIEW and the scope adds the owner's rows.
"""

import datetime

from django.db.models import Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone

from shegong.casework import permissions
from shegong.casework.models import Case, CaseReview, CaseSession
from shegong.core.scope import get_scoped_or_404, scoped
from shegong.stations.models import StaffAssignment, Station
from shegong.stations.rules import current_q

# A case in 介入 with no session for this many days is overdue for its next session (MZ/T 094-2017 asks for regular
# contact during intervention; a month is the common practice of the stations).
SESSION_GAP_DAYS = 30


def visible_cases() -> QuerySet:
    return Case.objects.filter(recipient__consent_withdrawn_on__isnull=True)


def awaiting_review_q() -> Q:
    """待督导: no review since the case last changed stage."""
    return ~Q(Exists(CaseReview.objects.filter(case=OuterRef("pk"), at__gte=OuterRef("stage_changed_at"))))


def overdue_q(today: datetime.date | None = None) -> Q:
    """In 介入 and no session within SESSION_GAP_DAYS (or none at all)."""
    since = (today or timezone.localdate()) - datetime.timedelta(days=SESSION_GAP_DAYS)
    recent = CaseSession.objects.filter(case=OuterRef("pk"), held_on__gt=since)
    return Q(stage=Case.Stage.INTERVENTION) & ~Q(Exists(recent))


def case_search(
    *,
    actor,
    stage: str = "",
    crisis: bool | None = None,
    station=None,
    worker=None,
    domain: str = "",
    awaiting_review: bool | None = None,
    overdue: bool | None = None,
    q: str = "",
    perm: str = permissions.VIEW,
) -> QuerySet:
    """The cases `actor` may see (their scope for `perm`, and their own as 承办社工) matching the filters."""
    rows = scoped(visible_cases(), actor, perm).select_related("recipient", "region", "station", "worker")
    if stage:
        rows = rows.filter(stage=stage)
    if crisis is not None:
        rows = rows.filter(crisis=crisis)
    if station is not None:
        rows = rows.filter(station=station)
    if worker is not None:
        rows = rows.filter(worker=worker)
    if domain:
        rows = rows.filter(domain=domain)
    if awaiting_review is not None:
        rows = rows.filter(awaiting_review_q() if awaiting_review else ~awaiting_review_q())
    if overdue is not None:
        rows = rows.filter(overdue_q() if overdue else ~overdue_q())
    text = (q or "").strip()
    if text:
        rows = rows.filter(Q(code__startswith=text.upper()) | Q(recipient__name__startswith=text))
    return rows


def with_last_session(rows: QuerySet) -> QuerySet:
    return rows.annotate(last_session_on=Max("sessions__held_on"))


def case_get(*, actor, pk, perm: str = permissions.VIEW) -> Case:
    """One case in the actor's scope (or their own); 404 outside it and once the recipient withdrew consent."""
    rows = visible_cases().select_related("recipient", "region", "station", "worker", "project", "agency")
    return get_scoped_or_404(rows, actor, perm, pk=pk)


def keepable_case(*, actor, pk) -> Case | None:
    """The case if the actor may keep it (write to it), else None."""
    return scoped(visible_cases(), actor, permissions.CHANGE).filter(pk=pk).first()


def timeline(case: Case) -> list:
    return list(case.stage_events.select_related("actor").order_by("at", "id"))


def stations_for(actor) -> QuerySet:
    """The operating stations where the actor may open cases: of their scope, or where they hold a post."""
    today = timezone.localdate()
    kinds = [Station.Kind.STATION, Station.Kind.ROOM, Station.Kind.CENTRE]
    own = StaffAssignment.objects.filter(current_q(today), worker__account=actor).values("station_id")
    rows = Station.objects.filter(kind__in=kinds, status=Station.Status.OPERATING)
    return (
        rows.filter(Q(pk__in=scoped(Station, actor, "stations.view_station").values("pk")) | Q(pk__in=own))
        .order_by("region_id", "name")
        .distinct()
    )


def station_staff(station: Station) -> QuerySet:
    """The workers in post at the station today (the 承办社工 to choose from)."""
    from shegong.workers.models import SocialWorker

    today = timezone.localdate()
    ids = StaffAssignment.objects.filter(current_q(today), station=station).values("worker_id")
    return SocialWorker.objects.filter(pk__in=ids).order_by("name_initials", "name", "pk")
