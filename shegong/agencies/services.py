"""Every write to the agency register: one function per action, atomic, validated, permission- and scope-checked,
audited in the same transaction (DESIGN.md §5)."""

import datetime
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.accounts.selectors import grant_covers
from shegong.agencies import rules, selectors
from shegong.agencies.models import (
    SERVICE_DOMAIN_DICTIONARY,
    Agency,
    AgencyRating,
    AgencyServiceDomain,
    AgencyStatus,
    AgencyStatusEvent,
)
from shegong.audit.models import AuditEntry
from shegong.audit.services import diff, record, snapshot
from shegong.core.scope import in_scope

AGENCY_FIELDS = [
    "name",
    "credit_code",
    "legal_form",
    "registration_authority",
    "region",
    "founded_on",
    "contact_person",
    "contact_phone",
    "address",
]
EDITABLE_FIELDS = [*AGENCY_FIELDS, "service_domains"]


def _require_perm(actor, perm: str) -> None:
    if actor is None or not actor.has_perm(perm):
        raise PermissionDenied(_("您没有执行此操作的权限。"))


def _require_in_scope(actor, agency: Agency, perm: str) -> None:
    _require_perm(actor, perm)
    # Views answer 404 before getting here (get_scoped_or_404); this guards the other callers (API, imports, shell).
    if not in_scope(actor, agency, perm):
        raise PermissionDenied(_("该机构不在您的管辖范围内。"))


def _check_region(actor, region, perm: str) -> None:
    if region is not None and not grant_covers(actor, perm, region=region):
        raise ValidationError({"region": _("所在区划不在您的管辖范围内。")}, code="region_out_of_scope")


def _not_in_future(day: datetime.date | None, field: str, label: str) -> None:
    if day is not None and day > timezone.localdate():
        raise ValidationError({field: _("%(label)s不能晚于今天。") % {"label": label}}, code="future_date")


def _normalized_code(value: str) -> str:
    return (value or "").strip().upper().replace(" ", "")


def _check_credit_code_free(credit_code: str, exclude_pk: int | None = None) -> None:
    taken = Agency.objects.filter(credit_code=credit_code)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if credit_code and taken.exists():
        # The holder may be outside the actor's scope: say that the code is taken, not by whom.
        raise ValidationError(
            {"credit_code": _("统一社会信用代码 %(code)s 已登记，同一机构不能重复登记。") % {"code": credit_code}},
            code="duplicate_credit_code",
        )


def _domains(items: Iterable) -> list:
    """The service domains as dictionary items, checked to be active items of the service_domain dictionary."""
    from shegong.refdata.models import DictionaryItem

    items = list(dict.fromkeys(items or []))
    ids = [item.pk if isinstance(item, DictionaryItem) else item for item in items]
    found = {
        item.pk: item
        for item in DictionaryItem.objects.filter(
            pk__in=ids, dictionary__code=SERVICE_DOMAIN_DICTIONARY, is_active=True
        )
    }
    unknown = [str(pk) for pk in ids if pk not in found]
    if unknown:
        raise ValidationError({"service_domains": _("服务领域无效或已停用。")}, code="invalid_domain")
    return [found[pk] for pk in ids]


def _domain_text(agency: Agency) -> str:
    return "、".join(agency.service_domains.order_by("sort_order", "code").values_list("name", flat=True))


def _set_domains(agency: Agency, domains: list) -> None:
    wanted = {item.pk for item in domains}
    current = set(agency.domain_links.values_list("domain_id", flat=True))
    agency.domain_links.filter(domain_id__in=current - wanted).delete()
    AgencyServiceDomain.objects.bulk_create(
        AgencyServiceDomain(agency=agency, domain_id=pk) for pk in sorted(wanted - current)
    )


def _agency_state(agency: Agency) -> dict:
    values = snapshot(agency, AGENCY_FIELDS)
    values["service_domains"] = _domain_text(agency) if agency.pk else ""
    return values


def _agency_changes(before: dict, after: dict, phone_changed: bool) -> dict:
    changes = diff(before, after)
    if phone_changed and "contact_phone" not in changes:
        # The log keeps phones masked; a change the mask hides must still show that something changed.
        changed = _("已修改")
        changes["contact_phone"] = [before.get("contact_phone"), f"{after.get('contact_phone')} ({changed})"]
    return changes


