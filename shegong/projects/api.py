"""REST endpoints of government-purchased projects, mounted at /api/v1/projects/. They read through the projects
selectors, the same ones the pages use: a project outside the caller's scope answers 404; a caller without
projects.view_project gets 403. Writes go through the services (a refusal is a 400 with its Chinese message).

- GET  /                 projects (the list page's filters: region, stage, agency, q, failing; limit/offset paging)
- POST /                 create a project (立项) with its funding, planned budget, stations and outputs
- GET  /{id}             one project: terms, funding, budget, stations, outputs and the rules' verdicts today
- GET  /{id}/budget      the budget lines, planned and spent
- GET  /{id}/roster      the roster (worker ids and names; ID numbers never leave through this API)
- POST /{id}/move        move the project along its lifecycle

"""

import datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from shegong.core.api_helpers import Paging, check_filters, query_dict, require, run_service
from shegong.policies.registry import Verdict
from shegong.projects import rules, selectors, services
from shegong.projects.forms import ProjectFilterForm
from shegong.projects.models import Project

router = Router(tags=["projects"])


class VerdictOut(Schema):
    kind: str = Field(description="rule kind, e.g. labour_cost_share")
    label: str
    passed: bool | None = Field(description="true, false, or null when it cannot be judged")
    status: str
    figures: dict = Field(description="the figures the rule used (Decimal values as exact text)")
    message: str
    source_text: str
    profile_id: int | None
    profile_name: str


class ProjectOut(Schema):
    id: int
    code: str
    name: str
    purchaser_department: str
    region: str = Field(description="12-digit division code of the purchaser")
    region_name: str
    agency: int | None = Field(description="contractor agency id")
    agency_name: str
    contract_date: datetime.date | None
    start_date: datetime.date
    end_date: datetime.date
    total_funds: str = Field(description="yuan, exact text")
    social_work_posts: int
    stage: str
    stage_label: str
    compliant: bool = Field(description="no rule in force fails today")


class ProjectPageOut(Schema):
    items: list[ProjectOut]
    count: int
    limit: int
    offset: int


class LineOut(Schema):
    category: str = Field(description="personnel, activity, admin or other")
    category_label: str
    planned: str
    spent: str
    overspent: bool


class FundingOut(Schema):
    source: str = Field(description="fiscal, lottery, donation or fees")
    source_label: str
    amount: str


class OutputOut(Schema):
    measure: str
    measure_label: str
    domain: str
    planned: int


class StationRef(Schema):
    code: str
    name: str
    kind: str


class ProjectDetailOut(ProjectOut):
    description: str
    funding: list[FundingOut]
    budget: list[LineOut]
    stations: list[StationRef]
    outputs: list[OutputOut]
    verdicts: list[VerdictOut]
    unset: list[str] = Field(description="rule kinds with no rule in force where the purchaser is (未设定)")


class MemberOut(Schema):
    id: int
    worker: int
    name: str
    role: str
    role_label: str
    is_full_time: bool
    is_social_work_post: bool
    certified: bool
    major_social_work: bool
    start_date: datetime.date
    end_date: datetime.date | None


class ProjectQuery(Paging):
    region: str = Field("", description="division code inside the caller's scope: its subtree")
    stage: str = Field(
        "", description="initiated, tendering, contracted, executing, midterm, final, closed, terminated"
    )
    agency: str = Field("", description="contractor agency id")
    q: str = Field("", description="part of the name, code or purchaser")
    failing: bool = Field(False, description="only projects failing a rule today")
    sort: str = Field("", description="newest (default), code, region or funds")


class ProjectIn(Schema):
    name: str
    purchaser_department: str
    region: str = Field(description="division code of the purchaser (in the caller's scope)")
    start_date: datetime.date
    end_date: datetime.date
    total_funds: Decimal
    social_work_posts: int = 0
    description: str = ""
    stations: list[str] = Field(default_factory=list, description="station codes")
    funding: dict[str, Decimal] = Field(default_factory=dict, description="source → amount; sums to total_funds")
    budget: dict[str, Decimal] = Field(default_factory=dict, description="category → planned; sums to total_funds")
    outputs: list[OutputOut] = Field(default_factory=list)


class MoveIn(Schema):
    to_stage: str
    effective_on: datetime.date | None = None
    reason: str = ""


def _verdict_out(verdict: Verdict) -> dict:
    data = verdict.as_dict()
    return {key: data[key] for key in VerdictOut.model_fields}


def _project_out(project: Project, judgement) -> dict:
    return {
        "id": project.pk,
        "code": project.code,
        "name": project.name,
        "purchaser_department": project.purchaser_department,
        "region": project.region_id,
        "region_name": project.region.name,
        "agency": project.agency_id,
        "agency_name": project.agency.name if project.agency else "",
        "contract_date": project.contract_date,
        "start_date": project.start_date,
        "end_date": project.end_date,
        "total_funds": f"{project.total_funds:f}",
        "social_work_posts": project.social_work_posts,
        "stage": project.stage,
        "stage_label": project.get_stage_display(),
        "compliant": judgement.compliant if judgement is not None else True,
    }


