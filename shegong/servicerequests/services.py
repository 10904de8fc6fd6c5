"""Writes of residents' requests (码上办). Every change locks the request row, checks the status move it makes against
`MOVES`, bumps `version`, writes a RequestEvent and an audit row, and alerts people, all in one transaction.

Two heads assigning the same request at the same moment: the row lock makes the second wait; when it gets the row
the request is no longer 待派单 (or its version moved on), and it is told "该需求已被他人派单". Double submission of the
public form: the signed form token is the submission key, unique in the database, so the same form posted twice (or
by two threads at once) makes one request and both answers carry its tracking code.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import secrets
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.audit.models import AuditEntry
from shegong.audit.services import record, snapshot
from shegong.core.scope import scoped
from shegong.inbox.models import Notification
from shegong.inbox.services import notify
from shegong.regions.codes import subtree_bounds
from shegong.regions.models import Region
from shegong.servicerequests import permissions, selectors
from shegong.servicerequests.models import (
    DEFAULT_CAPACITY,
    DOMAIN_DICTIONARY,
    MAX_CAPACITY,
    TRACKING_ALPHABET,
    TRACKING_LENGTH,
    Action,
    RequestEvent,
    ServiceRequest,
    Status,
    WorkerCapacity,
)
from shegong.stations.models import StaffAssignment, Station
from shegong.stations.rules import current_q
from shegong.stations.selectors import assigned_worker, heads_of

SLA_KIND = "request_first_response_hours"
RESIDENT = "resident"  # the actor name of the audit rows a resident's own actions write
PHONE_SHAPE = re.compile(r"(1[3-9]\d{9})|(0\d{2,3}-?\d{7,8})")
ALREADY_TAKEN = "already_taken"

# The status moves (from → to) each action may make; anything else is refused.
MOVES: dict[str, set[tuple[str, str]]] = {
    Action.ASSIGNED: {(Status.PENDING, Status.ASSIGNED), (Status.ASSIGNED, Status.ASSIGNED)},
    Action.MATCHED: {(Status.PENDING, Status.ASSIGNED)},
    Action.ACCEPTED: {(Status.ASSIGNED, Status.ACCEPTED)},
    Action.DECLINED: {(Status.ASSIGNED, Status.PENDING)},
    Action.DISMISSED: {(Status.PENDING, Status.DISMISSED), (Status.ASSIGNED, Status.DISMISSED)},
    Action.CASE_OPENED: {(Status.ACCEPTED, Status.IN_SERVICE)},
    Action.CLOSED: {(Status.ACCEPTED, Status.CLOSED), (Status.IN_SERVICE, Status.CLOSED)},
}


def _require(actor, perm: str) -> None:
    if actor is not None and not actor.has_perm(perm):
        raise PermissionDenied(_("您没有执行此操作的权限。"))


def _move(request: ServiceRequest, action: str, to: str) -> str:
    """Check the move; returns the status moved from. A refused move is a ValidationError naming both statuses."""
    current = request.status
    if (current, to) not in MOVES[action]:
        raise ValidationError(
            _("当前状态为“%(current)s”，不能%(action)s。")
            % {"current": Status(current).label, "action": Action(action).label},
            code="invalid_move",
        )
    request.status = to
    request.version += 1
    return current


def _event(request, action, from_status, *, actor=None, worker=None, reason="", explanation=None) -> RequestEvent:
    return RequestEvent.objects.create(
        request=request,
        action=action,
        from_status=from_status,
        to_status=request.status,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        worker=worker,
        reason=(reason or "")[:500],
        explanation=[str(text) for text in (explanation or [])],
        at=timezone.now(),
    )


def _audit(actor, request: ServiceRequest, before: dict, note: str, action=AuditEntry.Action.TRANSITION) -> None:
    after = snapshot(request, ["status", "assigned_worker", "version", "escalated_at", "rating", "case"])
    changes = {key: [before.get(key), value] for key, value in after.items() if before.get(key) != value}
    record(
        actor=actor,
        action=action,
        obj=request,
        changes=changes,
        note=note,
        actor_username="" if getattr(actor, "is_authenticated", False) else RESIDENT,
    )


def _before(request: ServiceRequest) -> dict:
    return snapshot(request, ["status", "assigned_worker", "version", "escalated_at", "rating", "case"])


def detail_url(request: ServiceRequest) -> str:
    return reverse("servicerequests:detail", args=[request.pk])


# --- Routing and service levels -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    station: Station | None
    preferred_worker: object = None


def route(community: Region, on: datetime.date | None = None) -> Route:
    """Where a new request of `community` goes: the community's room when it has a resident social worker (who is
    then the preferred worker), else the station of its street or township, else its district's centre; None when
    the district has no station at all (the district bureau's queue then holds it, by region scope)."""
    room = selectors.live_stations(Station.objects.filter(kind=Station.Kind.ROOM, region=community)).first()
    if room is not None:
        resident = assigned_worker(room, on)
        if resident is not None:
            return Route(room, resident)
    street = selectors.live_stations(
        Station.objects.filter(kind=Station.Kind.STATION, region_id=community.parent_id)
    ).first()
    if street is not None:
        return Route(street)
    district = community.code[:6].ljust(12, "0")
    centre = selectors.live_stations(Station.objects.filter(kind=Station.Kind.CENTRE, region_id=district)).first()
    return Route(centre)


def first_response_hours(community_code: str, on: datetime.date):
    """The maximum hours to the first response in force for the community (policy profile), or None."""
    from shegong.policies.selectors import rule_in_force

    rule = rule_in_force(SLA_KIND, community_code, on)
    return rule.rule_kind.typed_params(rule.params)["maximum_hours"] if rule is not None else None


def due_at_for(community_code: str, created_at: datetime.datetime):
    hours = first_response_hours(community_code, timezone.localdate(created_at))
    return created_at + datetime.timedelta(hours=float(hours)) if hours is not None else None


# --- The public form ------------------------------------------------------------------------------------------------


def submission_key(form_token: str) -> str:
    """The stored submission key of a signed form token (a hash: the token itself is not kept)."""
    return hashlib.sha256(form_token.encode()).hexdigest()


def _tracking_code() -> str:
    return "".join(secrets.choice(TRACKING_ALPHABET) for _index in range(TRACKING_LENGTH))


def _communities_of_target(target_code: str) -> tuple[Station | None, Region | None]:
    from shegong.stations import qr

    target = qr.public_target(target_code)
    if target is None:
        return None, None
    return target.station, target.community


def target_communities(station: Station):
    """The communities a station's QR may submit for: its own if a room, else those under its region."""
    if station.region.level == Region.Level.VILLAGE:
        return Region.objects.filter(pk=station.region_id)
    low, high = subtree_bounds(station.region_id, station.region.level)
    return Region.objects.filter(level=Region.Level.VILLAGE, code__gte=low, code__lte=high).order_by("code")


def _clean_submission(*, target_code, community, domain, topic, description, phone, contact_consent) -> dict:
    from shegong.refdata.selectors import choices

    errors: dict[str, list] = {}
    station, target_community = _communities_of_target(target_code)
    if community is None or community.level != Region.Level.VILLAGE:
        errors["community"] = [ValidationError(_("请选择所在的村（社区）。"), code="required")]
    elif target_community is not None and community.pk != target_community.pk:
        errors["community"] = [ValidationError(_("所选村（社区）与二维码不符。"), code="mismatch")]
    elif station is not None and not target_communities(station).filter(pk=community.pk).exists():
        errors["community"] = [ValidationError(_("所选村（社区）不在该站点的服务范围内。"), code="mismatch")]
    elif station is None and target_community is None:
        errors["community"] = [ValidationError(_("二维码无效。"), code="invalid")]
    domain = (domain or "").strip()
    topic = (topic or "").strip()
    if domain and domain not in dict(choices(DOMAIN_DICTIONARY)):
        errors["domain"] = [ValidationError(_("服务领域不在字典中。"), code="invalid")]
    if not domain and not topic:
        errors["domain"] = [ValidationError(_("请选择服务领域，或填写需要什么帮助。"), code="required")]
    description = (description or "").strip()
    if len(description) < 5:
        errors["description"] = [ValidationError(_("请用至少 5 个字描述您的需求。"), code="too_short")]
    elif len(description) > 1000:
        errors["description"] = [ValidationError(_("需求描述不能超过 1000 字。"), code="too_long")]
    phone = re.sub(r"[\s]", "", phone or "")
    if phone and not PHONE_SHAPE.fullmatch(phone):
        errors["phone"] = [ValidationError(_("请填写正确的手机号码或固定电话。"), code="invalid")]
    if phone and not contact_consent:
        errors["contact_consent"] = [ValidationError(_("留下电话时，请勾选同意社工与您联系。"), code="required")]
    if errors:
        raise ValidationError(errors)
    return {
        "domain": domain,
        "topic": topic[:50],
        "description": description,
        "phone": phone,
        "contact_consent": bool(contact_consent),
    }


def request_submit(
    *,
    target_code: str,
    community: Region | None,
    form_token: str,
    client_hash: str = "",
    domain: str = "",
    topic: str = "",
    description: str = "",
    phone: str = "",
    contact_consent: bool = False,
) -> tuple[ServiceRequest, bool]:
    """A resident's request from the QR page (no account). Returns (request, created): the same form token sent
    again returns the request it made the first time, never a second one."""
    key = submission_key(form_token)
    existing = ServiceRequest.all_records.filter(submission_token=key).first()
    if existing is not None:
        return existing, False
    values = _clean_submission(
        target_code=target_code,
        community=community,
        domain=domain,
        topic=topic,
        description=description,
        phone=phone,
        contact_consent=contact_consent,
    )
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return _create(community, target_code, key, client_hash, values), True
        except IntegrityError:
            existing = ServiceRequest.all_records.filter(submission_token=key).first()
            if existing is not None:  # the same form, sent again at the same moment, won the race
                return existing, False
            # else: a tracking code collision, try another code
    raise RuntimeError("could not allocate a tracking code")


def _create(community: Region, target_code: str, key: str, client_hash: str, values: dict) -> ServiceRequest:
    now = timezone.now()
    where = route(community, timezone.localdate(now))
    request = ServiceRequest(
        tracking_code=_tracking_code(),
        source_code=target_code[:16],
        community=community,
        province_code=community.code[:2],
        station=where.station,
        preferred_worker=where.preferred_worker,
        submission_token=key,
        client_hash=client_hash[:64],
        created_at=now,
        due_at=due_at_for(community.code, now),
        **values,
    )
    request.full_clean(exclude=["phone_index", "submission_token", "tracking_code", "client_hash"])
    request.save()
    _event(request, Action.SUBMITTED, "")
    record(
        actor=None,
        action=AuditEntry.Action.CREATE,
        obj=request,
        changes={"status": [None, request.status], "community": [None, community.code]},
        actor_username=RESIDENT,
    )
    if request.station is not None:
        notify(
            users=heads_of(request.station),
            kind=Notification.Kind.NOTICE,
            title=_("新的居民需求 %(code)s（%(community)s）")
            % {"code": request.tracking_code, "community": community.name},
            body=request.description[:200],
            url=detail_url(request),
            subject=f"servicerequests.servicerequest:{request.pk}:new",
        )
    return request


def track(code: str) -> ServiceRequest | None:
    code = (code or "").strip().upper()
    if len(code) != TRACKING_LENGTH:
        return None
    return ServiceRequest.objects.select_related("community").filter(tracking_code=code).first()


@transaction.atomic
def request_rate(*, tracking_code: str, rating, comment: str = "") -> ServiceRequest:
    """The resident rates the service, once, after the request is closed (已办结)."""
    found = track(tracking_code)
    if found is None:
        raise ValidationError(_("查询码无效。"), code="not_found")
    request = ServiceRequest.all_records.select_for_update(of=("self",)).get(pk=found.pk)
    if request.status != Status.CLOSED:
        raise ValidationError({"rating": ValidationError(_("需求办结后才能评价。"), code="not_closed")})
    if request.rating is not None:
        raise ValidationError(
            {"rating": ValidationError(_("您已评价过，每个需求只能评价一次。"), code="already_rated")}
        )
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise ValidationError({"rating": ValidationError(_("请选择 1 至 5 星。"), code="invalid")})
    before = _before(request)
    request.rating = rating
    request.rating_comment = (comment or "").strip()[:500]
    request.rated_at = timezone.now()
    request.version += 1
    request.save(update_fields=["rating", "rating_comment", "rated_at", "version", "updated_at"])
    _event(request, Action.RATED, request.status, reason=str(rating))
    _audit(None, request, before, _("居民评价"), action=AuditEntry.Action.UPDATE)
    return request


# --- Staff actions --------------------------------------------------------------------------------------------------


def _locked(actor, request: ServiceRequest, perm: str) -> ServiceRequest:
    """The request re-read under a row lock, if it lies in the actor's scope for `perm` (else PermissionDenied)."""
    if actor is not None and not scoped(ServiceRequest, actor, perm).filter(pk=request.pk).exists():
        raise PermissionDenied(_("该服务需求不在您的管辖范围内。"))
    return ServiceRequest.all_records.select_for_update(of=("self",)).get(pk=request.pk)


def _own(actor, request: ServiceRequest) -> ServiceRequest:
    """The request under a row lock, if it is assigned to the actor's own worker profile."""
    _require(actor, permissions.SERVE)
    locked = (
        ServiceRequest.all_records.select_for_update(of=("self",)).select_related("assigned_worker").get(pk=request.pk)
    )
    worker = locked.assigned_worker
    if actor is not None and (worker is None or worker.account_id != actor.pk):
        raise PermissionDenied(_("该服务需求未派给您。"))
    return locked


def capacity_of(worker) -> WorkerCapacity:
    found = WorkerCapacity.objects.filter(worker=worker).first()
    return found or WorkerCapacity(worker=worker, accepting=True, max_open=DEFAULT_CAPACITY)


def declined_by(request: ServiceRequest) -> set[int]:
    return set(
        RequestEvent.objects.filter(request=request, action=Action.DECLINED, worker__isnull=False).values_list(
            "worker_id", flat=True
        )
    )


def area_stations(station: Station | None, region: Region | None = None):
    """The live stations of a station's area (itself and every station under its region), or of a region."""
    area = region if region is not None else station.region if station is not None else None
    if area is None:
        return Station.objects.none()
    low, high = subtree_bounds(area.code, area.level)
    return selectors.live_stations(Station.objects.filter(region_id__gte=low, region_id__lte=high))


def candidates_for(request: ServiceRequest):
    """Who may be assigned a request: the staff of its station's area (a room's street station included when the
    request sits at a room, so the street's workers can cover it), or of its district when it has no station."""
    station = request.station
    if station is None:
        district = Region.objects.filter(pk=request.community.code[:6].ljust(12, "0")).first()
        return selectors.staff_of(area_stations(None, district))
    if station.kind == Station.Kind.ROOM:
        street = Region.objects.filter(pk=request.community.parent_id).first()
        return selectors.staff_of(area_stations(None, street) if street else Station.objects.filter(pk=station.pk))
    return selectors.staff_of(area_stations(station))


def _check_worker(request: ServiceRequest, worker) -> None:
    if not candidates_for(request).filter(pk=worker.pk).exists():
        raise ValidationError(
            {"worker": ValidationError(_("该社工不是本站点（及下属社工室）的在岗人员。"), code="not_staff")}
        )
    if worker.pk in declined_by(request):
        raise ValidationError({"worker": ValidationError(_("该社工已拒绝过此需求，请派给其他社工。"), code="declined")})
    capacity = capacity_of(worker)
    if not capacity.accepting:
        raise ValidationError({"worker": ValidationError(_("该社工当前暂停接单。"), code="not_accepting")})
    load = selectors.open_load([worker.pk]).get(worker.pk, 0)
    if request.assigned_worker_id == worker.pk:
        load -= 1
    if load >= capacity.max_open:
        raise ValidationError(
            {
                "worker": ValidationError(
                    _("该社工在办需求已达上限（%(load)d/%(max)d）。") % {"load": load, "max": capacity.max_open},
                    code="full",
                )
            }
        )


def _taken() -> ValidationError:
    return ValidationError(_("该需求已被他人派单，请刷新后查看。"), code=ALREADY_TAKEN)


def _notify_assignment(request: ServiceRequest, worker) -> None:
    notify(
        users=[worker.account],
        kind=Notification.Kind.ASSIGNMENT,
        title=_("新派单：%(code)s（%(community)s）")
        % {"code": request.tracking_code, "community": request.community.name},
        body=request.description[:200],
        url=detail_url(request),
    )


@transaction.atomic
def request_assign(
    *, request: ServiceRequest, worker, actor, expected_version: int | None = None, reason: str = ""
) -> ServiceRequest:
    """The head assigns a request to a worker by hand (overriding the matching). Without `expected_version` only a
    待派单 request may be assigned; with it (the version the head saw) an 已派单 one may be reassigned, and a
    request changed since is refused either way: two heads at once, exactly one wins."""
    _require(actor, permissions.DISPATCH)
    request = _locked(actor, request, permissions.DISPATCH)
    if expected_version is not None and request.version != expected_version:
        raise _taken()
    if expected_version is None and request.status != Status.PENDING:
        raise _taken()
    if request.status not in (Status.PENDING, Status.ASSIGNED):
        raise _taken()
    _check_worker(request, worker)
    before = _before(request)
    from_status = _move(request, Action.ASSIGNED, Status.ASSIGNED)
    request.assigned_worker = worker
    request.assigned_at = timezone.now()
    request.save()
    _event(request, Action.ASSIGNED, from_status, actor=actor, worker=worker, reason=reason)
    _audit(actor, request, before, _("派单"))
    _notify_assignment(request, worker)
    return request


@dataclass
class MatchResult:
    assigned: list[tuple[ServiceRequest, object, list[str]]]
    unassigned: list[tuple[ServiceRequest, str]]
    total_cost: float


def pending_in(actor, *, station: Station | None = None, region: Region | None = None):
    rows = scoped(ServiceRequest, actor, permissions.DISPATCH).filter(status=Status.PENDING)
    area = region if region is not None else station.region if station is not None else None
    if area is not None:
        low, high = subtree_bounds(area.code, area.level)
        rows = rows.filter(community_id__gte=low, community_id__lte=high)
    return rows


def available_workers(stations, on: datetime.date | None = None):
    """The matching's view of the workers of `stations`: domains, where they are resident or posted, load and
    capacity (WorkerCapacity, default DEFAULT_CAPACITY), those who stopped taking requests left out."""
    from shegong.servicerequests.matching import AvailableWorker
    from shegong.workers.models import WorkerServiceDomain

    on = on or timezone.localdate()
    workers = list(selectors.staff_of(stations, on))
    ids = [worker.pk for worker in workers]
    capacities = {row.worker_id: row for row in WorkerCapacity.objects.filter(worker_id__in=ids)}
    loads = selectors.open_load(ids)
    domains: dict[int, set[str]] = {}
    for worker_id, code in WorkerServiceDomain.objects.filter(worker_id__in=ids).values_list(
        "worker_id", "domain__code"
    ):
        domains.setdefault(worker_id, set()).add(code)
    posts: dict[int, list[tuple[str, str]]] = {}
    for worker_id, region_id, role, kind in (
        StaffAssignment.objects.filter(worker_id__in=ids)
        .filter(current_q(on))
        .exclude(station__status=Station.Status.REVOKED)
        .values_list("worker_id", "station__region_id", "role", "station__kind")
    ):
        posts.setdefault(worker_id, []).append((region_id, role if kind == Station.Kind.ROOM else ""))
    available = []
    for worker in workers:
        capacity = capacities.get(worker.pk)
        if capacity is not None and not capacity.accepting:
            continue
        held = posts.get(worker.pk, [])
        available.append(
            AvailableWorker(
                id=worker.pk,
                domains=frozenset(domains.get(worker.pk, ())),
                communities=frozenset(code for code, role in held if role == StaffAssignment.Role.RESIDENT),
                streets=frozenset(code[:9] for code, _role in held if code[6:9] != "000"),
                districts=frozenset(code[:6] for code, _role in held),
                open_load=loads.get(worker.pk, 0),
                capacity=capacity.max_open if capacity is not None else DEFAULT_CAPACITY,
            )
        )
    return available


@transaction.atomic
def requests_match(*, actor, station: Station | None = None, region: Region | None = None) -> MatchResult:
    """一键派单: every pending request of the station's area (or of a region, for a bureau) in the actor's scope is
    assigned at once by the optimal matching (matching.solve), each with the explanation of its match."""
    from shegong.servicerequests.matching import PendingRequest, solve
    from shegong.workers.models import SocialWorker

    _require(actor, permissions.DISPATCH)
    if station is None and region is None:
        raise ValidationError(_("请指定站点或区划。"), code="required")
    ids = list(pending_in(actor, station=station, region=region).order_by("pk").values_list("pk", flat=True))
    locked = list(
        ServiceRequest.all_records.select_for_update(of=("self",))
        .filter(pk__in=ids, status=Status.PENDING)
        .select_related("community")
        .order_by("pk")
    )
    if not locked:
        return MatchResult([], [], 0.0)
    declined: dict[int, set[int]] = {}
    for request_id, worker_id in RequestEvent.objects.filter(
        request_id__in=[r.pk for r in locked], action=Action.DECLINED, worker__isnull=False
    ).values_list("request_id", "worker_id"):
        declined.setdefault(request_id, set()).add(worker_id)
    # The workers of the area asked for: a station's own staff and its rooms', or every station of a region.
    stations = area_stations(station, region)
    workers = available_workers(stations)
    plan = solve(
        [
            PendingRequest(
                id=r.pk,
                community_code=r.community_id,
                domain=r.domain,
                excluded_workers=frozenset(declined.get(r.pk, ())),
            )
            for r in locked
        ],
        workers,
    )
    by_id = {r.pk: r for r in locked}
    people = SocialWorker.objects.select_related("account").in_bulk([m.worker_id for m in plan.matches])
    result = MatchResult([], [], float(plan.total_cost))
    for match in plan.matches:
        request, worker = by_id[match.request_id], people[match.worker_id]
        reasons = [str(reason) for reason in match.reasons]
        before = _before(request)
        from_status = _move(request, Action.MATCHED, Status.ASSIGNED)
        request.assigned_worker = worker
        request.assigned_at = timezone.now()
        request.save()
        _event(request, Action.MATCHED, from_status, actor=actor, worker=worker, explanation=reasons)
        _audit(actor, request, before, _("一键派单：%(reasons)s") % {"reasons": "；".join(reasons)})
        _notify_assignment(request, worker)
        result.assigned.append((request, worker, reasons))
    for request_id, reason in plan.unassigned:
        result.unassigned.append((by_id[request_id], str(reason)))
    return result


@transaction.atomic
def request_dismiss(*, request: ServiceRequest, actor, reason: str) -> ServiceRequest:
    """不予受理 (spam, duplicate, out of area): final, with the reason; counts as the first response."""
    _require(actor, permissions.DISPATCH)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ValidationError(_("请填写不予受理的原因。"), code="required")})
    request = _locked(actor, request, permissions.DISPATCH)
    before = _before(request)
    from_status = _move(request, Action.DISMISSED, Status.DISMISSED)
    request.assigned_worker = None
    request.first_response_at = request.first_response_at or timezone.now()
    request.closing_note = reason[:500]
    request.save()
    _event(request, Action.DISMISSED, from_status, actor=actor, reason=reason)
    _audit(actor, request, before, _("不予受理：%(reason)s") % {"reason": reason})
    return request


