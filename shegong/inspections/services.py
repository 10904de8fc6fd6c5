"""Every write of inspections and rectification: one function per action, atomic, validated, permission- and
scope-checked, audited in the same transaction (DESIGN.md §5).

`actor=None` is the installation (the demo, data loads): no permission or scope check, the audit entry names
"system".

The moves. An inspection is 待督查 until it is completed (已完成); from then on it is locked, and a change is a
correction with a reason (InspectionCorrection + audit). A rectification item moves 待整改/已退回 → 待审核 (the owner
submits evidence) → 已销号 (the bureau passes it) or 已退回 (with a reason); 已销号 is final. Each move locks the item's
row first, so two reviewers (or a reviewer and a late submission) cannot both act on the same state.
"""

from __future__ import annotations

import datetime
import random

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.agencies.models import Agency
from shegong.audit.models import AuditEntry
from shegong.audit.services import diff, record, snapshot
from shegong.core.scope import in_scope, region_q
from shegong.core.uploads import validate_upload
from shegong.inspections import selectors
from shegong.inspections.models import (
    Attachment,
    ChecklistResult,
    Finding,
    Inspection,
    InspectionCorrection,
    InspectionPlan,
    RectificationEvidence,
    RectificationItem,
)
from shegong.inspections.selectors import (
    ADD_ITEM,
    ADD_PLAN,
    CHANGE_INSPECTION,
    CHANGE_PLAN,
    CORRECT_INSPECTION,
    REVIEW_ITEM,
)
from shegong.regions.models import Region
from shegong.stations.models import Station

Status = RectificationItem.Status
Decision = RectificationEvidence.Decision
Result = ChecklistResult.Result

PLAN_FIELDS = ["region", "year", "quarter", "kind", "title", "checklist", "notes"]
INSPECTION_FIELDS = [
    "plan",
    "station",
    "agency",
    "project",
    "region",
    "scheduled_on",
    "visited_on",
    "status",
    "summary",
]
ITEM_FIELDS = [
    "finding",
    "owner_station",
    "owner_agency",
    "region",
    "responsible_person",
    "required_action",
    "deadline",
    "status",
    "return_reason",
    "closed_on",
]

# Photos and files (督查照片、整改材料): checked by shegong.core.uploads; at most MAX_FILES per submission.
MAX_FILES = 10


# --- Shared checks ---------------------------------------------------------------------------------------------------


def _require(actor, perm: str) -> None:
    if actor is not None and not actor.has_perm(perm):
        raise PermissionDenied(_("您没有执行此操作的权限。"))


def _require_in_scope(actor, obj, perm: str) -> None:
    _require(actor, perm)
    if actor is not None and not in_scope(actor, obj, perm):
        raise PermissionDenied(_("该记录不在您的管辖范围内。"))


def _covers(actor, perm: str, region: Region) -> bool:
    from shegong.accounts.selectors import grant_covers

    return actor is None or grant_covers(actor, perm, region=region)


def _audit_actor(actor) -> dict:
    return {"actor": actor, "actor_username": "" if actor is not None else "system"}


def _user(actor):
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


def _check_files(files) -> list[tuple]:
    files = list(files or [])
    if len(files) > MAX_FILES:
        raise ValidationError({"files": _("一次最多上传 %(max)d 个文件。") % {"max": MAX_FILES}}, code="too_many")
    checked = []
    errors = []
    for upload in files:
        try:
            checked.append((upload, *validate_upload(upload)))
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError({"files": errors})
    return checked


def _store_files(checked, *, region_id: str, actor, finding=None, evidence=None) -> list[Attachment]:
    """Write the (already validated) files and their rows. Called last in a service, just before its audit entry: if
    anything fails after a file was written, the files written so far are removed again (nothing half-written)."""
    from django.core.files.storage import default_storage

    stored = []
    try:
        for upload, name, content_type in checked:
            attachment = Attachment(
                finding=finding,
                evidence=evidence,
                region_id=region_id,
                name=name,
                content_type=content_type,
                size=upload.size,
                uploaded_by=_user(actor),
            )
            attachment.file.save(name, upload, save=False)
            stored.append(attachment)
            attachment.full_clean()
            attachment.save()
    except Exception:
        for attachment in stored:
            default_storage.delete(attachment.file.name)
        raise
    return stored


