"""Every write to the station network: one function per action, atomic, validated, permission- and scope-checked,
audited in the same transaction (DESIGN.md §5).

`actor=None` is reserved for installation scripts (the demo, data loads): it skips the permission and scope checks,
and the audit entry names "system".

Concurrency. Two writers that could each pass a check the other would fail are serialised on a row lock taken before
the check: the region's row for "one live station per region and kind" and for the station code, the worker's row
for "full-time at one station on any day", the room's row for "one resident social worker per room", the station's
row for its status and service list. The database backs the first two up (a partial unique constraint; on PostgreSQL
an exclusion constraint over the assignment periods, migration 0003), and their violations are translated into the
same messages. Locks are always taken in the order worker → station → region, then the audit chain's head.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.audit.models import AuditEntry
from shegong.audit.services import diff, record, snapshot
from shegong.core.scope import in_scope, scoped
from shegong.regions.models import Region
from shegong.stations.models import PresenceCheckIn, StaffAssignment, Station, StationService, StationStatusEvent
from shegong.stations.rules import overlap_q
from shegong.stations.selectors import (
    ADD,
    ASSIGN,
    CHANGE,
    CHANGE_STATUS,
    CHECK_IN,
    SERVICE_DOMAIN_DICTIONARY,
)

Kind = Station.Kind
Status = Station.Status
Role = StaffAssignment.Role

STATION_FIELDS = [
    "code",
    "name",
    "kind",
    "region",
    "agency",
    "host_institution",
    "opened_on",
    "address",
    "latitude",
    "longitude",
    "phone",
    "service_hours",
    "status",
]
EDITABLE_FIELDS = {
    "name",
    "kind",
    "region",
    "agency",
    "host_institution",
    "opened_on",
    "address",
    "latitude",
    "longitude",
    "phone",
    "service_hours",
}
INITIAL_STATUSES = (Status.PREPARING, Status.OPERATING)
# 筹建 → 运营 ⇄ 暂停; any status → 撤销, which is final.
MOVES = {
    Status.PREPARING: (Status.OPERATING, Status.REVOKED),
    Status.OPERATING: (Status.SUSPENDED, Status.REVOKED),
    Status.SUSPENDED: (Status.OPERATING, Status.REVOKED),
    Status.REVOKED: (),
}
# The code's first letter says the kind, the digits the region (at its own length): short, URL-safe, readable on a
# poster, and never changed afterwards, even if the station's name, kind or region is corrected later (the printed
# QR codes keep working). A second station of the same kind on the same region (after a revocation, or another
# school) gets "-2", "-3" ….
KIND_LETTERS = {
    Kind.CENTRE: "C",
    Kind.STATION: "S",
    Kind.ROOM: "R",
    Kind.SCHOOL: "X",
    Kind.MINOR_PROTECTION: "M",
}
MAX_CODE_SUFFIX = 99
PHONE = re.compile(r"[0-9+\-() 转,，、/]{5,30}")
WORKERS_VIEW = "workers.view_socialworker"

DOUBLE_FULL_TIME_CONSTRAINT = "assignment_no_double_full_time"
ONE_PER_REGION_CONSTRAINT = "station_one_per_region_and_kind"
ONE_CHECK_IN_CONSTRAINT = "checkin_once_per_day"


# --- Shared checks ---------------------------------------------------------------------------------------------------


def _require(actor, perm: str) -> None:
    if actor is not None and not actor.has_perm(perm):
        raise PermissionDenied(_("您没有执行此操作的权限。"))


def _require_in_scope(actor, station: Station, perm: str) -> None:
    _require(actor, perm)
    # Views answer 404 before getting here (get_scoped_or_404); this guards the other callers (API, imports, shell).
    if actor is not None and not in_scope(actor, station, perm):
        raise PermissionDenied(_("该站点不在您的管辖范围内。"))


def _covers(actor, perm: str, region: Region) -> bool:
    from shegong.accounts.selectors import grant_covers

    return actor is None or grant_covers(actor, perm, region=region)


def _audit_actor(actor) -> dict:
    return {"actor": actor, "actor_username": "" if actor is not None else "system"}


def _user(actor):
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


# How each database names a violated constraint: PostgreSQL by its name, SQLite by the columns of a unique index.
SQLITE_UNIQUE_COLUMNS = {
    "station_one_per_region_and_kind": "stations_station.region_id, stations_station.kind",
    "checkin_once_per_day": (
        "stations_presencecheckin.worker_id, stations_presencecheckin.community_id, stations_presencecheckin.date"
    ),
}


def _constraint_named(exc: IntegrityError, name: str) -> bool:
    text = str(exc)
    columns = SQLITE_UNIQUE_COLUMNS.get(name)
    return name in text or (columns is not None and columns in text)


def _period_text(start: datetime.date, end: datetime.date | None) -> str:
    if end is None:
        return _("%(start)s 起至今") % {"start": start.isoformat()}
    return _("%(start)s 至 %(end)s") % {"start": start.isoformat(), "end": end.isoformat()}


def _lock_region(region: Region) -> None:
    list(Region.objects.select_for_update().filter(pk=region.pk).values_list("pk", flat=True))


def _locked_station(station: Station) -> Station:
    return Station.objects.select_for_update().get(pk=station.pk)


# --- Stations --------------------------------------------------------------------------------------------------------

PLACES = {
    Kind.CENTRE: gettext_lazy("区县（县级区划）"),
    Kind.STATION: gettext_lazy("街道或乡镇（乡级区划）"),
    Kind.ROOM: gettext_lazy("村或社区（村级区划）"),
}


def _check_kind_and_region(station: Station) -> None:
    """Seed 002's three levels: a centre on a county-level region, a station on a township or street, a room on a
    community; specialised stations on a county or below, with the institution that hosts them."""
    region, kind = station.region, station.kind
    if region is None or kind not in Kind.values:
        return  # full_clean reports the missing field
    level_label = Region.Level(region.level).label
    required = Station.LEVEL_OF_KIND.get(kind)
    if required is not None and region.level != required:
        raise ValidationError(
            {
                "region": _("%(kind)s只能设在%(place)s；“%(region)s”是%(level)s区划。")
                % {
                    "kind": Kind(kind).label,
                    "place": PLACES[kind],
                    "region": region.name,
                    "level": level_label,
                }
            },
            code="kind_level_mismatch",
        )
    if required is None:
        if region.level < Region.Level.COUNTY:
            raise ValidationError(
                {
                    "region": _("%(kind)s须设在区县、街道乡镇或村社区；“%(region)s”是%(level)s区划。")
                    % {"kind": Kind(kind).label, "region": region.name, "level": level_label}
                },
                code="kind_level_mismatch",
            )
        if not station.host_institution.strip():
            raise ValidationError(
                {"host_institution": _("%(kind)s须填写依托单位（如所在学校）。") % {"kind": Kind(kind).label}},
                code="host_required",
            )


def _check_fields(station: Station) -> None:
    errors = {}
    if (station.latitude is None) != (station.longitude is None):
        errors["longitude"] = _("请同时填写纬度和经度，或都不填。")
    if station.latitude is not None and not Decimal(-90) <= Decimal(station.latitude) <= Decimal(90):
        errors["latitude"] = _("纬度应在 -90 至 90 之间。")
    if station.longitude is not None and not Decimal(-180) <= Decimal(station.longitude) <= Decimal(180):
        errors["longitude"] = _("经度应在 -180 至 180 之间。")
    if station.phone and not PHONE.fullmatch(station.phone):
        errors["phone"] = _("联系电话只能包含数字、空格、“-”、“+”、括号和“转”，如 020-83331234。")
    if errors:
        raise ValidationError(errors)


def _check_one_live(station: Station) -> None:
    """一区县一中心、一镇街一站、一村社一室: one live station of each network kind on a region (the region's row is
    locked by the caller, so two creators cannot both pass)."""
    if station.kind not in Station.NETWORK_KINDS or station.status == Status.REVOKED:
        return
    other = (
        Station.objects.filter(region_id=station.region_id, kind=station.kind)
        .exclude(status=Status.REVOKED)
        .exclude(pk=station.pk)
        .first()
    )
    if other is not None:
        raise _one_live_error(station, other)


def _one_live_error(station: Station, other: Station | None) -> ValidationError:
    values = {"region": station.region.name, "kind": Kind(station.kind).label}
    if other is None:
        message = _("“%(region)s”已有一个%(kind)s：一个区划只能设一个%(kind)s。") % values
    else:
        message = _(
            "“%(region)s”已有%(kind)s“%(name)s”（编码 %(code)s）：一个区划只能设一个%(kind)s。"
            "如需重建，请先撤销原站点。"
        ) % {**values, "name": other.name, "code": other.code}
    return ValidationError({"region": message}, code="duplicate_station")


def _check_agency(station: Station, before_agency_id: int | None) -> None:
    if station.agency is None or station.agency_id == before_agency_id:
        return
    from shegong.agencies.services import assert_agency_contractable

    try:
        assert_agency_contractable(station.agency, timezone.localdate())
    except ValidationError as exc:
        raise ValidationError({"agency": exc.messages}, code=exc.code) from None


def new_code(kind: str, region: Region) -> str:
    """A code for a new station (see KIND_LETTERS); the caller holds the region's lock."""
    base = KIND_LETTERS[kind] + region.short_code
    taken = set(Station.objects.filter(code__startswith=base).values_list("code", flat=True))
    if base not in taken:
        return base
    for number in range(2, MAX_CODE_SUFFIX + 1):
        candidate = f"{base}-{number}"
        if candidate not in taken:
            return candidate
    raise ValidationError(
        _("“%(region)s”的%(kind)s编码已用尽，请联系系统管理员。") % {"region": region.name, "kind": Kind(kind).label},
        code="codes_exhausted",
    )


