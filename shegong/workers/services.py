"""Every write to the talent pool: one function per action, atomic, validated, permission- and scope-checked, audited
in the same transaction (DESIGN.md §5).

`actor=None` is reserved for installation scripts (the demo): it skips the permission and scope checks, and the audit
entry names "system".
"""

import datetime
import re
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.audit.models import AuditEntry
from shegong.audit.services import diff, record, snapshot
from shegong.core.fields import blind_index_for, matching
from shegong.core.scope import scoped
from shegong.regions.models import Region
from shegong.workers import permissions, vocabulary
from shegong.workers.grades import LEVEL_RANK, CertificateLevel, JobGrade, required_level, satisfies
from shegong.workers.identity import name_initials, parse_id_number
from shegong.workers.models import Certificate, CreditEvent, SocialWorker, WorkerServiceDomain

WORKER_FIELDS = [
    "name",
    "id_number",
    "birth_date",
    "sex",
    "phone",
    "education",
    "major_social_work",
    "region",
    "agency",
    "employer_kind",
    "employer_name",
    "post_type",
    "job_grade",
    "highest_certificate",
    "is_frontline",
    "status",
    "account",
]
EDITABLE_FIELDS = {
    "name",
    "id_number",
    "phone",
    "education",
    "major_social_work",
    "region",
    "agency",
    "employer_kind",
    "employer_name",
    "post_type",
    "job_grade",
    "service_domains",
    "is_frontline",
    "status",
}
MOBILE = re.compile(r"(\+?86)?1[3-9]\d{9}")
LANDLINE = re.compile(r"0\d{2,3}\d{7,8}")
FIRST_CERTIFICATE_YEAR = 2008  # the first national 社会工作者职业水平考试 was held in 2008
EVIDENCE_EXTENSIONS = {"pdf", "jpg", "jpeg", "png", "doc", "docx", "ofd"}

DUPLICATE_ID = "duplicate_id_number"


def _require(actor, perm: str) -> None:
    if actor is not None and not actor.has_perm(perm):
        raise PermissionDenied(_("您没有执行此操作的权限。"))


def _audit_actor(actor) -> dict:
    return {"actor": actor, "actor_username": "" if actor is not None else "system"}


def _assert_reachable(actor, worker: SocialWorker, perm: str) -> None:
    """The worker, as saved in this transaction, must lie in the actor's scope for `perm`: nobody creates a record
    they could not see, or moves one out of their own reach (the transaction is rolled back)."""
    if actor is None:
        return
    if not scoped(SocialWorker, actor, perm).filter(pk=worker.pk).exists():
        raise ValidationError(
            _("工作地区划或所在机构不在您的管辖范围内：只能登记和调整本辖区（本机构）的人员。"), code="outside_scope"
        )


def _assert_in_scope(actor, worker: SocialWorker, perm: str) -> None:
    """A worker the actor cannot reach with `perm` is refused before anything is written."""
    if actor is None:
        return
    if not scoped(SocialWorker, actor, perm).filter(pk=worker.pk).exists():
        raise PermissionDenied(_("您没有执行此操作的权限。"))


def clean_phone(value: str) -> str:
    """A mobile (11 digits, optionally +86) or a landline with its area code; separators are dropped."""
    text = re.sub(r"[\s\-()（）]", "", value or "")
    if text and not (MOBILE.fullmatch(text) or LANDLINE.fullmatch(text)):
        raise ValidationError(_("电话号码格式不正确：请填写 11 位手机号，或带区号的固定电话。"), code="phone")
    return text


def duplicate_id_error() -> ValidationError:
    # Names nothing of the other record: who holds a number is itself personal data.
    message = _("该身份证号已在人才库中登记，同一人不能重复登记。如需调整工作单位或地区，请联系现登记地的民政部门。")
    return ValidationError({"id_number": ValidationError(message, code=DUPLICATE_ID)})


