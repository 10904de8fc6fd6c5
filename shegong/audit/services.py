"""Writing the audit log. Every service that changes something calls `record` inside its own transaction."""

import hashlib
import json
from datetime import UTC

from django.db import connection, models, transaction
from django.utils import timezone

from shegong.audit.models import AuditChainHead, AuditEntry
from shegong.core.fields import EncryptedCharField
from shegong.core.request_context import current_client

GENESIS_HASH = "0" * 64


def snapshot(instance: models.Model, fields: list[str] | None = None) -> dict:
    """The instance's concrete field values as JSON-safe text, personal identifiers masked."""
    values = {}
    for field in instance._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        if field.name.endswith("_index") or field.name == "password":
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


def entry_digest(entry: AuditEntry) -> str:
    """The hash of an entry's content and its predecessor's hash; any edit to a stored row changes it."""
    payload = {
        "sequence": entry.sequence,
        "created_at": entry.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor_id": entry.actor_id,
        "actor_username": entry.actor_username,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "changes": entry.changes,
        "note": entry.note,
        "ip": entry.ip,
        "user_agent": entry.user_agent,
        "previous_hash": entry.previous_hash,
    }
    canonical = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


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
    """Append one entry. Must run inside the transaction of the write it describes, so both commit or neither does."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit.record must be called inside the transaction of the write it records")
    client = current_client()
    head, _created = AuditChainHead.objects.select_for_update().get_or_create(
        id=1, defaults={"last_sequence": 0, "last_hash": GENESIS_HASH}
    )
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    entry = AuditEntry(
        sequence=head.last_sequence + 1,
        created_at=timezone.now(),
        actor=actor if is_user else None,
        actor_username=(actor.get_username() if is_user else actor_username)[:150],
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:200],
        changes=changes or {},
        note=note,
        ip=client.ip,
        user_agent=client.user_agent,
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