def _save_station(station: Station) -> None:
    station.province_code = station.region.code[:2] if station.region_id else ""
    # The constraints were checked above with messages that name the region and the other station; the database
    # enforces them again, and _one_live_error translates the one a race could reach.
    station.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            station.save()
    except IntegrityError as exc:
        # Only reachable through a writer that bypassed the region lock; the constraint caught it.
        if _constraint_named(exc, ONE_PER_REGION_CONSTRAINT):
            raise _one_live_error(station, None) from exc
        raise


def _validate_station(station: Station, *, before_agency_id: int | None = None) -> None:
    """Every check a station must pass, all errors at once where they are independent."""
    errors: dict[str, list] = {}
    for check in (_check_kind_and_region, _check_fields):
        try:
            check(station)
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                errors.setdefault(key, []).extend(messages)
    try:
        _check_agency(station, before_agency_id)
    except ValidationError as exc:
        errors.setdefault("agency", []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def station_create(
    *,
    actor,
    name: str,
    kind: str,
    region: Region,
    agency=None,
    host_institution: str = "",
    opened_on: datetime.date | None = None,
    address: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    phone: str = "",
    service_hours: str = "",
    status: str = Status.PREPARING,
) -> Station:
    """Set up a station. It starts 筹建 (or 运营, for a station that already runs: its opening date is then the day
    its status history starts); the code is generated (see KIND_LETTERS)."""
    _require(actor, ADD)
    if kind not in Kind.values:
        raise ValidationError({"kind": _("请选择站点类型。")}, code="invalid_kind")
    if region is None:
        raise ValidationError({"region": _("请选择所在区划。")}, code="required")
    if not _covers(actor, ADD, region):
        raise ValidationError({"region": _("所在区划不在您的管辖范围内。")}, code="region_out_of_scope")
    if status not in INITIAL_STATUSES:
        raise ValidationError({"status": _("新站点的状态只能是“筹建”或“运营”。")}, code="invalid_status")
    today = timezone.localdate()
    if status == Status.OPERATING and opened_on is not None and opened_on > today:
        raise ValidationError({"opened_on": _("运营中的站点，启用日期不能晚于今天。")}, code="future_date")
    station = Station(
        name=(name or "").strip(),
        kind=kind,
        region=region,
        agency=agency,
        host_institution=(host_institution or "").strip(),
        opened_on=opened_on,
        address=(address or "").strip(),
        latitude=latitude,
        longitude=longitude,
        phone=(phone or "").strip(),
        service_hours=(service_hours or "").strip(),
        status=status,
    )
    _validate_station(station)
    _lock_region(region)
    _check_one_live(station)
    station.code = new_code(kind, region)
    _save_station(station)
    StationStatusEvent.objects.create(
        station=station,
        status=status,
        effective_on=(opened_on if status == Status.OPERATING and opened_on else today),
        reason=_("新建站点"),
        recorded_by=_user(actor),
    )
    record(
        **_audit_actor(actor),
        action=AuditEntry.Action.CREATE,
        obj=station,
        changes=diff({}, snapshot(station, STATION_FIELDS)),
    )
    return station


@transaction.atomic
def station_update(*, actor, station: Station, **changes) -> Station:
    """Correct a station's facts. Kind and region may change only to a pair the three levels allow; the code stays.
    The status changes through station_set_status only."""
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"station_update cannot change {', '.join(sorted(unknown))}")
    _require_in_scope(actor, station, CHANGE)
    station = _locked_station(station)
    before = snapshot(station, STATION_FIELDS)
    before_agency_id = station.agency_id
    for name, value in changes.items():
        if isinstance(value, str):
            value = value.strip()
        setattr(station, name, value)
    if station.region is None or station.kind not in Kind.values:
        raise ValidationError({"region": _("请选择所在区划和站点类型。")}, code="required")
    if station.region_id != before["region"] and not _covers(actor, CHANGE, station.region):
        raise ValidationError({"region": _("所在区划不在您的管辖范围内。")}, code="region_out_of_scope")
    _validate_station(station, before_agency_id=before_agency_id)
    if station.region_id != before["region"] or station.kind != before["kind"]:
        _lock_region(station.region)
        _check_one_live(station)
    _save_station(station)
    changed = diff(before, snapshot(station, STATION_FIELDS))
    if changed:
        record(**_audit_actor(actor), action=AuditEntry.Action.UPDATE, obj=station, changes=changed)
    return station


