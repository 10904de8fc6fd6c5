"""Every write to the recipients register: atomic, permission and scope checked, audited in the same transaction.

Deduplication: one person, one record, through the ID number's keyed hash (a database constraint backs the check
against concurrent registrations). The refusal names the existing record's community only to an actor who may see it;
anyone else gets a neutral message, because who is registered where is itself personal data.
"""

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.audit.models import AuditEntry
from shegong.audit.services import diff, record, snapshot
from shegong.core.fields import blind_index_for
from shegong.core.scope import scoped
from shegong.recipients import permissions
from shegong.recipients.identity import parse_recipient_id
from shegong.recipients.levels import VISIT_INTERVAL_DAYS
from shegong.recipients.models import CATEGORY_DICTIONARY, ConsentScope, Recipient, RecipientCategory
from shegong.regions.codes import subtree_bounds
from shegong.regions.models import Region
from shegong.stations.models import Station
from shegong.workers.identity import name_initials

DUPLICATE_ID = "duplicate_id"
SERVING_KINDS = (Station.Kind.STATION, Station.Kind.ROOM)
EDITABLE = (
    "name",
    "id_number",
    "no_id_reason",
    "birth_date",
    "sex",
    "phone",
    "community",
    "station",
    "attention_level",
    "last_visit_on",
    "household_separated",
    "household_region",
    "contact_name",
    "contact_relation",
    "contact_phone",
    "consent_given_on",
    "consent_scopes",
)


def _require(actor, perm: str) -> None:
    if actor is not None and not actor.has_perm(perm):
        raise PermissionDenied(_("您没有执行此操作的权限。"))


def _assert_reachable(actor, recipient: Recipient, perm: str) -> None:
    """The record as saved must lie in the actor's scope: nobody registers a person they could not see, or moves one
    out of their own reach (the transaction is rolled back)."""
    if actor is not None and not scoped(Recipient, actor, perm).filter(pk=recipient.pk).exists():
        raise ValidationError(
            {
                "community": _(
                    "所在村（社区）或服务站点不在您的管辖范围内：只能登记和调整本辖区（本站点、本机构）的服务对象。"
                )
            },
            code="outside_scope",
        )


def duplicate_error(actor, existing: Recipient | None) -> ValidationError:
    if (
        existing is not None
        and actor is not None
        and scoped(Recipient, actor, permissions.VIEW).filter(pk=existing.pk).exists()
    ):
        message = _(
            "该身份证号已登记为服务对象（%(community)s，%(name)s），同一人不能重复登记，请直接编辑已有记录。"
        ) % {
            "community": existing.community.name,
            "name": existing.name,
        }
    else:
        message = _("该身份证号已有服务对象登记记录，同一人不能重复登记。如需在本辖区服务，请联系民政部门核实。")
    return ValidationError({"id_number": ValidationError(message, code=DUPLICATE_ID)})


def _existing_holder(recipient: Recipient) -> Recipient | None:
    if not recipient.id_number_index:
        return None
    return (
        Recipient.all_records.select_related("community")
        .filter(id_number_index=recipient.id_number_index)
        .exclude(pk=recipient.pk)
        .first()
    )


def _category_items(values: Iterable) -> list:
    from shegong.refdata.models import DictionaryItem

    values = list(values or [])
    if not values:
        return []
    codes = {value.code if isinstance(value, DictionaryItem) else str(value) for value in values}
    items = list(DictionaryItem.objects.filter(dictionary__code=CATEGORY_DICTIONARY, code__in=codes, is_active=True))
    if len(items) != len(codes):
        raise ValidationError({"categories": _("服务对象类别不在字典 recipient_category 中，或已停用。")})
    return items


def _set_categories(recipient: Recipient, items: list) -> None:
    RecipientCategory.objects.filter(recipient=recipient).exclude(category__in=items).delete()
    existing = set(RecipientCategory.objects.filter(recipient=recipient).values_list("category_id", flat=True))
    RecipientCategory.objects.bulk_create(
        RecipientCategory(recipient=recipient, category=item) for item in items if item.pk not in existing
    )


