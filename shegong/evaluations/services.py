"""Every write of the evaluations app: one function per action, atomic, validated, permission- and scope-checked,
audited in the same transaction (DESIGN.md §5). `actor=None` is the installation (demo, data loads): no checks, the
audit entry names "system".

Locks: an evaluation's row is locked (select_for_update) before its state or its forms change, so a move to 已完成
and a late save of a form cannot both pass their checks; a template's row before its tree changes or before an
evaluation is created from it (a frozen template stays frozen). A survey token is consumed by one conditional UPDATE.
"""

from __future__ import annotations

import secrets
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.audit.services import diff, record, snapshot
from shegong.core.scope import scope_q
from shegong.core.uploads import validate_upload
from shegong.evaluations import scoring, selectors
from shegong.evaluations.models import (
    Evaluation,
    EvaluationTemplate,
    EvaluatorAssignment,
    Evidence,
    IndicatorNode,
    ItemScore,
    RaterGroup,
    ScoreCorrection,
    Survey,
    SurveyResponse,
    SurveyToken,
)
from shegong.evaluations.selectors import ADD_TEMPLATE, CHANGE_TEMPLATE, EVALUABLE_STAGES, ORGANISE, SCORE
from shegong.projects import selectors as project_selectors
from shegong.projects.models import Project

State = Evaluation.State
Level = IndicatorNode.Level
HUNDRED = Decimal(100)
MAX_TOKENS_AT_ONCE = 500
LIKERT = range(1, 6)
DEFAULT_QUESTIONS = {
    Survey.Audience.RECIPIENT: [
        "社工的服务态度",
        "服务的及时性",
        "服务对您的帮助",
        "对社工站服务的总体满意度",
    ],
    Survey.Audience.PARTNER: [
        "与社工站的沟通协作",
        "对社区需求的回应",
        "资源链接与活动组织",
        "对社工站服务的总体满意度",
    ],
}


def _require(actor, perm: str) -> None:
    if actor is not None and not actor.has_perm(perm):
        raise PermissionDenied(_("您没有执行此操作的权限。"))


def _audit(actor) -> dict:
    return {"actor": actor, "actor_username": "" if actor is not None else "system"}


def _user(actor):
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def _decimal(value, field: str, label: str) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("%(label)s必须是数字。") % {"label": label}}) from None
    if not number.is_finite():
        raise ValidationError({field: _("%(label)s必须是数字。") % {"label": label}})
    return number


# --- Templates -----------------------------------------------------------------------------------------------------


def template_problems(template: EvaluationTemplate) -> list[str]:
    """What keeps a template from being used, in Chinese: weights that do not add up (which level, which parent, by
    how much), items without a scale or a rater group, groups without items, bad grade bands. Empty = usable."""
    problems = []
    nodes = list(template.nodes.order_by("level", "position", "id"))
    by_id = {node.id: node for node in nodes}
    children: dict[int | None, list[IndicatorNode]] = {}
    for node in nodes:
        children.setdefault(node.parent_id, []).append(node)
    if not nodes:
        return [_("指标体系还没有任何维度。")]
    sums = {None: [node.weight for node in children.get(None, [])]}
    for node in nodes:
        if node.level < Level.ITEM:
            sums[node.id] = [child.weight for child in children.get(node.id, [])]
            if not children.get(node.id):
                problems.append(
                    _("%(level)s“%(name)s”下没有%(child)s。")
                    % {"level": node.get_level_display(), "name": node.name, "child": Level(node.level + 1).label}
                )
    for where, off in scoring.weight_problems({key: value for key, value in sums.items() if value}).items():
        total = off + HUNDRED
        if where is None:
            place = _("各维度")
        else:
            parent = by_id[where]
            place = _("%(level)s“%(name)s”下的各%(child)s") % {
                "level": parent.get_level_display(),
                "name": parent.name,
                "child": Level(parent.level + 1).label,
            }
        problems.append(
            _("%(place)s权重之和为 %(total)s，应为 100（%(direction)s %(by)s）。")
            % {"place": place, "total": _fmt(total), "direction": _("多") if off > 0 else _("少"), "by": _fmt(abs(off))}
        )
    groups = list(template.groups.prefetch_related("items"))
    scored_items = set()
    for group in groups:
        item_ids = {item.id for item in group.items.all()}
        scored_items |= item_ids
        if not item_ids:
            problems.append(_("评分主体“%(group)s”没有评分项。") % {"group": group.get_kind_display()})
    if not groups:
        problems.append(_("还没有设置评分主体。"))
    else:
        total = sum((group.weight for group in groups), Decimal(0))
        if total != HUNDRED:
            off = total - HUNDRED
            problems.append(
                _("各评分主体权重之和为 %(total)s，应为 100（%(direction)s %(by)s）。")
                % {"total": _fmt(total), "direction": _("多") if off > 0 else _("少"), "by": _fmt(abs(off))}
            )
    for node in nodes:
        if node.level == Level.ITEM and node.id not in scored_items:
            problems.append(_("评分项“%(name)s”没有指定评分主体。") % {"name": node.name})
    try:
        clean_bands(template.bands)
    except ValidationError as exc:
        problems.extend(exc.messages)
    return problems