def allowed_moves(status: str) -> tuple[str, ...]:
    return MOVES.get(status, ())


@transaction.atomic
def station_set_status(
    *, actor, station: Station, status: str, effective_on: datetime.date | None = None, reason: str = ""
) -> StationStatusEvent:
    """Move a station along 筹建 → 运营 ⇄ 暂停, or to 撤销 from anywhere (final). The history gets an entry and the
    station's own copy follows. Revoking ends the station's posts on that day (posts that had not begun are
    removed): nobody stays in post at a station that no longer exists."""
    _require_in_scope(actor, station, CHANGE_STATUS)
    station = _locked_station(station)
    today = timezone.localdate()
    effective_on = effective_on or today
    reason = (reason or "").strip()
    current = station.status
    if status not in Status.values:
        raise ValidationError({"status": _("请选择有效的状态。")}, code="invalid_status")
    if current == Status.REVOKED:
        raise ValidationError(_("站点已撤销：撤销是最终状态，不能再变更。"), code="revoked_final")
    if status == current:
        raise ValidationError(
            {"status": _("站点当前已是“%(status)s”。") % {"status": Status(status).label}}, code="same_status"
        )
    if status not in MOVES[current]:
        raise ValidationError(
            {
                "status": _("站点状态不能从“%(current)s”变为“%(target)s”，只能变为：%(allowed)s。")
                % {
                    "current": Status(current).label,
                    "target": Status(status).label,
                    "allowed": "、".join(str(Status(value).label) for value in MOVES[current]),
                }
            },
            code="invalid_move",
        )
    if effective_on > today:
        raise ValidationError({"effective_on": _("生效日期不能晚于今天。")}, code="future_date")
    latest = station.status_events.order_by("-effective_on", "-id").first()
    if latest is not None and effective_on < latest.effective_on:
        raise ValidationError(
            {
                "effective_on": _("生效日期不能早于上一次状态变更（%(date)s，%(status)s）。")
                % {"date": latest.effective_on.isoformat(), "status": latest.get_status_display()}
            },
            code="before_previous",
        )
    if status in (Status.SUSPENDED, Status.REVOKED) and not reason:
        raise ValidationError({"reason": _("暂停或撤销站点须写明原因。")}, code="reason_required")
    event = StationStatusEvent(
        station=station, status=status, effective_on=effective_on, reason=reason, recorded_by=_user(actor)
    )
    event.full_clean()
    event.save()
    before = snapshot(station, ["status", "opened_on"])
    station.status = status
    fields = ["status", "updated_at"]
    if status == Status.OPERATING and station.opened_on is None:
        station.opened_on = effective_on
        fields.append("opened_on")
    station.save(update_fields=fields)
    note = reason
    if status == Status.REVOKED:
        ended, removed = _close_posts(station, effective_on)
        if ended or removed:
            note = _("%(reason)s（结束在岗安排 %(ended)d 条，删除未开始的安排 %(removed)d 条）") % {
                "reason": reason,
                "ended": ended,
                "removed": removed,
            }
    record(
        **_audit_actor(actor),
        action=AuditEntry.Action.TRANSITION,
        obj=station,
        changes=diff(before, snapshot(station, ["status", "opened_on"])),
        note=note,
    )
    return event


