"""Routing of a new request, the head's 一键派单 through the optimal matching, the service level (due time from the
policy profile, escalation once), and two heads assigning the same request at once (PostgreSQL threads)."""

import datetime
import time

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from shegong.inbox.models import Notification
from shegong.policies import services as policy_services
from shegong.policies.models import PolicyProfile
from shegong.servicerequests import services
from shegong.servicerequests.models import Action, RequestEvent, ServiceRequest, Status
from shegong.servicerequests.tests.factories import (
    COMMUNITY_A2,
    COMMUNITY_B,
    Network,
    Role,
    post,
    submit,
    worker_with_account,
)
from shegong.stations.models import Station
from shegong.stations.tests.factories import Kind, make_station
from shegong.talent.tests.factories import domain
from shegong.testing.baseline import ensure_baseline
from shegong.testing.concurrency import at_once
from shegong.testing.world import COMMUNITY_A, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def net(world):
    return Network(world)


def sla(world, hours=24):
    profile = PolicyProfile.objects.filter(region_id="440100000000").order_by("-valid_from").first()
    return policy_services.rule_add(
        actor=world.city_admin,
        profile=profile,
        kind="request_first_response_hours",
        params={"maximum_hours": hours},
        source_text="测试设定",
    )


# --- Routing --------------------------------------------------------------------------------------------------------


def test_a_room_with_a_resident_worker_takes_the_request_and_its_heads_are_alerted(net):
    request = submit()
    assert request.station == net.room and request.preferred_worker == net.resident
    # The room has no head of its own: the alert climbs to the street station's head.
    alert = Notification.objects.get(user=net.world.station_head_a, kind=Notification.Kind.NOTICE)
    assert request.tracking_code in alert.title


def test_routing_falls_back_to_the_street_station_then_the_district_centre_then_none(world):
    room = make_station(Kind.ROOM, COMMUNITY_A)  # a room without a resident worker
    assert services.route(room.region).station is None  # no street station, no centre yet
    centre = make_station(Kind.CENTRE, "440104")
    assert services.route(room.region).station == centre
    street = make_station(Kind.STATION, "440104003")
    assert services.route(room.region).station == street
    resident = worker_with_account("res", "驻点")

    post(room, resident, Role.RESIDENT)
    route = services.route(room.region)
    assert route.station == room and route.preferred_worker == resident
    street.status = Station.Status.REVOKED
    street.save(update_fields=["status"])
    assert services.route(world_region(COMMUNITY_A2)).station == centre


def world_region(code):
    from shegong.regions.models import Region

    return Region.objects.get(pk=code)


def test_the_queue_of_a_head_covers_the_rooms_under_the_station(client, net):
    at_room, at_street, elsewhere = submit(), submit(COMMUNITY_A2), submit(COMMUNITY_B)
    client.force_login(net.world.station_head_a)
    from django.urls import reverse

    rows = client.get(reverse("servicerequests:queue")).context["items"]
    assert {row.pk for row in rows} == {at_room.pk, at_street.pk}
    assert elsewhere.station == net.street_b


# --- Service level --------------------------------------------------------------------------------------------------


def test_without_a_rule_there_is_no_deadline_and_with_one_there_is(net, client):
    from django.urls import reverse

    first = submit()
    assert first.due_at is None
    client.force_login(net.world.station_head_a)
    assert "未设定时限" in client.get(reverse("servicerequests:queue")).content.decode()
    sla(net.world, 24)
    second = submit()
    assert second.due_at == second.created_at + datetime.timedelta(hours=24)


def test_overdue_requests_escalate_once_and_alert_the_heads(net):
    sla(net.world, 2)
    late, answered, fresh = submit(), submit(), submit()
    past = timezone.now() - datetime.timedelta(hours=3)
    ServiceRequest.all_records.filter(pk__in=[late.pk, answered.pk]).update(due_at=past)
    services.request_dismiss(request=answered, actor=net.world.station_head_a, reason="重复提交")
    assert services.escalate_overdue() == 1
    late.refresh_from_db()
    assert late.escalated_at is not None and late.events.filter(action=Action.ESCALATED).count() == 1
    alerts = Notification.objects.filter(kind=Notification.Kind.OVERDUE)
    assert [alert.user for alert in alerts] == [net.world.station_head_a] and alerts[0].urgency == "urgent"
    assert services.escalate_overdue() == 0
    call_command("escalate_overdue_requests")
    assert Notification.objects.filter(kind=Notification.Kind.OVERDUE).count() == 1
    fresh.refresh_from_db()
    assert fresh.escalated_at is None


