"""Background work through the Task table (see core.models.Task for the three modes).

Register a function with `@task("tabular.run_import")`; queue it with `enqueue("tabular.run_import", job_id=…)` inside
the transaction that created what it works on, so it never starts before that data is committed.
"""

import logging
import threading
import traceback
from collections.abc import Callable

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from shegong.core.models import Task

log = logging.getLogger(__name__)
_REGISTRY: dict[str, Callable] = {}


def task(name: str):
    def register(func: Callable) -> Callable:
        _REGISTRY[name] = func
        return func

    return register


def enqueue(name: str, **payload) -> Task:
    if name not in _REGISTRY:
        raise LookupError(f"no task registered as {name!r}")
    queued = Task.objects.create(name=name, payload=payload)
    mode = settings.TASKS_MODE
    if mode == "immediate":
        transaction.on_commit(lambda: run_task(queued.pk), robust=False)
    elif mode == "thread":
        transaction.on_commit(lambda: _start_thread(queued.pk))
    return queued


def _start_thread(task_id: int) -> None:
    def target():
        try:
            run_task(task_id)
        finally:
            close_old_connections()
            connection.close()

    threading.Thread(target=target, name=f"shegong-task-{task_id}", daemon=True).start()


def claim(task_id: int | None = None) -> Task | None:
    """Mark one queued task (this one, or the oldest) as running; None if another process took it first."""
    with transaction.atomic():
        queued = Task.objects.select_for_update(skip_locked=connection.features.has_select_for_update_skip_locked)
        queued = queued.filter(status=Task.Status.QUEUED)
        if task_id is not None:
            queued = queued.filter(pk=task_id)
        claimed = queued.order_by("created_at", "id").first()
        if claimed is None:
            return None
        claimed.status = Task.Status.RUNNING
        claimed.started_at = timezone.now()
        claimed.save(update_fields=["status", "started_at"])
        return claimed


def run_task(task_id: int | None = None) -> Task | None:
    claimed = claim(task_id)
    if claimed is None:
        return None
    try:
        _REGISTRY[claimed.name](**claimed.payload)
    except Exception:
        log.exception("task %s failed", claimed)
        claimed.status = Task.Status.FAILED
        claimed.error = traceback.format_exc()[-4000:]
    else:
        claimed.status = Task.Status.DONE
    claimed.finished_at = timezone.now()
    claimed.save(update_fields=["status", "error", "finished_at"])
    return claimed