def _close_posts(station: Station, day: datetime.date) -> tuple[int, int]:
    not_begun = station.assignments.filter(start_date__gt=day)
    removed = not_begun.count()
    not_begun.delete()
    ended = station.assignments.filter(overlap_q(day + datetime.timedelta(days=1), None)).update(end_date=day)
    return ended, removed


# --- The service list ------------------------------------------------------------------------------------------------


def _check_domain(code: str) -> None:
    from shegong.refdata.models import DictionaryItem

    found = DictionaryItem.objects.filter(
        dictionary__code=SERVICE_DOMAIN_DICTIONARY, code=code or "", is_active=True
    ).exists()
    if not found:
        raise ValidationError({"domain": _("服务领域无效或已停用。")}, code="invalid_domain")


def _check_title_free(item: StationService) -> None:
    taken = StationService.objects.filter(station_id=item.station_id, title=item.title).exclude(pk=item.pk)
    if taken.exists():
        raise ValidationError(
            {"title": _("本站服务清单中已有“%(title)s”。") % {"title": item.title}}, code="duplicate_title"
        )


SERVICE_FIELDS = ["domain", "title", "description", "is_active", "sort_order"]


def _service_note(item: StationService) -> str:
    return _("站点：%(station)s（%(code)s）") % {"station": item.station.name, "code": item.station.code}


