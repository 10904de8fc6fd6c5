"""Two people writing the same project at once (transactional, real threads): codes taken in one region never
collide, and the same worker put on one project twice at the same moment is refused once, because every write locks
the project's row before it checks. PostgreSQL only: SQLite runs one writer at a time anyway, and its shared-cache
test database answers a second writer "table is locked" at once instead of waiting for the lock."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from shegong.projects import services
from shegong.projects.models import Project
from shegong.projects.tests.factories import START, make_project, make_worker
from shegong.testing.concurrency import each_at_once

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks between writers: PostgreSQL"),
]


def test_codes_of_one_region_never_collide(world):
    each_at_once(lambda name: [make_project(name=f"{name}{index}") for index in range(4)])
    codes = sorted(Project.objects.values_list("code", flat=True))
    assert codes == [f"P4401042025{number:03d}" for number in range(1, 9)]


def test_the_same_worker_added_twice_at_once_is_refused_once(world):
    project = make_project()
    worker = make_worker(name="并发甲")

    def add(_name):
        return services.staff_add(
            actor=None,
            project=Project.objects.get(pk=project.pk),
            worker=worker,
            role="social_worker",
            start_date=START,
        )

    outcomes = each_at_once(add)
    refused = [outcome for outcome in outcomes.values() if isinstance(outcome, ValidationError)]
    assert len(refused) == 1 and "期间重叠" in " ".join(refused[0].messages)
    assert project.staff.count() == 1
