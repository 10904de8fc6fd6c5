"""Every write to a government-purchased project: one function per action, atomic, validated, permission- and
scope-checked, audited in the same transaction (DESIGN.md §5).

`actor=None` is reserved for installation scripts (the demo, data loads): it skips the permission and scope checks,
and the audit entry names "system".

Concurrency. Every service that changes a project or one of its children (funding, budget, stations, outputs,
roster, stage) first locks the project's row (select_for_update) and re-reads it, so two people editing the same
project are serialised and the second one's checks see the first one's result. The edit form also carries the
version it was read at (`updated_at`): an edit made on a stale page is refused rather than silently overwriting the
other person's change. A new project's code is taken under the purchaser region's row lock (and the unique
constraint backs it up: a collision is retried).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.analytics import maintenance
from shegong.audit.models import AuditEntry
from shegong.audit.services import diff, record, snapshot
from shegong.policies.registry import format_money
from shegong.projects.models import (
    BudgetLine,
    FundingSource,
    PlannedOutput,
    Project,
    ProjectStaff,
    ProjectStageEvent,
    ProjectStation,
)
from shegong.projects.selectors import ADD, CHANGE, KEEP, MOVE, on_roster, visible
from shegong.regions.codes import subtree_bounds
from shegong.regions.models import Region

Stage = Project.Stage
CONTRACTOR_RULE = "contractor_minimum_rating"
PROJECT_FIELDS = [
    "code",
    "name",
    "purchaser_department",
    "region",
    "agency",
    "contract_date",
    "start_date",
    "end_date",
    "total_funds",
    "social_work_posts",
    "description",
    "stage",
]
TERMS = {
    "name",
    "purchaser_department",
    "region",
    "start_date",
    "end_date",
    "total_funds",
    "social_work_posts",
    "description",
}
STAFF_FIELDS = ["worker", "role", "is_full_time", "is_social_work_post", "start_date", "end_date"]
FINAL_STAGES = (Stage.CLOSED, Stage.TERMINATED)
# Moves that need a reason: 终止 from anywhere, and 流标 (招标/评审 back to 立项).
REASON_REQUIRED = {(Stage.TENDERING, Stage.INITIATED)}
CODE_ATTEMPTS = 5


# --- Shared checks ---------------------------------------------------------------------------------------------------


def _require(actor, perm: str) -> None:
    if actor is not None and not actor.has_perm(perm):
        raise PermissionDenied(_("您没有执行此操作的权限。"))


def _require_on(actor, project: Project, perm: str) -> None:
    _require(actor, perm)
    # Views answer 404 before getting here; this guards the other callers (API, imports, shell).
    if actor is not None and not visible(actor, perm).filter(pk=project.pk).exists():
        raise PermissionDenied(_("该项目不在您的管辖范围内。"))


def _covers(actor, perm: str, region: Region) -> bool:
    from shegong.accounts.selectors import grant_covers

    return actor is None or grant_covers(actor, perm, region=region)


def _audit_actor(actor) -> dict:
    return {"actor": actor, "actor_username": "" if actor is not None else "system"}


def _user(actor):
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def _locked(project: Project) -> Project:
    return Project.objects.select_for_update(of=("self",)).select_related("region", "agency").get(pk=project.pk)


def _money(value) -> str:
    return _("%(amount)s 元") % {"amount": format_money(Decimal(value))}


def _merge(errors: dict, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, []).extend(messages)
    else:
        errors.setdefault("__all__", []).extend(exc.messages)


# --- Terms -----------------------------------------------------------------------------------------------------------


def _check_terms(project: Project) -> None:
    errors: dict[str, list] = {}
    if not (project.name or "").strip():
        errors["name"] = [_("请填写项目名称。")]
    if not (project.purchaser_department or "").strip():
        errors["purchaser_department"] = [_("请填写购买方（部门）。")]
    if project.start_date and project.end_date and project.end_date < project.start_date:
        errors["end_date"] = [_("服务期结束日期不能早于开始日期。")]
    if project.total_funds is not None and project.total_funds < 0:
        errors["total_funds"] = [_("项目总经费不能为负数。")]
    if errors:
        raise ValidationError(errors)


def _clean_money(value, field: str, label: str) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except Exception:
        raise ValidationError({field: _("%(label)s不是有效的金额。") % {"label": label}}, code="invalid") from None
    if amount < 0:
        raise ValidationError({field: _("%(label)s不能为负数。") % {"label": label}}, code="negative")
    return amount


def _clean_funding(funding: Mapping[str, object]) -> dict[str, Decimal]:
    cleaned = {}
    for source, amount in funding.items():
        if source not in FundingSource.Source.values:
            raise ValidationError({"funding": _("未知的资金来源“%(source)s”。") % {"source": source}}, code="invalid")
        if amount in (None, ""):
            continue
        cleaned[source] = _clean_money(amount, "funding", str(FundingSource.Source(source).label))
    return cleaned


def _clean_budget(budget: Mapping[str, object]) -> dict[str, Decimal]:
    cleaned = {}
    for category, amount in budget.items():
        if category not in BudgetLine.Category.values:
            raise ValidationError({"budget": _("未知的预算科目“%(category)s”。") % {"category": category}})
        if amount in (None, ""):
            continue
        cleaned[category] = _clean_money(amount, "budget", str(BudgetLine.Category(category).label))
    return cleaned


def _clean_outputs(outputs: Iterable) -> list[tuple[str, str, int]]:
    cleaned: dict[tuple[str, str], int] = {}
    for measure, domain, planned in outputs:
        domain = (domain or "").strip()
        if measure not in PlannedOutput.Measure.values:
            raise ValidationError({"outputs": _("未知的产出指标“%(measure)s”。") % {"measure": measure}})
        if planned is None or int(planned) < 0:
            raise ValidationError({"outputs": _("计划数须为不小于 0 的整数。")})
        key = (measure, domain)
        if key in cleaned:
            raise ValidationError(
                {
                    "outputs": _("产出指标“%(measure)s”（%(domain)s）重复填写。")
                    % {"measure": PlannedOutput.Measure(measure).label, "domain": domain or _("不分领域")}
                },
                code="duplicate_output",
            )
        cleaned[key] = int(planned)
    if cleaned:
        domains = {domain for _measure, domain in cleaned if domain}
        if domains:
            from shegong.refdata.models import DictionaryItem

            known = set(
                DictionaryItem.objects.filter(
                    dictionary__code="service_domain", code__in=domains, is_active=True
                ).values_list("code", flat=True)
            )
            unknown = sorted(domains - known)
            if unknown:
                raise ValidationError(
                    {"outputs": _("服务领域无效或已停用：%(codes)s。") % {"codes": "、".join(unknown)}},
                    code="invalid_domain",
                )
    return [(measure, domain, planned) for (measure, domain), planned in cleaned.items()]


def check_sums(total: Decimal, funding: Mapping[str, Decimal], budget: Mapping[str, Decimal]) -> None:
    """The sources of funds and the planned budget lines each add up to the project's total funds; otherwise say
    which differs, and by how much."""
    errors: dict[str, list] = {}
    funded = sum(funding.values(), Decimal(0))
    if funded != total:
        errors["funding"] = [
            _("资金来源合计 %(sum)s，项目总经费 %(total)s，%(how)s %(gap)s。")
            % {
                "sum": _money(funded),
                "total": _money(total),
                "how": _("多出") if funded > total else _("还差"),
                "gap": _money(abs(funded - total)),
            }
        ]
    planned = sum(budget.values(), Decimal(0))
    if planned != total:
        errors["budget"] = [
            _("预算科目合计 %(sum)s，项目总经费 %(total)s，%(how)s %(gap)s。")
            % {
                "sum": _money(planned),
                "total": _money(total),
                "how": _("多出") if planned > total else _("还差"),
                "gap": _money(abs(planned - total)),
            }
        ]
    if errors:
        raise ValidationError(errors, code="sums")


def _check_stations(actor, project: Project, stations) -> list:
    """Stations inside the purchaser's subtree (and so in the actor's scope), not revoked."""
    from shegong.stations.models import Station

    stations = list(stations)
    low, high = subtree_bounds(project.region.code, project.region.level)
    outside = [station for station in stations if not low <= station.region_id <= high]
    if outside:
        raise ValidationError(
            {
                "stations": _("站点不在购买方所在区划“%(region)s”内：%(names)s。")
                % {"region": project.region.name, "names": "、".join(station.name for station in outside)}
            },
            code="station_outside",
        )
    revoked = [station for station in stations if station.status == Station.Status.REVOKED]
    if revoked:
        raise ValidationError(
            {"stations": _("已撤销的站点不能纳入项目：%(names)s。") % {"names": "、".join(s.name for s in revoked)}},
            code="station_revoked",
        )
    return stations


def _children_snapshot(project: Project) -> dict:
    return {
        "funding": {row.source: str(row.amount) for row in project.funding.all()},
        "budget": {row.category: str(row.planned) for row in project.budget.all()},
        "outputs": sorted(f"{row.measure}/{row.domain}={row.planned}" for row in project.outputs.all()),
        "stations": sorted(project.covered.values_list("station__code", flat=True)),
    }


def _write_children(project: Project, funding, budget, outputs, stations) -> None:
    if funding is not None:
        project.funding.exclude(source__in=list(funding)).delete()
        for source, amount in funding.items():
            FundingSource.objects.update_or_create(project=project, source=source, defaults={"amount": amount})
    if budget is not None:
        # A line that was spent on stays (with planned 0) so the spending is not lost.
        project.budget.exclude(category__in=list(budget)).filter(spent=0).delete()
        project.budget.exclude(category__in=list(budget)).update(planned=0)
        for category, planned in budget.items():
            BudgetLine.objects.update_or_create(project=project, category=category, defaults={"planned": planned})
    if outputs is not None:
        project.outputs.all().delete()
        PlannedOutput.objects.bulk_create(
            PlannedOutput(project=project, measure=measure, domain=domain, planned=planned)
            for measure, domain, planned in outputs
        )
    if stations is not None:
        ids = {station.pk for station in stations}
        project.covered.exclude(station_id__in=ids).delete()
        have = set(project.covered.values_list("station_id", flat=True))
        ProjectStation.objects.bulk_create(ProjectStation(project=project, station_id=pk) for pk in sorted(ids - have))
    # The children above are partly written in bulk (no signals): judge the project again with all of them in place.
    maintenance.touched(project)


def new_code(region: Region, year: int) -> str:
    """P + the purchaser region's short code + the year + a 3-digit sequence (P440104 2025 001 → P4401042025001).
    The caller holds the region's row lock, so two creators in one region never take the same number."""
    prefix = f"P{region.short_code}{year}"
    taken = Project.objects.filter(code__startswith=prefix).values_list("code", flat=True)
    numbers = [int(code[len(prefix) :]) for code in taken if code[len(prefix) :].isdigit()]
    return f"{prefix}{(max(numbers, default=0) + 1):03d}"


