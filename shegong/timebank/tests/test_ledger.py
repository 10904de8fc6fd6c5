"""The ledger's invariants: every transfer sums to zero, a balance is the sum of its movements, limits hold, refused
transfers leave no trace, reversals undo once, both-confirm moves hours once, concurrent spends: one wins."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shegong.timebank import services
from shegong.timebank.models import Account, Movement, Offer, Transfer
from shegong.timebank.tests.factories import (
    COMMUNITY_A,
    funded,
    make_user,
    resident_account,
    set_rule,
    station_a,
    station_account,
    volunteer_account,
)

pytestmark = pytest.mark.django_db
OVERDRAFT, MAXIMUM, FAMILY_YEARLY = Decimal(2), Decimal(20), Decimal(5)


def assert_ledger_consistent():
    for transfer in Transfer.objects.prefetch_related("movements"):
        amounts = [m.amount for m in transfer.movements.all()]
        assert len(amounts) >= 2 and sum(amounts) == 0, transfer
    for account in Account.objects.all():
        total = Movement.objects.filter(account=account).aggregate(t=Sum("amount"))["t"] or Decimal(0)
        total = Decimal(total).quantize(Decimal("0.01"))  # SQLite sums decimals as floats
        assert account.balance == total, account
        last = Movement.objects.filter(account=account).order_by("-pk").first()
        assert last is None or last.balance_after == account.balance


def state():
    return (
        Transfer.objects.count(),
        Movement.objects.count(),
        sorted(Account.objects.values_list("pk", "balance")),
    )


@pytest.fixture
def members(world):
    set_rule(
        "timebank_balance_limits", {"overdraft_hours": OVERDRAFT, "maximum_balance": MAXIMUM}, actor=world.city_admin
    )
    set_rule(
        "timebank_family_transfer", {"allowed": True, "yearly_maximum_hours": FAMILY_YEARLY}, actor=world.city_admin
    )
    people = [volunteer_account("甲"), volunteer_account("乙"), resident_account("丙")]
    return {"issuer": station_account(), "people": people, "station": station_a()}


hours = st.decimals(min_value=Decimal("0.5"), max_value=Decimal(12), places=1)
operation = st.one_of(
    st.tuples(st.just("grant"), st.integers(0, 2), hours),
    st.tuples(st.just("donate"), st.integers(0, 2), hours),
    st.tuples(st.just("family"), st.tuples(st.integers(0, 2), st.integers(0, 2)), hours),
    st.tuples(st.just("reverse"), st.integers(0, 30), st.just(Decimal(0))),
)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(operation, min_size=1, max_size=15))
def test_random_sequences_keep_the_invariants(members, operations):
    people, issuer, station = members["people"], members["issuer"], members["station"]
    with transaction.atomic():
        for op, target, amount in operations:
            before = state()
            try:
                if op == "grant":
                    services.grant(issuer=issuer, account=people[target], hours=amount, actor=None)
                elif op == "donate":
                    services.donate_to_pool(account=people[target], station=station, hours=amount, actor=None)
                elif op == "family":
                    source, dest = target
                    services.family_transfer(
                        source=people[source], target=people[dest], hours=amount, relation="母子", actor=None
                    )
                else:
                    transfers = list(Transfer.objects.order_by("pk"))
                    if not transfers:
                        continue
                    services.reverse(transfer=transfers[target % len(transfers)], reason="录入错误", actor=None)
            except ValidationError:
                assert state() == before, "a refused transfer left a trace"
            assert_ledger_consistent()
            for account in Account.objects.filter(kind__in=["volunteer", "resident"]):
                assert -OVERDRAFT <= account.balance <= MAXIMUM
            for pool in Account.objects.filter(kind="pool"):
                assert pool.balance >= 0
            for person in people:
                assert services.family_total(person, timezone.localdate().year) <= FAMILY_YEARLY
        transaction.set_rollback(True)


def test_unbalanced_and_degenerate_transfers_are_refused(members):
    a, b, _c = members["people"]
    funded(a, 5)
    before = state()
    for legs, code in (
        ([(a, Decimal(-1)), (b, Decimal(2))], "unbalanced"),
        ([(a, Decimal(-1))], "too_few_legs"),
        ([(a, Decimal(0)), (b, Decimal(0))], "zero_leg"),
        ([(a, Decimal(-1)), (a, Decimal(1))], "duplicate_account"),
    ):
        with pytest.raises(ValidationError) as error:
            services.post_transfer(kind=Transfer.Kind.GRANT, legs=legs, actor=None)
        assert error.value.code == code
    assert state() == before


def test_the_ledger_is_append_only_in_the_database(members):
    a = funded(members["people"][0], 3)
    movement = Movement.objects.filter(account=a).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Movement.objects.filter(pk=movement.pk).update(amount=Decimal(100))
    with pytest.raises(IntegrityError), transaction.atomic():
        Transfer.objects.filter(pk=movement.transfer_id).update(memo="改过")
    with pytest.raises(IntegrityError), transaction.atomic():
        Movement.objects.filter(pk=movement.pk).delete()
    assert Movement.objects.get(pk=movement.pk).amount == Decimal(3)


def test_limits_without_rules_default_to_no_overdraft_and_no_family_transfer(world):
    a, b = volunteer_account("甲"), volunteer_account("乙")
    with pytest.raises(ValidationError) as error:
        services.donate_to_pool(account=a, station=station_a(), hours=1, actor=None)
    assert error.value.error_dict["hours"][0].code == "insufficient_balance"
    funded(a, 4)
    with pytest.raises(ValidationError) as error:
        services.family_transfer(source=a, target=b, hours=1, relation="夫妻", actor=None)
    assert error.value.error_dict["target"][0].code == "family_not_allowed"
    services.donate_to_pool(account=a, station=station_a(), hours=1, actor=None)
    assert Account.objects.get(pk=a.pk).balance == 3
    assert Account.objects.get(station=station_a(), kind="pool").balance == 1


def test_donations_can_be_switched_off_by_the_profile(world):
    set_rule("timebank_pool_donation", {"allowed": False}, actor=world.city_admin)
    a = funded(volunteer_account("甲"), 4)
    with pytest.raises(ValidationError) as error:
        services.donate_to_pool(account=a, station=station_a(), hours=1, actor=None)
    assert error.value.error_dict["hours"][0].code == "donation_not_allowed"


def test_a_reversal_undoes_once_needs_a_reason_and_is_not_reversed(world, members):
    a = funded(members["people"][0], 4)
    donation = services.donate_to_pool(account=a, station=members["station"], hours=3, actor=None)
    with pytest.raises(ValidationError):
        services.reverse(transfer=donation, reason=" ", actor=world.station_head_a)
    with pytest.raises(PermissionDenied):
        services.reverse(transfer=donation, reason="录错", actor=world.worker_b)
    reversal = services.reverse(transfer=donation, reason="录错了站点", actor=world.station_head_a)
    assert Account.objects.get(pk=a.pk).balance == 4
    assert sorted(m.amount for m in reversal.movements.all()) == [Decimal(-3), Decimal(3)]
    with pytest.raises(ValidationError) as error:
        services.reverse(transfer=donation, reason="再来一次", actor=world.station_head_a)
    assert error.value.code == "already_reversed"
    with pytest.raises(ValidationError) as error:
        services.reverse(transfer=reversal, reason="撤销冲正", actor=world.station_head_a)
    assert error.value.code == "reversal_of_reversal"
    assert_ledger_consistent()


def test_a_keeper_out_of_scope_cannot_reverse(world, members):
    a = funded(members["people"][0], 4)
    donation = services.donate_to_pool(account=a, station=members["station"], hours=1, actor=None)
    with pytest.raises(PermissionDenied):
        services.reverse(transfer=donation, reason="录错", actor=world.agency_admin_a)


def exchange(world):
    helper_user = make_user("tb_helper", "volunteer", region=COMMUNITY_A)
    helper = volunteer_account("帮手", user=helper_user)
    resident = funded(resident_account("陈婆婆"), 5)
    offer = services.offer_post(
        account=helper, kind=Offer.Kind.OFFER, category="company", title="陪伴聊天", hours=2, actor=helper_user
    )
    services.offer_respond(offer=offer, account=resident, actor=world.station_head_a)
    return offer, helper_user, helper, resident


def test_hours_move_once_when_both_sides_confirm(world):
    offer, helper_user, helper, resident = exchange(world)
    services.offer_confirm(offer=offer, actor=helper_user)
    assert Account.objects.get(pk=helper.pk).balance == 0
    with pytest.raises(ValidationError) as error:
        services.offer_confirm(offer=offer, actor=helper_user)
    assert error.value.code == "already_confirmed"
    with pytest.raises(PermissionDenied):
        services.offer_confirm(offer=offer, actor=world.worker_b)
    services.offer_confirm(offer=offer, actor=world.station_head_a)  # on behalf of the resident, who has no login
    assert Account.objects.get(pk=helper.pk).balance == 2
    assert Account.objects.get(pk=resident.pk).balance == 3
    assert Offer.objects.get(pk=offer.pk).status == Offer.Status.DONE
    with pytest.raises(ValidationError):
        services.offer_confirm(offer=offer, actor=world.station_head_a)
    assert Transfer.objects.filter(exchange=offer).count() == 1


def test_a_confirmation_the_payer_cannot_afford_is_refused_whole(world):
    offer, helper_user, _helper, resident = exchange(world)
    services.donate_to_pool(account=resident, station=station_a(), hours=4, actor=world.station_head_a)
    services.offer_confirm(offer=offer, actor=helper_user)
    with pytest.raises(ValidationError):
        services.offer_confirm(offer=offer, actor=world.station_head_a)
    offer.refresh_from_db()
    assert offer.responder_confirmed_at is None and offer.status == Offer.Status.MATCHED


def test_a_member_cannot_respond_to_their_own_offer_nor_post_for_another(world):
    _offer, helper_user, helper, _resident = exchange(world)
    other = volunteer_account("他人")
    with pytest.raises(PermissionDenied):
        services.offer_post(account=other, kind="request", category="repair", title="修灯", hours=1, actor=helper_user)
    fresh = services.offer_post(
        account=helper, kind="request", category="repair", title="修灯", hours=1, actor=helper_user
    )
    with pytest.raises(ValidationError):
        services.offer_respond(offer=fresh, account=helper, actor=helper_user)


# --- Concurrency (PostgreSQL: real threads, real row locks) ---------------------------------------------------------

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite serialises writers on the whole file: no row locks to test"
)


def _run_together(functions):
    barrier = threading.Barrier(len(functions))
    outcomes = []

    def run(function):
        from django.db import connections

        try:
            barrier.wait()
            function()
            outcomes.append("ok")
        except ValidationError as error:
            outcomes.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(function,)) for function in functions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_spends_of_the_same_hours_one_wins(world):
    a = funded(volunteer_account("甲"), 5)
    station = station_a()
    outcomes = _run_together(
        [lambda: services.donate_to_pool(account=a, station=station, hours=4, actor=None) for _ in range(2)]
    )
    assert outcomes.count("ok") == 1
    assert Account.objects.get(pk=a.pk).balance == 1
    assert_ledger_consistent()


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_both_sides_confirming_at_once_moves_the_hours_once(world):
    # Two members with their own logins, each acting only for their own account.
    helper_user = make_user("tb_helper", "volunteer", region=COMMUNITY_A)
    served_user = make_user("tb_served", "volunteer", region=COMMUNITY_A)
    helper = volunteer_account("帮手", user=helper_user)
    served = funded(volunteer_account("受助", user=served_user), 5)
    offer = services.offer_post(
        account=helper, kind=Offer.Kind.OFFER, category="company", title="陪伴聊天", hours=2, actor=helper_user
    )
    services.offer_respond(offer=offer, account=served, actor=served_user)
    outcomes = _run_together(
        [
            lambda: services.offer_confirm(offer=offer, actor=helper_user),
            lambda: services.offer_confirm(offer=offer, actor=served_user),
        ]
    )
    assert outcomes == ["ok", "ok"]
    assert Transfer.objects.filter(exchange=offer).count() == 1
    assert Account.objects.get(pk=helper.pk).balance == 2
    assert Account.objects.get(pk=served.pk).balance == 3
    assert_ledger_consistent()
