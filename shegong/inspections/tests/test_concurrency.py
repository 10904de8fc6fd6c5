"""Taking a target out of its plan (or deleting the plan) while someone records the visit (transactional, real
threads): exactly one of them wins, because each locks the plan and then the inspection's row before it checks, and
recording locks the inspection's row. Never a removed target whose record was accepted, never a recorded visit
removed. PostgreSQL only: SQLite runs one writer at a time anyway, and its shared-cache test database answers a
second writer "table is locked" at once instead of waiting for the lock."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from shegong.inspections import services
from shegong.inspections.models import Inspection, InspectionPlan
from shegong.inspections.tests.factories import DAY, make_plan, stations
from shegong.testing.concurrency import at_once

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks between writers: PostgreSQL"),
]


def _record(pk):
    return lambda: services.inspection_record(
        actor=None, inspection=Inspection.objects.get(pk=pk), visited_on=DAY, results={}, today=DAY
    )


@pytest.mark.parametrize("attempt", range(3))
def test_recording_and_removing_at_once_one_wins(world, attempt):
    plan = make_plan()
    visit = services.inspection_add(actor=None, plan=plan, station=stations(world)["a"])
    outcomes = at_once(
        {
            "record": _record(visit.pk),
            "remove": lambda: services.inspection_remove(actor=None, inspection=Inspection.objects.get(pk=visit.pk)),
        }
    )
    refused = [name for name, outcome in outcomes.items() if isinstance(outcome, ValidationError)]
    assert len(refused) == 1
    left = Inspection.objects.filter(pk=visit.pk).first()
    if refused == ["record"]:
        assert left is None
    else:
        assert left is not None and left.visited_on == DAY


@pytest.mark.parametrize("attempt", range(3))
def test_recording_and_deleting_the_plan_at_once_one_wins(world, attempt):
    plan = make_plan()
    visit = services.inspection_add(actor=None, plan=plan, station=stations(world)["a"])
    outcomes = at_once(
        {
            "record": _record(visit.pk),
            "delete": lambda: services.plan_delete(actor=None, plan=InspectionPlan.objects.get(pk=plan.pk)),
        }
    )
    refused = [name for name, outcome in outcomes.items() if isinstance(outcome, ValidationError)]
    assert len(refused) == 1
    if refused == ["record"]:
        assert not InspectionPlan.objects.filter(pk=plan.pk).exists()
    else:
        assert Inspection.objects.get(pk=visit.pk).visited_on == DAY