def _lock_region(region: Region) -> None:
    list(Region.objects.select_for_update().filter(pk=region.pk).values_list("pk", flat=True))


@transaction.atomic
def project_create(
    *,
    actor,
    name: str,
    purchaser_department: str,
    region: Region,
    start_date: datetime.date,
    end_date: datetime.date,
    total_funds,
    social_work_posts: int = 0,
    description: str = "",
    stations=(),
    funding: Mapping[str, object] | None = None,
    budget: Mapping[str, object] | None = None,
    outputs: Iterable = (),
) -> Project:
    """Set up a project at 立项: its terms, the stations it covers, its funding and planned budget (each adding up to
    the total funds) and its planned outputs. The code is generated (new_code)."""
    _require(actor, ADD)
    if region is None:
        raise ValidationError({"region": _("请选择购买方所在区划。")}, code="required")
    if not _covers(actor, ADD, region):
        raise ValidationError({"region": _("购买方所在区划不在您的管辖范围内。")}, code="region_out_of_scope")
    if start_date is None or end_date is None:
        raise ValidationError({"start_date": _("请填写服务期。")}, code="required")
    total = _clean_money(total_funds, "total_funds", _("项目总经费"))
    project = Project(
        name=(name or "").strip(),
        purchaser_department=(purchaser_department or "").strip(),
        region=region,
        province_code=region.code[:2],
        start_date=start_date,
        end_date=end_date,
        total_funds=total,
        social_work_posts=int(social_work_posts or 0),
        description=(description or "").strip(),
        stage=Stage.INITIATED,
        created_by=_user(actor),
    )
    errors: dict[str, list] = {}
    for check in (
        lambda: _check_terms(project),
        lambda: check_sums(total, _clean_funding(funding or {}), _clean_budget(budget or {})),
    ):
        try:
            check()
        except ValidationError as exc:
            _merge(errors, exc)
    stations = list(stations or ())
    try:
        stations = _check_stations(actor, project, stations)
    except ValidationError as exc:
        _merge(errors, exc)
    try:
        cleaned_outputs = _clean_outputs(outputs or ())
    except ValidationError as exc:
        _merge(errors, exc)
    if errors:
        raise ValidationError(errors)
    _lock_region(region)
    for attempt in range(CODE_ATTEMPTS):
        project.code = new_code(region, start_date.year)
        project.full_clean(exclude=["created_by"])
        try:
            with transaction.atomic():
                project.save(force_insert=True)
            break
        except IntegrityError:
            # Only a writer that bypassed the region lock reaches this: take the next number.
            project.pk = None
            if attempt == CODE_ATTEMPTS - 1:
                raise
    _write_children(project, _clean_funding(funding or {}), _clean_budget(budget or {}), cleaned_outputs, stations)
    ProjectStageEvent.objects.create(
        project=project,
        from_stage="",
        to_stage=Stage.INITIATED,
        effective_on=timezone.localdate(),
        reason=_("立项"),
        recorded_by=_user(actor),
    )
    record(
        **_audit_actor(actor),
        action=AuditEntry.Action.CREATE,
        obj=project,
        changes=diff({}, {**snapshot(project, PROJECT_FIELDS), **_children_snapshot(project)}),
    )
    return project