@transaction.atomic
def station_service_add(
    *, actor, station: Station, domain: str, title: str, description: str = "", is_active: bool = True
) -> StationService:
    """Add an item at the end of the station's service list (服务清单)."""
    _require_in_scope(actor, station, CHANGE)
    station = _locked_station(station)
    item = StationService(
        station=station,
        domain=domain,
        title=(title or "").strip(),
        description=(description or "").strip(),
        is_active=is_active,
    )
    _check_domain(domain)
    _check_title_free(item)
    item.sort_order = (station.services.aggregate(last=Max("sort_order"))["last"] or 0) + 1
    item.full_clean()
    item.save()
    record(
        **_audit_actor(actor),
        action=AuditEntry.Action.CREATE,
        obj=item,
        changes=diff({}, snapshot(item, SERVICE_FIELDS)),
        note=_service_note(item),
    )
    return item


@transaction.atomic
def station_service_update(
    *, actor, item: StationService, domain: str, title: str, description: str = "", is_active: bool = True
) -> StationService:
    _require_in_scope(actor, item.station, CHANGE)
    _locked_station(item.station)
    item = StationService.objects.select_related("station").get(pk=item.pk)
    before = snapshot(item, SERVICE_FIELDS)
    item.domain = domain
    item.title = (title or "").strip()
    item.description = (description or "").strip()
    item.is_active = is_active
    _check_domain(domain)
    _check_title_free(item)
    item.full_clean()
    item.save()
    changed = diff(before, snapshot(item, SERVICE_FIELDS))
    if changed:
        record(
            **_audit_actor(actor),
            action=AuditEntry.Action.UPDATE,
            obj=item,
            changes=changed,
            note=_service_note(item),
        )
    return item


