from django.db.models import QuerySet

from shegong.core.scope import get_scoped_or_404, scoped
from shegong.tabular.models import ImportJob


def jobs_of(actor, kind: str | None = None) -> QuerySet[ImportJob]:
    jobs = scoped(ImportJob, actor)
    return jobs.filter(kind=kind) if kind else jobs


def job_for(actor, pk: int) -> ImportJob:
    """A job is visible only to the person who uploaded it (its rows may hold personal data)."""
    return get_scoped_or_404(ImportJob, actor, pk=pk)
