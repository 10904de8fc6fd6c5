"""Reading the audit log: only the audit admin (audit.view_auditentry) reads it, over the whole installation.

Pages use keyset paging on `sequence` (newest first) and a capped count, so a page costs the same on the millionth
row as on the first; every equality filter has an index that ends in `sequence` (see AuditEntry.Meta.indexes).
"""

import contextlib
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import cache

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.audit.models import AuditEntry
from shegong.audit.services import VIEW_PERMISSION

PAGE_SIZE = 50
COUNT_LIMIT = 10_000


def _require_view(actor) -> None:
    if not actor.has_perm(VIEW_PERMISSION):
        raise PermissionDenied(_("您没有查看操作日志的权限。"))


def entry_search(*, actor, filters: dict | None = None) -> QuerySet[AuditEntry]:
    """The entries matching the cleaned filters of AuditSearchForm, newest first."""
    _require_view(actor)
    filters = filters or {}
    entries = AuditEntry.objects.all()
    if filters.get("actor"):
        entries = entries.filter(actor_username=filters["actor"])
    if filters.get("action"):
        entries = entries.filter(action=filters["action"])
    if filters.get("object_type"):
        entries = entries.filter(object_type=filters["object_type"])
    if filters.get("object_id"):
        entries = entries.filter(object_id=filters["object_id"])
    if filters.get("ip"):
        entries = entries.filter(ip=filters["ip"])
    if filters.get("date_from"):
        entries = entries.filter(created_at__gte=_start_of(filters["date_from"]))
    if filters.get("date_to"):
        entries = entries.filter(created_at__lt=_start_of(filters["date_to"] + timedelta(days=1)))
    if filters.get("q"):
        entries = entries.filter(object_repr__icontains=filters["q"])
    return entries.order_by("-sequence")


def _start_of(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@dataclass(frozen=True)
class Page:
    entries: list[AuditEntry]
    newer: int | None  # pass as ?after= to get the page of newer entries
    older: int | None  # pass as ?before= to get the page of older entries


def entry_page(
    entries: QuerySet[AuditEntry], *, before: int | None = None, after: int | None = None, size: int | None = None
) -> Page:
    """One page of `entries` (ordered newest first) by keyset: older than `before`, or newer than `after`."""
    size = size or PAGE_SIZE
    if after is not None:
        rows = list(entries.filter(sequence__gt=after).order_by("sequence")[: size + 1])
        has_newer = len(rows) > size
        rows = rows[:size][::-1]
        has_older = bool(rows)
    else:
        if before is not None:
            entries = entries.filter(sequence__lt=before)
        rows = list(entries.order_by("-sequence")[: size + 1])
        has_older = len(rows) > size
        rows = rows[:size]
        has_newer = before is not None and bool(rows)
    return Page(
        entries=rows,
        newer=rows[0].sequence if rows and has_newer else None,
        older=rows[-1].sequence if rows and has_older else None,
    )


def entry_count(entries: QuerySet[AuditEntry], limit: int | None = None) -> tuple[int, bool]:
    """How many entries match, counting at most `limit` (and saying whether there are more)."""
    limit = limit or COUNT_LIMIT
    found = entries.order_by()[: limit + 1].count()
    return min(found, limit), found > limit


def entry_get(*, actor, sequence: int) -> AuditEntry:
    _require_view(actor)
    entry = AuditEntry.objects.filter(sequence=sequence).first()
    if entry is None:
        raise Http404
    return entry


def neighbours(entry: AuditEntry) -> tuple[int | None, int | None]:
    """The sequences of the entries before and after this one (None at either end)."""
    previous = AuditEntry.objects.filter(sequence__lt=entry.sequence).order_by("-sequence")
    following = AuditEntry.objects.filter(sequence__gt=entry.sequence).order_by("sequence")
    return (
        previous.values_list("sequence", flat=True).first(),
        following.values_list("sequence", flat=True).first(),
    )


@cache
def _models_by_label() -> dict:
    return {model._meta.label_lower: model for model in apps.get_models()}


def object_type_label(object_type: str) -> str:
    model = _models_by_label().get(object_type)
    return str(model._meta.verbose_name) if model is not None else object_type


def object_type_choices() -> list[tuple[str, str]]:
    """Every model of the project's apps, as (label, verbose name) for the search form."""
    models = [model for label, model in _models_by_label().items() if model.__module__.startswith("shegong.")]
    return sorted(
        ((model._meta.label_lower, f"{model._meta.verbose_name}（{model._meta.label_lower}）") for model in models),
        key=lambda choice: choice[0],
    )


def change_rows(entry: AuditEntry) -> list[dict]:
    """The entry's changes as rows of (field label, field name, before, after), labels from the model when known."""
    model = _models_by_label().get(entry.object_type)
    rows = []
    for name, value in (entry.changes or {}).items():
        label = name
        if model is not None:
            with contextlib.suppress(FieldDoesNotExist):
                label = str(model._meta.get_field(name).verbose_name)
        if isinstance(value, list) and len(value) == 2:
            before, after = value
        else:
            before, after = None, value
        rows.append({"label": label, "name": name, "before": _shown(before), "after": _shown(after)})
    return rows


def _shown(value) -> str | None:
    if isinstance(value, list):
        return "、".join(str(item) for item in value)
    if isinstance(value, dict):
        return "；".join(f"{key}: {item}" for key, item in value.items())
    return None if value is None else str(value)
