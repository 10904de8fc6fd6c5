"""The two sections this app adds to a worker's profile (shegong.workers.sections): registration status and training
hours, on the staff detail page and on the worker's own 我的档案. Each links to the full page of this app."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shegong.registration import selectors
from shegong.registration.models import Registration


def _may_see(user, worker, own: bool, perm: str) -> bool:
    return own or user.has_perm(perm)


def registration_context(worker, user, own: bool) -> dict | None:
    if not _may_see(user, worker, own, selectors.VIEW):
        return None
    rows = list(
        selectors.registrations_for(user)
        .filter(worker=worker)
        .exclude(state=Registration.State.SUPERSEDED)
        .order_by("certificate__level", "-submitted_at", "-id")
    )
    today = timezone.localdate()
    for row in rows:
        row.ends_soon = row.in_force and row.valid_until <= today + datetime.timedelta(days=selectors.EXPIRING_DAYS)
    return {"registrations": rows}


def training_context(worker, user, own: bool) -> dict | None:
    if not _may_see(user, worker, own, selectors.VIEW_TRAINING):
        return None
    if not own and not selectors.scoped_worker_exists(user, worker):
        return None
    summary = selectors.training_summary(worker)
    current = next((period for period in summary.periods if period.registration.in_force), None)
    return {"summary": summary, "current": current}


def register_sections() -> None:
    from shegong.workers.sections import ProfileSection, register

    register(
        ProfileSection(
            key="registration",
            title=_("执业登记"),
            template="registration/_worker_section.html",
            context=registration_context,
            order=20,
        )
    )
    register(
        ProfileSection(
            key="training",
            title=_("继续教育学时"),
            template="registration/_training_section.html",
            context=training_context,
            order=25,
        )
    )