def _apply(recipient: Recipient, values: dict) -> dict:
    """Copy the values onto the record, derive what is derived, and collect every error (field → messages)."""
    errors: dict[str, list] = {}
    for key, value in values.items():
        setattr(recipient, key, value)
    recipient.name = (recipient.name or "").strip()
    recipient.name_initials = name_initials(recipient.name)
    number = (recipient.id_number or "").strip()
    if number:
        try:
            facts = parse_recipient_id(number)
        except ValidationError as exc:
            errors["id_number"] = exc.messages
        else:
            recipient.id_number = facts.id_number
            recipient.birth_date = facts.birth_date
            recipient.sex = facts.sex
            recipient.id_number_index = blind_index_for(Recipient, "id_number", facts.id_number)
            recipient.no_id_reason = ""
    else:
        recipient.id_number = ""
        recipient.id_number_index = None
        if not recipient.no_id_reason:
            errors["no_id_reason"] = [_("没有身份证号时，请选择原因（无证件、外籍、未成年未办证等）。")]
        if recipient.birth_date is None:
            errors["birth_date"] = [_("没有身份证号时，请填写出生日期。")]
        elif recipient.birth_date > timezone.localdate():
            errors["birth_date"] = [_("出生日期不能晚于今天。")]
        if not recipient.sex:
            errors["sex"] = [_("没有身份证号时，请选择性别。")]
    community = recipient.community if recipient.community_id else None
    if community is None or community.level != Region.Level.VILLAGE:
        errors["community"] = [_("请选择到村（社区）一级。")]
    else:
        recipient.province_code = community.code[:2]
        station = recipient.station if recipient.station_id else None
        if station is not None:
            low, high = subtree_bounds(station.region_id, station.region.level)
            if station.kind not in SERVING_KINDS:
                errors["station"] = [_("服务站点应为镇街社工站或村社社工室。")]
            elif not low <= community.code <= high:
                errors["station"] = [_("所选服务站点不覆盖该村（社区）。")]
    if recipient.household_separated:
        if recipient.household_region_id and recipient.household_region_id == recipient.community_id:
            errors["household_region"] = [_("人户分离时，户籍地应与居住的村（社区）不同。")]
    else:
        recipient.household_region = None
    if recipient.attention_level not in VISIT_INTERVAL_DAYS:
        errors["attention_level"] = [_("关注等级应为 1 至 6 级。")]
    if recipient.last_visit_on and recipient.last_visit_on > timezone.localdate():
        errors["last_visit_on"] = [_("最近探访日期不能晚于今天。")]
    errors.update(_consent_errors(recipient.consent_given_on, recipient.consent_scopes))
    if (recipient.contact_phone or recipient.contact_relation) and not (recipient.contact_name or "").strip():
        errors["contact_name"] = [_("填写联系人电话或关系时，请同时填写联系人姓名。")]
    return errors


def _consent_errors(given_on, scopes) -> dict:
    errors = {}
    if given_on is None:
        errors["consent_given_on"] = [_("请填写知情同意日期：未经本人（或监护人）同意不能登记。")]
    elif given_on > timezone.localdate():
        errors["consent_given_on"] = [_("知情同意日期不能晚于今天。")]
    scopes = list(scopes or [])
    if not scopes:
        errors["consent_scopes"] = [_("请至少选择一项同意范围。")]
    elif any(scope not in ConsentScope.values for scope in scopes):
        errors["consent_scopes"] = [_("同意范围不正确。")]
    elif ConsentScope.SERVICE_RECORD not in scopes:
        errors["consent_scopes"] = [_("同意范围须包含“服务记录”：登记本身就是服务记录。")]
    return errors


def _validate_and_save(actor, recipient: Recipient, values: dict, categories) -> list:
    errors = _apply(recipient, values)
    items = []
    if categories is not None:
        try:
            items = _category_items(categories)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if not errors:
        holder = _existing_holder(recipient)
        if holder is not None:
            raise duplicate_error(actor, holder)
        try:
            recipient.full_clean(exclude=["id_number_index", "phone_index", "created_by"], validate_unique=False)
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                errors.setdefault(key, messages)
    if errors:
        raise ValidationError(errors)
    recipient.consent_scopes = [scope for scope in ConsentScope.values if scope in recipient.consent_scopes]
    try:
        with transaction.atomic():
            recipient.save()
    except IntegrityError:
        holder = _existing_holder(recipient)
        if holder is not None:  # registered by another request between the check and this write
            raise duplicate_error(actor, holder) from None
        raise
    return items