def _domain_items(values: Iterable) -> list:
    """Service domains as active items of the service_domain dictionary (given as items, ids or codes)."""
    from shegong.refdata.models import DictionaryItem

    values = list(values or [])
    if not values:
        return []
    ids = {value.pk if isinstance(value, DictionaryItem) else value for value in values if not isinstance(value, str)}
    codes = {value for value in values if isinstance(value, str)}
    items = list(vocabulary.domain_items().filter(Q(pk__in=ids) | Q(code__in=codes)))
    if not ids <= {item.pk for item in items} or not codes <= {item.code for item in items}:
        raise ValidationError({"service_domains": _("服务领域无效或已停用。")}, code="invalid_domain")
    return items


def _domain_text(worker: SocialWorker) -> str:
    if not worker.pk:
        return ""
    return "、".join(worker.service_domains.order_by("sort_order", "code").values_list("name", flat=True))


def _snapshot(worker: SocialWorker) -> dict:
    values = snapshot(worker, WORKER_FIELDS)
    values["service_domains"] = _domain_text(worker)
    return values


def _check_code(errors: dict, field: str, value: str, dictionary: str, previous: str = "") -> None:
    if value and value != previous and value not in vocabulary.options(dictionary):
        errors[field] = _("“%(value)s”不在可选范围内。") % {"value": value}


def held_levels(worker: SocialWorker) -> list[str]:
    if not worker.pk:
        return []
    return list(worker.certificates.values_list("level", flat=True))


def highest_level(levels: Iterable[str]) -> str:
    ranked = sorted(levels, key=lambda level: LEVEL_RANK[CertificateLevel(level)])
    return ranked[-1] if ranked else ""


def grade_error(grade: str) -> str:
    level = CertificateLevel(required_level(grade))
    return _(
        "岗位等级“%(grade)s”须持有%(level)s或更高等级的职业水平证书（浙江省《关于进一步加强社会工作专业人才队伍建设的"
        "实施意见》第八条）。请先录入证书，再设置岗位等级。"
    ) % {"grade": JobGrade(grade).label, "level": level.label}


def _validate(worker: SocialWorker, *, previous: SocialWorker | None = None, levels: list[str] | None = None) -> None:
    """Every rule a worker's record must meet before it is written; all problems at once, by field."""
    errors: dict[str, str] = {}
    before = previous or SocialWorker()
    _check_code(errors, "education", worker.education, vocabulary.EDUCATION, before.education)
    _check_code(errors, "post_type", worker.post_type, vocabulary.POST_TYPE, before.post_type)
    if worker.agency_id:
        if worker.employer_kind or worker.employer_name:
            errors["employer_kind"] = _("在社工机构任职时无需填写其他工作单位；请二选一。")
    else:
        _check_code(errors, "employer_kind", worker.employer_kind, vocabulary.EMPLOYER_KIND, before.employer_kind)
        if worker.status == SocialWorker.Status.ACTIVE and not (worker.employer_kind and worker.employer_name):
            errors["employer_kind"] = _("在岗人员须填写所在机构，或其他工作单位的类型和名称。")
    if worker.region_id is None:
        errors["region"] = _("请选择工作地区划（在社工机构任职的可不选，默认为机构所在地区）。")
    elif worker.region.level < Region.Level.COUNTY:
        errors["region"] = _("工作地区划请至少选到区县。")
    try:
        worker.phone = clean_phone(worker.phone)
    except ValidationError as exc:
        errors["phone"] = exc.messages[0]
    if worker.job_grade:
        held = held_levels(worker) if levels is None else levels
        if not satisfies(held, worker.job_grade):
            errors["job_grade"] = grade_error(worker.job_grade)
    try:
        worker.full_clean(exclude=["id_number_index", "phone_index"])
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, messages[0])
    if errors:
        raise ValidationError(errors)