@transaction.atomic
def request_accept(*, request: ServiceRequest, actor) -> ServiceRequest:
    request = _own(actor, request)
    before = _before(request)
    from_status = _move(request, Action.ACCEPTED, Status.ACCEPTED)
    request.first_response_at = request.first_response_at or timezone.now()
    request.save()
    _event(request, Action.ACCEPTED, from_status, actor=actor, worker=request.assigned_worker)
    _audit(actor, request, before, _("接单"))
    return request


@transaction.atomic
def request_decline(*, request: ServiceRequest, actor, reason: str) -> ServiceRequest:
    """The worker declines (with a reason): back to the queue, and this worker is left out of its re-matching."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ValidationError(_("请填写拒单原因。"), code="required")})
    request = _own(actor, request)
    worker = request.assigned_worker
    before = _before(request)
    from_status = _move(request, Action.DECLINED, Status.PENDING)
    request.assigned_worker = None
    request.assigned_at = None
    request.save()
    _event(request, Action.DECLINED, from_status, actor=actor, worker=worker, reason=reason)
    _audit(actor, request, before, _("拒单：%(reason)s") % {"reason": reason})
    if request.station is not None:
        notify(
            users=heads_of(request.station),
            kind=Notification.Kind.ASSIGNMENT,
            title=_("需求 %(code)s 被拒单，请重新派单") % {"code": request.tracking_code},
            body=_("%(worker)s：%(reason)s") % {"worker": worker.name, "reason": reason},
            url=detail_url(request),
        )
    return request


def case_station(request: ServiceRequest) -> Station | None:
    """Where the case of a request is opened: the request's station when the worker holds a post there, else the
    worker's (operating) station that covers the request's community, nearest first (a room before a street)."""
    worker = request.assigned_worker
    if worker is None:
        return None
    posts = (
        Station.objects.filter(
            pk__in=StaffAssignment.objects.filter(worker=worker)
            .filter(current_q(timezone.localdate()))
            .values("station_id"),
            status=Station.Status.OPERATING,
        )
        .select_related("region")
        .order_by("-region__level", "pk")
    )
    covering = [
        station
        for station in posts
        if subtree_bounds(station.region_id, station.region.level)[0]
        <= request.community_id
        <= subtree_bounds(station.region_id, station.region.level)[1]
    ]
    if request.station_id and any(station.pk == request.station_id for station in covering):
        return request.station
    return covering[0] if covering else None


@transaction.atomic
def request_open_case(
    *,
    request: ServiceRequest,
    actor,
    recipient=None,
    domain: str,
    presenting_problem: str,
    project=None,
    new_recipient: dict | None = None,
) -> ServiceRequest:
    """The assigned worker turns an accepted request into a case (个案, casework.services.case_open): 服务中. The
    recipient is one already registered, or (`new_recipient`, for an actor who may register people) registered here
    through the recipients service in the same transaction, in the request's community."""
    from shegong.casework.services import case_open

    request = _own(actor, request)
    if recipient is None and new_recipient:
        recipient = _register(actor, request, new_recipient)
    if request.status != Status.ACCEPTED:
        _move(request, Action.CASE_OPENED, Status.IN_SERVICE)  # raises the refusal
    station = case_station(request)
    if station is None:
        raise ValidationError(_("承接社工在覆盖该社区的站点没有现任岗位，不能转为个案。"), code="no_station")
    case = case_open(
        recipient=recipient,
        station=station,
        worker=request.assigned_worker,
        domain=domain or request.domain,
        opened_on=timezone.localdate(),
        source="request",
        presenting_problem=presenting_problem,
        project=project,
        source_request=request,
        actor=actor,
    )
    before = _before(request)
    from_status = _move(request, Action.CASE_OPENED, Status.IN_SERVICE)
    request.case = case
    request.save()
    _event(request, Action.CASE_OPENED, from_status, actor=actor, worker=request.assigned_worker, reason=case.code)
    _audit(actor, request, before, _("转为个案 %(code)s") % {"code": case.code})
    return request


