"""Reading projects, always scoped to the actor.

Who sees a project (VIEW): the bureaus of the purchaser region's subtree (the project's region), the contractor
agency's people (its agency), and the people of a region that holds a station the project covers: a station head of
北京街道 sees the district's project that runs the street's station. The last is for reading only: buying and moving
(CHANGE, MOVE) stay with the purchaser's bureaus, delivery (KEEP) with them and the contractor.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from shegong.core.scope import grants_of, region_q, scope_q
from shegong.projects.models import (
    BudgetLine,
    FundingSource,
    PlannedOutput,
    Project,
    ProjectStaff,
    ProjectStageEvent,
    ProjectStation,
)

VIEW = "projects.view_project"
ADD = "projects.add_project"
CHANGE = "projects.change_project"
MOVE = "projects.move_project"
KEEP = "projects.keep_delivery"


def visible_q(user, perm: str = VIEW) -> Q:
    """The projects `user` may see (VIEW) or act on (other permissions) through their assignments."""
    q = scope_q(user, Project, perm)
    if perm != VIEW:
        return q
    covering = Q()
    found = False
    for grant in grants_of(user):
        if perm in grant.permissions and grant.region_code:
            covering |= region_q("station__region_id", grant.region_code, grant.region_level)
            found = True
    if found:
        q |= Q(pk__in=ProjectStation.objects.filter(covering).values("project_id"))
    return q


def visible(user, perm: str = VIEW) -> QuerySet[Project]:
    return Project.objects.filter(visible_q(user, perm))


def can(user, perm: str, project: Project) -> bool:
    return user.has_perm(perm) and visible(user, perm).filter(pk=project.pk).exists()


def project_get(actor, pk: int | None = None, perm: str = VIEW, *, code: str | None = None) -> Project:
    """One project by pk or code, if `actor` may see it (or act on it with `perm`); else 404."""
    lookup = {"pk": pk} if pk is not None else {"code": code}
    project = (
        visible(actor, perm).select_related("region", "region__parent", "agency", "created_by").filter(**lookup).first()
    )
    if project is None:
        raise Http404
    return project


@dataclass(frozen=True)
class ProjectFilters:
    region: object = None
    stage: str = ""
    agency: object = None
    q: str = ""
    failing: bool = False


def project_search(*, actor, filters: ProjectFilters | None = None) -> QuerySet[Project]:
    """The visible projects narrowed by the filters (the failing-only filter is applied by the caller after judging
    the candidates: see views)."""
    filters = filters or ProjectFilters()
    rows = visible(actor).select_related("region", "agency")
    if filters.region is not None:
        rows = rows.filter(region_q("region_id", filters.region.code, filters.region.level))
    if filters.stage:
        rows = rows.filter(stage=filters.stage)
    if filters.agency is not None:
        rows = rows.filter(agency=filters.agency)
    text = (filters.q or "").strip()
    if text:
        rows = rows.filter(Q(name__icontains=text) | Q(code__icontains=text) | Q(purchaser_department__icontains=text))
    return rows


def judgeable(rows: QuerySet[Project], filters: ProjectFilters) -> QuerySet[Project]:
    """The projects the failing-only views judge: a terminated project no longer runs, so it is judged only when its
    stage is asked for (the failing list, the list's failing-only filter and the API agree)."""
    return rows if filters.stage else rows.exclude(stage=Project.Stage.TERMINATED)


def stage_history(project: Project) -> list[ProjectStageEvent]:
    return list(project.stage_events.select_related("recorded_by").order_by("-effective_on", "-recorded_at", "-id"))


def covered_stations(project: Project) -> list:
    return [
        link.station
        for link in ProjectStation.objects.filter(project=project)
        .select_related("station", "station__region")
        .order_by("station__region_id", "station__kind", "station__name")
    ]


def funding(project: Project) -> list[FundingSource]:
    return list(FundingSource.objects.filter(project=project).order_by("source"))


def budget(project: Project) -> list[BudgetLine]:
    return list(BudgetLine.objects.filter(project=project).order_by("category"))


def outputs(project: Project) -> list[PlannedOutput]:
    """The planned outputs, each with `domain_label` (the service_domain dictionary's name; "" when not by domain)."""
    from shegong.refdata.selectors import labels

    names = labels("service_domain")
    rows = list(PlannedOutput.objects.filter(project=project).order_by("measure", "domain"))
    for row in rows:
        row.domain_label = names.get(row.domain, row.domain) if row.domain else ""
    return rows


def roster(project: Project) -> list[ProjectStaff]:
    return list(
        ProjectStaff.objects.filter(project=project)
        .select_related("worker", "worker__agency")
        .order_by("end_date", "start_date", "id")
    )


def on_roster(on: datetime.date, prefix: str = "") -> Q:
    """Roster members on the project on `on` (both ends included; no end = still on it)."""
    return Q(**{f"{prefix}start_date__lte": on}) & (
        Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gte": on})
    )


def projects_of_stations(user, station_ids) -> dict[int, list[Project]]:
    """{station id: [visible projects covering it]} in two queries (station pages and lists)."""
    links = (
        ProjectStation.objects.filter(station_id__in=list(station_ids), project__in=visible(user).values("pk"))
        .select_related("project", "project__agency")
        .order_by("-project__start_date", "project__code")
    )
    found: dict[int, list[Project]] = {}
    for link in links:
        found.setdefault(link.station_id, []).append(link.project)
    return found


def projects_of_agency(user, agency) -> list[Project]:
    """The visible projects the agency is the contractor of, newest first."""
    return list(visible(user).filter(agency=agency).select_related("region").order_by("-start_date", "code")[:100])