def _apply_identity(worker: SocialWorker, id_number: str) -> None:
    try:
        facts = parse_id_number(id_number)
    except ValidationError as exc:
        raise ValidationError({"id_number": exc.messages[0]}, code=exc.code) from None
    worker.id_number = facts.id_number
    worker.birth_date = facts.birth_date
    worker.sex = facts.sex
    worker.id_number_index = blind_index_for(SocialWorker, "id_number", facts.id_number)


def _apply_derived(worker: SocialWorker) -> None:
    worker.name = (worker.name or "").strip()
    worker.name_initials = name_initials(worker.name)
    if worker.region_id is None and worker.agency_id:
        # An agency's staff work where the agency is unless told otherwise.
        worker.region = worker.agency.region
    worker.province_code = (worker.region_id or "")[:2]


def _save(worker: SocialWorker) -> None:
    try:
        with transaction.atomic():
            worker.save()
    except IntegrityError:
        # Another request registered the same number between our check and this write.
        if _id_taken(worker):
            raise duplicate_id_error() from None
        raise


def _id_taken(worker: SocialWorker) -> bool:
    return matching(SocialWorker.objects.exclude(pk=worker.pk), "id_number", worker.id_number).exists()


def _set_domains(worker: SocialWorker, items: list) -> None:
    WorkerServiceDomain.objects.filter(worker=worker).exclude(domain__in=items).delete()
    existing = set(WorkerServiceDomain.objects.filter(worker=worker).values_list("domain_id", flat=True))
    WorkerServiceDomain.objects.bulk_create(
        WorkerServiceDomain(worker=worker, domain=item) for item in items if item.pk not in existing
    )


@transaction.atomic
def worker_create(
    *,
    actor,
    name: str,
    id_number: str,
    phone: str = "",
    education: str = "",
    major_social_work: bool = False,
    region: Region | None = None,
    agency=None,
    employer_kind: str = "",
    employer_name: str = "",
    post_type: str = "",
    service_domains: Iterable = (),
    is_frontline: bool = True,
    status: str = SocialWorker.Status.ACTIVE,
) -> SocialWorker:
    """Put a person on the register. Birth date and sex come from the ID number; the job grade is set once a
    certificate is on record (worker_set_grade)."""
    _require(actor, permissions.ADD)
    worker = SocialWorker(
        name=name,
        phone=phone,
        education=education,
        major_social_work=major_social_work,
        region=region,
        agency=agency,
        employer_kind=employer_kind,
        employer_name=employer_name,
        post_type=post_type,
        is_frontline=is_frontline,
        status=status,
    )
    errors = {}
    try:
        _apply_identity(worker, id_number)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    _apply_derived(worker)
    if not errors and _id_taken(worker):
        raise duplicate_id_error()
    try:
        domains = _domain_items(service_domains)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        domains = []
    try:
        _validate(worker, levels=[])
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, messages)
    if errors:
        raise ValidationError(errors)
    _save(worker)
    _set_domains(worker, domains)
    _assert_reachable(actor, worker, permissions.ADD)
    record(
        **_audit_actor(actor),
        action=AuditEntry.Action.CREATE,
        obj=worker,
        changes=diff({}, _snapshot(worker)),
    )
    return worker