def _discard(stored: list[Attachment]) -> None:
    from django.core.files.storage import default_storage

    for attachment in stored:
        default_storage.delete(attachment.file.name)


# --- Plans -----------------------------------------------------------------------------------------------------------


def _check_plan(plan: InspectionPlan, inspectors) -> None:
    errors = {}
    known = dict(selectors.checklist_choices())
    unknown = [code for code in plan.checklist if code not in known]
    if not plan.checklist:
        errors["checklist"] = _("请至少选择一个检查项目。")
    elif unknown:
        errors["checklist"] = _("检查项目不在字典中：%(codes)s") % {"codes": "、".join(unknown)}
    if len(set(plan.checklist)) != len(plan.checklist):
        errors["checklist"] = _("检查项目重复。")
    if not 2000 <= (plan.year or 0) <= 2100:
        errors["year"] = _("请填写有效的年度。")
    if errors:
        raise ValidationError(errors)
    for user in inspectors:
        # An inspector is a bureau user whose scope covers the plan's region (seed 003: 督查工作小组).
        from shegong.accounts.selectors import grant_covers

        if not user.is_active or not grant_covers(user, CHANGE_INSPECTION, region=plan.region):
            raise ValidationError(
                {
                    "inspectors": _("%(name)s 不是本辖区的民政部门督查人员。")
                    % {"name": user.display_name or user.username}
                }
            )


def _clean_plan(plan: InspectionPlan) -> None:
    try:
        plan.full_clean()
    except ValidationError as exc:
        if (
            "__all__" in exc.message_dict
            and InspectionPlan.objects.filter(
                region_id=plan.region_id, year=plan.year, quarter=plan.quarter, kind=plan.kind, title=plan.title
            )
            .exclude(pk=plan.pk)
            .exists()
        ):
            raise ValidationError({"title": _("该区划本季度已有同名同方式的督查计划。")}) from None
        raise


@transaction.atomic
def plan_create(
    *,
    actor,
    region: Region,
    year: int,
    quarter: int,
    kind: str,
    title: str,
    checklist: list[str],
    inspectors=(),
    notes: str = "",
) -> InspectionPlan:
    """One quarterly round of a region's inspections."""
    _require(actor, ADD_PLAN)
    if not _covers(actor, ADD_PLAN, region):
        raise PermissionDenied(_("所选区划不在您的管辖范围内。"))
    plan = InspectionPlan(
        region=region,
        year=year,
        quarter=quarter,
        kind=kind,
        title=(title or "").strip(),
        checklist=list(checklist),
        notes=notes,
        created_by=_user(actor),
    )
    inspectors = list(inspectors)
    _clean_plan(plan)
    _check_plan(plan, inspectors)
    plan.save()
    plan.inspectors.set(inspectors)
    record(
        **_audit_actor(actor),
        action=AuditEntry.Action.CREATE,
        obj=plan,
        changes={**diff({}, snapshot(plan, PLAN_FIELDS)), "inspectors": [None, sorted(u.pk for u in inspectors)]},
    )
    return plan


def plan_create_year(*, actor, quarters=(1, 2, 3, 4), **values) -> list[InspectionPlan]:
    """A year's plan: one round per quarter (seed 003: 每季度实地督查), all or none."""
    with transaction.atomic():
        return [plan_create(actor=actor, quarter=quarter, **values) for quarter in quarters]


def _lock_visits(plan: InspectionPlan) -> list[Inspection]:
    """Lock the plan's inspections (after the plan, the order every service takes), so that nobody records a visit
    between the check that nothing is recorded and the change that relies on it."""
    return list(Inspection.objects.select_for_update().filter(plan=plan).order_by("pk"))


def _recorded(plan: InspectionPlan):
    return Inspection.objects.filter(plan=plan).filter(selectors.recorded_q())