@transaction.atomic
def agency_create(
    *,
    actor,
    name: str,
    credit_code: str,
    legal_form: str,
    region,
    registration_authority: str = "",
    founded_on: datetime.date | None = None,
    service_domains: Iterable = (),
    contact_person: str = "",
    contact_phone: str = "",
    address: str = "",
) -> Agency:
    """Register an agency in a region of the actor's scope."""
    _require_perm(actor, selectors.ADD)
    _check_region(actor, region, selectors.ADD)
    _not_in_future(founded_on, "founded_on", _("成立日期"))
    domains = _domains(service_domains)
    agency = Agency(
        name=(name or "").strip(),
        credit_code=_normalized_code(credit_code),
        legal_form=legal_form,
        region=region,
        registration_authority=(registration_authority or "").strip(),
        founded_on=founded_on,
        contact_person=(contact_person or "").strip(),
        contact_phone=contact_phone or "",
        address=(address or "").strip(),
    )
    _check_credit_code_free(agency.credit_code)
    agency.full_clean()
    agency.save()
    _set_domains(agency, domains)
    record(actor=actor, action=AuditEntry.Action.CREATE, obj=agency, changes=diff({}, _agency_state(agency)))
    return agency


@transaction.atomic
def agency_update(*, actor, agency: Agency, **changes) -> Agency:
    """Change an agency's registration details (any of EDITABLE_FIELDS). Moving it to another region needs that
    region to be in the actor's scope as well."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"agency_update cannot change {sorted(unknown)}")
    _require_in_scope(actor, agency, selectors.CHANGE)
    agency = Agency.objects.select_for_update().get(pk=agency.pk)
    before = _agency_state(agency)
    phone_before = agency.contact_phone
    domains = _domains(changes.pop("service_domains")) if "service_domains" in changes else None
    if "credit_code" in changes:
        changes["credit_code"] = _normalized_code(changes["credit_code"])
    for name in ("name", "registration_authority", "contact_person", "address"):
        if name in changes:
            changes[name] = (changes[name] or "").strip()
    if "region" in changes and changes["region"] is not None and changes["region"].pk != agency.region_id:
        _check_region(actor, changes["region"], selectors.CHANGE)
    if "founded_on" in changes:
        _not_in_future(changes["founded_on"], "founded_on", _("成立日期"))
    for name, value in changes.items():
        setattr(agency, name, value)
    _check_credit_code_free(agency.credit_code, exclude_pk=agency.pk)
    agency.full_clean()
    agency.save()
    if domains is not None:
        _set_domains(agency, domains)
    after = _agency_state(agency)
    change_set = _agency_changes(before, after, phone_before != agency.contact_phone)
    if change_set:
        record(actor=actor, action=AuditEntry.Action.UPDATE, obj=agency, changes=change_set)
    return agency


def _refresh_latest(agency: Agency) -> None:
    """Copy the most recent rating and status entry into the agency's cached columns (see Agency)."""
    rating = agency.ratings.order_by("-rated_on").first()
    event = agency.status_events.order_by("-valid_from").first()
    agency.latest_rating_level = rating.level if rating else None
    agency.latest_rating_valid_until = rating.valid_until if rating else None
    agency.latest_status = event.status if event else AgencyStatus.NORMAL
    agency.latest_status_from = event.valid_from if event else None
    agency.latest_status_to = event.valid_to if event else None
    agency.save(
        update_fields=[
            "latest_rating_level",
            "latest_rating_valid_until",
            "latest_status",
            "latest_status_from",
            "latest_status_to",
            "updated_at",
        ]
    )