@transaction.atomic
def worker_update(*, actor, worker: SocialWorker, **changes) -> SocialWorker:
    """Change a worker's record. A new ID number is re-validated (and birth date and sex re-derived); a new agency
    moves the worker to the agency's region unless a region is given too; the grade is re-checked against the
    certificates held."""
    _require(actor, permissions.CHANGE)
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"worker_update cannot change {sorted(unknown)}")
    worker = SocialWorker.objects.select_for_update().get(pk=worker.pk)
    _assert_in_scope(actor, worker, permissions.CHANGE)
    before = _snapshot(worker)
    previous = SocialWorker(education=worker.education, post_type=worker.post_type, employer_kind=worker.employer_kind)
    errors = {}
    domains = None
    if "service_domains" in changes:
        try:
            domains = _domain_items(changes.pop("service_domains"))
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if "id_number" in changes:
        new_number = changes.pop("id_number")
        if (new_number or "").strip().upper() != worker.id_number:
            try:
                _apply_identity(worker, new_number)
            except ValidationError as exc:
                errors.update(exc.message_dict)
            else:
                if _id_taken(worker):
                    raise duplicate_id_error()
    if "agency" in changes and "region" not in changes and changes["agency"] is not None:
        changes["region"] = None  # _apply_derived puts the worker in the new agency's region
    if changes.get("agency") is not None:
        # Staff of an agency have no other employer.
        changes.setdefault("employer_kind", "")
        changes.setdefault("employer_name", "")
    for name, value in changes.items():
        setattr(worker, name, value)
    _apply_derived(worker)
    try:
        _validate(worker, previous=previous)
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, messages)
    if errors:
        raise ValidationError(errors)
    _save(worker)
    if domains is not None:
        _set_domains(worker, domains)
    _assert_reachable(actor, worker, permissions.CHANGE)
    changed = diff(before, _snapshot(worker))
    if changed:
        record(**_audit_actor(actor), action=AuditEntry.Action.UPDATE, obj=worker, changes=changed)
    return worker


@transaction.atomic
def worker_employ(*, actor, worker: SocialWorker, agency, region, post_type: str) -> SocialWorker:
    """Move a worker's record to the agency that has just hired them (招聘录用).

    The caller is the hiring service, which has checked the actor's right over the opening: the hiring agency does not
    keep the worker's record until this moment, so worker_update's own scope check would refuse its admin. The actor
    is still recorded as the one who made the change."""
    worker = SocialWorker.objects.select_for_update().get(pk=worker.pk)
    before = _snapshot(worker)
    previous = SocialWorker(education=worker.education, post_type=worker.post_type, employer_kind=worker.employer_kind)
    worker.agency, worker.region, worker.post_type = agency, region, post_type
    worker.employer_kind, worker.employer_name = "", ""
    _apply_derived(worker)
    _validate(worker, previous=previous)
    _save(worker)
    changed = diff(before, _snapshot(worker))
    if changed:
        record(**_audit_actor(actor), action=AuditEntry.Action.UPDATE, obj=worker, changes=changed, note=_("招聘录用"))
    return worker


@transaction.atomic
def worker_set_grade(*, actor, worker: SocialWorker, job_grade: str) -> SocialWorker:
    """Set (or clear, with "") the job grade (岗位等级, seed 001 §八); the matching certificate must be on record."""
    return worker_update(actor=actor, worker=worker, job_grade=job_grade)


@transaction.atomic
def worker_link_account(*, actor, worker: SocialWorker, account) -> SocialWorker:
    """Link a sign-in account to the worker's record (or unlink with None): the account then sees it as 我的档案."""
    _require(actor, permissions.CHANGE)
    worker = SocialWorker.objects.select_for_update().get(pk=worker.pk)
    _assert_in_scope(actor, worker, permissions.CHANGE)
    if account is not None:
        other = SocialWorker.objects.filter(account=account).exclude(pk=worker.pk).exists()
        if other:
            raise ValidationError({"account": _("该账户已关联到另一名社会工作者的档案。")}, code="account_taken")
    before = snapshot(worker, ["account"])
    worker.account = account
    worker.save(update_fields=["account", "updated_at"])
    record(
        **_audit_actor(actor),
        action=AuditEntry.Action.UPDATE,
        obj=worker,
        changes=diff(before, snapshot(worker, ["account"])),
    )
    return worker


# --- Certificates ----------------------------------------------------------------------------------------------------


def _refresh_highest(worker: SocialWorker) -> None:
    highest = highest_level(worker.certificates.values_list("level", flat=True))
    if highest != worker.highest_certificate:
        worker.highest_certificate = highest
        SocialWorker.objects.filter(pk=worker.pk).update(highest_certificate=highest, updated_at=timezone.now())