@router.get("/", response=ProjectPageOut)
def project_list(request, query: Query[ProjectQuery]):
    require(request, selectors.VIEW)
    values = query.dict(exclude={"limit", "offset"})
    values["failing"] = "on" if values.get("failing") else ""
    form = ProjectFilterForm(query_dict(**values), actor=request.user)
    check_filters(form)
    filters = form.filters()
    rows = form.apply(selectors.project_search(actor=request.user, filters=filters))
    on = timezone.localdate()
    if filters.failing:
        rows = rows.filter(pk__in=rules.failing_ids(selectors.judgeable(rows, filters), on, 20_000))
    page = list(query.window(rows))
    judgements = rules.judge(Project.objects.filter(pk__in=[project.pk for project in page]), on)
    return {
        "items": [_project_out(project, judgements.get(project.pk)) for project in page],
        "count": rows.count(),
        "limit": query.limit,
        "offset": query.offset,
    }


def _detail(project: Project) -> dict:
    judgement = rules.judge_project(project, timezone.localdate())
    return {
        **_project_out(project, judgement),
        "description": project.description,
        "funding": [
            {"source": row.source, "source_label": row.get_source_display(), "amount": f"{row.amount:f}"}
            for row in selectors.funding(project)
        ],
        "budget": [_line_out(line) for line in selectors.budget(project)],
        "stations": [
            {"code": station.code, "name": station.name, "kind": station.kind}
            for station in selectors.covered_stations(project)
        ],
        "outputs": [
            {
                "measure": row.measure,
                "measure_label": row.get_measure_display(),
                "domain": row.domain,
                "planned": row.planned,
            }
            for row in selectors.outputs(project)
        ],
        "verdicts": [_verdict_out(verdict) for verdict in judgement.verdicts],
        "unset": list(judgement.unset),
    }


def _line_out(line) -> dict:
    return {
        "category": line.category,
        "category_label": line.get_category_display(),
        "planned": f"{line.planned:f}",
        "spent": f"{line.spent:f}",
        "overspent": line.spent > line.planned,
    }


@router.post("/", response={201: ProjectDetailOut})
def project_create(request, payload: ProjectIn):
    from shegong.regions.codes import InvalidCode, canonical
    from shegong.regions.models import Region
    from shegong.stations.models import Station

    require(request, selectors.ADD)
    try:
        region = Region.objects.filter(pk=canonical(payload.region)).first()
    except InvalidCode:
        region = None
    stations = list(Station.objects.filter(code__in=payload.stations)) if payload.stations else []
    if len(stations) != len(set(payload.stations)):
        raise HttpError(400, _("覆盖站点编码中有不存在的站点。"))
    project = run_service(
        lambda: services.project_create(
            actor=request.user,
            name=payload.name,
            purchaser_department=payload.purchaser_department,
            region=region,
            start_date=payload.start_date,
            end_date=payload.end_date,
            total_funds=payload.total_funds,
            social_work_posts=payload.social_work_posts,
            description=payload.description,
            stations=stations,
            funding=payload.funding,
            budget=payload.budget,
            outputs=[(row.measure, row.domain, row.planned) for row in payload.outputs],
        )
    )
    return Status(201, _detail(selectors.project_get(request.user, project.pk)))


@router.get("/{int:pk}", response=ProjectDetailOut)
def project_detail(request, pk: int):
    require(request, selectors.VIEW)
    return _detail(selectors.project_get(request.user, pk))


@router.get("/{int:pk}/budget", response=list[LineOut])
def project_budget(request, pk: int):
    require(request, selectors.VIEW)
    return [_line_out(line) for line in selectors.budget(selectors.project_get(request.user, pk))]


@router.get("/{int:pk}/roster", response=list[MemberOut])
def project_roster(request, pk: int):
    require(request, selectors.VIEW)
    project = selectors.project_get(request.user, pk)
    return [
        {
            "id": member.pk,
            "worker": member.worker_id,
            "name": member.worker.name,
            "role": member.role,
            "role_label": member.get_role_display(),
            "is_full_time": member.is_full_time,
            "is_social_work_post": member.is_social_work_post,
            "certified": bool(member.worker.highest_certificate),
            "major_social_work": member.worker.major_social_work,
            "start_date": member.start_date,
            "end_date": member.end_date,
        }
        for member in selectors.roster(project)
    ]


@router.post("/{int:pk}/move", response=ProjectDetailOut)
def project_move(request, pk: int, payload: MoveIn):
    require(request, selectors.MOVE)
    project = selectors.project_get(request.user, pk, selectors.MOVE)
    run_service(
        lambda: services.project_move(
            actor=request.user,
            project=project,
            to_stage=payload.to_stage,
            effective_on=payload.effective_on,
            reason=payload.reason,
        )
    )
    return _detail(selectors.project_get(request.user, pk))