def version_of(project: Project) -> str:
    """The version an edit form carries (the time of the project's last change)."""
    return project.updated_at.isoformat() if project.updated_at else ""


@transaction.atomic
def project_update(
    *,
    actor,
    project: Project,
    version: str | None = None,
    stations=None,
    funding: Mapping[str, object] | None = None,
    budget: Mapping[str, object] | None = None,
    outputs: Iterable | None = None,
    **terms,
) -> Project:
    """Change the terms, stations, funding, planned budget or outputs (each given replaces what was there). A project
    that is 结项 or 终止 is no longer changed. `version` (from version_of when the form was read) refuses an edit made
    on a stale page."""
    unknown = set(terms) - TERMS
    if unknown:
        raise ValueError(f"project_update cannot change {', '.join(sorted(unknown))}")
    _require_on(actor, project, CHANGE)
    project = _locked(project)
    if version is not None and version != version_of(project):
        raise ValidationError(
            _("该项目已被他人修改（%(when)s），请重新打开编辑页面后再提交。")
            % {"when": timezone.localtime(project.updated_at).strftime("%Y-%m-%d %H:%M:%S")},
            code="stale",
        )
    if project.stage in FINAL_STAGES:
        raise ValidationError(_("项目已%(stage)s，不能再修改。") % {"stage": project.get_stage_display()}, code="final")
    before = {**snapshot(project, PROJECT_FIELDS), **_children_snapshot(project)}
    for name, value in terms.items():
        if isinstance(value, str):
            value = value.strip()
        if name == "total_funds":
            value = _clean_money(value, "total_funds", _("项目总经费"))
        setattr(project, name, value)
    if project.region is None:
        raise ValidationError({"region": _("请选择购买方所在区划。")}, code="required")
    if project.region_id != before["region"] and not _covers(actor, CHANGE, project.region):
        raise ValidationError({"region": _("购买方所在区划不在您的管辖范围内。")}, code="region_out_of_scope")
    project.province_code = project.region.code[:2]
    errors: dict[str, list] = {}
    try:
        _check_terms(project)
    except ValidationError as exc:
        _merge(errors, exc)
    new_funding = _clean_funding(funding) if funding is not None else None
    new_budget = _clean_budget(budget) if budget is not None else None
    try:
        check_sums(
            project.total_funds,
            new_funding if new_funding is not None else {row.source: row.amount for row in project.funding.all()},
            new_budget if new_budget is not None else {row.category: row.planned for row in project.budget.all()},
        )
    except ValidationError as exc:
        _merge(errors, exc)
    try:
        stations = _check_stations(actor, project, stations if stations is not None else project.stations.all())
    except ValidationError as exc:
        _merge(errors, exc)
    cleaned_outputs = None
    if outputs is not None:
        try:
            cleaned_outputs = _clean_outputs(outputs)
        except ValidationError as exc:
            _merge(errors, exc)
    try:
        _check_roster_inside(project)
    except ValidationError as exc:
        _merge(errors, exc)
    if errors:
        raise ValidationError(errors)
    project.full_clean(exclude=["created_by"])
    project.save()
    _write_children(project, new_funding, new_budget, cleaned_outputs, stations)
    changed = diff(before, {**snapshot(project, PROJECT_FIELDS), **_children_snapshot(project)})
    if changed:
        record(**_audit_actor(actor), action=AuditEntry.Action.UPDATE, obj=project, changes=changed)
    return project