@transaction.atomic
def certificate_add(
    *, actor, worker: SocialWorker, level: str, number: str, year_passed: int, authority: str = ""
) -> Certificate:
    """Record a 职业水平证书. One per level per person; the number is unique nationwide."""
    _require(actor, permissions.ADD_CERTIFICATE)
    worker = SocialWorker.objects.select_for_update().get(pk=worker.pk)
    _assert_in_scope(actor, worker, permissions.ADD_CERTIFICATE)
    certificate = Certificate(
        worker=worker,
        level=level,
        number=(number or "").upper().replace(" ", ""),
        year_passed=year_passed,
        authority=(authority or "").strip(),
    )
    errors = {}
    this_year = timezone.localdate().year
    if isinstance(year_passed, int) and not FIRST_CERTIFICATE_YEAR <= year_passed <= this_year:
        errors["year_passed"] = _("取得年份应在 %(first)d 年（首次全国考试）至今年之间。") % {
            "first": FIRST_CERTIFICATE_YEAR
        }
    if certificate.number and Certificate.objects.filter(number=certificate.number).exists():
        errors["number"] = _("该证书编号已登记过，请核对。")
    if level and worker.certificates.filter(level=level).exists():
        errors["level"] = _("该人员已登记过这一等级的证书。")
    try:
        certificate.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, messages[0])
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            certificate.save()
    except IntegrityError:
        raise ValidationError({"number": _("该证书编号已登记过，请核对。")}, code="duplicate_certificate") from None
    _refresh_highest(worker)
    record(
        **_audit_actor(actor),
        action=AuditEntry.Action.CREATE,
        obj=certificate,
        changes=diff({}, snapshot(certificate)),
        note=str(worker),
    )
    return certificate


@transaction.atomic
def certificate_remove(*, actor, certificate: Certificate) -> None:
    """Delete a certificate recorded in error; refused while the worker's job grade depends on it."""
    _require(actor, permissions.DELETE_CERTIFICATE)
    worker = SocialWorker.objects.select_for_update().get(pk=certificate.worker_id)
    _assert_in_scope(actor, worker, permissions.DELETE_CERTIFICATE)
    certificate = Certificate.objects.get(pk=certificate.pk, worker=worker)
    remaining = list(worker.certificates.exclude(pk=certificate.pk).values_list("level", flat=True))
    if worker.job_grade and not satisfies(remaining, worker.job_grade):
        raise ValidationError(
            _(
                "不能删除：当前岗位等级“%(grade)s”须持有%(level)s或更高等级的证书，删除后将不再符合。"
                "请先调整岗位等级，再删除证书。"
            )
            % {
                "grade": worker.get_job_grade_display(),
                "level": CertificateLevel(required_level(worker.job_grade)).label,
            },
            code="certificate_needed_by_grade",
        )
    before = snapshot(certificate)
    certificate_id = certificate.pk
    certificate.delete()
    certificate.pk = certificate_id
    _refresh_highest(worker)
    record(
        **_audit_actor(actor),
        action=AuditEntry.Action.DELETE,
        obj=certificate,
        changes=diff(before, {}),
        note=str(worker),
    )


# --- Credit (信用监管) -----------------------------------------------------------------------------------------------


def _check_evidence(evidence) -> None:
    if not evidence:
        return
    extension = (evidence.name.rsplit(".", 1)[-1] if "." in evidence.name else "").lower()
    if extension not in EVIDENCE_EXTENSIONS:
        raise ValidationError(
            {"evidence": _("证明材料须为 PDF、图片（JPG/PNG）、Word 或 OFD 文件。")}, code="evidence_type"
        )
    if evidence.size > settings.EVIDENCE_MAX_BYTES:
        raise ValidationError(
            {"evidence": _("证明材料不能超过 %(limit)s。") % {"limit": filesizeformat(settings.EVIDENCE_MAX_BYTES)}},
            code="evidence_size",
        )


