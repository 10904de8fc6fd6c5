"""Reading residents' requests, always through the data scope (out of scope answers 404) and never showing a request
that became a case of a recipient whose consent is withdrawn (`ServiceRequest.objects` leaves those out).

The list, its export and the API share `request_search`; the head's queue is the same search narrowed to what waits
for a decision (待派单, and 已派单 not yet accepted).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.core.scope import get_scoped_or_404, region_q, scoped
from shegong.servicerequests import permissions
from shegong.servicerequests.models import HELD, Action, RequestEvent, ServiceRequest, Status, WorkerCapacity
from shegong.stations.models import StaffAssignment, Station
from shegong.stations.rules import current_q

LIST_RELATED = ("community", "station", "assigned_worker")


def request_search(
    *,
    actor,
    region=None,
    station=None,
    status: str = "",
    domain: str = "",
    overdue: bool | None = None,
    q: str = "",
    perm: str = permissions.VIEW,
) -> QuerySet:
    rows = scoped(ServiceRequest, actor, perm).select_related(*LIST_RELATED)
    if region is not None:
        rows = rows.filter(region_q("community", region.code, region.level))
    if station is not None:
        rows = rows.filter(station=station)
    if status:
        rows = rows.filter(status=status)
    if domain:
        rows = rows.filter(domain=domain)
    if overdue is True:
        rows = rows.filter(overdue_q())
    elif overdue is False:
        rows = rows.exclude(overdue_q())
    if q:
        rows = rows.filter(Q(tracking_code=q.strip().upper()) | Q(description__contains=q.strip()))
    return rows


def overdue_q(now=None) -> Q:
    """Still waiting for a first response (待派单 or 已派单) past the deadline."""
    return Q(status__in=[Status.PENDING, Status.ASSIGNED], due_at__lt=now or timezone.now())


def queue(*, actor, station=None, region=None) -> QuerySet:
    """The head's queue: requests waiting for a decision in the actor's dispatch scope, oldest first."""
    rows = request_search(actor=actor, region=region, station=None, perm=permissions.DISPATCH)
    if station is not None:
        from shegong.regions.codes import subtree_bounds

        low, high = subtree_bounds(station.region_id, station.region.level)
        rows = rows.filter(community_id__gte=low, community_id__lte=high)
    return rows.filter(status__in=[Status.PENDING, Status.ASSIGNED]).order_by("created_at", "id")


def mine(*, actor) -> QuerySet:
    """The requests assigned to the actor's own worker profile (我的需求), open first."""
    return (
        ServiceRequest.objects.filter(assigned_worker__account=actor)
        .select_related(*LIST_RELATED)
        .order_by("status", "-assigned_at", "-id")
    )


def request_get(*, actor, pk, perm: str = permissions.VIEW) -> ServiceRequest:
    rows = ServiceRequest.objects.select_related("community", "station", "assigned_worker", "preferred_worker", "case")
    return get_scoped_or_404(rows, actor, perm, pk=pk)


def events(request: ServiceRequest) -> list[RequestEvent]:
    return list(request.events.select_related("actor", "worker").order_by("at", "id"))


def with_events(rows) -> QuerySet:
    return rows.prefetch_related(Prefetch("events", queryset=RequestEvent.objects.order_by("at", "id")))


def last_match_explanations(requests) -> dict[int, list[str]]:
    """For each request, the explanation of its latest (一键派单) match, if any."""
    found: dict[int, list[str]] = {}
    for row in RequestEvent.objects.filter(request__in=list(requests), action=Action.MATCHED).order_by(
        "request_id", "at", "id"
    ):
        found[row.request_id] = row.explanation
    return found


# --- The resident's tracking page: plain words, no names --------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    at: object
    text: str


def _public_text(event: RequestEvent) -> str | None:
    texts = {
        Action.SUBMITTED: _("您的需求已提交，等待站点派单。"),
        Action.ASSIGNED: _("站点已将您的需求派给社工。"),
        Action.MATCHED: _("站点已将您的需求派给社工。"),
        Action.ACCEPTED: _("社工已接单，将与您联系。"),
        Action.DECLINED: _("站点正在为您重新安排社工。"),
        Action.DISMISSED: _("站点决定不予受理：%(reason)s") % {"reason": event.reason},
        Action.CASE_OPENED: _("社工已为您建立个案，持续跟进服务。"),
        Action.CLOSED: _("服务已完成，需求已办结。"),
        Action.RATED: _("感谢您的评价。"),
        Action.ESCALATED: _("您的需求等待时间较长，已提醒站长优先处理。"),
    }
    return texts.get(event.action)


def public_timeline(request: ServiceRequest) -> list[TimelineEntry]:
    return [
        TimelineEntry(event.at, text)
        for event in request.events.order_by("at", "id")
        if (text := _public_text(event)) is not None
    ]


# --- Dispatch: stations, their staff, loads and capacities -----------------------------------------------------------


def live_stations(queryset):
    """The stations of `queryset` that still serve (not revoked)."""
    return queryset.exclude(status=Station.Status.REVOKED).order_by("pk")


def dispatch_stations(actor):
    """The live stations whose queue the actor may dispatch (the stations in the scope of their dispatch grants)."""
    return live_stations(scoped(Station, actor, permissions.DISPATCH))


def capacity_workers(actor):
    """The workers whose capacity the actor may set: staff of the stations in the actor's dispatch scope."""
    return staff_of(dispatch_stations(actor))


def staff_of(stations, on: datetime.date | None = None):
    """Active social workers with an active account posted (today) at any of the stations: who may be assigned."""
    from shegong.workers.models import SocialWorker

    on = on or timezone.localdate()
    posted = StaffAssignment.objects.filter(station__in=stations).filter(current_q(on)).values("worker_id")
    return (
        SocialWorker.objects.filter(pk__in=posted, status=SocialWorker.Status.ACTIVE, account__is_active=True)
        .select_related("account")
        .order_by("name", "pk")
    )


def open_load(worker_ids) -> dict[int, int]:
    rows = (
        ServiceRequest.all_records.filter(assigned_worker_id__in=list(worker_ids), status__in=HELD)
        .values("assigned_worker_id")
        .annotate(n=Count("id"))
    )
    return {row["assigned_worker_id"]: row["n"] for row in rows}


def capacity_rows(workers) -> list[tuple]:
    """(worker, their capacity — the default when never set —, requests they hold now) for a page of workers."""
    ids = [worker.pk for worker in workers]
    loads = open_load(ids)
    capacities = {row.worker_id: row for row in WorkerCapacity.objects.filter(worker_id__in=ids)}
    return [
        (worker, capacities.get(worker.pk) or WorkerCapacity(worker=worker), loads.get(worker.pk, 0))
        for worker in workers
    ]