def _check_roster_inside(project: Project) -> None:
    """A shorter service period must still hold the roster."""
    outside = project.staff.exclude(start_date__gte=project.start_date, start_date__lte=project.end_date)
    outside = outside | project.staff.filter(end_date__gt=project.end_date)
    names = sorted(set(outside.values_list("worker__name", flat=True)))
    if names:
        raise ValidationError(
            {
                "end_date": _("项目人员的期间超出新的服务期：%(names)s。请先调整项目人员。")
                % {"names": "、".join(names)}
            },
            code="roster_outside",
        )


# --- The contractor --------------------------------------------------------------------------------------------------


def check_contractor(project: Project, agency, contract_date: datetime.date) -> None:
    """Refuse, saying why, a contractor on the abnormal list or the blacklist on the contract date, or rated below the
    minimum that the profile in force where the purchaser is sets on that date (or not rated at all then)."""
    from shegong.agencies.selectors import rating_in_force
    from shegong.agencies.services import assert_agency_contractable
    from shegong.policies.selectors import rule_in_force

    try:
        assert_agency_contractable(agency, contract_date)
    except ValidationError as exc:
        raise ValidationError({"agency": exc.messages}, code=exc.code) from None
    rule = rule_in_force(CONTRACTOR_RULE, project.region_id, contract_date)
    if rule is None:
        return
    rating = rating_in_force(agency, contract_date)
    verdict = rule.evaluate({"rating_level": rating.level if rating is not None else None})
    if verdict.passed is False:
        raise ValidationError(
            {
                "agency": _("“%(name)s”不能承接本项目：%(message)s（%(profile)s）")
                % {"name": agency.name, "message": verdict.message, "profile": verdict.profile_name}
            },
            code="rating_below_minimum",
        )