@transaction.atomic
def request_close(*, request: ServiceRequest, actor, note: str) -> ServiceRequest:
    """服务完成: the assigned worker closes a request served without a case; the resident may then rate it."""
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": ValidationError(_("请填写办结说明。"), code="required")})
    request = _own(actor, request)
    if request.case_id is not None:
        raise ValidationError(_("该需求已转为个案，个案结案时自动办结。"), code="has_case")
    return _close(request, actor, note)


def _register(actor, request: ServiceRequest, values: dict):
    """Quick registration of the resident as a recipient (recipients.services.recipient_create); its refusals come
    back keyed `new_<field>` so the form shows them beside its own fields."""
    from shegong.recipients.services import recipient_create

    try:
        return recipient_create(
            actor=actor, community=request.community, consent_given_on=timezone.localdate(), **values
        )
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            raise ValidationError({f"new_{key}": value for key, value in exc.error_dict.items()}) from None
        raise


def _close(request: ServiceRequest, actor, note: str) -> ServiceRequest:
    before = _before(request)
    from_status = _move(request, Action.CLOSED, Status.CLOSED)
    request.closed_at = timezone.now()
    request.closing_note = note[:500]
    request.save()
    _event(request, Action.CLOSED, from_status, actor=actor, worker=request.assigned_worker, reason=note)
    _audit(actor, request, before, _("办结"))
    return request