def _fmt(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def clean_bands(bands) -> list[dict]:
    """Grade bands as [{"label", "minimum"}] highest first; labels and minimums distinct, within 0–100, one at 0."""
    if not isinstance(bands, list) or not bands:
        raise ValidationError(_("请至少设置一个等级。"), code="bands")
    cleaned = []
    for band in bands:
        label = str(band.get("label", "")).strip() if isinstance(band, dict) else ""
        if not label:
            raise ValidationError(_("每个等级都要有名称。"), code="bands")
        minimum = _decimal(band.get("minimum"), "bands", _("等级下限"))
        if minimum < 0 or minimum > HUNDRED:
            raise ValidationError(
                _("等级“%(label)s”的下限 %(minimum)s 不在 0 到 100 之间。") % {"label": label, "minimum": minimum},
                code="bands",
            )
        cleaned.append({"label": label, "minimum": _fmt(minimum)})
    if len({band["label"] for band in cleaned}) != len(cleaned):
        raise ValidationError(_("等级名称不能重复。"), code="bands")
    if len({Decimal(band["minimum"]) for band in cleaned}) != len(cleaned):
        raise ValidationError(_("两个等级的下限不能相同。"), code="bands")
    if not any(Decimal(band["minimum"]) == 0 for band in cleaned):
        raise ValidationError(_("最低一个等级的下限应为 0，使任何得分都有等级。"), code="bands")
    return sorted(cleaned, key=lambda band: Decimal(band["minimum"]), reverse=True)


def parse_bands(text: str) -> list[dict]:
    """ "优秀 90" lines (name and minimum, one band a line) into bands."""
    bands = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        parts = line.replace("≥", " ").replace("，", " ").replace(",", " ").split()
        if len(parts) != 2:
            raise ValidationError(_("每行写一个等级：名称和下限，如“优秀 90”。"), code="bands")
        bands.append({"label": parts[0], "minimum": parts[1]})
    return clean_bands(bands)


def _template_scope(actor, template: EvaluationTemplate) -> None:
    _require(actor, CHANGE_TEMPLATE)
    if actor is None:
        return
    if template.region_id is None or not selectors.can_change_template(actor, template):
        raise PermissionDenied(_("该指标体系不在您的管辖范围内。"))


def _locked_template(template: EvaluationTemplate) -> EvaluationTemplate:
    template = EvaluationTemplate.objects.select_for_update().get(pk=template.pk)
    if selectors.is_frozen(template):
        raise ValidationError(_("该指标体系已被评估使用，不能再修改；请复制一份后修改副本。"), code="frozen")
    return template


def _check_region(actor, region, perm: str) -> None:
    from shegong.accounts.selectors import grant_covers

    if actor is None:
        return
    if region is None:
        if not grant_covers(actor, perm):
            raise ValidationError({"region": _("只有全国范围的管理员可以建立全国通用的指标体系；请选择所属区划。")})
    elif not grant_covers(actor, perm, region=region):
        raise ValidationError({"region": _("所属区划不在您的管辖范围内。")})


@transaction.atomic
def template_create(*, name: str, kind: str, region, description: str = "", bands=None, actor) -> EvaluationTemplate:
    _require(actor, ADD_TEMPLATE)
    _check_region(actor, region, ADD_TEMPLATE)
    from shegong.evaluations.presets import BANDS

    template = EvaluationTemplate(
        name=(name or "").strip(),
        kind=kind,
        region=region,
        description=description,
        bands=clean_bands(bands if bands is not None else BANDS),
        created_by=_user(actor),
    )
    template.full_clean()
    template.save()
    record(
        **_audit(actor), action="create", note="evaluation_template.create", obj=template, changes=snapshot(template)
    )
    return template


@transaction.atomic
def template_copy(*, template: EvaluationTemplate, name: str, region, actor) -> EvaluationTemplate:
    """A new, editable template with the same tree, groups and bands (how a frozen or national one is changed)."""
    _require(actor, ADD_TEMPLATE)
    if actor is not None and not selectors.templates_visible(actor).filter(pk=template.pk).exists():
        raise PermissionDenied(_("该指标体系不在您的管辖范围内。"))
    _check_region(actor, region, ADD_TEMPLATE)
    copy = EvaluationTemplate(
        name=(name or "").strip(),
        kind=template.kind,
        region=region,
        description=template.description,
        source_text=template.source_text,
        bands=template.bands,
        copied_from=template,
        created_by=_user(actor),
    )
    copy.full_clean()
    copy.save()
    mapping: dict[int, IndicatorNode] = {}
    for node in template.nodes.order_by("level", "position", "id"):
        mapping[node.id] = IndicatorNode.objects.create(
            template=copy,
            parent=mapping.get(node.parent_id),
            level=node.level,
            position=node.position,
            name=node.name,
            weight=node.weight,
            max_points=node.max_points,
            levels=node.levels,
            method=node.method,
            guidance=node.guidance,
        )
    for group in template.groups.prefetch_related("items"):
        new_group = RaterGroup.objects.create(template=copy, kind=group.kind, weight=group.weight)
        new_group.items.set([mapping[item.id] for item in group.items.all()])
    record(
        **_audit(actor),
        action="create",
        note="evaluation_template.copy",
        obj=copy,
        changes={**snapshot(copy), "copied_from": template.pk},
    )
    return copy


@transaction.atomic
def template_update(*, template: EvaluationTemplate, actor, **changes) -> EvaluationTemplate:
    """Name, description, source text and bands of an editable template."""
    _template_scope(actor, template)
    template = _locked_template(template)
    before = snapshot(template)
    for name in ("name", "description", "source_text"):
        if name in changes:
            setattr(template, name, (changes[name] or "").strip())
    if "bands" in changes:
        template.bands = clean_bands(changes["bands"])
    template.full_clean()
    template.save()
    record(
        **_audit(actor),
        action="update",
        note="evaluation_template.update",
        obj=template,
        changes=diff(before, snapshot(template)),
    )
    return template


def _clean_scale(max_points, levels) -> tuple[Decimal, list]:
    levels = list(levels or [])
    if levels:
        cleaned = []
        for level in levels:
            label = str(level.get("label", "")).strip()
            points = _decimal(level.get("points"), "levels", _("等级分值"))
            if not label or points < 0:
                raise ValidationError({"levels": _("每个评分等级要有名称和不小于 0 的分值。")})
            cleaned.append({"label": label, "points": _fmt(points)})
        top = max(Decimal(level["points"]) for level in cleaned)
        if top <= 0:
            raise ValidationError({"levels": _("最高等级的分值必须大于 0。")})
        return top, cleaned
    points = _decimal(max_points, "max_points", _("满分"))
    if points <= 0:
        raise ValidationError({"max_points": _("满分必须大于 0。")})
    return points, []


def parse_levels(text: str) -> list[dict]:
    """ "好 10" lines into scale levels."""
    levels = []
    for line in (text or "").splitlines():
        parts = line.strip().split()
        if not parts:
            continue
        if len(parts) != 2:
            raise ValidationError({"levels": _("每行写一个评分等级：名称和分值，如“好 10”。")})
        levels.append({"label": parts[0], "points": parts[1]})
    return levels


@transaction.atomic
def node_add(
    *,
    template: EvaluationTemplate,
    parent: IndicatorNode | None,
    name: str,
    weight,
    max_points=None,
    levels=None,
    method: str = "",
    guidance: str = "",
    groups: list[str] | None = None,
    actor,
) -> IndicatorNode:
    """A dimension (no parent), an indicator (under a dimension) or an item (under an indicator, with its scale,
    method and the rater groups that score it)."""
    _template_scope(actor, template)
    template = _locked_template(template)
    if parent is not None and parent.template_id != template.pk:
        raise ValidationError({"parent": _("上级不属于该指标体系。")})
    level = Level.DIMENSION if parent is None else parent.level + 1
    if level > Level.ITEM:
        raise ValidationError({"parent": _("评分项下不能再有下级。")})
    node = IndicatorNode(
        template=template,
        parent=parent,
        level=level,
        name=(name or "").strip(),
        weight=_decimal(weight, "weight", _("权重")),
        guidance=guidance or "",
        method=method or "",
        position=(template.nodes.filter(parent=parent).count() + 1),
    )
    if level == Level.ITEM:
        node.max_points, node.levels = _clean_scale(max_points, levels)
        if not node.method:
            raise ValidationError({"method": _("请选择评估方法。")})
    node.full_clean()
    node.save()
    if level == Level.ITEM:
        _set_item_groups(template, node, groups or [])
    record(**_audit(actor), action="create", note="evaluation_template.node_add", obj=node, changes=snapshot(node))
    return node


def _set_item_groups(template, item: IndicatorNode, kinds: list[str]) -> None:
    present = {group.kind: group for group in template.groups.all()}
    unknown = [kind for kind in kinds if kind not in present]
    if unknown:
        raise ValidationError({"groups": _("该指标体系没有评分主体：%(kinds)s。") % {"kinds": "、".join(unknown)}})
    for kind, group in present.items():
        if kind in kinds:
            group.items.add(item)
        else:
            group.items.remove(item)


@transaction.atomic
def node_remove(*, node: IndicatorNode, actor) -> None:
    template = node.template
    _template_scope(actor, template)
    _locked_template(template)
    record(**_audit(actor), action="delete", note="evaluation_template.node_remove", obj=node, changes=snapshot(node))
    node.delete()


@transaction.atomic
def group_set(*, template: EvaluationTemplate, kind: str, weight, actor) -> RaterGroup | None:
    """Add a rater group, change its weight, or (weight empty) remove it."""
    _template_scope(actor, template)
    template = _locked_template(template)
    if kind not in RaterGroup.Kind.values:
        raise ValidationError({"kind": _("未知的评分主体。")})
    group = template.groups.filter(kind=kind).first()
    if weight in (None, ""):
        if group is not None:
            record(
                **_audit(actor),
                action="delete",
                note="evaluation_template.group_remove",
                obj=group,
                changes=snapshot(group),
            )
            group.delete()
        return None
    value = _decimal(weight, "weight", _("权重"))
    before = snapshot(group) if group else {}
    group = group or RaterGroup(template=template, kind=kind)
    group.weight = value
    group.full_clean()
    group.save()
    record(
        **_audit(actor),
        action="update",
        note="evaluation_template.group_set",
        obj=group,
        changes=diff(before, snapshot(group)),
    )
    return group


@transaction.atomic
def weights_update(
    *,
    template: EvaluationTemplate,
    node_weights: dict[int, object],
    item_groups: dict[int, list[str]],
    group_weights: dict[str, object],
    actor,
) -> EvaluationTemplate:
    """The whole tree's weights, the items' rater groups and the groups' weights at once; refused (nothing written)
    unless every level and the groups then add up to 100, with the message saying where and by how much."""
    _template_scope(actor, template)
    template = _locked_template(template)
    nodes = {node.id: node for node in template.nodes.all()}
    before = {str(node.id): str(node.weight) for node in nodes.values()}
    for node_id, weight in node_weights.items():
        node = nodes.get(int(node_id))
        if node is None:
            raise ValidationError(_("指标不属于该指标体系。"))
        node.weight = _decimal(weight, "weight", _("“%(name)s”的权重") % {"name": node.name})
        node.full_clean()
        node.save(update_fields=["weight"])
    groups = {group.kind: group for group in template.groups.all()}
    for kind, weight in group_weights.items():
        group = groups.get(kind)
        if group is None:
            raise ValidationError(_("该指标体系没有这个评分主体。"))
        group.weight = _decimal(weight, "weight", _("“%(name)s”的权重") % {"name": group.get_kind_display()})
        group.full_clean()
        group.save(update_fields=["weight"])
    for item_id, kinds in item_groups.items():
        item = nodes.get(int(item_id))
        if item is None or item.level != Level.ITEM:
            raise ValidationError(_("评分项不属于该指标体系。"))
        _set_item_groups(template, item, kinds)
    problems = [problem for problem in template_problems(template) if "权重" in problem]
    if problems:
        # Rolls the whole update back: the tree is never left half-weighted.
        raise ValidationError(problems, code="weights")
    after = {str(node.id): str(node.weight) for node in template.nodes.all()}
    record(
        **_audit(actor),
        action="update",
        note="evaluation_template.weights",
        obj=template,
        changes={
            "nodes": diff(before, after),
            "groups": {kind: str(group.weight) for kind, group in groups.items()},
        },
    )
    return template


# --- Evaluations ---------------------------------------------------------------------------------------------------


def _locked(evaluation: Evaluation) -> Evaluation:
    return Evaluation.objects.select_for_update().select_related("project", "template").get(pk=evaluation.pk)


def _organiser(actor, evaluation: Evaluation) -> None:
    _require(actor, ORGANISE)
    if actor is not None and not selectors.can_organise(actor, evaluation):
        raise PermissionDenied(_("该评估不在您的管辖范围内。"))


@transaction.atomic
def evaluation_create(
    *, project: Project, template: EvaluationTemplate, title: str = "", due_on=None, actor
) -> Evaluation:
    _require(actor, ORGANISE)
    if actor is not None and not Project.objects.filter(scope_q(actor, Project, ORGANISE), pk=project.pk).exists():
        raise PermissionDenied(_("该项目不在您的管辖范围内。"))
    if actor is not None and not selectors.templates_visible(actor).filter(pk=template.pk).exists():
        raise ValidationError({"template": _("该指标体系不在您的管辖范围内。")})
    template = EvaluationTemplate.objects.select_for_update().get(pk=template.pk)
    if project.agency_id is None:
        raise ValidationError({"project": _("项目还没有承接机构，不能评估。")})
    if project.stage not in EVALUABLE_STAGES:
        raise ValidationError(
            {"project": _("项目处于“%(stage)s”阶段，执行开始后才能评估。") % {"stage": project.get_stage_display()}},
            code="stage",
        )
    problems = template_problems(template)
    if problems:
        raise ValidationError(
            {
                "template": _("指标体系“%(name)s”尚不能使用：%(problems)s")
                % {"name": template.name, "problems": "；".join(problems)}
            }
        )
    evaluation = Evaluation(
        project=project,
        template=template,
        kind=template.kind,
        title=(title or "").strip() or f"{project.name} · {template.get_kind_display()}",
        due_on=due_on,
        created_by=_user(actor),
    )
    evaluation.full_clean()
    evaluation.save()
    record(**_audit(actor), action="create", note="evaluation.create", obj=evaluation, changes=snapshot(evaluation))
    return evaluation


def conflict_reason(user, agency) -> str | None:
    """Why `user` may not evaluate a project of `agency` (employed by the contractor), or None."""
    from shegong.accounts.models import RoleAssignment
    from shegong.workers.models import SocialWorker

    if agency is None:
        return None
    if user.home_agency_id == agency.pk:
        return _("%(user)s 是承接机构“%(agency)s”的人员（所属机构），存在利益冲突，不能担任该项目的评估人员。") % {
            "user": user,
            "agency": agency.name,
        }
    if RoleAssignment.objects.filter(user=user, agency=agency).exists():
        return _("%(user)s 在承接机构“%(agency)s”担任角色，存在利益冲突，不能担任该项目的评估人员。") % {
            "user": user,
            "agency": agency.name,
        }
    if SocialWorker.objects.filter(account=user, agency=agency).exists():
        return _("%(user)s 是承接机构“%(agency)s”的社工，存在利益冲突，不能担任该项目的评估人员。") % {
            "user": user,
            "agency": agency.name,
        }
    return None


def _eligible(user, group: RaterGroup, project: Project) -> None:
    from shegong.accounts.models import RoleAssignment

    if not user.is_active:
        raise ValidationError({"evaluator": _("该账户已停用。")})
    if group.kind in RaterGroup.EVALUATOR_KINDS:
        if not RoleAssignment.objects.filter(user=user, role__code="evaluator").exists():
            raise ValidationError(
                {
                    "evaluator": _("%(user)s 没有评估专家角色，不能作为%(group)s评分。")
                    % {"user": user, "group": group.get_kind_display()}
                }
            )
    elif group.kind in RaterGroup.BUREAU_KINDS:
        if not user.has_perm(ORGANISE):
            raise ValidationError(
                {
                    "evaluator": _("%(group)s评分须由民政部门人员担任，%(user)s 不是。")
                    % {"user": user, "group": group.get_kind_display()}
                }
            )
        # The purchaser's and the supervisor's officers are bureau staff who hold the project: its purchaser region,
        # or (the 镇街 supervisor of seed 003) a region holding a station the project covers.
        if not project_selectors.can(user, project_selectors.VIEW, project):
            raise ValidationError(
                {
                    "evaluator": _("%(user)s 的管辖范围不包括该项目所在区划，不能作为%(group)s评分。")
                    % {"user": user, "group": group.get_kind_display()}
                }
            )
    else:
        raise ValidationError(
            {"group": _("%(group)s的得分来自满意度问卷，不分配评估人员。") % {"group": group.get_kind_display()}}
        )


@transaction.atomic
def assignment_add(*, evaluation: Evaluation, group: RaterGroup, evaluator, actor) -> EvaluatorAssignment:
    _organiser(actor, evaluation)
    evaluation = _locked(evaluation)
    if evaluation.state not in (State.DRAFT, State.SCORING):
        raise ValidationError(_("评估已完成，不能再分配评估人员。"))
    if group.template_id != evaluation.template_id:
        raise ValidationError({"group": _("评分主体不属于该评估的指标体系。")})
    _eligible(evaluator, group, evaluation.project)
    reason = conflict_reason(evaluator, evaluation.project.agency)
    if reason:
        raise ValidationError({"evaluator": reason}, code="conflict")
    if evaluation.assignments.filter(evaluator=evaluator).exists():
        raise ValidationError({"evaluator": _("%(user)s 已是该评估的评估人员。") % {"user": evaluator}})
    assignment = EvaluatorAssignment(evaluation=evaluation, group=group, evaluator=evaluator, assigned_by=_user(actor))
    assignment.full_clean()
    assignment.save()
    record(**_audit(actor), action="create", note="evaluation.assign", obj=assignment, changes=snapshot(assignment))
    return assignment


@transaction.atomic
def assignment_remove(*, assignment: EvaluatorAssignment, actor) -> None:
    _organiser(actor, assignment.evaluation)
    evaluation = _locked(assignment.evaluation)
    assignment = EvaluatorAssignment.objects.get(pk=assignment.pk)
    if assignment.locked or evaluation.state not in (State.DRAFT, State.SCORING):
        raise ValidationError(_("评分表已提交，不能移除该评估人员。"))
    record(**_audit(actor), action="delete", note="evaluation.unassign", obj=assignment, changes=snapshot(assignment))
    assignment.delete()


def allowed_moves(evaluation: Evaluation) -> tuple[str, ...]:
    return Evaluation.MOVES.get(evaluation.state, ())


@transaction.atomic
def evaluation_move(*, evaluation: Evaluation, to: str, summary: str | None = None, actor) -> Evaluation:
    """草稿 → 评分中 → 已完成 → 已发布 (and 评分中 → 草稿 while no form is submitted); any other move is refused."""
    _organiser(actor, evaluation)
    evaluation = _locked(evaluation)
    before = snapshot(evaluation)
    if to not in allowed_moves(evaluation):
        raise ValidationError(
            _("评估不能从“%(from)s”变为“%(to)s”。")
            % {"from": evaluation.get_state_display(), "to": State(to).label if to in State.values else to},
            code="forbidden_move",
        )
    forms = list(evaluation.assignments.select_related("group"))
    if to == State.SCORING:
        groups = evaluation.template.groups.exclude(kind__in=RaterGroup.SURVEY_KINDS)
        missing = [group.get_kind_display() for group in groups if not any(f.group_id == group.pk for f in forms)]
        if missing:
            raise ValidationError(
                _("以下评分主体还没有评估人员：%(groups)s。") % {"groups": "、".join(map(str, missing))},
                code="unassigned",
            )
    elif to == State.DRAFT:
        if any(form.locked for form in forms):
            raise ValidationError(_("已有评分表提交，不能退回草稿。"), code="submitted")
    elif to == State.COMPLETED:
        open_forms = [str(form.evaluator) for form in forms if not form.locked]
        if open_forms:
            raise ValidationError(
                _("以下评估人员的评分表尚未提交：%(names)s。") % {"names": "、".join(open_forms)}, code="open_forms"
            )
        result = selectors.compute_results([evaluation])[evaluation.pk]
        if not result.complete:
            labels = "、".join(str(RaterGroup.Kind(kind).label) for kind in result.missing)
            raise ValidationError(
                _("以下评分主体还没有得分（评分表或问卷回答）：%(groups)s。") % {"groups": labels}, code="incomplete"
            )
        _fix_totals(evaluation, result)
        evaluation.completed_at = timezone.now()
    elif to == State.PUBLISHED:
        evaluation.published_at = timezone.now()
    if summary is not None:
        evaluation.summary = summary.strip()
    evaluation.state = to
    evaluation.full_clean()
    evaluation.save()
    record(
        **_audit(actor),
        action="transition",
        note=f"evaluation.move.{to}",
        obj=evaluation,
        changes=diff(before, snapshot(evaluation)),
    )
    return evaluation


def _fix_totals(evaluation: Evaluation, result) -> None:
    evaluation.total = result.total
    evaluation.grade = result.grade
    evaluation.group_scores = {
        kind: str(scoring.round2(score)) for kind, score in result.group_scores.items() if score is not None
    }


# --- Scoring forms -------------------------------------------------------------------------------------------------


def form_items(assignment: EvaluatorAssignment) -> list[IndicatorNode]:
    return list(
        assignment.group.items.select_related("parent", "parent__parent").order_by(
            "parent__parent__position", "parent__position", "position", "id"
        )
    )


def clean_score(item: IndicatorNode, value) -> Decimal:
    """A score within the item's scale: 0..max points, or one of its levels' points."""
    score = _decimal(value, f"score_{item.pk}", _("“%(item)s”的得分") % {"item": item.name})
    if score < 0 or score > item.max_points:
        raise ValidationError(
            {
                f"score_{item.pk}": _("“%(item)s”的得分应在 0 到 %(max)s 之间，填写的是 %(score)s。")
                % {"item": item.name, "max": _fmt(item.max_points), "score": _fmt(score)}
            },
            code="out_of_scale",
        )
    if item.levels and score not in {Decimal(level["points"]) for level in item.levels}:
        allowed = "、".join(f"{level['label']} {level['points']}" for level in item.levels)
        raise ValidationError(
            {
                f"score_{item.pk}": _("“%(item)s”按等级评分，只能选：%(levels)s。")
                % {"item": item.name, "levels": allowed}
            },
            code="not_a_level",
        )
    if score.as_tuple().exponent < -2:
        raise ValidationError({f"score_{item.pk}": _("得分最多保留两位小数。")}, code="precision")
    return score


def _own_form(actor, assignment: EvaluatorAssignment) -> EvaluatorAssignment:
    _require(actor, SCORE)
    if actor is not None and assignment.evaluator_id != actor.pk:
        raise PermissionDenied(_("只能填写分配给自己的评分表。"))
    evaluation = _locked(assignment.evaluation)
    assignment = EvaluatorAssignment.objects.select_related("group", "evaluator").get(pk=assignment.pk)
    assignment.evaluation = evaluation
    return assignment


@transaction.atomic
def scores_save(
    *, assignment: EvaluatorAssignment, scores: dict[int, tuple], comment: str = "", submit: bool = False, actor
) -> EvaluatorAssignment:
    """Save a draft of the form ({item id: (score or "", comment)}); `submit` also requires every item scored and
    locks the form. A submitted form changes only through `score_correct`."""
    assignment = _own_form(actor, assignment)
    if assignment.locked:
        raise ValidationError(_("评分表已提交并锁定；如需更改请逐项更正并说明原因。"), code="locked")
    if assignment.evaluation.state != State.SCORING:
        raise ValidationError(_("评估不在评分阶段，不能填写评分表。"), code="not_scoring")
    items = {item.pk: item for item in form_items(assignment)}
    unknown = [key for key in scores if int(key) not in items]
    if unknown:
        raise ValidationError(_("评分项不属于该评分表。"))
    existing = {score.item_id: score for score in assignment.scores.all()}
    errors: dict[str, list] = {}
    for item_id, item in items.items():
        value, text = scores.get(item_id, ("", ""))
        if value in (None, ""):
            if item_id in existing:
                existing.pop(item_id).delete()
            continue
        try:
            number = clean_score(item, value)
        except ValidationError as exc:
            errors.update(exc.message_dict)
            continue
        row = existing.get(item_id) or ItemScore(assignment=assignment, item=item)
        row.score, row.comment = number, (text or "").strip()
        row.full_clean()
        row.save()
        existing[item_id] = row
    if errors:
        raise ValidationError(errors)
    assignment.comment = (comment or "").strip()
    if submit:
        missing = [item.name for item_id, item in items.items() if item_id not in existing]
        if missing:
            raise ValidationError(
                _("以下评分项还没有评分，不能提交：%(items)s。") % {"items": "、".join(missing)}, code="incomplete"
            )
        assignment.state = EvaluatorAssignment.State.SUBMITTED
        assignment.submitted_at = timezone.now()
    assignment.full_clean()
    assignment.save()
    record(
        **_audit(actor),
        action="transition" if submit else "update",
        note="evaluation.form_submit" if submit else "evaluation.form_save",
        obj=assignment,
        changes={
            "scores": {str(item_id): str(row.score) for item_id, row in existing.items()},
            "state": assignment.state,
        },
    )
    return assignment


@transaction.atomic
def score_correct(
    *, score: ItemScore, new_score, new_comment: str | None = None, reason: str, actor
) -> ScoreCorrection:
    """Change a submitted score: refused without a reason; the old and new values are kept and audited. While the
    evaluation is 已完成 its totals and grade are computed again; once 已发布 nothing changes."""
    assignment = _own_form(actor, score.assignment)
    evaluation = assignment.evaluation
    if not assignment.locked:
        raise ValidationError(_("评分表尚未提交，直接修改即可。"), code="not_locked")
    if evaluation.state not in (State.SCORING, State.COMPLETED):
        raise ValidationError(_("评估结果已发布，评分不能再更正。"), code="published")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("更正已提交的评分必须说明原因。")}, code="reason_required")
    score = ItemScore.objects.select_related("item").get(pk=score.pk)
    number = clean_score(score.item, new_score)
    comment = score.comment if new_comment is None else new_comment.strip()
    correction = ScoreCorrection(
        score=score,
        old_score=score.score,
        new_score=number,
        old_comment=score.comment,
        new_comment=comment,
        reason=reason,
        corrected_by=_user(actor),
    )
    correction.full_clean()
    correction.save()
    score.score, score.comment = number, comment
    score.save()
    changes = {"score": [str(correction.old_score), str(number)], "reason": reason}
    if evaluation.state == State.COMPLETED:
        before = (str(evaluation.total), evaluation.grade)
        _fix_totals(evaluation, selectors.compute_results([evaluation])[evaluation.pk])
        evaluation.save()
        changes["total"] = [before[0], str(evaluation.total)]
        changes["grade"] = [before[1], evaluation.grade]
    record(**_audit(actor), action="update", obj=score, changes=changes, note=f"evaluation.score_correct: {reason}")
    return correction


