"""Reads of inspections and rectification, always scoped to the actor.

Plans and inspections are the bureau's (RUN_INSPECTIONS, by region subtree). Rectification items are seen by the
bureaus of the owner's region and by the owner: a station head sees the items of the stations in their region
subtree (not the items of agencies registered there), an agency admin those of their agency and of the stations it
operates (承接). `item_scope_q` is that rule, built on core.scope's grants like every other scope.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q, QuerySet

from shegong.core.scope import NOTHING, grants_of, region_q, scope_q, scoped
from shegong.inspections.models import (
    CHECKLIST_DICTIONARY,
    Attachment,
    ChecklistResult,
    Finding,
    Inspection,
    InspectionPlan,
    RectificationItem,
)

VIEW_PLAN = "inspections.view_inspectionplan"
ADD_PLAN = "inspections.add_inspectionplan"
CHANGE_PLAN = "inspections.change_inspectionplan"
VIEW_INSPECTION = "inspections.view_inspection"
CHANGE_INSPECTION = "inspections.change_inspection"
CORRECT_INSPECTION = "inspections.correct_inspection"
VIEW_ITEM = "inspections.view_rectificationitem"
ADD_ITEM = "inspections.add_rectificationitem"
REVIEW_ITEM = "inspections.review_rectificationitem"
ANSWER_ITEM = "inspections.answer_rectificationitem"

Status = RectificationItem.Status


def checklist_labels() -> dict[str, str]:
    from shegong.refdata.selectors import labels

    return labels(CHECKLIST_DICTIONARY)


def checklist_choices() -> list[tuple[str, str]]:
    from shegong.refdata.selectors import choices

    return choices(CHECKLIST_DICTIONARY)


# --- Plans and inspections -------------------------------------------------------------------------------------------


def plans(actor) -> QuerySet[InspectionPlan]:
    return (
        scoped(InspectionPlan, actor, VIEW_PLAN)
        .select_related("region")
        .annotate(
            visit_count=Count("visits", distinct=True),
            done_count=Count("visits", filter=Q(visits__status=Inspection.Status.DONE), distinct=True),
        )
    )


def inspections(actor) -> QuerySet[Inspection]:
    return scoped(Inspection, actor, VIEW_INSPECTION).select_related("plan", "station", "agency", "region", "project")


def recorded_q() -> Q:
    """An inspection is recorded once anything of the visit is filled in: done, a visit date, a summary, a checklist
    result or a finding. Until then its target may leave the plan and the plan's period may change."""
    return (
        Q(status=Inspection.Status.DONE)
        | Q(visited_on__isnull=False)
        | ~Q(summary="")
        | Exists(ChecklistResult.objects.filter(inspection=OuterRef("pk")))
        | Exists(Finding.objects.filter(inspection=OuterRef("pk")))
    )


def plan_visits(plan: InspectionPlan) -> QuerySet[Inspection]:
    """The plan's targets for its page, each marked `is_recorded` (in the same query: no query per row)."""
    return (
        plan.visits.select_related("station", "agency", "region", "project")
        .annotate(is_recorded=ExpressionWrapper(recorded_q(), output_field=BooleanField()))
        .order_by("region_id", "pk")
    )


# --- Rectification ---------------------------------------------------------------------------------------------------


def _answer_q(user) -> Q:
    """The items the user answers as their owner: through region grants, the items of stations in the subtree;
    through agency grants, the agency's items and those of the stations it operates."""
    q = NOTHING
    for grant in grants_of(user):
        if ANSWER_ITEM not in grant.permissions:
            continue
        if grant.nationwide:
            return Q()
        if grant.region_code:
            q |= region_q("region", grant.region_code, grant.region_level) & Q(owner_station__isnull=False)
        if grant.agency_id:
            q |= Q(owner_agency=grant.agency_id) | Q(owner_station__agency=grant.agency_id)
    return q


def item_scope_q(user) -> Q:
    """The rectification items `user` may see: the bureau's by region (REVIEW), the owner's (ANSWER)."""
    review, answer = scope_q(user, RectificationItem, REVIEW_ITEM), _answer_q(user)
    # Q() means "everything" here, but Q() | other would give only `other`.
    if not review.children or not answer.children:
        return Q()
    return review | answer


def items(actor) -> QuerySet[RectificationItem]:
    return RectificationItem.objects.filter(item_scope_q(actor)).select_related(
        "owner_station", "owner_agency", "region", "finding", "inspection"
    )


