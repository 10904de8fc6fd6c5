"""Excel exports of projects, their budgets and rosters, and the list of failing projects.

The projects, budgets and rosters workbooks start with the columns of their imports (projects/imports.py), headed
exactly as the import templates, so an exported file can be edited and uploaded again; the columns after them are
for reading only. Exports are audited with the list's filters (tabular.services.export_list). ID numbers are masked
unless the user may see them in full (accounts.reveal_personal_data over the worker).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.core.masking import mask_id_number
from shegong.core.scope import scoped
from shegong.projects import rules
from shegong.projects.models import BudgetLine, FundingSource, Project, ProjectStaff
from shegong.tabular.services import export_list

REVEAL = "accounts.reveal_personal_data"


def _verdict_text(judgement) -> tuple[str, str]:
    if judgement is None:
        return "", ""
    failing = judgement.failing
    return (_("不合规") if failing else _("合规")), "；".join(verdict.message for verdict in failing)


def export_projects(*, actor, projects: QuerySet[Project], filters: dict | None = None) -> tuple[bytes, str]:
    from shegong.projects.imports import ProjectImport

    rows = list(projects.select_related("region", "agency"))
    ids = [project.pk for project in rows]
    funding: dict[int, dict] = {}
    for project_id, source, amount in FundingSource.objects.filter(project_id__in=ids).values_list(
        "project_id", "source", "amount"
    ):
        funding.setdefault(project_id, {})[source] = amount
    judgements = rules.judge(Project.objects.filter(pk__in=ids), timezone.localdate())
    stations: dict[int, list[str]] = {}
    for project_id, code in (
        Project.stations.through.objects.filter(project_id__in=ids)
        .order_by("station__code")
        .values_list("project_id", "station__code")
    ):
        stations.setdefault(project_id, []).append(code)
    title = _("政府购买服务项目")

    def data():
        for project in rows:
            judgement = judgements.get(project.pk)
            planned = judgement.planned if judgement else {}
            yield [
                project.name,
                project.purchaser_department,
                project.region.short_code,
                project.start_date,
                project.end_date,
                project.total_funds,
                project.social_work_posts,
                *(funding.get(project.pk, {}).get(source) for source in FundingSource.Source.values),
                *(planned.get(category) for category in BudgetLine.Category.values),
                " ".join(stations.get(project.pk, [])),
                project.description,
                project.code,
                project.get_stage_display(),
                project.agency.name if project.agency else "",
                project.contract_date,
                *_verdict_text(judgement),
            ]

    headers = [
        *ProjectImport.headers_of(),
        _("项目编号"),
        _("阶段"),
        _("承接机构"),
        _("签约日期"),
        _("合规情况"),
        _("不合规项"),
    ]
    return (
        export_list(
            actor=actor,
            title=title,
            headers=headers,
            rows=data(),
            object_type=Project._meta.label_lower,
            filters=filters or {},
        ),
        title,
    )


def export_budgets(*, actor, projects: QuerySet[Project], filters: dict | None = None) -> tuple[bytes, str]:
    lines = BudgetLine.objects.filter(project__in=projects.values("pk")).select_related("project")
    title = _("项目预算")
    rows = (
        [
            line.project.code,
            line.get_category_display(),
            line.spent,
            line.planned,
            line.project.name,
            _("是") if line.spent > line.planned else "",
        ]
        for line in lines.order_by("project__code", "category")
    )
    headers = [_("项目编号"), _("预算科目"), _("已支出（元）"), _("预算金额（元）"), _("项目名称"), _("超支")]
    return (
        export_list(
            actor=actor,
            title=title,
            headers=headers,
            rows=rows,
            object_type=BudgetLine._meta.label_lower,
            filters=filters or {},
        ),
        title,
    )


def export_rosters(*, actor, projects: QuerySet[Project], filters: dict | None = None) -> tuple[bytes, str]:
    from shegong.workers.models import SocialWorker

    members = list(
        ProjectStaff.objects.filter(project__in=projects.values("pk"))
        .select_related("project", "worker")
        .order_by("project__code", "start_date", "pk")
    )
    worker_ids = {member.worker_id for member in members}
    revealable = (
        set(scoped(SocialWorker, actor, REVEAL).filter(pk__in=list(worker_ids)).values_list("pk", flat=True))
        if actor.has_perm(REVEAL) and worker_ids
        else set()
    )
    yes, no = _("是"), _("否")
    title = _("项目人员")
    rows = (
        [
            member.project.code,
            member.worker.id_number if member.worker_id in revealable else mask_id_number(member.worker.id_number),
            member.get_role_display(),
            yes if member.is_full_time else no,
            yes if member.is_social_work_post else no,
            member.start_date,
            member.end_date,
            member.worker.name,
            member.worker.get_highest_certificate_display(),
            yes if member.worker.major_social_work else no,
        ]
        for member in members
    )
    headers = [
        _("项目编号"),
        _("身份证号"),
        _("项目角色"),
        _("专职"),
        _("社工专业岗位"),
        _("起始日期"),
        _("结束日期"),
        _("姓名"),
        _("最高证书等级"),
        _("社会工作专业"),
    ]
    audit_filters = dict(filters or {})
    audit_filters[_("完整身份证号")] = (
        _("%(count)d 人") % {"count": len(revealable)} if revealable else _("无（已遮蔽）")
    )
    return (
        export_list(
            actor=actor,
            title=title,
            headers=headers,
            rows=rows,
            object_type=ProjectStaff._meta.label_lower,
            filters=audit_filters,
        ),
        title,
    )


def failing_workbook(*, actor, items, filters: dict | None = None) -> bytes:
    """每个不合规项目 and each of its failing verdicts, one row per verdict, with the figures and the source text."""
    rows = []
    for project, judgement in items:
        for verdict in judgement.failing:
            rows.append(
                [
                    project.code,
                    project.name,
                    project.region.name,
                    project.agency.name if project.agency else "",
                    project.get_stage_display(),
                    verdict.label,
                    verdict.message,
                    verdict.profile_name,
                    verdict.source_text,
                ]
            )
    headers = [
        _("项目编号"),
        _("项目名称"),
        _("购买方区划"),
        _("承接机构"),
        _("阶段"),
        _("规则"),
        _("判定"),
        _("政策规则集"),
        _("依据"),
    ]
    return export_list(
        actor=actor,
        title=_("不合规项目"),
        headers=headers,
        rows=rows,
        object_type=Project._meta.label_lower,
        filters=filters or {},
    )