@transaction.atomic
def station_service_remove(*, actor, item: StationService) -> None:
    _require_in_scope(actor, item.station, CHANGE)
    _locked_station(item.station)
    before = snapshot(item, SERVICE_FIELDS)
    note = _service_note(item)
    record(
        **_audit_actor(actor),
        action=AuditEntry.Action.DELETE,
        obj=item,
        changes=diff(before, {}),
        note=note,
    )
    item.delete()


@transaction.atomic
def station_service_reorder(*, actor, station: Station, ordered_ids: list[int]) -> None:
    """Put the station's service list in the given order (every item exactly once)."""
    _require_in_scope(actor, station, CHANGE)
    station = _locked_station(station)
    items = {item.pk: item for item in station.services.all()}
    ordered_ids = [int(pk) for pk in ordered_ids]
    if sorted(ordered_ids) != sorted(items):
        raise ValidationError(_("服务清单已被他人修改，请刷新页面后重试。"), code="stale_order")
    before = [items[pk].title for pk in sorted(items, key=lambda pk: (items[pk].sort_order, pk))]
    for position, pk in enumerate(ordered_ids, start=1):
        items[pk].sort_order = position
    StationService.objects.bulk_update(items.values(), ["sort_order"])
    after = [items[pk].title for pk in ordered_ids]
    if before != after:
        record(
            **_audit_actor(actor),
            action=AuditEntry.Action.UPDATE,
            obj=station,
            changes={"services": [before, after]},
            note=_("调整服务清单顺序"),
        )


def station_service_move(*, actor, item: StationService, offset: int) -> None:
    """Move one item up (offset -1) or down (+1) the list."""
    ids = list(item.station.services.order_by("sort_order", "id").values_list("pk", flat=True))
    index = ids.index(item.pk)
    target = max(0, min(len(ids) - 1, index + offset))
    if target == index:
        return
    ids.insert(target, ids.pop(index))
    station_service_reorder(actor=actor, station=item.station, ordered_ids=ids)


# --- Staff assignments -----------------------------------------------------------------------------------------------

ASSIGNMENT_FIELDS = ["station", "worker", "role", "full_time", "start_date", "end_date"]


def _lock_worker(worker) -> None:
    from shegong.workers.models import SocialWorker

    # No select_related here: PostgreSQL refuses FOR UPDATE across the nullable side of an outer join.
    list(SocialWorker.objects.select_for_update().filter(pk=worker.pk).values_list("pk", flat=True))


def _double_full_time_error(worker, other: StaffAssignment | None) -> ValidationError:
    if other is None:
        message = _("%(name)s 在这段时间已在其他站点专职：同一人同一天只能在一个站点专职。") % {"name": worker.name}
    else:
        message = _(
            "%(name)s 已在“%(station)s”专职（%(period)s）：同一人同一天只能在一个站点专职。"
            "可改为兼职安排，或先结束原来的专职安排。"
        ) % {
            "name": worker.name,
            "station": other.station.name,
            "period": _period_text(other.start_date, other.end_date),
        }
    return ValidationError({"full_time": message}, code="double_full_time")


def _check_assignable(worker, start: datetime.date, end: datetime.date | None) -> None:
    """Blacklisted, departed or retired workers cannot be placed (workers.selectors.assert_worker_assignable), judged
    on the first day of the post and, for a post that has begun, today."""
    from shegong.workers.selectors import assert_worker_assignable

    today = timezone.localdate()
    days = [start]
    if start < today and (end is None or end >= today):
        days.append(today)
    for day in days:
        try:
            assert_worker_assignable(worker, day)
        except ValidationError as exc:
            raise ValidationError({"worker": exc.messages}, code=exc.code) from None