@transaction.atomic
def project_set_contractor(*, actor, project: Project, agency, contract_date: datetime.date) -> Project:
    """Name the contractor agency and the contract date (before 执行), after check_contractor on that date."""
    _require_on(actor, project, CHANGE)
    project = _locked(project)
    if project.stage not in (Stage.INITIATED, Stage.TENDERING, Stage.CONTRACTED):
        raise ValidationError(
            _("项目处于“%(stage)s”阶段，不能再更换承接机构。") % {"stage": project.get_stage_display()},
            code="contractor_fixed",
        )
    if agency is None:
        raise ValidationError({"agency": _("请选择承接机构。")}, code="required")
    if contract_date is None:
        raise ValidationError({"contract_date": _("请填写签约日期。")}, code="required")
    check_contractor(project, agency, contract_date)
    before = snapshot(project, PROJECT_FIELDS)
    project.agency = agency
    project.contract_date = contract_date
    project.save(update_fields=["agency", "contract_date", "updated_at"])
    record(
        **_audit_actor(actor),
        action=AuditEntry.Action.UPDATE,
        obj=project,
        changes=diff(before, snapshot(project, PROJECT_FIELDS)),
        note=_("确定承接机构"),
    )
    return project


# --- The lifecycle ---------------------------------------------------------------------------------------------------