@transaction.atomic
def plan_update(
    *,
    actor,
    plan: InspectionPlan,
    year: int,
    quarter: int,
    kind: str,
    title: str,
    checklist: list[str],
    inspectors=(),
    notes: str = "",
) -> InspectionPlan:
    """Change a plan after its creation. The title, kind, notes and inspectors may always change (the new inspectors
    go to the inspections not yet done). The period (year, quarter) only while no inspection of the plan is recorded.
    A checklist area may be removed only if no inspection has a result or a finding on it, and added only while no
    inspection is done (a locked record would lack its result). The region does not change: its targets were chosen
    inside it."""
    _require_in_scope(actor, plan, CHANGE_PLAN)
    plan = _lock_plan(plan)
    visits = _lock_visits(plan)
    before = snapshot(plan, PLAN_FIELDS)
    before_inspectors = sorted(plan.inspectors.values_list("pk", flat=True))
    inspectors = list(inspectors)
    checklist = list(checklist)
    errors = {}
    if (year, quarter) != (plan.year, plan.quarter) and _recorded(plan).exists():
        errors["quarter"] = _("本计划已有督查记录，不能再更改年度或季度。")
    labels = selectors.checklist_labels()
    removed = [area for area in plan.checklist if area not in checklist]
    if removed:
        used = set(
            ChecklistResult.objects.filter(inspection__plan=plan, area__in=removed).values_list("area", flat=True)
        ) | set(Finding.objects.filter(inspection__plan=plan, area__in=removed).values_list("area", flat=True))
        if used:
            errors["checklist"] = _("以下检查项目已有督查结果或问题记录，不能移除：%(areas)s") % {
                "areas": "、".join(labels.get(area, area) for area in removed if area in used)
            }
    added = [area for area in checklist if area not in plan.checklist]
    if added and any(visit.is_locked for visit in visits):
        errors["checklist"] = _("本计划已有完成的督查，不能再增加检查项目（已完成的督查没有这些项目的结果）。")
    if errors:
        raise ValidationError(errors)
    plan.year, plan.quarter, plan.kind = year, quarter, kind
    plan.title = (title or "").strip()
    plan.checklist = checklist
    plan.notes = notes or ""
    _clean_plan(plan)
    _check_plan(plan, inspectors)
    plan.save()
    after_inspectors = sorted(user.pk for user in inspectors)
    changes = diff(before, snapshot(plan, PLAN_FIELDS))
    if after_inspectors != before_inspectors:
        plan.inspectors.set(inspectors)
        open_visits = [visit.pk for visit in visits if not visit.is_locked]
        through = Inspection.inspectors.through
        through.objects.filter(inspection_id__in=open_visits).delete()
        through.objects.bulk_create(
            [through(inspection_id=visit, user_id=user) for visit in open_visits for user in after_inspectors]
        )
        changes["inspectors"] = [before_inspectors, after_inspectors]
    if changes:
        record(**_audit_actor(actor), action=AuditEntry.Action.UPDATE, obj=plan, changes=changes)
    return plan


@transaction.atomic
def plan_delete(*, actor, plan: InspectionPlan) -> None:
    """Remove a plan none of whose inspections is recorded, with its (planned, empty) inspections. Each removal is
    audited with what was removed."""
    _require_in_scope(actor, plan, CHANGE_PLAN)
    plan = _lock_plan(plan)
    visits = _lock_visits(plan)
    recorded = _recorded(plan).count()
    if recorded:
        raise ValidationError(
            _("本计划已有 %(count)d 个督查对象有督查记录，不能删除；可移出尚未记录的督查对象。") % {"count": recorded},
            code="recorded",
        )
    for visit in visits:
        record(
            **_audit_actor(actor),
            action=AuditEntry.Action.DELETE,
            obj=visit,
            changes=diff(snapshot(visit, INSPECTION_FIELDS), {}),
            note=_("随督查计划一并删除"),
        )
    record(
        **_audit_actor(actor),
        action=AuditEntry.Action.DELETE,
        obj=plan,
        changes={
            **diff(snapshot(plan, PLAN_FIELDS), {}),
            "inspectors": [sorted(plan.inspectors.values_list("pk", flat=True)), None],
            "targets": [len(visits), None],
        },
    )
    Inspection.objects.filter(pk__in=[visit.pk for visit in visits]).delete()
    plan.delete()


