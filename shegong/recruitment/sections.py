"""The section this app adds to a worker's profile (shegong.workers.sections): employment history and job
applications, and for the employer's and the region's administrators a link to the worker's pay. Read through this
app's scoped selectors; the pay link shows only to those who may see pay (never to the worker or a peer)."""

from django.utils.translation import gettext_lazy as _

from shegong.core.scope import scoped
from shegong.recruitment import selectors
from shegong.recruitment.models import Employment, JobApplication


def recruitment_context(worker, user, own: bool) -> dict | None:
    may_pay = not own and selectors.can_view_pay(user, worker)
    if not own and not (user.has_perm(selectors.VIEW_EMPLOYMENTS) or may_pay):
        return None
    employments = list(
        scoped(Employment, user, selectors.VIEW_EMPLOYMENTS)
        .filter(worker=worker)
        .select_related("agency")
        .order_by("-started_on", "-pk")[:10]
    )
    applications = list(
        scoped(JobApplication, user, selectors.VIEW_APPLICATIONS)
        .filter(worker=worker)
        .select_related("opening", "opening__agency")
        .order_by("-submitted_at", "-pk")[:10]
    )
    if not employments and not applications and not may_pay:
        return None
    return {"employments": employments, "applications": applications, "may_pay": may_pay}


def register_sections() -> None:
    from shegong.workers.sections import ProfileSection, register

    register(
        ProfileSection(
            key="recruitment",
            title=_("聘用与求职"),
            template="recruitment/_worker_section.html",
            context=recruitment_context,
            order=45,
        )
    )