def allowed_moves(stage: str) -> tuple[str, ...]:
    return Project.MOVES.get(stage, ())


def reason_required(current: str, target: str) -> bool:
    return target == Stage.TERMINATED or (current, target) in REASON_REQUIRED


@transaction.atomic
def project_move(
    *, actor, project: Project, to_stage: str, effective_on: datetime.date | None = None, reason: str = ""
) -> ProjectStageEvent:
    """Move the project along Project.MOVES only. 签约 needs the contractor and the contract date, and checks the
    contractor again on that date; 终止 and 流标 (招标/评审 → 立项) need a reason."""
    _require_on(actor, project, MOVE)
    project = _locked(project)
    today = timezone.localdate()
    effective_on = effective_on or today
    reason = (reason or "").strip()
    current = project.stage
    if to_stage not in Stage.values:
        raise ValidationError({"to_stage": _("请选择有效的阶段。")}, code="invalid_stage")
    if current in FINAL_STAGES:
        raise ValidationError(
            _("项目已%(stage)s：这是最终阶段，不能再变更。") % {"stage": project.get_stage_display()}, code="final"
        )
    allowed = allowed_moves(current)
    if to_stage not in allowed:
        raise ValidationError(
            {
                "to_stage": _("项目阶段不能从“%(current)s”变为“%(target)s”，只能变为：%(allowed)s。")
                % {
                    "current": Stage(current).label,
                    "target": Stage(to_stage).label,
                    "allowed": "、".join(str(Stage(value).label) for value in allowed),
                }
            },
            code="invalid_move",
        )
    if effective_on > today:
        raise ValidationError({"effective_on": _("生效日期不能晚于今天。")}, code="future_date")
    latest = project.stage_events.order_by("-effective_on", "-id").first()
    if latest is not None and effective_on < latest.effective_on:
        raise ValidationError(
            {
                "effective_on": _("生效日期不能早于上一次阶段变更（%(date)s，%(stage)s）。")
                % {"date": latest.effective_on.isoformat(), "stage": latest.get_to_stage_display()}
            },
            code="before_previous",
        )
    if reason_required(current, to_stage) and not reason:
        message = _("终止项目须写明原因。") if to_stage == Stage.TERMINATED else _("流标（退回立项）须写明原因。")
        raise ValidationError({"reason": message}, code="reason_required")
    if to_stage == Stage.CONTRACTED:
        if project.agency is None or project.contract_date is None:
            raise ValidationError(
                _("签约前须先确定承接机构和签约日期。"),
                code="no_contractor",
            )
        check_contractor(project, project.agency, project.contract_date)
    event = ProjectStageEvent(
        project=project,
        from_stage=current,
        to_stage=to_stage,
        effective_on=effective_on,
        reason=reason,
        recorded_by=_user(actor),
    )
    event.full_clean()
    event.save()
    before = snapshot(project, ["stage"])
    project.stage = to_stage
    project.save(update_fields=["stage", "updated_at"])
    record(
        **_audit_actor(actor),
        action=AuditEntry.Action.TRANSITION,
        obj=project,
        changes=diff(before, snapshot(project, ["stage"])),
        note=reason,
    )
    return event