def requests_close_for_case(*, case, actor) -> int:
    """Called by casework when a case is closed (结案): the requests that became this case are closed with it, so the
    resident can rate the service. Returns how many were closed."""
    with transaction.atomic():
        rows = list(
            ServiceRequest.all_records.select_for_update(of=("self",))
            .filter(case_id=case.pk, status=Status.IN_SERVICE)
            .order_by("pk")
        )
        for request in rows:
            _close(request, actor, _("个案 %(code)s 已结案") % {"code": case.code})
    return len(rows)


@transaction.atomic
def capacity_set(*, worker, actor, accepting: bool, max_open: int) -> WorkerCapacity:
    """The head sets whether a worker of their station takes requests and how many open ones at most."""
    _require(actor, permissions.DISPATCH)
    if actor is not None and not selectors.capacity_workers(actor).filter(pk=worker.pk).exists():
        raise PermissionDenied(_("该社工不是您管辖站点的在岗人员。"))
    if max_open is None or not 0 <= int(max_open) <= MAX_CAPACITY:
        raise ValidationError(
            {
                "max_open": ValidationError(
                    _("最多在办需求数应在 0 至 %(max)d 之间。") % {"max": MAX_CAPACITY}, code="range"
                )
            }
        )
    capacity, _created = WorkerCapacity.objects.select_for_update(of=("self",)).get_or_create(worker=worker)
    before = snapshot(capacity, ["accepting", "max_open"])
    capacity.accepting = bool(accepting)
    capacity.max_open = int(max_open)
    capacity.updated_by = actor if getattr(actor, "is_authenticated", False) else None
    capacity.full_clean()
    capacity.save()
    after = snapshot(capacity, ["accepting", "max_open"])
    record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        obj=capacity,
        changes={key: [before.get(key), value] for key, value in after.items() if before.get(key) != value},
        note=_("社工接单容量"),
    )
    return capacity