# --- Targets ---------------------------------------------------------------------------------------------------------


def _lock_plan(plan: InspectionPlan) -> InspectionPlan:
    # of=("self",): the plan's row only, not its region's (a join under FOR UPDATE would lock that row too).
    return InspectionPlan.objects.select_for_update(of=("self",)).select_related("region").get(pk=plan.pk)


def _in_region(region: Region, target_region_id: str) -> bool:
    return Region.objects.filter(region_q("code", region.code, region.level), code=target_region_id).exists()


@transaction.atomic
def inspection_add(
    *,
    actor,
    plan: InspectionPlan,
    station: Station | None = None,
    agency: Agency | None = None,
    project=None,
    scheduled_on: datetime.date | None = None,
) -> Inspection:
    """Add a target (a station or an agency in the plan's region subtree) to a plan: one planned inspection."""
    _require_in_scope(actor, plan, CHANGE_PLAN)
    plan = _lock_plan(plan)
    if (station is None) == (agency is None):
        raise ValidationError(_("请选择一个站点或一个机构作为督查对象。"))
    target = station or agency
    if not _in_region(plan.region, target.region_id):
        raise ValidationError(
            {"station" if station else "agency": _("%(target)s 不在本计划的区划内。") % {"target": target}}
        )
    if station is not None and station.status == Station.Status.REVOKED:
        raise ValidationError({"station": _("站点已撤销，不能督查。")})
    if project is not None and project.region_id and not _in_region(plan.region, project.region_id):
        raise ValidationError({"project": _("关联项目不在本计划的区划内。")})
    if Inspection.objects.filter(plan=plan, station=station, agency=agency).exists():
        raise ValidationError(_("%(target)s 已在本计划中。") % {"target": target})
    inspection = Inspection(
        plan=plan,
        station=station,
        agency=agency,
        project=project,
        region_id=target.region_id,
        scheduled_on=scheduled_on,
    )
    inspection.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            inspection.save()
    except IntegrityError:
        raise ValidationError(_("%(target)s 已在本计划中。") % {"target": target}) from None
    inspection.inspectors.set(plan.inspectors.all())
    record(
        **_audit_actor(actor),
        action=AuditEntry.Action.CREATE,
        obj=inspection,
        changes=diff({}, snapshot(inspection, INSPECTION_FIELDS)),
    )
    return inspection


@transaction.atomic
def inspection_remove(*, actor, inspection: Inspection) -> None:
    """Take a target out of its plan while its inspection is not recorded (待督查, nothing filled in)."""
    _require_in_scope(actor, inspection.plan, CHANGE_PLAN)
    _lock_plan(inspection.plan)
    inspection = _lock_inspection(inspection)
    if _recorded(inspection.plan).filter(pk=inspection.pk).exists():
        raise ValidationError(
            _("%(target)s 的督查已有记录（日期、结果、意见或问题），不能移出计划。") % {"target": inspection.target},
            code="recorded",
        )
    record(
        **_audit_actor(actor),
        action=AuditEntry.Action.DELETE,
        obj=inspection,
        changes=diff(snapshot(inspection, INSPECTION_FIELDS), {}),
    )
    inspection.delete()


def sample_candidates(plan: InspectionPlan):
    """Operating stations of the plan's region not yet in the plan (随机暗访 draws from these)."""
    taken = Inspection.objects.filter(plan=plan, station__isnull=False).values("station_id")
    return (
        Station.objects.filter(region_q("region_id", plan.region_id, plan.region.level))
        .filter(status=Station.Status.OPERATING)
        .exclude(pk__in=taken)
    )


@transaction.atomic
def plan_draw_sample(
    *, actor, plan: InspectionPlan, count: int, kinds=None, rng: random.Random | None = None
) -> list[Inspection]:
    """Draw `count` operating stations at random (optionally of some kinds) and add them as targets."""
    _require_in_scope(actor, plan, CHANGE_PLAN)
    if count < 1:
        raise ValidationError({"count": _("抽取数量至少为 1。")})
    candidates = sample_candidates(plan)
    if kinds:
        candidates = candidates.filter(kind__in=kinds)
    ids = list(candidates.values_list("pk", flat=True))
    if not ids:
        raise ValidationError({"count": _("本区划没有可抽取的运营中站点。")})
    chosen = (rng or random.SystemRandom()).sample(ids, min(count, len(ids)))
    stations = Station.objects.in_bulk(chosen)
    return [inspection_add(actor=actor, plan=plan, station=stations[pk]) for pk in sorted(chosen)]