@transaction.atomic
def evidence_add(*, score: ItemScore, upload, actor) -> Evidence:
    """Attach a file to a score on the actor's own open form (checked by shegong.core.uploads)."""
    assignment = _own_form(actor, score.assignment)
    if assignment.locked:
        raise ValidationError(_("评分表已提交，不能再上传佐证材料。"), code="locked")
    try:
        name, content_type = validate_upload(upload)
    except ValidationError as exc:
        raise ValidationError({"evidence": exc.messages}, code=exc.code) from None
    evidence = Evidence(
        score=score,
        original_name=name,
        size=upload.size,
        content_type=content_type,
        uploaded_by=_user(actor),
    )
    evidence.file.save(name, upload, save=False)
    evidence.full_clean()
    evidence.save()
    record(**_audit(actor), action="create", note="evaluation.evidence_add", obj=evidence, changes=snapshot(evidence))
    return evidence


# --- Surveys -------------------------------------------------------------------------------------------------------


@transaction.atomic
def survey_issue(*, evaluation: Evaluation, audience: str, count: int, actor) -> Survey:
    """Issue `count` one-time tokens for the audience's questionnaire (created with the default questions)."""
    _organiser(actor, evaluation)
    evaluation = _locked(evaluation)
    if evaluation.state not in (State.DRAFT, State.SCORING):
        raise ValidationError(_("评估已完成，不能再发放问卷。"), code="closed")
    if audience not in Survey.Audience.values:
        raise ValidationError({"audience": _("未知的调查对象。")})
    if not evaluation.template.groups.filter(kind=audience).exists():
        raise ValidationError(
            {"audience": _("该评估的指标体系没有“%(group)s”评分主体。") % {"group": Survey.Audience(audience).label}}
        )
    if not 1 <= int(count) <= MAX_TOKENS_AT_ONCE:
        raise ValidationError({"count": _("每次发放 1 到 %(max)d 份。") % {"max": MAX_TOKENS_AT_ONCE}})
    survey, created = Survey.objects.get_or_create(
        evaluation=evaluation,
        audience=audience,
        defaults={
            "title": f"{evaluation.project.name} · {Survey.Audience(audience).label}满意度调查",
            "questions": DEFAULT_QUESTIONS[audience],
            "created_by": _user(actor),
        },
    )
    SurveyToken.objects.bulk_create(SurveyToken(survey=survey, token=secrets.token_urlsafe(18)) for _i in range(count))
    record(
        **_audit(actor),
        action="create",
        note="evaluation.survey_issue",
        obj=survey,
        changes={"audience": audience, "issued": count, "created": created},
    )
    return survey