@transaction.atomic
def agency_rate(
    *, actor, agency: Agency, level: int, score, rated_on: datetime.date, source_document: str
) -> AgencyRating:
    """Record a rating (评估等级). The score must fall in the level's range under the cut-offs in force for the
    agency's region on the rating date; the rating holds for the validity in force then (rules.py)."""
    _require_in_scope(actor, agency, selectors.RATE)
    agency = Agency.objects.select_for_update().get(pk=agency.pk)
    if level not in AgencyRating.Level.values:
        raise ValidationError({"level": _("评估等级须为 1A 至 5A。")}, code="invalid_level")
    if rated_on is None:
        raise ValidationError({"rated_on": _("请填写认定日期。")}, code="required")
    _not_in_future(rated_on, "rated_on", _("认定日期"))
    if agency.founded_on and rated_on < agency.founded_on:
        raise ValidationError({"rated_on": _("认定日期不能早于机构成立日期。")}, code="before_founding")
    if agency.ratings.filter(rated_on=rated_on).exists():
        raise ValidationError(
            {"rated_on": _("该机构在 %(day)s 已有一条评估等级记录。") % {"day": rated_on}}, code="duplicate_rating"
        )
    try:
        score = Decimal(str(score).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({"score": _("评估得分须是数字。")}, code="invalid_score") from None
    if not score.is_finite() or score != score.quantize(Decimal("0.01")):
        raise ValidationError({"score": _("评估得分最多保留两位小数。")}, code="invalid_score")
    policy = rules.rating_policy(agency.region_id, rated_on)
    rules.check_score(policy, level, score)
    rating = AgencyRating(
        agency=agency,
        level=level,
        score=score,
        full_score=policy.full_score,
        rated_on=rated_on,
        valid_until=policy.valid_until(rated_on),
        source_document=(source_document or "").strip(),
        policy_note=policy.note()[:300],
        created_by=actor,
    )
    rating.full_clean()
    rating.save()
    _refresh_latest(agency)
    record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=rating,
        changes=diff({}, snapshot(rating, ["agency", "level", "score", "rated_on", "valid_until", "source_document"])),
        note=rating.policy_note,
    )
    return rating


@transaction.atomic
def agency_change_status(
    *,
    actor,
    agency: Agency,
    status: str,
    reason: str,
    source_document: str,
    valid_from: datetime.date,
    valid_to: datetime.date | None = None,
) -> AgencyStatusEvent:
    """Put an agency on the abnormal list or the blacklist, or take it off (status normal), from `valid_from`.

    The entry supersedes the earlier ones from its start date (models.AgencyStatusEvent). It cannot start in the
    future: the list shows a decision once it is in force, and the cached current status relies on it.
    """
    _require_in_scope(actor, agency, selectors.CHANGE_STATUS)
    agency = Agency.objects.select_for_update().get(pk=agency.pk)
    if status not in AgencyStatus.values:
        raise ValidationError({"status": _("请选择状态。")}, code="invalid_status")
    if valid_from is None:
        raise ValidationError({"valid_from": _("请填写起始日期。")}, code="required")
    _not_in_future(valid_from, "valid_from", _("起始日期"))
    if valid_to is not None and valid_to <= valid_from:
        raise ValidationError({"valid_to": _("截止日期须晚于起始日期。")}, code="invalid_period")
    reason, source_document = (reason or "").strip(), (source_document or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写原因。")}, code="required")
    if not source_document:
        raise ValidationError({"source_document": _("请填写依据文件（决定书或公告的名称和文号）。")}, code="required")
    if agency.status_events.filter(valid_from=valid_from).exists():
        raise ValidationError(
            {"valid_from": _("该机构在 %(day)s 已有一条状态记录，请核对日期。") % {"day": valid_from}},
            code="duplicate_status",
        )
    if status == AgencyStatus.NORMAL and not selectors.status_on(agency, valid_from).is_listed:
        raise ValidationError(
            {"status": _("该机构在 %(day)s 并未被列入异常名录或黑名单，无需移出。") % {"day": valid_from}},
            code="already_normal",
        )
    event = AgencyStatusEvent(
        agency=agency,
        status=status,
        reason=reason,
        source_document=source_document,
        valid_from=valid_from,
        valid_to=valid_to,
        created_by=actor,
    )
    event.full_clean()
    event.save()
    _refresh_latest(agency)
    record(
        actor=actor,
        action=AuditEntry.Action.TRANSITION,
        obj=agency,
        changes=diff({}, snapshot(event, ["status", "reason", "source_document", "valid_from", "valid_to"])),
        note=_("监管状态：%(status)s") % {"status": event.get_status_display()},
    )
    return event


def assert_agency_contractable(agency: Agency, on_date: datetime.date) -> None:
    """Refuse an agency that is on the abnormal list or the blacklist on `on_date`, e.g. as the contractor of a
    government-purchased project (the projects app calls this in its own services)."""
    found = selectors.status_on(agency, on_date)
    if not found.is_listed:
        return
    event = found.event
    raise ValidationError(
        _(
            "“%(name)s”自 %(since)s 起被列入%(status)s（原因：%(reason)s；依据：%(document)s），"
            "%(day)s 不能承接政府购买服务项目。"
        )
        % {
            "name": agency.name,
            "since": event.valid_from,
            "status": found.label,
            "reason": event.reason,
            "document": event.source_document,
            "day": on_date,
        },
        code=f"agency_{found.status}",
    )