# --- Recording an inspection -----------------------------------------------------------------------------------------


def _lock_inspection(inspection: Inspection) -> Inspection:
    try:
        # The inspection's row only: locking its plan's row too (the join) would take the plan after the inspection,
        # the reverse of inspection_remove's order (plan, then inspection), and the two would deadlock.
        return Inspection.objects.select_for_update(of=("self",)).select_related("plan", "region").get(pk=inspection.pk)
    except Inspection.DoesNotExist:
        # Removed from its plan meanwhile (inspection_remove, plan_delete).
        raise ValidationError(_("该督查对象已被移出督查计划。"), code="removed") from None


def _require_unlocked(inspection: Inspection) -> None:
    if inspection.is_locked:
        raise ValidationError(_("督查已完成并锁定；如需修改，请使用“更正”并说明原因。"), code="locked")


@transaction.atomic
def inspection_record(
    *,
    actor,
    inspection: Inspection,
    visited_on: datetime.date | None,
    results: dict[str, tuple[str, str]],
    summary: str = "",
    today: datetime.date | None = None,
) -> Inspection:
    """Record the visit: its date, the result and notes of each checklist area (a partial record may be saved and
    completed later), the inspectors' summary."""
    _require_in_scope(actor, inspection, CHANGE_INSPECTION)
    inspection = _lock_inspection(inspection)
    _require_unlocked(inspection)
    if visited_on is not None and visited_on > _today(today):
        raise ValidationError({"visited_on": _("督查日期不能晚于今天。")})
    areas = set(inspection.plan.checklist)
    unknown = sorted(set(results) - areas)
    if unknown:
        raise ValidationError(_("不是本计划的检查项目：%(codes)s") % {"codes": "、".join(unknown)})
    bad = [area for area, (result, _notes) in results.items() if result and result not in Result.values]
    if bad:
        raise ValidationError(_("检查结果无效。"))
    before = snapshot(inspection, INSPECTION_FIELDS)
    before_results = _results_of(inspection)
    inspection.visited_on = visited_on
    inspection.summary = summary or ""
    inspection.full_clean(validate_constraints=False)
    inspection.save(update_fields=["visited_on", "summary"])
    for area, (result, notes) in results.items():
        if not result:
            ChecklistResult.objects.filter(inspection=inspection, area=area).delete()
            continue
        ChecklistResult.objects.update_or_create(
            inspection=inspection, area=area, defaults={"result": result, "notes": notes or ""}
        )
    changes = diff(before, snapshot(inspection, INSPECTION_FIELDS))
    changes.update(
        {
            f"result:{area}": [before_results.get(area), value]
            for area, value in _results_of(inspection).items()
            if before_results.get(area) != value
        }
    )
    if changes:
        record(**_audit_actor(actor), action=AuditEntry.Action.UPDATE, obj=inspection, changes=changes)
    return inspection


def _results_of(inspection: Inspection) -> dict[str, str]:
    return {
        area: f"{result} {notes}".strip()
        for area, result, notes in inspection.results.values_list("area", "result", "notes")
    }


@transaction.atomic
def finding_add(*, actor, inspection: Inspection, description: str, severity: str, area: str = "", files=()) -> Finding:
    """A problem found at the visit, with its photos or files."""
    _require_in_scope(actor, inspection, CHANGE_INSPECTION)
    checked = _check_files(files)
    inspection = _lock_inspection(inspection)
    _require_unlocked(inspection)
    if area and area not in inspection.plan.checklist:
        raise ValidationError({"area": _("不是本计划的检查项目。")})
    finding = Finding(
        inspection=inspection,
        area=area or "",
        description=(description or "").strip(),
        severity=severity,
        created_by=_user(actor),
    )
    finding.full_clean()
    finding.save()
    stored = _store_files(checked, region_id=inspection.region_id, actor=actor, finding=finding)
    try:
        record(
            **_audit_actor(actor),
            action=AuditEntry.Action.CREATE,
            obj=finding,
            changes={
                **diff({}, snapshot(finding, ["inspection", "area", "description", "severity"])),
                "files": [None, [a.name for a in stored]],
            },
        )
    except Exception:
        _discard(stored)
        raise
    return finding


