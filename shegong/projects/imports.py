"""Excel imports of projects, budget spending and rosters (shegong/tabular).

Projects are few (a district buys tens a year, a province thousands), so every row is checked by the very service
that writes it, run in a savepoint that is rolled back (a dry run): the error report carries the service's own
Chinese message, and the checks can never drift from the services. `write` then calls the services for real, each
row audited as if entered on the page. Within one file, a roster row that overlaps an earlier good row of the same
worker on the same project is refused as the service would refuse it once the earlier row is written.

- "projects": one row per project, its funding sources and planned budget lines as columns (each group must add
  up to the total funds), the covered stations as codes. The project starts at 立项 with a generated code.
- "project-spending": project code, budget category, spent so far (cumulative) — the contractor's spending.
- "project-rosters": project code, worker ID number, role, full-time, social-work post, period.
"""

from __future__ import annotations

import contextlib
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.core.scope import scoped
from shegong.projects import selectors, services
from shegong.projects.models import BudgetLine, FundingSource, Project, ProjectStaff
from shegong.regions.codes import InvalidCode, canonical
from shegong.regions.models import Region
from shegong.tabular import parsers
from shegong.tabular.spec import Column, ImportSpec, register

CODES = re.compile(r"[\s,，、;；]+")
MONEY = parsers.decimal(places=2)


class _DryRun(Exception):
    pass


def _dry_run(call) -> list[str]:
    """The service's refusal messages if `call()` fails, else []; nothing it wrote is kept."""
    try:
        with transaction.atomic():
            call()
            raise _DryRun
    except _DryRun:
        return []
    except ValidationError as exc:
        return _messages(exc)
    except PermissionDenied as exc:
        return [str(exc) or _("您没有执行此操作的权限。")]


def _messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [message for messages in exc.message_dict.values() for message in messages]
    return list(exc.messages)


def _project_code_column() -> Column:
    return Column(
        "project",
        gettext_lazy("项目编号"),
        required=True,
        parse=parsers.text(32),
        example="P4401042025001",
        help=gettext_lazy("项目详情页上的项目编号"),
    )