# --- The roster ------------------------------------------------------------------------------------------------------


def _check_delivery_open(project: Project) -> None:
    if project.stage in FINAL_STAGES:
        raise ValidationError(
            _("项目已%(stage)s，不能再调整人员或支出。") % {"stage": project.get_stage_display()}, code="final"
        )


def _check_staff_period(project: Project, start: datetime.date, end: datetime.date | None) -> None:
    if start is None:
        raise ValidationError({"start_date": _("请填写起始日期。")}, code="required")
    if end is not None and end < start:
        raise ValidationError({"end_date": _("结束日期不能早于起始日期。")}, code="period")
    if start < project.start_date or start > project.end_date or (end is not None and end > project.end_date):
        raise ValidationError(
            {
                "start_date": _("人员期间须在项目服务期（%(start)s 至 %(end)s）之内。")
                % {"start": project.start_date.isoformat(), "end": project.end_date.isoformat()}
            },
            code="outside_period",
        )


def _check_no_overlap(project: Project, worker, start, end, exclude_pk=None) -> None:
    others = ProjectStaff.objects.filter(project=project, worker=worker).exclude(pk=exclude_pk)
    others = others.filter(end_date__isnull=True) | others.filter(end_date__gte=start)
    if end is not None:
        others = others.filter(start_date__lte=end)
    other = others.order_by("start_date").first()
    if other is not None:
        until = other.end_date.isoformat() if other.end_date else _("至今")
        raise ValidationError(
            {
                "worker": _("%(name)s 已在本项目人员名单中（%(start)s 至 %(end)s，%(role)s），期间重叠。")
                % {
                    "name": worker.name,
                    "start": other.start_date.isoformat(),
                    "end": until,
                    "role": other.get_role_display(),
                }
            },
            code="overlap",
        )


@transaction.atomic
def staff_add(
    *,
    actor,
    project: Project,
    worker,
    role: str,
    start_date: datetime.date,
    end_date: datetime.date | None = None,
    is_full_time: bool = True,
    is_social_work_post: bool = True,
) -> ProjectStaff:
    """Put a worker on the roster for a period inside the project's service period. A blacklisted (or departed)
    worker is refused on the start date; the same worker twice over overlapping days is refused."""
    from shegong.workers.selectors import assert_worker_assignable

    _require_on(actor, project, KEEP)
    project = _locked(project)
    _check_delivery_open(project)
    if worker is None:
        raise ValidationError({"worker": _("请选择人员。")}, code="required")
    if role not in ProjectStaff.Role.values:
        raise ValidationError({"role": _("请选择项目角色。")}, code="invalid_role")
    _check_staff_period(project, start_date, end_date)
    try:
        assert_worker_assignable(worker, start_date)
    except ValidationError as exc:
        raise ValidationError({"worker": exc.messages}, code=exc.code) from None
    _check_no_overlap(project, worker, start_date, end_date)
    member = ProjectStaff(
        project=project,
        worker=worker,
        role=role,
        is_full_time=bool(is_full_time),
        is_social_work_post=bool(is_social_work_post),
        start_date=start_date,
        end_date=end_date,
    )
    member.full_clean()
    member.save()
    record(
        **_audit_actor(actor),
        action=AuditEntry.Action.CREATE,
        obj=member,
        changes=diff({}, snapshot(member, STAFF_FIELDS)),
        note=_("项目：%(code)s") % {"code": project.code},
    )
    return member