@transaction.atomic
def inspection_complete(*, actor, inspection: Inspection) -> Inspection:
    """待督查 → 已完成: needs the visit's date and a result for every checklist area; locks the record."""
    _require_in_scope(actor, inspection, CHANGE_INSPECTION)
    inspection = _lock_inspection(inspection)
    _require_unlocked(inspection)
    errors = []
    if inspection.visited_on is None:
        errors.append(_("请先填写督查日期。"))
    missing = [area for area in inspection.plan.checklist if area not in set(_results_of(inspection))]
    if missing:
        labels = selectors.checklist_labels()
        errors.append(
            _("以下检查项目尚未填写结果：%(areas)s") % {"areas": "、".join(labels.get(a, a) for a in missing)}
        )
    if errors:
        raise ValidationError(errors)
    inspection.status = Inspection.Status.DONE
    inspection.done_by = _user(actor)
    inspection.done_at = timezone.now()
    inspection.save(update_fields=["status", "done_by", "done_at"])
    record(
        **_audit_actor(actor),
        action=AuditEntry.Action.TRANSITION,
        obj=inspection,
        changes={"status": [Inspection.Status.PLANNED, Inspection.Status.DONE]},
    )
    return inspection


@transaction.atomic
def inspection_correct(
    *, actor, inspection: Inspection, area: str, result: str, notes: str, reason: str
) -> InspectionCorrection:
    """Correct one checklist area of a done inspection: the reason is required and kept with the change."""
    _require_in_scope(actor, inspection, CORRECT_INSPECTION)
    inspection = _lock_inspection(inspection)
    if not inspection.is_locked:
        raise ValidationError(_("督查尚未完成，直接修改即可，无需更正。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("更正已完成的督查必须说明原因。")}, code="reason_required")
    if area not in inspection.plan.checklist:
        raise ValidationError({"area": _("不是本计划的检查项目。")})
    if result not in Result.values:
        raise ValidationError({"result": _("检查结果无效。")})
    row = ChecklistResult.objects.select_for_update().get(inspection=inspection, area=area)
    before = {"result": row.result, "notes": row.notes}
    row.result, row.notes = result, notes or ""
    after = {"result": row.result, "notes": row.notes}
    changes = {f"{area}.{key}": [before[key], after[key]] for key in before if before[key] != after[key]}
    if not changes:
        raise ValidationError(_("没有需要更正的内容。"))
    row.save(update_fields=["result", "notes"])
    correction = InspectionCorrection(inspection=inspection, reason=reason, changes=changes, corrected_by=_user(actor))
    correction.full_clean()
    correction.save()
    record(**_audit_actor(actor), action=AuditEntry.Action.UPDATE, obj=inspection, changes=changes, note=reason)
    return correction


# --- Rectification ---------------------------------------------------------------------------------------------------


@transaction.atomic
def rectification_create(
    *,
    actor,
    finding: Finding,
    required_action: str,
    deadline: datetime.date,
    owner_station: Station | None = None,
    owner_agency: Agency | None = None,
    responsible_person: str = "",
    today: datetime.date | None = None,
) -> RectificationItem:
    """An item from a finding, owned by the station or agency responsible (by default the inspection's target)."""
    inspection = finding.inspection
    _require_in_scope(actor, inspection, ADD_ITEM)
    if owner_station is None and owner_agency is None:
        owner_station, owner_agency = inspection.station, inspection.agency
    if (owner_station is None) == (owner_agency is None):
        raise ValidationError(_("请选择一个责任站点或一个责任机构。"))
    owner = owner_station or owner_agency
    if not _covers(actor, ADD_ITEM, owner.region):
        raise ValidationError(_("%(owner)s 不在您的管辖范围内。") % {"owner": owner})
    if deadline is None:
        raise ValidationError({"deadline": _("请填写整改期限。")})
    if deadline < _today(today):
        raise ValidationError({"deadline": _("整改期限不能早于今天。")})
    item = RectificationItem(
        finding=finding,
        inspection=inspection,
        owner_station=owner_station,
        owner_agency=owner_agency,
        region_id=owner.region_id,
        responsible_person=(responsible_person or "").strip(),
        required_action=(required_action or "").strip(),
        deadline=deadline,
        created_by=_user(actor),
    )
    item.full_clean()
    item.save()
    record(
        **_audit_actor(actor), action=AuditEntry.Action.CREATE, obj=item, changes=diff({}, snapshot(item, ITEM_FIELDS))
    )
    return item


def _lock_item(item: RectificationItem) -> RectificationItem:
    return RectificationItem.objects.select_for_update().get(pk=item.pk)


def _move(item: RectificationItem, to: str) -> None:
    if to not in RectificationItem.MOVES[item.status]:
        raise ValidationError(
            _("整改事项当前为“%(now)s”，不能变为“%(to)s”。")
            % {"now": item.get_status_display(), "to": Status(to).label},
            code="move",
        )


@transaction.atomic
def rectification_submit(*, actor, item: RectificationItem, text: str, files=()) -> RectificationEvidence:
    """The owner submits evidence (text and files): 待整改/已退回 → 待审核."""
    if actor is not None and not selectors.can_answer(actor, item):
        raise PermissionDenied(_("只有整改责任单位可以提交整改材料。"))
    checked = _check_files(files)
    item = _lock_item(item)
    _move(item, Status.SUBMITTED)
    evidence = RectificationEvidence(item=item, text=(text or "").strip(), submitted_by=_user(actor))
    evidence.full_clean()
    evidence.save()
    before = snapshot(item, ITEM_FIELDS)
    item.status = Status.SUBMITTED
    item.save(update_fields=["status", "updated_at"])
    stored = _store_files(checked, region_id=item.region_id, actor=actor, evidence=evidence)
    try:
        record(
            **_audit_actor(actor),
            action=AuditEntry.Action.TRANSITION,
            obj=item,
            changes={
                **diff(before, snapshot(item, ITEM_FIELDS)),
                "evidence": [None, evidence.text],
                "files": [None, [a.name for a in stored]],
            },
        )
    except Exception:
        _discard(stored)
        raise
    return evidence


@transaction.atomic
def rectification_review(
    *, actor, item: RectificationItem, passed: bool, note: str = "", today: datetime.date | None = None
) -> RectificationItem:
    """The bureau decides on the latest evidence: 通过 → 已销号, 退回 → 已退回 with the reason."""
    if actor is not None and not selectors.can_review(actor, item):
        if actor.has_perm(REVIEW_ITEM):
            raise PermissionDenied(_("该记录不在您的管辖范围内。"))
        raise PermissionDenied(_("您没有执行此操作的权限。"))
    item = _lock_item(item)
    to = Status.CLOSED if passed else Status.RETURNED
    _move(item, to)
    note = (note or "").strip()
    if not passed and not note:
        raise ValidationError({"note": _("退回时必须说明原因。")}, code="reason_required")
    evidence = item.evidence.filter(decision=Decision.PENDING).order_by("-submitted_at", "-pk").first()
    if evidence is None:
        raise ValidationError(_("没有待审核的整改材料。"))
    before = snapshot(item, ITEM_FIELDS)
    evidence.decision = Decision.PASSED if passed else Decision.RETURNED
    evidence.review_note = note
    evidence.reviewed_by = _user(actor)
    evidence.reviewed_at = timezone.now()
    evidence.save(update_fields=["decision", "review_note", "reviewed_by", "reviewed_at"])
    item.status = to
    if passed:
        item.closed_on = _today(today)
        item.return_reason = ""
    else:
        item.return_reason = note
    item.full_clean()
    item.save(update_fields=["status", "closed_on", "return_reason", "updated_at"])
    record(
        **_audit_actor(actor),
        action=AuditEntry.Action.TRANSITION,
        obj=item,
        changes=diff(before, snapshot(item, ITEM_FIELDS)),
        note=note,
    )
    return item
