"""Writing the audit log. Every service that changes something calls `record` inside its own transaction."""

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC

from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.audit.models import AuditChainHead, AuditEntry
from shegong.core.fields import BlindIndexField, EncryptedCharField
from shegong.core.request_context import current_client

GENESIS_HASH = "0" * 64
VIEW_PERMISSION = "audit.view_auditentry"

# The fields an entry's hash covers, in the order `shegong audit verify` reads them.
HASHED_FIELDS = (
    "sequence",
    "created_at",
    "actor_id",
    "actor_username",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "changes",
    "note",
    "ip",
    "user_agent",
    "previous_hash",
)


def snapshot(instance: models.Model, fields: list[str] | None = None) -> dict:
    """The instance's concrete field values as JSON-safe text, personal identifiers masked."""
    values = {}
    for field in instance._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        if isinstance(field, BlindIndexField) or field.name.endswith("_index") or field.name == "password":
            continue
        value = getattr(instance, field.attname)
        if isinstance(field, EncryptedCharField):
            value = field.mask(value) if value else ""
        values[field.name] = None if value is None else str(value)
    return values


def diff(before: dict, after: dict) -> dict:
    """Changed fields as {field: [before, after]}."""
    keys = sorted(set(before) | set(after))
    return {key: [before.get(key), after.get(key)] for key in keys if before.get(key) != after.get(key)}


def digest(values: Mapping) -> str:
    """The hash of an entry's content (HASHED_FIELDS) including its predecessor's hash."""
    payload = {name: values[name] for name in HASHED_FIELDS}
    payload["created_at"] = values["created_at"].astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    canonical = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def entry_digest(entry: AuditEntry) -> str:
    """The hash of a stored or about-to-be-stored entry; any edit to its row changes it."""
    return digest({name: getattr(entry, name) for name in HASHED_FIELDS})


def _as_stored(changes: dict | None) -> dict:
    # Hash exactly what the database will hand back: JSON round-tripping turns tuples into lists, dates and decimals
    # into text and non-text keys into text, so verification later recomputes the same digest.
    return json.loads(json.dumps(changes or {}, cls=DjangoJSONEncoder, ensure_ascii=False))


def record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    changes: dict | None = None,
    note: str = "",
    actor_username: str = "",
) -> AuditEntry:
    """Append one entry. Must run inside the transaction of the write it describes, so both commit or neither does.

    The chain head row is locked until that transaction ends, which serialises appends (the chain never forks) but
    also means a service should do its slow work before calling `record`, not after.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("audit.record must be called inside the transaction of the write it records")
    client = current_client()
    head, _created = AuditChainHead.objects.select_for_update().get_or_create(
        id=1, defaults={"last_sequence": 0, "last_hash": GENESIS_HASH}
    )
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    entry = AuditEntry(
        sequence=head.last_sequence + 1,
        created_at=timezone.now(),
        actor=actor if is_user else None,
        actor_username=str(actor.get_username() if is_user else actor_username)[:150],
        action=str(action),
        object_type=str(object_type)[:100],
        object_id=str(object_id)[:64],
        object_repr=str(object_repr)[:200],
        changes=_as_stored(changes),
        note=str(note),
        # The address may come from a proxy header: never let an odd value break the write it accompanies.
        ip=client.ip[:45],
        user_agent=client.user_agent[:500],
        previous_hash=head.last_hash,
    )
    entry.entry_hash = entry_digest(entry)
    entry.save(force_insert=True)
    head.last_sequence = entry.sequence
    head.last_hash = entry.entry_hash
    head.save(update_fields=["last_sequence", "last_hash"])
    return entry


def record_change(*, actor, action: str, obj: models.Model, before: dict | None, note: str = "") -> AuditEntry:
    """Shortcut for the common case: compare a snapshot taken before the write with the object as it is now."""
    after = snapshot(obj) if action != AuditEntry.Action.DELETE else {}
    return record(actor=actor, action=action, obj=obj, changes=diff(before or {}, after), note=note)


@transaction.atomic
def record_standalone(**kwargs) -> AuditEntry:
    """For events that are not part of another write (a login, a failed login, a view of a sensitive value)."""
    return record(**kwargs)


@transaction.atomic
def audit_export(*, actor, filters: str, count: int) -> AuditEntry:
    """The audit admin exported part of the log: who, when, which filters and how many rows (导出也须留痕)."""
    if not actor.has_perm(VIEW_PERMISSION):
        raise PermissionDenied(_("您没有查看操作日志的权限。"))
    return record(
        actor=actor,
        action=AuditEntry.Action.EXPORT,
        object_type=AuditEntry._meta.label_lower,
        object_repr=str(AuditEntry._meta.verbose_name),
        note=_("导出 %(count)d 条；筛选条件：%(filters)s") % {"count": count, "filters": filters or _("无")},
    )