class ProjectImport(ImportSpec):
    kind = "projects"
    title = gettext_lazy("政府购买服务项目")
    permission = selectors.ADD
    columns = [
        Column("name", gettext_lazy("项目名称"), required=True, parse=parsers.text(200), example="北京街社工站项目"),
        Column(
            "purchaser_department",
            gettext_lazy("购买方（部门）"),
            required=True,
            parse=parsers.text(200),
            example="广州市越秀区民政局",
        ),
        Column(
            "region",
            gettext_lazy("购买方区划代码"),
            required=True,
            parse=parsers.text(12),
            example="440104",
            help=gettext_lazy("统计用区划代码，如 440104（越秀区）"),
        ),
        Column("start_date", gettext_lazy("服务期开始"), required=True, parse=parsers.date(), example="2025-01-01"),
        Column("end_date", gettext_lazy("服务期结束"), required=True, parse=parsers.date(), example="2025-12-31"),
        Column("total_funds", gettext_lazy("项目总经费（元）"), required=True, parse=MONEY, example="2400000"),
        Column(
            "social_work_posts",
            gettext_lazy("社工岗位数"),
            parse=parsers.integer(minimum=0),
            example="12",
            help=gettext_lazy("合同约定的社会工作专业岗位数；留空为 0"),
        ),
        *(
            Column(f"funding_{value}", label, parse=MONEY, example="2400000" if value == "fiscal" else "")
            for value, label in FundingSource.Source.choices
        ),
        *(
            Column(
                f"budget_{value}",
                label,
                parse=MONEY,
                example={"personnel": "1680000", "activity": "480000", "admin": "240000"}.get(value, ""),
            )
            for value, label in BudgetLine.Category.choices
        ),
        Column(
            "stations",
            gettext_lazy("覆盖站点编码"),
            parse=parsers.text(2000),
            example="S440104003",
            help=gettext_lazy("多个用空格或逗号分隔"),
            width=30,
        ),
        Column("description", gettext_lazy("项目内容"), parse=parsers.text(5000), example=""),
    ]

    @classmethod
    def headers_of(cls) -> list[str]:
        return [str(column.header) for column in cls.columns]

    def prepare(self, actor) -> dict:
        return {}

    def _arguments(self, values: dict, actor) -> tuple[dict, list[str]]:
        from shegong.stations.models import Station

        errors = []
        region = None
        with contextlib.suppress(InvalidCode):
            region = Region.objects.filter(pk=canonical(values["region"])).first()
        if region is None:
            errors.append(_("购买方区划代码：没有“%(code)s”这个区划") % {"code": values["region"]})
        codes = [code.upper() for code in CODES.split(values.get("stations") or "") if code]
        stations = list(scoped(Station, actor, "stations.view_station").filter(code__in=codes)) if codes else []
        missing = sorted(set(codes) - {station.code for station in stations})
        if missing:
            errors.append(_("覆盖站点编码：在您的管辖范围内没有找到 %(codes)s") % {"codes": "、".join(missing)})
        arguments = {
            "name": values["name"],
            "purchaser_department": values["purchaser_department"],
            "region": region,
            "start_date": values["start_date"],
            "end_date": values["end_date"],
            "total_funds": values["total_funds"],
            "social_work_posts": values.get("social_work_posts") or 0,
            "description": values.get("description") or "",
            "stations": stations,
            "funding": {value: values.get(f"funding_{value}") for value in FundingSource.Source.values},
            "budget": {value: values.get(f"budget_{value}") for value in BudgetLine.Category.values},
        }
        return arguments, errors

    def check_row(self, values: dict, context: dict, actor) -> list[str]:
        arguments, errors = self._arguments(values, actor)
        if errors:
            return errors
        return _dry_run(lambda: services.project_create(actor=actor, **arguments))

    def write(self, rows: list[dict], context: dict, actor) -> int:
        for values in rows:
            arguments, _errors = self._arguments(values, actor)
            services.project_create(actor=actor, **arguments)
        return len(rows)


class _ProjectRows:
    """The projects named in a file, looked up once each within the importer's scope for the permission."""

    def __init__(self, actor, perm: str):
        self.rows = selectors.visible(actor, perm)
        self.found: dict[str, Project | None] = {}

    def get(self, code: str) -> Project | None:
        if code not in self.found:
            self.found[code] = self.rows.filter(code=code.strip().upper()).first()
        return self.found[code]


class SpendingImport(ImportSpec):
    kind = "project-spending"
    title = gettext_lazy("项目经费支出")
    permission = selectors.KEEP
    columns = [
        _project_code_column(),
        Column(
            "category",
            gettext_lazy("预算科目"),
            required=True,
            parse=parsers.choice(dict(BudgetLine.Category.choices)),
            example=str(BudgetLine.Category.PERSONNEL.label),
        ),
        Column(
            "spent",
            gettext_lazy("已支出（元）"),
            required=True,
            parse=MONEY,
            example="800000",
            help=gettext_lazy("截至目前的累计支出"),
        ),
    ]
    unique_together = [("project", "category")]

    def prepare(self, actor) -> dict:
        return {"projects": _ProjectRows(actor, self.permission)}

    def check_row(self, values: dict, context: dict, actor) -> list[str]:
        project = context["projects"].get(values["project"])
        if project is None:
            return [_("项目编号：在您的管辖范围内没有项目“%(code)s”") % {"code": values["project"]}]
        spent = {values["category"]: values["spent"]}
        return _dry_run(lambda: services.budget_record_spending(actor=actor, project=project, spent=spent))

    def write(self, rows: list[dict], context: dict, actor) -> int:
        by_project: dict[int, dict] = {}
        projects = {}
        for values in rows:
            project = context["projects"].get(values["project"])
            projects[project.pk] = project
            by_project.setdefault(project.pk, {})[values["category"]] = values["spent"]
        for pk, spent in by_project.items():
            services.budget_record_spending(actor=actor, project=projects[pk], spent=spent)
        return len(rows)


