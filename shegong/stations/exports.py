"""Excel exports of the stations' service lists and staff, for the station list page's export menu (the stations
themselves are exported by views.station_export).

Each workbook starts with the columns of its import (stations/imports.py: "station-services", "station-assignments"),
headed exactly as the import template, so an exported file can be edited and uploaded again (to another station, or
after a correction); the columns after them are for reading only and the import ignores them. Exports are audited
with the list's filters (tabular.services.export_list).

ID numbers are masked unless the user may see them in full (accounts.reveal_personal_data over the worker, within
that permission's own scope); a row with a masked number cannot be imported again. The export's audit entry records
how many full numbers left the system.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.core.listing import EXPORT_MAX_ROWS
from shegong.core.masking import mask_id_number
from shegong.core.scope import scoped
from shegong.stations.imports import StaffAssignmentImport, StationServiceImport
from shegong.stations.models import StaffAssignment, Station, StationService
from shegong.stations.rules import current_q
from shegong.tabular.services import export_list

REVEAL = "accounts.reveal_personal_data"


def _too_many(count: int) -> None:
    if count > EXPORT_MAX_ROWS:
        raise ValidationError(
            _("筛选结果超过 %(max)d 条，请缩小筛选范围后再导出。") % {"max": EXPORT_MAX_ROWS}, code="too_many_rows"
        )


def _headers(spec, extra: list[str]) -> list[str]:
    return [str(column.header) for column in spec.columns] + extra


def services_rows(stations: QuerySet[Station]):
    """One row per service item of the stations, in the list's station order, then the list's own order."""
    from shegong.refdata.selectors import labels

    names = labels("service_domain")
    items = (
        StationService.objects.filter(station__in=stations.values("pk"))
        .select_related("station", "station__region")
        .order_by("station__region_id", "station__kind", "station__name", "station__pk", "sort_order", "pk")
    )
    yes, no = _("是"), _("否")
    for item in items.iterator(chunk_size=2000):
        yield [
            item.station.code,
            names.get(item.domain, item.domain),
            item.title,
            item.description,
            item.station.name,
            item.station.region.name,
            yes if item.is_active else no,
        ]


def export_services(*, actor, stations: QuerySet[Station], filters: dict | None = None) -> bytes:
    """The service lists of `stations` (already filtered and scoped by the list's selector) as a workbook."""
    _too_many(StationService.objects.filter(station__in=stations.values("pk")).count())
    return export_list(
        actor=actor,
        title=_("站点服务清单"),
        headers=_headers(StationServiceImport, [_("站点名称"), _("所在区划"), _("提供中")]),
        rows=services_rows(stations),
        object_type=StationService._meta.label_lower,
        filters=filters or {},
    )


def _revealable(actor, worker_ids: set[int]) -> set[int]:
    from shegong.workers.models import SocialWorker

    if not actor.has_perm(REVEAL) or not worker_ids:
        return set()
    return set(scoped(SocialWorker, actor, REVEAL).filter(pk__in=list(worker_ids)).values_list("pk", flat=True))


def assignments_rows(posts: list[StaffAssignment], revealable: set[int], today: datetime.date):
    yes, no = _("是"), _("否")
    for post in posts:
        worker = post.worker
        current = post.start_date <= today and (post.end_date is None or post.end_date >= today)
        yield [
            post.station.code,
            worker.id_number if worker.pk in revealable else mask_id_number(worker.id_number),
            post.get_role_display(),
            yes if post.full_time else no,
            post.start_date,
            post.end_date,
            post.station.name,
            worker.name,
            worker.get_highest_certificate_display(),
            yes if current else no,
        ]


def export_assignments(
    *, actor, stations: QuerySet[Station], filters: dict | None = None, current_only: bool = False
) -> bytes:
    """The posts at `stations` (already filtered and scoped), all of them or those in force today, as a workbook."""
    today = timezone.localdate()
    posts = StaffAssignment.objects.filter(station__in=stations.values("pk"))
    if current_only:
        posts = posts.filter(current_q(today))
    _too_many(posts.count())
    rows = list(
        posts.select_related("station", "worker").order_by(
            "station__region_id", "station__kind", "station__name", "station__pk", "role", "start_date", "pk"
        )
    )
    revealable = _revealable(actor, {post.worker_id for post in rows})
    audit_filters = dict(filters or {})
    if current_only:
        audit_filters[_("范围")] = _("当前在岗")
    audit_filters[_("完整身份证号")] = (
        _("%(count)d 人") % {"count": len(revealable)} if revealable else _("无（已遮蔽）")
    )
    return export_list(
        actor=actor,
        title=_("站点人员"),
        headers=_headers(StaffAssignmentImport, [_("站点名称"), _("姓名"), _("最高证书等级"), _("当前在岗")]),
        rows=assignments_rows(rows, revealable, today),
        object_type=StaffAssignment._meta.label_lower,
        filters=audit_filters,
    )