@transaction.atomic
def credit_event_record(
    *,
    actor,
    worker: SocialWorker,
    kind: str,
    title: str,
    occurred_on: datetime.date,
    severity: str = "",
    description: str = "",
    evidence=None,
    source_document: str = "",
    effective_until: datetime.date | None = None,
) -> CreditEvent:
    """Record a commendation (表彰) or a violation (违规, with its severity; 列入黑名单 bars the person from
    government-funded projects and posts while it is in force)."""
    _require(actor, permissions.ADD_CREDIT)
    worker = SocialWorker.objects.select_for_update().get(pk=worker.pk)
    _assert_in_scope(actor, worker, permissions.ADD_CREDIT)
    errors = {}
    if kind == CreditEvent.Kind.COMMENDATION and severity:
        errors["severity"] = _("表彰记录不分程度。")
    if kind == CreditEvent.Kind.VIOLATION and not severity:
        errors["severity"] = _("请选择违规程度。")
    if kind == CreditEvent.Kind.VIOLATION and severity == CreditEvent.Severity.BLACKLIST and not source_document:
        errors["source_document"] = _("列入黑名单须注明依据文件（决定书的名称和文号）。")
    if occurred_on and occurred_on > timezone.localdate():
        errors["occurred_on"] = _("发生日期不能晚于今天。")
    if occurred_on and effective_until and effective_until < occurred_on:
        errors["effective_until"] = _("有效期至不能早于发生日期。")
    try:
        _check_evidence(evidence)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    event = CreditEvent(
        worker=worker,
        kind=kind,
        severity=severity or "",
        title=(title or "").strip(),
        description=description or "",
        source_document=(source_document or "").strip(),
        occurred_on=occurred_on,
        effective_until=effective_until,
        recorded_by=actor,
    )
    if evidence:
        event.evidence = evidence
    try:
        event.full_clean()
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, messages[0])
    if errors:
        raise ValidationError(errors)
    event.save()
    record(
        **_audit_actor(actor),
        action=AuditEntry.Action.CREATE,
        obj=event,
        changes=diff({}, snapshot(event)),
        note=str(worker),
    )
    return event


@transaction.atomic
def credit_event_close(*, actor, event: CreditEvent, closed_on: datetime.date, note: str = "") -> CreditEvent:
    """Close (办结) a violation: from `closed_on` it is no longer open, and a blacklist entry is lifted."""
    _require(actor, permissions.CHANGE_CREDIT)
    event = CreditEvent.objects.select_for_update().get(pk=event.pk)
    _assert_in_scope(actor, event.worker, permissions.CHANGE_CREDIT)
    if event.kind != CreditEvent.Kind.VIOLATION:
        raise ValidationError(_("表彰记录无需办结。"), code="not_a_violation")
    if event.closed_on is not None:
        raise ValidationError(_("这条记录已于 %(date)s 办结。") % {"date": event.closed_on.isoformat()}, code="closed")
    errors = {}
    if closed_on < event.occurred_on:
        errors["closed_on"] = _("办结日期不能早于发生日期（%(date)s）。") % {"date": event.occurred_on.isoformat()}
    elif closed_on > timezone.localdate():
        errors["closed_on"] = _("办结日期不能晚于今天。")
    if not (note or "").strip():
        errors["note"] = _("请填写办结说明（例如整改情况或撤销决定的文号）。")
    if errors:
        raise ValidationError(errors)
    before = snapshot(event, ["closed_on", "closing_note", "closed_by"])
    event.closed_on = closed_on
    event.closing_note = note.strip()[:500]
    event.closed_by = actor
    event.save(update_fields=["closed_on", "closing_note", "closed_by"])
    record(
        **_audit_actor(actor),
        action=AuditEntry.Action.TRANSITION,
        obj=event,
        changes=diff(before, snapshot(event, ["closed_on", "closing_note", "closed_by"])),
        note=str(event.worker),
    )
    return event