class RosterImport(ImportSpec):
    kind = "project-rosters"
    title = gettext_lazy("项目人员")
    permission = selectors.KEEP
    columns = [
        _project_code_column(),
        Column(
            "worker",
            gettext_lazy("身份证号"),
            required=True,
            parse=parsers.id_number(),
            example="440104199001010010",
            help=gettext_lazy("社会工作者的身份证号，此人须已在人才库中登记且在您的管辖范围内"),
            width=22,
        ),
        Column(
            "role",
            gettext_lazy("项目角色"),
            required=True,
            parse=parsers.choice(dict(ProjectStaff.Role.choices)),
            example=str(ProjectStaff.Role.SOCIAL_WORKER.label),
        ),
        Column("is_full_time", gettext_lazy("专职"), required=True, parse=parsers.boolean(), example="是", width=8),
        Column(
            "is_social_work_post",
            gettext_lazy("社工专业岗位"),
            required=True,
            parse=parsers.boolean(),
            example="是",
            width=10,
        ),
        Column("start_date", gettext_lazy("起始日期"), required=True, parse=parsers.date(), example="2025-01-01"),
        Column(
            "end_date", gettext_lazy("结束日期"), parse=parsers.date(), example="", help=gettext_lazy("留空表示至今")
        ),
    ]

    def prepare(self, actor) -> dict:
        return {"projects": _ProjectRows(actor, self.permission), "earlier": {}}

    @staticmethod
    def _worker(actor, id_number: str):
        from shegong.workers.models import SocialWorker
        from shegong.workers.selectors import worker_search_q

        return (
            scoped(SocialWorker, actor, "workers.view_socialworker").filter(worker_search_q(id_number, path="")).first()
        )

    def check_row(self, values: dict, context: dict, actor) -> list[str]:
        project = context["projects"].get(values["project"])
        errors = []
        if project is None:
            errors.append(_("项目编号：在您的管辖范围内没有项目“%(code)s”") % {"code": values["project"]})
        worker = self._worker(actor, values["worker"])
        if worker is None:
            errors.append(_("身份证号：人才库中没有此人，或不在您的管辖范围内；请先登记人员"))
        if errors:
            return errors
        start, end = values["start_date"], values["end_date"]
        for other_start, other_end in context["earlier"].get((project.pk, worker.pk), []):
            if (other_end is None or other_end >= start) and (end is None or other_start <= end):
                return [_("重复：%(name)s 在文件中另有一行列入本项目，期间重叠") % {"name": worker.name}]
        arguments = self._arguments(values, project, worker)
        errors = _dry_run(lambda: services.staff_add(actor=actor, **arguments))
        if not errors:
            context["earlier"].setdefault((project.pk, worker.pk), []).append((start, end))
        values["_worker_id"] = worker.pk
        return errors

    @staticmethod
    def _arguments(values: dict, project: Project, worker) -> dict:
        return {
            "project": project,
            "worker": worker,
            "role": values["role"],
            "is_full_time": values["is_full_time"],
            "is_social_work_post": values["is_social_work_post"],
            "start_date": values["start_date"],
            "end_date": values["end_date"],
        }

    def write(self, rows: list[dict], context: dict, actor) -> int:
        from shegong.workers.models import SocialWorker

        workers = SocialWorker.objects.in_bulk([values["_worker_id"] for values in rows])
        for values in rows:
            project = context["projects"].get(values["project"])
            services.staff_add(actor=actor, **self._arguments(values, project, workers[values["_worker_id"]]))
        return len(rows)


def register_all() -> None:
    for spec in (ProjectImport(), SpendingImport(), RosterImport()):
        register(spec)