def can_answer(actor, item: RectificationItem) -> bool:
    """Whether the actor answers this item as its owner (a station head or agency admin whose scope holds it)."""
    return actor.has_perm(ANSWER_ITEM) and RectificationItem.objects.filter(_answer_q(actor), pk=item.pk).exists()


def can_review(actor, item: RectificationItem) -> bool:
    return actor.has_perm(REVIEW_ITEM) and scoped(RectificationItem, actor, REVIEW_ITEM).filter(pk=item.pk).exists()


def overdue_q(day: datetime.date) -> Q:
    """Overdue: past the deadline (the deadline day itself still counts as in time) and not closed."""
    return Q(deadline__lt=day) & ~Q(status=Status.CLOSED)


@dataclass
class OwnerPanel:
    """The open items of one station or agency as the viewer may see them, for the station's and the agency's pages."""

    open_count: int
    overdue_count: int
    rows: list[RectificationItem]
    day: datetime.date
    more: bool


PANEL_ROWS = 10


def owner_panel(actor, *, station=None, agency=None, day: datetime.date) -> OwnerPanel | None:
    """Two queries whatever the number of items: the counts, then the first rows (owner's names are the page's)."""
    if not (actor.has_perm(VIEW_ITEM)):
        return None
    owner = Q(owner_station=station) if station is not None else Q(owner_agency=agency)
    rows = RectificationItem.objects.filter(item_scope_q(actor)).filter(owner).exclude(status=Status.CLOSED)
    counts = rows.aggregate(open=Count("pk"), overdue=Count("pk", filter=overdue_q(day)))
    first = list(rows.order_by("deadline", "pk")[: PANEL_ROWS + 1])
    for row in first:
        row.overdue = row.is_overdue(day)
    return OwnerPanel(
        open_count=counts["open"],
        overdue_count=counts["overdue"],
        rows=first[:PANEL_ROWS],
        day=day,
        more=len(first) > PANEL_ROWS,
    )


@dataclass
class ProjectPanel:
    """The inspections that looked at one project and their rectification items, as the viewer may see them."""

    visits: list[Inspection]
    items: list[RectificationItem]
    open_count: int
    overdue_count: int
    day: datetime.date


PROJECT_ROWS = 20


def project_panel(actor, project, day: datetime.date) -> ProjectPanel | None:
    """Three queries: the visits (bureau only: plans and visits are never shown to the inspected), the items' counts
    and their first rows. None for a viewer who may see neither."""
    can_visits, can_items = actor.has_perm(VIEW_INSPECTION), actor.has_perm(VIEW_ITEM)
    if not (can_visits or can_items):
        return None
    visits: list[Inspection] = []
    if can_visits:
        visits = list(
            inspections(actor).filter(project=project).annotate(finding_count=Count("findings"))[:PROJECT_ROWS]
        )
    rows: list[RectificationItem] = []
    counts = {"open": 0, "overdue": 0}
    if can_items:
        related = items(actor).filter(inspection__project=project)
        counts = related.exclude(status=Status.CLOSED).aggregate(
            open=Count("pk"), overdue=Count("pk", filter=overdue_q(day))
        )
        rows = list(related.order_by("status", "deadline", "pk")[:PROJECT_ROWS])
        for row in rows:
            row.overdue = row.is_overdue(day)
    if not visits and not rows:
        return None
    return ProjectPanel(visits, rows, counts["open"], counts["overdue"], day)


def item_counts(rows: QuerySet[RectificationItem], day: datetime.date) -> dict[str, int]:
    """Counts of a (filtered) list: all, open (not closed), overdue, awaiting review, in one query."""
    return rows.order_by().aggregate(
        total=Count("pk"),
        open=Count("pk", filter=~Q(status=Status.CLOSED)),
        overdue=Count("pk", filter=overdue_q(day)),
        submitted=Count("pk", filter=Q(status=Status.SUBMITTED)),
    )


# --- Attachments -----------------------------------------------------------------------------------------------------


def attachment_visible(actor, attachment: Attachment) -> bool:
    """A finding's file: whoever sees the inspection, or an item made from the finding. Evidence: whoever sees the
    item."""
    if attachment.finding_id:
        if scoped(Inspection, actor, VIEW_INSPECTION).filter(findings=attachment.finding_id).exists():
            return True
        return items(actor).filter(finding=attachment.finding_id).exists()
    return items(actor).filter(evidence=attachment.evidence_id).exists()
