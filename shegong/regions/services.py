"""Writes to Region. Divisions change only by loading a whole edition (the shipped files or an official NBS file);
each load that changes anything is one audit entry, with the changed fields of updated regions."""

from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from shegong.audit.models import AuditEntry
from shegong.audit.services import record
from shegong.regions import loading, nbs
from shegong.regions.loading import LoadResult, ProgressCallback

CHANGE_PERMISSION = "regions.change_region"


def _check(actor) -> None:
    # A person in the UI needs the permission; the operator's command line (actor None) is trusted like a migration.
    if actor is not None and not actor.has_perm(CHANGE_PERMISSION):
        raise PermissionDenied


def _record(*, actor, command: str, object_id: str, what: str, result: LoadResult) -> None:
    if not (result.created or result.updated):
        return  # nothing written, nothing to record: a re-run stays a no-op
    record(
        actor=actor,
        actor_username=command,
        action=AuditEntry.Action.IMPORT,
        object_type="regions.region",
        object_id=object_id,
        object_repr=what,
        changes=result.changes,
        note=_("新增 %(created)d 条，修改 %(updated)d 条，未变 %(unchanged)d 条")
        % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged},
    )


@transaction.atomic
def regions_load_shipped(
    *, province: str | None = None, city: str | None = None, progress: ProgressCallback | None = None, actor=None
) -> LoadResult:
    """Load the shipped 2023 divisions (all provinces and cities; lower levels limited to province / city)."""
    _check(actor)
    result = loading.load_shipped(province=province, city=city, progress=progress)
    where = city or province or ""
    _record(
        actor=actor,
        command="shegong regions load",
        object_id=where or "all",
        what=_("2023 年统计用区划代码（%(where)s）") % {"where": where or _("全国")},
        result=result,
    )
    return result


@transaction.atomic
def regions_import_nbs(*, path: Path, progress: ProgressCallback | None = None, actor=None) -> LoadResult:
    """Import an official NBS file (see nbs.FORMAT_HELP). All or nothing: a bad line raises NbsFileError."""
    _check(actor)
    rows = nbs.read(path)
    totals: dict[int, int] = {}
    for row in rows:
        totals[row.level] = totals.get(row.level, 0) + 1
    result = loading.load(rows, totals=totals, progress=progress)
    _record(
        actor=actor,
        command="shegong regions import-nbs",
        object_id=path.name[:64],
        what=_("国家统计局区划文件 %(name)s") % {"name": path.name},
        result=result,
    )
    return result