def test_the_first_response_rule_kind_judges_hours(world):
    from shegong.policies import registry

    kind = registry.get("request_first_response_hours")
    assert kind.evaluate({"maximum_hours": "24"}, {"response_hours": 30}).passed is False
    assert kind.evaluate({"maximum_hours": "24"}, {"response_hours": 3}).passed is True
    with pytest.raises(ValidationError):
        kind.clean_params({"maximum_hours": "0"})


# --- 一键派单 ---------------------------------------------------------------------------------------------------------


def test_match_assigns_every_pending_request_optimally_with_explanations(net):
    social = domain("social_assistance", "社会救助")
    net.colleague.domain_links.create(domain=social)
    net.resident.domain_links.create(domain=social)
    near = submit()  # 流水井: the resident worker is there
    far = submit(COMMUNITY_A2)  # no room: the street's colleague, competent in the domain
    result = services.requests_match(actor=net.world.station_head_a, station=net.street)
    plan = {request.pk: worker for request, worker, _reasons in result.assigned}
    assert plan == {near.pk: net.resident, far.pk: net.colleague} and result.unassigned == []
    event = RequestEvent.objects.get(request=near, action=Action.MATCHED)
    assert "同社区驻点社工" in event.explanation
    assert "擅长该服务领域" in RequestEvent.objects.get(request=far, action=Action.MATCHED).explanation
    assert ServiceRequest.objects.filter(status=Status.ASSIGNED).count() == 2
    assert Notification.objects.filter(kind=Notification.Kind.ASSIGNMENT, user=net.resident_user).exists()


def test_match_skips_workers_who_declined_or_stopped_and_reports_what_it_could_not_place(net):
    request = submit()
    services.request_assign(request=request, worker=net.resident, actor=net.world.station_head_a)
    services.request_decline(request=request, actor=net.resident_user, reason="请假")
    services.capacity_set(worker=net.colleague, actor=net.world.station_head_a, accepting=False, max_open=5)
    services.capacity_set(worker=net.head, actor=net.world.station_head_a, accepting=False, max_open=5)
    result = services.requests_match(actor=net.world.station_head_a, station=net.street)
    assert result.assigned == [] and [item.pk for item, _reason in result.unassigned] == [request.pk]
    assert ServiceRequest.objects.get(pk=request.pk).status == Status.PENDING


def test_match_through_the_queue_page(client, net):
    from django.urls import reverse

    submit()
    client.force_login(net.world.station_head_a)
    response = client.post(reverse("servicerequests:match"), {"station": net.street.pk}, follow=True)
    assert "一键派单完成：派出 1 件" in response.content.decode()
    assert ServiceRequest.objects.get().status == Status.ASSIGNED


# --- Two heads at once ----------------------------------------------------------------------------------------------


@pytest.fixture
def transactional_net(transactional_db):
    ensure_baseline()
    return Network(build_world())


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks (SELECT … FOR UPDATE) exist on PostgreSQL only; on SQLite a write locks the whole database",
)
@pytest.mark.django_db(transaction=True)
def test_two_heads_assigning_the_same_request_at_once_exactly_one_wins(transactional_net, monkeypatch):
    net = transactional_net
    request = submit()
    original = services._check_worker

    def slow_check(*args, **kwargs):
        time.sleep(0.4)  # the first holds the row lock a moment, so the second surely waits on it
        return original(*args, **kwargs)

    monkeypatch.setattr(services, "_check_worker", slow_check)

    def assign(actor, worker):
        return lambda: services.request_assign(
            request=request, worker=worker, actor=actor, expected_version=request.version
        )

    results = at_once(
        {
            "head": assign(net.world.station_head_a, net.resident),
            "bureau": assign(net.world.district_a_admin, net.colleague),
        }
    )
    outcomes = {
        name: result.messages[0] if isinstance(result, ValidationError) else "ok" for name, result in results.items()
    }
    assert sorted(outcomes.values(), key=len) == ["ok", "该需求已被他人派单，请刷新后查看。"], outcomes
    assert RequestEvent.objects.filter(request=request, action=Action.ASSIGNED).count() == 1