@transaction.atomic
def staff_end(*, actor, member: ProjectStaff, end_date: datetime.date) -> ProjectStaff:
    """End a roster member's period on `end_date` (not before the start, not after the project's end)."""
    project = member.project
    _require_on(actor, project, KEEP)
    project = _locked(project)
    member = ProjectStaff.objects.select_related("worker").get(pk=member.pk, project=project)
    _check_delivery_open(project)
    if end_date is None:
        raise ValidationError({"end_date": _("请填写结束日期。")}, code="required")
    _check_staff_period(project, member.start_date, end_date)
    before = snapshot(member, STAFF_FIELDS)
    member.end_date = end_date
    member.full_clean()
    member.save(update_fields=["end_date"])
    record(
        **_audit_actor(actor),
        action=AuditEntry.Action.UPDATE,
        obj=member,
        changes=diff(before, snapshot(member, STAFF_FIELDS)),
        note=_("项目：%(code)s") % {"code": project.code},
    )
    return member


@transaction.atomic
def staff_remove(*, actor, member: ProjectStaff) -> None:
    """Take an entry off the roster (a mistaken entry; a member who left is ended with staff_end instead)."""
    project = member.project
    _require_on(actor, project, KEEP)
    project = _locked(project)
    member = ProjectStaff.objects.select_related("worker").get(pk=member.pk, project=project)
    _check_delivery_open(project)
    before = snapshot(member, STAFF_FIELDS)
    label = str(member)
    pk = member.pk
    member.delete()
    record(
        **_audit_actor(actor),
        action=AuditEntry.Action.DELETE,
        object_type=ProjectStaff._meta.label_lower,
        object_id=str(pk),
        object_repr=label,
        changes=diff(before, {}),
        note=_("项目：%(code)s") % {"code": project.code},
    )


def roster_on(project: Project, on: datetime.date):
    return project.staff.filter(on_roster(on))


# --- Spending --------------------------------------------------------------------------------------------------------


@transaction.atomic
def budget_record_spending(*, actor, project: Project, spent: Mapping[str, object]) -> list[BudgetLine]:
    """The contractor records what has been spent on each budget line so far (cumulative). Spending over the planned
    amount is allowed (the page flags it); a category without a line gets one with planned 0."""
    _require_on(actor, project, KEEP)
    project = _locked(project)
    _check_delivery_open(project)
    if project.stage not in Project.CONTRACTED_STAGES:
        raise ValidationError(_("签约之前没有支出可记录。"), code="not_contracted")
    amounts = {}
    for category, value in spent.items():
        if category not in BudgetLine.Category.values:
            raise ValidationError({"spent": _("未知的预算科目“%(category)s”。") % {"category": category}})
        if value in (None, ""):
            continue
        amounts[category] = _clean_money(value, "spent", str(BudgetLine.Category(category).label))
    lines = {line.category: line for line in project.budget.all()}
    before = {category: str(line.spent) for category, line in lines.items()}
    for category, amount in amounts.items():
        line = lines.get(category)
        if line is None:
            line = lines[category] = BudgetLine(project=project, category=category, planned=0)
        line.spent = amount
        line.full_clean()
        line.save()
    after = {category: str(line.spent) for category, line in lines.items()}
    changed = diff(before, after)
    if changed:
        record(
            **_audit_actor(actor),
            action=AuditEntry.Action.UPDATE,
            obj=project,
            changes={f"spent.{key}": value for key, value in changed.items()},
            note=_("记录经费支出"),
        )
    project.save(update_fields=["updated_at"])
    return sorted(lines.values(), key=lambda line: line.category)
