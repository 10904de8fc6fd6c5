"""The inspections demo on the test world's stations: this year's four rounds per district with stations, done
inspections, items in every state (one overdue), seen by the district admin, the station head and the agency admin;
a second load changes nothing."""

import io

import pytest
from django.utils import timezone

from shegong.audit.models import AuditEntry
from shegong.inspections import demo, selectors
from shegong.inspections.models import Inspection, InspectionPlan, RectificationItem
from shegong.inspections.tests.factories import stations

pytestmark = pytest.mark.django_db


def test_demo_gives_every_state_and_is_idempotent(world):
    stations(world)
    out = io.StringIO()
    demo.load({"stdout": out})
    today = timezone.localdate()
    assert InspectionPlan.objects.filter(year=today.year).count() == 8  # 越秀区 and 海珠区, four quarters each
    assert Inspection.objects.filter(status=Inspection.Status.DONE).count() == 4  # two stations + agency A + agency B
    states = set(RectificationItem.objects.values_list("status", flat=True))
    assert {"closed", "submitted", "returned"} <= states
    overdue = RectificationItem.objects.filter(selectors.overdue_q(today))
    assert overdue.exists()
    assert selectors.items(world.district_a_admin).exists()
    assert selectors.items(world.station_head_a).exists()
    assert selectors.items(world.agency_admin_a).filter(owner_agency=world.agency_a).exists()
    assert "督查整改" in out.getvalue()
    before = (RectificationItem.objects.count(), AuditEntry.objects.count())
    demo.load({"stdout": io.StringIO()})
    assert (RectificationItem.objects.count(), AuditEntry.objects.count()) == before
