"""Every status move of a request: allowed and forbidden, who may make it, the reasons it needs, the events and audit
rows it writes, and the database constraints behind them."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from shegong.audit.models import AuditEntry
from shegong.inbox.models import Notification
from shegong.servicerequests import services
from shegong.servicerequests.models import Action, RequestEvent, ServiceRequest, Status
from shegong.servicerequests.tests.factories import Network, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def net(world):
    return Network(world)


def assigned(net, worker=None):
    request = submit()
    return services.request_assign(request=request, worker=worker or net.resident, actor=net.world.station_head_a)


def test_the_happy_path_writes_an_event_and_an_audit_row_per_move(net):
    request = submit()
    assert request.status == Status.PENDING and request.station == net.room
    request = services.request_assign(request=request, worker=net.resident, actor=net.world.station_head_a)
    assert request.status == Status.ASSIGNED and request.assigned_at is not None
    assert Notification.objects.filter(user=net.resident_user, kind=Notification.Kind.ASSIGNMENT).count() == 1
    request = services.request_accept(request=request, actor=net.resident_user)
    assert request.status == Status.ACCEPTED and request.first_response_at is not None
    request = services.request_close(request=request, actor=net.resident_user, note="已上门探访，链接送餐服务")
    assert request.status == Status.CLOSED and request.closed_at is not None
    actions = list(request.events.values_list("action", flat=True))
    assert actions == [Action.SUBMITTED, Action.ASSIGNED, Action.ACCEPTED, Action.CLOSED]
    assert (
        AuditEntry.objects.filter(object_type="servicerequests.servicerequest", object_id=str(request.pk)).count() == 4
    )
    assert request.version == 4


def test_decline_needs_a_reason_returns_to_the_queue_and_excludes_the_worker(net):
    request = assigned(net)
    with pytest.raises(ValidationError) as caught:
        services.request_decline(request=request, actor=net.resident_user, reason="  ")
    assert caught.value.error_dict["reason"][0].code == "required"
    request = services.request_decline(request=request, actor=net.resident_user, reason="本周外出培训")
    assert request.status == Status.PENDING and request.assigned_worker is None
    event = request.events.get(action=Action.DECLINED)
    assert event.worker == net.resident and event.reason == "本周外出培训"
    assert Notification.objects.filter(user=net.world.station_head_a, kind=Notification.Kind.ASSIGNMENT).exists()
    with pytest.raises(ValidationError) as caught:
        services.request_assign(request=request, worker=net.resident, actor=net.world.station_head_a)
    assert caught.value.error_dict["worker"][0].code == "declined"
    request = services.request_assign(request=request, worker=net.colleague, actor=net.world.station_head_a)
    assert request.assigned_worker == net.colleague


def test_dismiss_is_final_and_needs_a_reason(net):
    request = submit()
    with pytest.raises(ValidationError):
        services.request_dismiss(request=request, actor=net.world.station_head_a, reason="")
    request = services.request_dismiss(request=request, actor=net.world.station_head_a, reason="重复提交")
    assert request.status == Status.DISMISSED and request.first_response_at is not None
    for call in (
        lambda: services.request_assign(request=request, worker=net.resident, actor=net.world.station_head_a),
        lambda: services.request_dismiss(request=request, actor=net.world.station_head_a, reason="再次"),
    ):
        with pytest.raises(ValidationError):
            call()


@pytest.mark.parametrize(
    ("status", "allowed"),
    [
        (Status.PENDING, {"assign", "reassign", "dismiss"}),
        (Status.ASSIGNED, {"reassign", "dismiss", "accept", "decline"}),
        (Status.ACCEPTED, {"close"}),
        (Status.CLOSED, set()),
        (Status.DISMISSED, set()),
    ],
)
def test_allowed_and_forbidden_moves(net, status, allowed):
    head, user = net.world.station_head_a, net.resident_user
    for worker in (net.resident, net.colleague):
        services.capacity_set(worker=worker, actor=head, accepting=True, max_open=50)

    def build():
        request = submit()
        if status == Status.DISMISSED:
            return services.request_dismiss(request=request, actor=head, reason="不在服务范围")
        if status != Status.PENDING:
            request = services.request_assign(request=request, worker=net.resident, actor=head)
        if status in (Status.ACCEPTED, Status.CLOSED):
            request = services.request_accept(request=request, actor=user)
        if status == Status.CLOSED:
            request = services.request_close(request=request, actor=user, note="完成")
        return request

    actions = {
        "assign": lambda r: services.request_assign(request=r, worker=net.colleague, actor=head),
        "reassign": lambda r: services.request_assign(
            request=r, worker=net.colleague, actor=head, expected_version=r.version
        ),
        "dismiss": lambda r: services.request_dismiss(request=r, actor=head, reason="恶意提交"),
        "accept": lambda r: services.request_accept(request=r, actor=user),
        "decline": lambda r: services.request_decline(request=r, actor=user, reason="不擅长"),
        "close": lambda r: services.request_close(request=r, actor=user, note="完成"),
    }
    for name, action in actions.items():
        request = build()
        if name in allowed:
            action(request)
        else:
            with pytest.raises((ValidationError, PermissionDenied)):
                action(request)
            assert ServiceRequest.objects.get(pk=request.pk).status == status, name


def test_only_the_assigned_worker_answers_a_request(net, world):
    request = assigned(net)
    for actor in (net.colleague_user, world.worker_b):
        with pytest.raises(PermissionDenied):
            services.request_accept(request=request, actor=actor)
    with pytest.raises(PermissionDenied):
        services.request_assign(request=submit(), worker=net.colleague, actor=world.worker_b)
    with pytest.raises(PermissionDenied):  # a head out of scope
        services.request_dismiss(request=submit(), actor=world.district_b_admin, reason="x")


def test_assignment_to_someone_outside_the_station_or_at_capacity_is_refused(net):
    with pytest.raises(ValidationError) as caught:
        services.request_assign(request=submit(), worker=net.worker_b, actor=net.world.station_head_a)
    assert caught.value.error_dict["worker"][0].code == "not_staff"
    services.capacity_set(worker=net.colleague, actor=net.world.station_head_a, accepting=True, max_open=1)
    services.request_assign(request=submit(), worker=net.colleague, actor=net.world.station_head_a)
    with pytest.raises(ValidationError) as caught:
        services.request_assign(request=submit(), worker=net.colleague, actor=net.world.station_head_a)
    assert caught.value.error_dict["worker"][0].code == "full"
    services.capacity_set(worker=net.colleague, actor=net.world.station_head_a, accepting=False, max_open=5)
    with pytest.raises(ValidationError) as caught:
        services.request_assign(request=submit(), worker=net.colleague, actor=net.world.station_head_a)
    assert caught.value.error_dict["worker"][0].code == "not_accepting"
    with pytest.raises(PermissionDenied):
        services.capacity_set(worker=net.worker_b, actor=net.world.station_head_a, accepting=True, max_open=3)


def test_the_version_check_refuses_a_stale_assignment(net):
    """Deterministically, on any database: the second head read version 1; the first already assigned."""
    request = submit()
    seen = request.version
    services.request_assign(request=request, worker=net.resident, actor=net.world.station_head_a, expected_version=seen)
    with pytest.raises(ValidationError) as caught:
        services.request_assign(
            request=request, worker=net.colleague, actor=net.world.district_a_admin, expected_version=seen
        )
    assert caught.value.code == services.ALREADY_TAKEN and "该需求已被他人派单" in caught.value.messages[0]
    with pytest.raises(ValidationError) as caught:  # without a version: only a pending request may be assigned
        services.request_assign(request=request, worker=net.colleague, actor=net.world.district_a_admin)
    assert caught.value.code == services.ALREADY_TAKEN
    assert ServiceRequest.objects.get(pk=request.pk).assigned_worker == net.resident


def test_rating_only_once_and_only_when_closed(net):
    request = assigned(net)
    with pytest.raises(ValidationError) as caught:
        services.request_rate(tracking_code=request.tracking_code, rating=5)
    assert caught.value.error_dict["rating"][0].code == "not_closed"
    services.request_accept(request=request, actor=net.resident_user)
    services.request_close(request=request, actor=net.resident_user, note="完成")
    with pytest.raises(ValidationError):
        services.request_rate(tracking_code=request.tracking_code, rating=6)
    rated = services.request_rate(tracking_code=request.tracking_code.lower(), rating=4, comment="很及时")
    assert rated.rating == 4 and rated.rated_at is not None
    with pytest.raises(ValidationError) as caught:
        services.request_rate(tracking_code=request.tracking_code, rating=5)
    assert caught.value.error_dict["rating"][0].code == "already_rated"
    assert ServiceRequest.objects.get(pk=request.pk).rating == 4


def test_the_database_refuses_what_the_services_refuse(net):
    request = submit()
    for values in (
        {"status": "bogus"},
        {"rating": 4, "rated_at": timezone.now()},  # rated while pending
        {"status": Status.ASSIGNED},  # assigned without a worker
        {"assigned_worker": net.resident},  # a worker on a pending request
        {"phone": "13800138000", "contact_consent": False},
        {"domain": "", "topic": ""},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            ServiceRequest.all_records.filter(pk=request.pk).update(**values) if "phone" not in values else _save(
                request, values
            )
    with pytest.raises(IntegrityError), transaction.atomic():
        RequestEvent.objects.create(
            request=request, action=Action.DECLINED, to_status=Status.PENDING, at=timezone.now()
        )


def _save(request, values):
    for key, value in values.items():
        setattr(request, key, value)
    request.save()


def test_a_request_becomes_a_case_and_closes_with_it(net, client):
    from shegong.casework.models import Case
    from shegong.casework.services import case_move
    from shegong.recipients.tests.factories import make_recipient

    person = make_recipient("何阿婆", "440104003104")
    request = services.request_accept(request=assigned(net, net.colleague), actor=net.colleague_user)
    with pytest.raises(ValidationError):
        services.request_open_case(
            request=request, actor=net.colleague_user, recipient=person, domain="nope", presenting_problem="x"
        )
    assert ServiceRequest.objects.get(pk=request.pk).status == Status.ACCEPTED  # rolled back with the case
    client.force_login(net.colleague_user)
    from django.urls import reverse

    page = client.get(reverse("servicerequests:open_case", args=[request.pk]))
    assert person.pk in [choice.pk for choice in page.context["form"].fields["recipient"].queryset]
    answer = client.post(
        reverse("servicerequests:open_case", args=[request.pk]),
        {"recipient": person.pk, "domain": "social_assistance", "presenting_problem": "独居，行动不便"},
    )
    assert answer.status_code == 302, answer.context["form"].errors
    request.refresh_from_db()
    assert request.status == Status.IN_SERVICE and request.case is not None
    case = Case.objects.get(pk=request.case_id)
    assert case.station == net.street and case.worker == net.colleague and case.recipient == person
    with pytest.raises(ValidationError):  # a case's request closes with the case, not by hand
        services.request_close(request=request, actor=net.colleague_user, note="完成")
    case_move(
        case=case,
        to=Case.Stage.CLOSED,
        actor=net.colleague_user,
        closure_reason="client_ended",
        reason="本人要求结束",
        closure_summary="本人要求结束服务",
    )
    request.refresh_from_db()
    assert request.status == Status.CLOSED and request.can_be_rated
    assert services.request_rate(tracking_code=request.tracking_code, rating=5).rating == 5


def test_who_may_register_people_registers_the_resident_while_opening_the_case(net, client):
    from django.urls import reverse

    from shegong.recipients.models import Recipient

    head_user = net.world.station_head_a
    request = services.request_accept(request=assigned(net, net.head), actor=head_user)
    client.force_login(head_user)
    url = reverse("servicerequests:open_case", args=[request.pk])
    data = {
        "domain": "social_assistance",
        "presenting_problem": "独居",
        "new_name": "钟阿伯",
        "new_no_id_reason": "no_document",
        "new_birth_date": "1940-02-03",
        "new_sex": "M",
    }
    refused = client.post(url, data)
    assert refused.status_code == 200 and "知情同意" in str(refused.context["form"].errors["new_consent"])
    assert not Recipient.objects.filter(name="钟阿伯").exists()
    answer = client.post(url, data | {"new_consent": "on"})
    assert answer.status_code == 302, answer.context["form"].errors
    person = Recipient.objects.get(name="钟阿伯")
    assert person.community_id == "440104003104" and person.created_by == head_user
    request.refresh_from_db()
    assert request.status == Status.IN_SERVICE and request.case.recipient == person
    # A social worker registers the resident too (社工 holds recipients.add_recipient); without that permission the
    # registration fields are not offered and the worker only picks.
    client.force_login(net.resident_user)
    other = services.request_accept(request=assigned(net), actor=net.resident_user)
    url = reverse("servicerequests:open_case", args=[other.pk])
    assert "new_name" in client.get(url).context["form"].fields
    from django.contrib.auth.models import Permission

    from shegong.accounts.models import Role

    Role.objects.get(code="social_worker").permissions.remove(Permission.objects.get(codename="add_recipient"))
    client.force_login(net.resident_user)  # a fresh login: the grants are read once per request
    assert "new_name" not in client.get(url).context["form"].fields