# --- Service levels -------------------------------------------------------------------------------------------------


def escalate_overdue(*, now: datetime.datetime | None = None) -> int:
    """Mark every pending or assigned request past its first-response deadline as escalated, once, and alert the
    heads of its station (kind OVERDUE; the notification's subject dedupes a second run). Returns how many."""
    now = now or timezone.now()
    ids = list(
        ServiceRequest.all_records.filter(
            status__in=[Status.PENDING, Status.ASSIGNED], due_at__lt=now, escalated_at__isnull=True
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    done = 0
    for pk in ids:
        with transaction.atomic():
            request = (
                ServiceRequest.all_records.select_for_update(of=("self",))
                .select_related("community", "station")
                .filter(pk=pk, status__in=[Status.PENDING, Status.ASSIGNED], escalated_at__isnull=True)
                .first()
            )
            if request is None:
                continue
            before = _before(request)
            request.escalated_at = now
            request.version += 1
            request.save(update_fields=["escalated_at", "version", "updated_at"])
            _event(request, Action.ESCALATED, request.status, reason=_("超过首次响应时限"))
            _audit(None, request, before, _("超时上报"))
            if request.station is not None:
                notify(
                    users=heads_of(request.station),
                    kind=Notification.Kind.OVERDUE,
                    title=_("需求 %(code)s 已超过响应时限") % {"code": request.tracking_code},
                    body=_("%(community)s：%(text)s")
                    % {"community": request.community.name, "text": request.description[:150]},
                    url=detail_url(request),
                    subject=f"servicerequests.servicerequest:{request.pk}",
                    urgent=True,
                )
            done += 1
    return done