@transaction.atomic
def recipient_create(*, actor, categories: Iterable = (), **values) -> Recipient:
    """Register a person. Birth date and sex come from the ID number when there is one, else they are entered."""
    _require(actor, permissions.ADD)
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise TypeError(f"unknown recipient fields: {sorted(unknown)}")
    values.setdefault("consent_scopes", [ConsentScope.SERVICE_RECORD])
    recipient = Recipient(created_by=actor if getattr(actor, "is_authenticated", False) else None)
    items = _validate_and_save(actor, recipient, values, categories)
    _set_categories(recipient, items)
    _assert_reachable(actor, recipient, permissions.ADD)
    after = snapshot(recipient)
    after["categories"] = ",".join(sorted(item.code for item in items))
    record(actor=actor, action=AuditEntry.Action.CREATE, obj=recipient, changes=diff({}, after))
    return recipient


def _locked(actor, recipient: Recipient, perm: str) -> Recipient:
    """The record re-read under a row lock, inside the actor's scope (a concurrent edit waits for this one)."""
    _require(actor, perm)
    rows = Recipient.objects.all() if actor is None else scoped(Recipient, actor, perm)
    locked = rows.select_for_update().filter(pk=recipient.pk).first()
    if locked is None:
        raise PermissionDenied(_("该服务对象不在您的管辖范围内，或已撤回同意。"))
    return locked


def _categories_snapshot(recipient: Recipient) -> str:
    return ",".join(sorted(recipient.category_links.values_list("category__code", flat=True)))


@transaction.atomic
def recipient_update(*, actor, recipient: Recipient, categories: Iterable | None = None, **values) -> Recipient:
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise TypeError(f"unknown recipient fields: {sorted(unknown)}")
    recipient = _locked(actor, recipient, permissions.CHANGE)
    before = snapshot(recipient)
    before["categories"] = _categories_snapshot(recipient)
    items = _validate_and_save(actor, recipient, values, categories)
    if categories is not None:
        _set_categories(recipient, items)
    _assert_reachable(actor, recipient, permissions.CHANGE)
    after = snapshot(recipient)
    after["categories"] = _categories_snapshot(recipient)
    record(actor=actor, action=AuditEntry.Action.UPDATE, obj=recipient, changes=diff(before, after))
    return recipient


@transaction.atomic
def recipient_set_categories(*, actor, recipient: Recipient, categories: Iterable) -> Recipient:
    recipient = _locked(actor, recipient, permissions.CHANGE)
    before = _categories_snapshot(recipient)
    _set_categories(recipient, _category_items(categories))
    after = _categories_snapshot(recipient)
    record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        obj=recipient,
        changes=diff({"categories": before}, {"categories": after}),
    )
    return recipient


@transaction.atomic
def recipient_give_consent(*, actor, recipient: Recipient, on: datetime.date, scopes: Iterable) -> Recipient:
    """Record a (renewed) consent: its date and scope replace the previous ones."""
    recipient = _locked(actor, recipient, permissions.CHANGE)
    scopes = list(scopes or [])
    errors = _consent_errors(on, scopes)
    if errors:
        raise ValidationError({"on" if key == "consent_given_on" else "scopes": v for key, v in errors.items()})
    before = snapshot(recipient)
    recipient.consent_given_on = on
    recipient.consent_scopes = [scope for scope in ConsentScope.values if scope in scopes]
    recipient.save(update_fields=["consent_given_on", "consent_scopes", "updated_at"])
    record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        obj=recipient,
        changes=diff(before, snapshot(recipient)),
        note=_("知情同意"),
    )
    return recipient


@transaction.atomic
def recipient_withdraw_consent(*, actor, recipient: Recipient, on: datetime.date, reason: str) -> Recipient:
    """The person withdraws consent: from now on the record is hidden from everyone but the bureau's legally
    required view (see the models module). The row and its service history are kept."""
    recipient = _locked(actor, recipient, permissions.CHANGE)
    reason = (reason or "").strip()
    errors = {}
    if on is None:
        errors["on"] = [_("请填写撤回同意的日期。")]
    elif on > timezone.localdate():
        errors["on"] = [_("撤回日期不能晚于今天。")]
    elif on < recipient.consent_given_on:
        errors["on"] = [_("撤回日期不能早于知情同意日期。")]
    if not reason:
        errors["reason"] = [_("请填写撤回原因。")]
    if errors:
        raise ValidationError(errors)
    before = snapshot(recipient)
    recipient.consent_withdrawn_on = on
    recipient.consent_withdrawal_reason = reason[:500]
    recipient.save(update_fields=["consent_withdrawn_on", "consent_withdrawal_reason", "updated_at"])
    record(
        actor=actor,
        action=AuditEntry.Action.TRANSITION,
        obj=recipient,
        changes=diff(before, snapshot(recipient)),
        note=_("撤回知情同意"),
    )
    return recipient
