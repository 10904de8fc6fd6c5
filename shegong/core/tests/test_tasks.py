import threading

import pytest
from django.core.management import call_command
from django.db import transaction

from shegong.core import tasks
from shegong.core.models import Task

ran: list[dict] = []
done = threading.Event()


@tasks.task("tests.record")
def record_call(**payload):
    ran.append(payload)
    done.set()


@tasks.task("tests.fail")
def always_fail(**payload):
    raise RuntimeError("boom")


@pytest.fixture(autouse=True)
def reset():
    ran.clear()
    done.clear()


@pytest.mark.django_db
def test_worker_mode_leaves_the_task_queued_until_a_worker_claims_it(settings):
    settings.TASKS_MODE = "worker"
    with transaction.atomic():
        queued = tasks.enqueue("tests.record", number=1)
    assert Task.objects.get(pk=queued.pk).status == "queued" and ran == []
    call_command("worker", "--once")
    assert ran == [{"number": 1}]
    assert Task.objects.get(pk=queued.pk).status == "done"
    assert tasks.run_task() is None  # nothing left, and a done task is never run twice


@pytest.mark.django_db
def test_a_failing_task_is_marked_failed_with_its_error(settings):
    settings.TASKS_MODE = "worker"
    queued = tasks.enqueue("tests.fail")
    tasks.run_task(queued.pk)
    queued.refresh_from_db()
    assert queued.status == "failed" and "boom" in queued.error


@pytest.mark.django_db
def test_an_unknown_task_name_is_refused():
    with pytest.raises(LookupError):
        tasks.enqueue("tests.nope")


@pytest.mark.django_db(transaction=True)
def test_thread_mode_runs_only_after_the_transaction_commits(settings):
    settings.TASKS_MODE = "thread"
    with transaction.atomic():
        tasks.enqueue("tests.record", number=2)
        assert not done.wait(0.3)  # not before commit
    assert done.wait(10)
    assert ran == [{"number": 2}]


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_queues_nothing(settings):
    settings.TASKS_MODE = "thread"
    with pytest.raises(RuntimeError), transaction.atomic():
        tasks.enqueue("tests.record", number=3)
        raise RuntimeError("rollback")
    assert not done.wait(0.5)
    assert not Task.objects.exists()
