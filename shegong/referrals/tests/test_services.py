"""The referral state machine (every allowed and forbidden move), its database constraints, the reasons it needs,
the consent check, who may answer and revoke, and the alerts to the other side."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from shegong.audit.models import AuditEntry
from shegong.inbox.models import Notification
from shegong.recipients.models import ConsentScope
from shegong.recipients.tests.factories import COMMUNITY_A, make_recipient, withdraw
from shegong.refdata.models import DictionaryItem
from shegong.referrals import selectors, services
from shegong.referrals.models import Referral
from shegong.referrals.tests.factories import drive, refer, setup

pytestmark = pytest.mark.django_db
State = Referral.State
ALL_STATES = list(State.values)
ALLOWED = {(a, b) for a, targets in Referral.MOVES.items() for b in targets}


@pytest.fixture
def w(world):
    return setup(world)


def test_the_allowed_moves_are_the_documented_ones():
    assert {
        ("in_progress", "accepted"),
        ("in_progress", "rejected"),
        ("in_progress", "revoked"),
        ("accepted", "done"),
        ("accepted", "revoked"),
    } == ALLOWED


@pytest.mark.parametrize("start", ALL_STATES)
@pytest.mark.parametrize("target", ALL_STATES)
def test_every_move_allowed_or_refused(w, start, target):
    referral = drive(refer(w), start)
    assert referral.state == start
    if (start, target) in ALLOWED:
        moved = services.referral_move(actor=None, referral=referral, to_state=target, note="原因说明")
        assert moved.state == target
        assert list(moved.events.values_list("from_state", "to_state"))[-1] == (start, target)
    else:
        with pytest.raises(ValidationError) as refused:
            services.referral_move(actor=None, referral=referral, to_state=target, note="原因说明")
        assert refused.value.error_dict["to_state"][0].code == "invalid_move"
        referral.refresh_from_db()
        assert referral.state == start


def test_revoked_is_not_done(w):
    revoked = drive(refer(w), State.REVOKED)
    assert revoked.done_at is None and revoked.revoked_at is not None
    done = drive(refer(w), State.DONE)
    assert set(Referral.objects.filter(state=State.DONE)) == {done}
    with pytest.raises(ValidationError):
        services.referral_move(actor=None, referral=revoked, to_state=State.DONE, note="x")
    # The database refuses a referral both revoked and done, or revoked without its time.
    with pytest.raises(IntegrityError), transaction.atomic():
        Referral.objects.filter(pk=revoked.pk).update(done_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        Referral.objects.filter(pk=done.pk).update(state=State.REVOKED)


def test_database_constraints(w):
    referral = refer(w)
    department = DictionaryItem.objects.filter(dictionary__code="referral_department").first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Referral.objects.filter(pk=referral.pk).update(to_department=department)  # two targets
    with pytest.raises(IntegrityError), transaction.atomic():
        Referral.objects.filter(pk=referral.pk).update(to_station=None)  # no target
    with pytest.raises(IntegrityError), transaction.atomic():
        Referral.objects.filter(pk=referral.pk).update(state=State.REJECTED, answered_at=timezone.now())  # no reason
    with pytest.raises(IntegrityError), transaction.atomic():
        Referral.objects.filter(pk=referral.pk).update(state="lost")
    with pytest.raises(IntegrityError), transaction.atomic():
        Referral.objects.filter(pk=referral.pk).update(to_station=w.station_a)  # to itself


@pytest.mark.parametrize("state", [State.REJECTED, State.REVOKED])
def test_rejecting_and_revoking_need_a_reason(w, state):
    referral = refer(w)
    with pytest.raises(ValidationError) as refused:
        services.referral_move(actor=None, referral=referral, to_state=state, note="  ")
    assert refused.value.error_dict["note"][0].code == "reason_required"
    moved = services.referral_move(actor=None, referral=referral, to_state=state, note="对方不受理")
    assert (moved.reject_reason or moved.revoke_reason) == "对方不受理"


def test_consent_must_include_referral_sharing(w):
    person = make_recipient("李无共享", COMMUNITY_A, consent_scopes=[ConsentScope.SERVICE_RECORD])
    with pytest.raises(ValidationError) as refused:
        refer(w, recipient=person)
    error = refused.value.error_dict["recipient"][0]
    assert error.code == services.NO_CONSENT and "信息共享（转介）" in error.message
    assert not Referral.objects.exists()


def test_a_withdrawn_recipient_cannot_be_referred_and_vanishes_from_lists(w):
    referral = refer(w, actor=w.station_head_a)
    assert list(selectors.outgoing(w.station_head_a)) == [referral]
    withdraw(w.recipient_a)
    assert list(selectors.outgoing(w.station_head_a)) == []
    assert list(selectors.incoming(w.head_b)) == []
    assert Referral.objects.filter(pk=referral.pk).exists()  # the record stays
    with pytest.raises(ValidationError):
        refer(w, actor=w.station_head_a)


def test_exactly_one_target_and_not_to_itself(w):
    with pytest.raises(ValidationError) as refused:
        refer(w, to_station=w.station_b, to_agency=w.agency_b)
    assert refused.value.error_dict["to_station"][0].code == "one_target"
    with pytest.raises(ValidationError) as refused:
        refer(w, to_station=w.station_a)
    assert refused.value.error_dict["to_station"][0].code == "same_station"


def test_scope_of_the_sender(w):
    with pytest.raises(ValidationError) as refused:
        refer(w, actor=w.station_head_a, recipient=w.recipient_b)  # a recipient of district B
    assert "recipient" in refused.value.error_dict
    with pytest.raises(ValidationError) as refused:
        refer(w, actor=w.station_head_a, from_station=w.station_b, to_station=w.station_a)
    assert "from_station" in refused.value.error_dict
    with pytest.raises(PermissionDenied):
        refer(w, actor=w.district_a_admin)  # oversees, does not refer


def test_the_receiving_station_answers_and_the_sender_revokes(w):
    referral = refer(w, actor=w.station_head_a)
    assert selectors.allowed_moves(w.head_b, referral) == [State.ACCEPTED, State.REJECTED]
    assert selectors.allowed_moves(w.station_head_a, referral) == [State.REVOKED]
    with pytest.raises(PermissionDenied):
        services.referral_move(actor=w.station_head_a, referral=referral, to_state=State.ACCEPTED)
    with pytest.raises(PermissionDenied):
        services.referral_move(actor=w.head_b, referral=referral, to_state=State.REVOKED, note="x")
    referral = services.referral_move(actor=w.head_b, referral=referral, to_state=State.ACCEPTED, note="已安排社工")
    referral = services.referral_move(actor=w.head_b, referral=referral, to_state=State.DONE, note="已结案")
    assert referral.state == State.DONE and referral.outcome == "已结案"
    actions = list(
        AuditEntry.objects.filter(object_type="referrals.referral", object_id=str(referral.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [AuditEntry.Action.CREATE, AuditEntry.Action.TRANSITION, AuditEntry.Action.TRANSITION]


def test_the_other_side_is_alerted(w):
    referral = refer(w, actor=w.station_head_a)
    alert = Notification.objects.get(user=w.head_b)
    assert alert.kind == Notification.Kind.REFERRAL and alert.url == f"/referrals/{referral.pk}/"
    assert "陈大文" in alert.title
    services.referral_move(actor=w.head_b, referral=referral, to_state=State.REJECTED, note="超出服务范围")
    back = Notification.objects.get(user=w.station_head_a)
    assert back.kind == Notification.Kind.REFERRAL and "拒绝" in back.title
    assert not Notification.objects.filter(user=w.head_b).exclude(pk=alert.pk).exists()  # not alerted of own move


def test_an_agency_target_is_answered_by_its_admins(w):
    referral = refer(w, actor=w.station_head_a, to_agency=w.agency_a)
    assert Notification.objects.filter(user=w.agency_admin_a, kind="referral").exists()
    assert selectors.allowed_moves(w.agency_admin_a, referral) == [State.ACCEPTED, State.REJECTED]
    assert selectors.allowed_moves(w.head_b, referral) == []
    services.referral_move(actor=w.agency_admin_a, referral=referral, to_state=State.ACCEPTED)


def test_a_department_answer_is_recorded_by_the_sender(w):
    department = DictionaryItem.objects.get(dictionary__code="referral_department", name="法律援助")
    referral = refer(w, actor=w.station_head_a, to_department=department, to_unit="越秀区法律援助处")
    assert referral.target_name == "法律援助（越秀区法律援助处）"
    assert selectors.allowed_moves(w.station_head_a, referral) == [State.ACCEPTED, State.REJECTED, State.REVOKED]
    referral = services.referral_move(actor=w.station_head_a, referral=referral, to_state=State.ACCEPTED)
    referral = services.referral_move(actor=w.station_head_a, referral=referral, to_state=State.DONE, note="已受理")
    assert referral.state == State.DONE