def survey_for_token(token: str) -> SurveyToken | None:
    return SurveyToken.objects.select_related("survey", "survey__evaluation").filter(token=token).first()


def survey_open(token: SurveyToken) -> bool:
    return token.survey.evaluation.state in (State.DRAFT, State.SCORING)


@transaction.atomic
def survey_answer(*, token: SurveyToken, answers: list, comment: str = "") -> SurveyResponse:
    """One anonymous answer per token. The token is consumed by a single conditional UPDATE, so of two concurrent
    submits exactly one wins; the other is told the link was used. No personal data (no name, no address) is
    stored and no audit row written (it would keep the visitor's address)."""
    survey = token.survey
    if not survey_open(token):
        raise ValidationError(_("本次满意度调查已经结束，感谢您的关注。"), code="closed")
    questions = survey.questions
    if len(answers) != len(questions):
        raise ValidationError(_("请回答全部 %(count)d 个问题。") % {"count": len(questions)}, code="incomplete")
    values = []
    for index, value in enumerate(answers):
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = 0
        if number not in LIKERT:
            raise ValidationError(_("第 %(number)d 题请选择 1 到 5 分。") % {"number": index + 1}, code="out_of_scale")
        values.append(number)
    comment = (comment or "").strip()
    if len(comment) > 500:
        raise ValidationError(_("意见建议最多 500 字。"), code="too_long")
    consumed = SurveyToken.objects.filter(pk=token.pk, used_at__isnull=True).update(used_at=timezone.now())
    if consumed != 1:
        raise ValidationError(_("此问卷链接已经提交过答卷，每个链接只能提交一次。"), code="used")
    return SurveyResponse.objects.create(token=token, survey=survey, answers=values, comment=comment)