def _check_assignment(assignment: StaffAssignment) -> None:
    """The rules of a post, checked with the worker's row locked (and the room's, for a resident)."""
    station, worker = assignment.station, assignment.worker
    start, end = assignment.start_date, assignment.end_date
    if assignment.role not in Role.values:
        raise ValidationError({"role": _("请选择有效的岗位。")}, code="invalid_role")
    if start is None:
        raise ValidationError({"start_date": _("请填写起始日期。")}, code="required")
    if end is not None and end < start:
        raise ValidationError({"end_date": _("结束日期不能早于起始日期。")}, code="invalid_period")
    if station.status == Status.REVOKED:
        raise ValidationError(_("站点已撤销，不能安排人员。"), code="station_revoked")
    if assignment.role == Role.RESIDENT and station.kind != Kind.ROOM:
        raise ValidationError({"role": _("驻点社工只能安排在村社社工室（一社区一社工）。")}, code="resident_needs_room")
    _check_assignable(worker, start, end)
    others = StaffAssignment.objects.filter(worker_id=worker.pk).filter(overlap_q(start, end)).exclude(pk=assignment.pk)
    same = others.filter(station_id=station.pk).order_by("start_date").first()
    if same is not None:
        raise ValidationError(
            {
                "start_date": _("%(name)s 在这段时间已在本站任%(role)s（%(period)s），请修改原来的安排。")
                % {
                    "name": worker.name,
                    "role": same.get_role_display(),
                    "period": _period_text(same.start_date, same.end_date),
                }
            },
            code="duplicate_post",
        )
    if assignment.full_time:
        other = others.filter(full_time=True).select_related("station").order_by("start_date").first()
        if other is not None:
            raise _double_full_time_error(worker, other)
    if assignment.role == Role.RESIDENT:
        _locked_station(station)
        resident = (
            StaffAssignment.objects.filter(station_id=station.pk, role=Role.RESIDENT)
            .filter(overlap_q(start, end))
            .exclude(pk=assignment.pk)
            .select_related("worker")
            .order_by("start_date")
            .first()
        )
        if resident is not None:
            raise ValidationError(
                {
                    "role": _(
                        "“%(room)s”在这段时间已有驻点社工 %(name)s（%(period)s）：一社区一社工，"
                        "每个社工室同一时间只有一名驻点社工。请先结束原来的安排。"
                    )
                    % {
                        "room": station.name,
                        "name": resident.worker.name,
                        "period": _period_text(resident.start_date, resident.end_date),
                    }
                },
                code="second_resident",
            )


def _save_assignment(assignment: StaffAssignment) -> None:
    assignment.full_clean()
    try:
        with transaction.atomic():
            assignment.save()
    except IntegrityError as exc:
        # The worker's lock makes this unreachable through the services; the exclusion constraint (PostgreSQL)
        # still stops any other writer, and its refusal reads the same.
        if _constraint_named(exc, DOUBLE_FULL_TIME_CONSTRAINT):
            raise _double_full_time_error(assignment.worker, None) from exc
        raise


def _assignment_note(assignment: StaffAssignment) -> str:
    return _("%(worker)s · %(station)s（%(code)s）") % {
        "worker": assignment.worker.name,
        "station": assignment.station.name,
        "code": assignment.station.code,
    }


def _require_worker_visible(actor, worker) -> None:
    from shegong.workers.models import SocialWorker

    if actor is not None and not scoped(SocialWorker, actor, WORKERS_VIEW).filter(pk=worker.pk).exists():
        raise ValidationError({"worker": _("该社工不在您的管辖范围内。")}, code="worker_out_of_scope")


@transaction.atomic
def staff_assign(
    *,
    actor,
    station: Station,
    worker,
    role: str,
    start_date: datetime.date,
    end_date: datetime.date | None = None,
    full_time: bool = True,
) -> StaffAssignment:
    """Put a worker in a post at a station for a period (both ends included; no end = until further notice)."""
    _require_in_scope(actor, station, ASSIGN)
    _require_worker_visible(actor, worker)
    _lock_worker(worker)
    assignment = StaffAssignment(
        station=station,
        worker=worker,
        role=role,
        full_time=bool(full_time),
        start_date=start_date,
        end_date=end_date,
        created_by=_user(actor),
    )
    _check_assignment(assignment)
    _save_assignment(assignment)
    record(
        **_audit_actor(actor),
        action=AuditEntry.Action.CREATE,
        obj=assignment,
        changes=diff({}, snapshot(assignment, ASSIGNMENT_FIELDS)),
        note=_assignment_note(assignment),
    )
    return assignment


