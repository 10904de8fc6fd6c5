"""Background work of the requests app: escalating overdue requests (run by cron through the management command
`escalate_overdue_requests`, or queued on the task worker as ESCALATE_TASK)."""

from shegong.core.tasks import task
from shegong.servicerequests import services

ESCALATE_TASK = "servicerequests.escalate_overdue"


@task(ESCALATE_TASK)
def escalate_overdue() -> int:
    return services.escalate_overdue()
