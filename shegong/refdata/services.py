"""Every write to dictionaries: one function per action, atomic, permission-checked (refdata.change_dictionary, the
system administrator's), validated and audited. Item codes are immutable once created: records elsewhere hold them."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from shegong.audit.models import AuditEntry
from shegong.audit.services import diff, record, snapshot
from shegong.refdata.models import Dictionary, DictionaryItem
from shegong.refdata.selectors import CHANGE

DICTIONARY_FIELDS = ["name", "description", "source"]
ITEM_FIELDS = ["code", "name", "description", "source", "sort_order", "is_active"]
STEP = 10


def _require_change(actor) -> None:
    if not actor.has_perm(CHANGE):
        raise PermissionDenied(_("您没有维护字典的权限。"))


def _audit(actor, action, obj, before: dict, fields: list[str], note: str = "") -> None:
    changes = diff(before, snapshot(obj, fields))
    if changes:
        record(actor=actor, action=action, obj=obj, changes=changes, note=note)


def _note(item: DictionaryItem) -> str:
    return _("字典「%(dictionary)s」（%(code)s）") % {"dictionary": item.dictionary.name, "code": item.dictionary.code}


@transaction.atomic
def dictionary_update(
    *, actor, dictionary: Dictionary, name: str, description: str = "", source: str = ""
) -> Dictionary:
    _require_change(actor)
    dictionary = Dictionary.objects.select_for_update().get(pk=dictionary.pk)
    before = snapshot(dictionary, DICTIONARY_FIELDS)
    dictionary.name, dictionary.description, dictionary.source = name.strip(), description.strip(), source.strip()
    dictionary.full_clean()
    dictionary.save()
    _audit(actor, AuditEntry.Action.UPDATE, dictionary, before, DICTIONARY_FIELDS)
    return dictionary


@transaction.atomic
def item_create(
    *, actor, dictionary: Dictionary, code: str, name: str, description: str = "", source: str = ""
) -> DictionaryItem:
    """Add an item at the end of the list."""
    _require_change(actor)
    dictionary = Dictionary.objects.select_for_update().get(pk=dictionary.pk)
    code = code.strip()
    if DictionaryItem.objects.filter(dictionary=dictionary, code=code).exists():
        raise ValidationError({"code": _("代码“%(code)s”已被本字典使用（含已停用项）。") % {"code": code}})
    last = DictionaryItem.objects.filter(dictionary=dictionary).aggregate(last=Max("sort_order"))["last"] or 0
    item = DictionaryItem(
        dictionary=dictionary,
        code=code,
        name=name.strip(),
        description=description.strip(),
        source=source.strip(),
        sort_order=last + STEP,
    )
    item.full_clean()
    item.save()
    _audit(actor, AuditEntry.Action.CREATE, item, {}, ITEM_FIELDS, _note(item))
    return item


@transaction.atomic
def item_update(*, actor, item: DictionaryItem, name: str, description: str = "", source: str = "") -> DictionaryItem:
    """Rename or re-describe an item. The code is not a parameter: it never changes."""
    _require_change(actor)
    item = DictionaryItem.objects.select_for_update().select_related("dictionary").get(pk=item.pk)
    before = snapshot(item, ITEM_FIELDS)
    item.name, item.description, item.source = name.strip(), description.strip(), source.strip()
    item.full_clean()
    item.save()
    _audit(actor, AuditEntry.Action.UPDATE, item, before, ITEM_FIELDS, _note(item))
    return item


@transaction.atomic
def item_set_active(*, actor, item: DictionaryItem, active: bool) -> DictionaryItem:
    """Retire an item (it disappears from choices; records holding its code keep their label) or bring it back."""
    _require_change(actor)
    item = DictionaryItem.objects.select_for_update().select_related("dictionary").get(pk=item.pk)
    before = snapshot(item, ITEM_FIELDS)
    item.is_active = active
    item.save(update_fields=["is_active", "updated_at"])
    _audit(actor, AuditEntry.Action.UPDATE, item, before, ITEM_FIELDS, _note(item))
    return item


@transaction.atomic
def item_move(*, actor, item: DictionaryItem, offset: int) -> DictionaryItem:
    """Move an item up (offset -1) or down (+1) in its list. The list is renumbered 10, 20, 30 … so that equal or
    crowded sort orders never block a move; every item whose position changed is audited."""
    _require_change(actor)
    if offset not in (-1, 1):
        raise ValidationError(_("只能上移或下移一位。"))
    dictionary = Dictionary.objects.select_for_update().get(pk=item.dictionary_id)
    rows = list(DictionaryItem.objects.filter(dictionary=dictionary).order_by("sort_order", "code"))
    index = next(i for i, row in enumerate(rows) if row.pk == item.pk)
    target = index + offset
    if 0 <= target < len(rows):
        rows[index], rows[target] = rows[target], rows[index]
    moved = None
    for position, row in enumerate(rows, start=1):
        if row.pk == item.pk:
            moved = row
        if row.sort_order != position * STEP:
            before = snapshot(row, ITEM_FIELDS)
            row.sort_order = position * STEP
            row.save(update_fields=["sort_order", "updated_at"])
            row.dictionary = dictionary
            _audit(actor, AuditEntry.Action.UPDATE, row, before, ITEM_FIELDS, _note(row))
    return moved