@transaction.atomic
def staff_assignment_change(
    *,
    actor,
    assignment: StaffAssignment,
    role: str,
    full_time: bool,
    start_date: datetime.date,
    end_date: datetime.date | None,
) -> StaffAssignment:
    """Correct a post: role, full-time or not, period. Every rule of staff_assign is checked again."""
    _require_in_scope(actor, assignment.station, ASSIGN)
    _lock_worker(assignment.worker)
    assignment = StaffAssignment.objects.select_related("station", "worker").get(pk=assignment.pk)
    before = snapshot(assignment, ASSIGNMENT_FIELDS)
    assignment.role = role
    assignment.full_time = bool(full_time)
    assignment.start_date = start_date
    assignment.end_date = end_date
    _check_assignment(assignment)
    _save_assignment(assignment)
    changed = diff(before, snapshot(assignment, ASSIGNMENT_FIELDS))
    if changed:
        record(
            **_audit_actor(actor),
            action=AuditEntry.Action.UPDATE,
            obj=assignment,
            changes=changed,
            note=_assignment_note(assignment),
        )
    return assignment


def staff_assignment_end(*, actor, assignment: StaffAssignment, end_date: datetime.date) -> StaffAssignment:
    """End a post on `end_date` (the last day in post)."""
    if end_date is None:
        raise ValidationError({"end_date": _("请填写结束日期。")}, code="required")
    return staff_assignment_change(
        actor=actor,
        assignment=assignment,
        role=assignment.role,
        full_time=assignment.full_time,
        start_date=assignment.start_date,
        end_date=end_date,
    )


# --- Presence --------------------------------------------------------------------------------------------------------

CHECK_IN_FIELDS = ["worker", "station", "community", "date", "method", "note"]


@transaction.atomic
def presence_check_in(
    *,
    actor,
    station: Station,
    worker,
    date: datetime.date,
    method: str,
    note: str = "",
    community: Region | None = None,
) -> PresenceCheckIn:
    """Record a day a worker of the station served in a community (for a room, its own community). A manual entry
    (补录) says why; one entry per worker, community and day."""
    _require_in_scope(actor, station, CHECK_IN)
    note = (note or "").strip()
    if station.kind == Kind.ROOM:
        community = community or station.region
    errors = {}
    if community is None:
        errors["community"] = _("请选择签到的社区。")
    elif community.level != Region.Level.VILLAGE or not (
        station.region.subtree_bounds[0] <= community.code <= station.region.subtree_bounds[1]
    ):
        errors["community"] = _("签到社区须是本站点辖区内的村或社区。")
    if date is None:
        errors["date"] = _("请填写日期。")
    elif date > timezone.localdate():
        errors["date"] = _("签到日期不能晚于今天。")
    if method not in PresenceCheckIn.Method.values:
        errors["method"] = _("请选择签到方式。")
    elif method == PresenceCheckIn.Method.MANUAL and not note:
        errors["note"] = _("补录须写明原因，如“忘记签到，经站长核实”。")
    if errors:
        raise ValidationError(errors)
    in_post = StaffAssignment.objects.filter(station=station, worker_id=worker.pk).filter(overlap_q(date, date))
    if not in_post.exists():
        raise ValidationError(
            {"worker": _("%(name)s 在 %(date)s 不在本站在岗，不能登记签到。") % {"name": worker.name, "date": date}},
            code="not_in_post",
        )
    check_in = PresenceCheckIn(
        worker=worker,
        station=station,
        community=community,
        date=date,
        method=method,
        note=note,
        recorded_by=_user(actor),
    )
    duplicate = ValidationError(
        {
            "date": _("%(name)s 在 %(date)s 已在%(community)s签到，同一天只记一次。")
            % {"name": worker.name, "date": date.isoformat(), "community": community.name}
        },
        code="duplicate_check_in",
    )
    if PresenceCheckIn.objects.filter(worker_id=worker.pk, community=community, date=date).exists():
        raise duplicate
    check_in.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            check_in.save()
    except IntegrityError as exc:
        if _constraint_named(exc, ONE_CHECK_IN_CONSTRAINT):
            raise duplicate from exc
        raise
    record(
        **_audit_actor(actor),
        action=AuditEntry.Action.CREATE,
        obj=check_in,
        changes=diff({}, snapshot(check_in, CHECK_IN_FIELDS)),
        note=_("%(station)s（%(code)s）") % {"station": station.name, "code": station.code},
    )
    return check_in
