"""The requests demo on a small network: every status, events consistent with the status, some overdue and
escalated, some rated, the 广州 service level added through the policies service, and a second load that changes
nothing."""

import io

import pytest

from shegong.policies.models import PolicyRule
from shegong.refdata.selectors import labels
from shegong.servicerequests import demo
from shegong.servicerequests.models import Action, RequestEvent, ServiceRequest, Status, WorkerCapacity
from shegong.servicerequests.tests.factories import Network
from shegong.stations.tests.factories import make_user
from shegong.testing.world import CITY

pytestmark = pytest.mark.django_db


def test_demo_loads_once_in_every_status(monkeypatch, world):
    monkeypatch.setattr(demo, "COUNT", 300)
    net = Network(world)
    make_user("gz_admin", "civil_affairs_admin", region=CITY)
    out = io.StringIO()
    demo.load({"stdout": out, "demo_worker": net.resident})
    rows = ServiceRequest.all_records.all()
    assert rows.count() == 300 and "服务需求：300 件" in out.getvalue()
    assert set(rows.values_list("status", flat=True)) == set(Status.values) - {Status.IN_SERVICE}  # no demo cases
    assert rows.filter(escalated_at__isnull=False).exists() and rows.filter(rating__isnull=False).exists()
    assert rows.filter(assigned_worker=net.resident).exists()
    assert PolicyRule.objects.filter(kind="request_first_response_hours", source_text="演示设定").count() == 1
    assert WorkerCapacity.objects.filter(worker=net.colleague).exists()
    for row in rows.filter(status=Status.CLOSED)[:30]:
        assert list(row.events.values_list("action", flat=True))[-1] in (Action.CLOSED, Action.RATED)
    assert RequestEvent.objects.filter(action=Action.SUBMITTED).count() == 300
    known = set(labels("service_domain"))
    assert set(rows.exclude(domain="").values_list("domain", flat=True)) <= known
    assert all(row.phone.startswith("13") for row in rows.filter(phone_index__isnull=False)[:20])
    demo.load({"stdout": io.StringIO(), "demo_worker": net.resident})
    assert ServiceRequest.all_records.count() == 300
    assert PolicyRule.objects.filter(kind="request_first_response_hours").count() == 1
