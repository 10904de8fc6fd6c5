"""The charity ledger's rules: receipts sequential and unique per point, the anonymous donor, allocations never past
what was received (per point, kind and purpose), transfers between points, the ledger's sums, scope and permission."""

import datetime
import threading
import time
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction

from shegong.audit.models import AuditEntry
from shegong.charity import selectors, services
from shegong.charity.models import Allocation, Donation, Kind, PurposeKind
from shegong.charity.tests.factories import STREET_B, allocate, give, make_point
from shegong.recipients.tests.factories import make_recipient, withdraw
from shegong.testing.baseline import ensure_baseline
from shegong.testing.world import build_world

D = Decimal


def messages_of(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


@pytest.mark.django_db
def test_receipt_numbers_are_sequential_per_point_and_audited():
    first, second = make_point(name="北京街社工站"), make_point(STREET_B, name="沙园街社工站")
    numbers = [give(first).receipt_number for _ in range(3)] + [give(second).receipt_number]
    code_a, code_b = first.station.code, second.station.code
    assert numbers == [f"{code_a}-000001", f"{code_a}-000002", f"{code_a}-000003", f"{code_b}-000001"]
    assert list(Donation.objects.filter(point=first).order_by("sequence").values_list("sequence", flat=True)) == [
        1,
        2,
        3,
    ]
    assert AuditEntry.objects.filter(object_type="charity.donation").count() == 4


@pytest.mark.django_db
def test_the_database_refuses_a_repeated_sequence_and_an_anonymous_donor_with_a_name():
    point = make_point()
    donation = give(point)
    with pytest.raises(IntegrityError), transaction.atomic():
        Donation.objects.create(
            point=point,
            sequence=donation.sequence,
            receipt_number="X-1",
            received_on=donation.received_on,
            kind=Kind.MONEY,
            amount=D("1"),
            donor_name="某",
            purpose_kind=PurposeKind.UNDIRECTED,
            handler="甲",
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Donation.objects.create(
            point=point,
            sequence=99,
            receipt_number="X-2",
            received_on=donation.received_on,
            kind=Kind.MONEY,
            amount=D("1"),
            anonymous=True,
            donor_name="某",
            purpose_kind=PurposeKind.UNDIRECTED,
            handler="甲",
        )


@pytest.mark.django_db
def test_anonymous_donor_rules():
    point = make_point()
    with pytest.raises(ValidationError) as caught:
        give(point, anonymous=True, donor_name="李善人")
    assert "匿名捐赠不登记捐赠人姓名" in messages_of(caught.value)
    with pytest.raises(ValidationError) as caught:
        give(point, donor_name="")
    assert "请填写捐赠人姓名" in messages_of(caught.value)
    anonymous = give(point, anonymous=True, donor_phone="13800000000")
    assert anonymous.donor_name == "" and anonymous.donor_phone == "" and anonymous.donor_display == "匿名"
    named = give(point, donor_phone="13912345678")
    named.refresh_from_db()
    assert named.donor_phone == "13912345678"
    with connection.cursor() as cursor:
        cursor.execute("SELECT donor_phone FROM charity_donation WHERE id = %s", [named.pk])
        assert "13912345678" not in cursor.fetchone()[0]  # stored encrypted


@pytest.mark.django_db
def test_kind_and_purpose_fields_are_required_with_clear_messages():
    point = make_point()
    with pytest.raises(ValidationError) as caught:
        give(point, amount="0")
    assert caught.value.error_dict["amount"]
    with pytest.raises(ValidationError) as caught:
        give(point, kind=Kind.GOODS, items="", quantity=None)
    assert set(caught.value.error_dict) >= {"items", "quantity"}
    with pytest.raises(ValidationError) as caught:
        give(point, purpose_kind=PurposeKind.DIRECTED, purpose="")
    assert "定向捐赠请填写定向用途" in messages_of(caught.value)
    with pytest.raises(ValidationError) as caught:
        give(point, on=datetime.date.today() + datetime.timedelta(days=1))
    assert "接收日期不能晚于今天" in messages_of(caught.value)
    assert not Donation.objects.exists()


@pytest.mark.django_db
def test_allocation_never_exceeds_what_was_received_per_kind_and_purpose():
    point, other = make_point(), make_point(STREET_B)
    give(point, "100.00")
    give(point, "300.00", purpose_kind=PurposeKind.DIRECTED, purpose="助学")
    give(point, "80.00", kind=Kind.GOODS)
    give(other, "1000.00")
    allocate(point, "60.00")
    with pytest.raises(ValidationError) as caught:
        allocate(point, "40.01")
    assert caught.value.error_dict["amount"][0].code == "over_balance"
    assert "结余 40.00 元，本次拨付 40.01 元" in messages_of(caught.value)
    allocate(point, "40.00")
    # Directed money is spent only on its purpose; goods are counted by estimated value, apart from money.
    with pytest.raises(ValidationError):
        allocate(point, "1.00")
    allocate(point, "300.00", purpose_kind=PurposeKind.DIRECTED, purpose="助学")
    with pytest.raises(ValidationError):
        allocate(point, "0.01", purpose_kind=PurposeKind.DIRECTED, purpose="助学")
    with pytest.raises(ValidationError) as caught:
        allocate(point, "81", kind=Kind.GOODS)
    assert caught.value.error_dict["estimated_value"]
    allocate(point, "80", kind=Kind.GOODS)
    data = selectors.ledger(point)
    assert data["totals"]["money"] == {"received": D("400"), "allocated": D("400"), "balance": D("0")}
    assert data["totals"]["goods"] == {"received": D("80"), "allocated": D("80"), "balance": D("0")}
    assert selectors.ledger(other)["totals"]["money"]["balance"] == D("1000")


@pytest.mark.django_db
def test_ledger_sums_by_purpose_and_month():
    point = make_point()
    give(point, "100", on=datetime.date(2025, 1, 10))
    give(point, "50.50", on=datetime.date(2025, 1, 20))
    give(point, "200", on=datetime.date(2025, 2, 1), purpose_kind=PurposeKind.DIRECTED, purpose="助老")
    give(point, "30", on=datetime.date(2025, 2, 3), kind=Kind.GOODS)
    allocate(point, "120", on=datetime.date(2025, 2, 5))
    data = selectors.ledger(point)
    lines = {(line["kind"], str(line["purpose"])): line for line in data["by_purpose"]}
    assert lines[("money", "非定向")]["received"] == D("150.50")
    assert lines[("money", "非定向")]["balance"] == D("30.50")
    assert lines[("money", "非定向")]["donations"] == 2
    assert lines[("money", "助老")]["balance"] == D("200")
    assert lines[("goods", "非定向")]["received"] == D("30")
    months = {row["month"].strftime("%Y-%m"): row for row in data["by_month"]}
    assert months["2025-01"]["received_money"] == D("150.50")
    assert months["2025-02"]["received_money"] == D("200")
    assert months["2025-02"]["received_goods"] == D("30")
    assert months["2025-02"]["allocated_money"] == D("120")
    assert selectors.ledger(point, 2024)["totals"]["money"]["received"] == D("0")


@pytest.mark.django_db
def test_a_transfer_to_another_point_is_received_there():
    giver, receiver = make_point(name="北京街社工站"), make_point(STREET_B, name="沙园街社工站")
    give(giver, "500")
    allocation = allocate(giver, "200", target=Allocation.Target.POINT, to_point=receiver)
    assert allocation.public_target() == "沙园街社工站"
    received = Donation.objects.get(point=receiver)
    assert received.donor_name == "北京街社工站" and received.amount == D("200")
    assert selectors.ledger(receiver)["totals"]["money"]["balance"] == D("200")
    with pytest.raises(ValidationError):
        allocate(giver, "1", target=Allocation.Target.POINT, to_point=giver)


@pytest.mark.django_db
def test_allocation_to_a_recipient_in_scope_and_hidden_once_consent_is_withdrawn(world):
    point = make_point()
    give(point, "500")
    person = make_recipient(station=point.station)
    allocation = allocate(point, "100", actor=world.station_head_a, target="recipient", recipient=person)
    assert allocation.public_target() == "困难群众个人"
    assert list(selectors.allocation_search(actor=world.station_head_a)) == [allocation]
    withdraw(person)
    assert list(selectors.allocation_search(actor=world.station_head_a)) == []
    assert selectors.ledger(point)["totals"]["money"]["allocated"] == D("100")
    other = make_recipient(community="440105001101")
    with pytest.raises(ValidationError) as caught:
        allocate(point, "10", actor=world.station_head_a, target="recipient", recipient=other)
    assert "不在您的管辖范围内" in messages_of(caught.value)


@pytest.mark.django_db
def test_permission_and_scope_of_the_writes(world):
    point, other = make_point(), make_point(STREET_B)
    with pytest.raises(PermissionDenied):
        give(point, actor=world.worker_b)
    with pytest.raises(ValidationError) as caught:
        give(other, actor=world.station_head_a)
    assert "不在您的管辖范围内" in messages_of(caught.value)
    donation = give(point, actor=world.station_head_a)
    assert donation.recorded_by == world.station_head_a
    with pytest.raises(PermissionDenied):
        allocate(point, "1", actor=world.district_a_admin)  # bureaus oversee, stations allocate


@pytest.mark.django_db
def test_opening_a_point_once_per_station_in_scope(world):
    from shegong.stations.tests.factories import Kind as StationKind
    from shegong.stations.tests.factories import make_station

    station = make_station(StationKind.STATION, STREET_B)
    with pytest.raises(ValidationError):
        services.point_open(actor=world.district_a_admin, station=station, opened_on=datetime.date(2025, 1, 1))
    services.point_open(actor=world.district_b_admin, station=station, opened_on=datetime.date(2025, 1, 1))
    with pytest.raises(ValidationError) as caught:
        services.point_open(actor=world.district_b_admin, station=station, opened_on=datetime.date(2025, 1, 1))
    assert "已设立" in messages_of(caught.value)


@pytest.mark.django_db
def test_facts_by_region_station_month_and_kind(world):
    point, other = make_point(), make_point(STREET_B)
    give(point, "100", on=datetime.date(2025, 3, 1))
    give(point, "20", on=datetime.date(2025, 3, 9), kind=Kind.GOODS)
    allocate(point, "30", on=datetime.date(2025, 4, 1))
    give(other, "7")
    rows = selectors.facts(actor=world.district_a_admin)
    assert [(r["station"], r["month"].month, r["kind"], r["received"], r["allocated"]) for r in rows] == [
        (point.station_id, 3, "goods", D("20"), D("0")),
        (point.station_id, 3, "money", D("100"), D("0")),
        (point.station_id, 4, "money", D("0"), D("30")),
    ]
    assert rows[0]["region"] == point.station.region_id
    assert len(selectors.facts(actor=world.city_admin)) == 4
    assert selectors.facts(actor=world.outsider) == []


# --- PostgreSQL: two clerks at once ---------------------------------------------------------------------------------

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks (SELECT … FOR UPDATE) exist on PostgreSQL only; on SQLite a write locks the whole database",
)


@pytest.fixture
def transactional_world(transactional_db):
    ensure_baseline()
    return build_world()


def _run_together(count, work):
    barrier = threading.Barrier(count)
    outcomes = {}

    def run(index):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = work(index)
        except ValidationError as exc:
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(outcomes) == count, outcomes
    return outcomes


@postgresql_only
def test_concurrent_receipts_are_unique_and_sequential(transactional_world):
    point = make_point()
    outcomes = _run_together(6, lambda index: give(point, f"{index + 1}.00").receipt_number)
    numbers = sorted(outcomes.values())
    assert numbers == [f"{point.station.code}-{n:06d}" for n in range(1, 7)]
    assert sorted(Donation.objects.values_list("sequence", flat=True)) == [1, 2, 3, 4, 5, 6]


@postgresql_only
def test_two_concurrent_allocations_of_the_same_balance_exactly_one_wins(transactional_world, monkeypatch):
    point = make_point()
    give(point, "100")
    original = services.balance

    def slow_balance(*args, **kwargs):
        time.sleep(0.5)  # both requests surely overlap: without the lock both would see 100 and both would spend it
        return original(*args, **kwargs)

    monkeypatch.setattr(services, "balance", slow_balance)
    outcomes = _run_together(2, lambda index: allocate(point, "80"))
    refused = [o for o in outcomes.values() if isinstance(o, ValidationError)]
    assert len(refused) == 1, outcomes
    assert "结余 20.00 元" in messages_of(refused[0])
    assert Allocation.objects.count() == 1


@pytest.mark.django_db
def test_a_suspended_point_receives_nothing_and_the_change_is_audited(world):
    point = make_point()
    with pytest.raises(ValidationError):
        services.point_set_status(actor=world.station_head_a, point=point, status="gone")
    services.point_set_status(actor=world.station_head_a, point=point, status="suspended", public_note="装修暂停")
    point.refresh_from_db()
    assert point.status == "suspended" and point.public_note == "装修暂停"
    entry = AuditEntry.objects.filter(object_type="charity.charitypoint", note="站点状态").get()
    assert entry.changes["status"] == ["open", "suspended"]
    with pytest.raises(ValidationError) as caught:
        give(point)
    assert "未在运营" in messages_of(caught.value)
    with pytest.raises(ValidationError):
        services.point_set_status(actor=world.district_b_admin, point=point, status="open")
