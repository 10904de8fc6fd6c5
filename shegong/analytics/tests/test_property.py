"""Property: whatever sequence of writes the services make, the live aggregates equal a rebuild from the raw records
(verify reports nothing) and the indicator figures equal naive ORM counts over the raw records.

Each example is a random sequence of creates, edits, deletes and status changes over several sources — person-times
(recorded, re-recorded with another count, date, station or domain, erased), cases (opened, domain changed, closed,
reopened), residents' requests (submitted, answered or dismissed at random delays, closed and rated), volunteer
service records (recorded, confirmed, corrected, voided) and time-bank transfers (grants and reversals) — run in a
savepoint that is rolled back afterwards, so every example starts from the same registered people and places."""

import datetime
from collections import defaultdict
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shegong.analytics import maintenance
from shegong.analytics.catalogue import indicator
from shegong.analytics.figures import Node, evaluate
from shegong.analytics.models import Aggregate
from shegong.analytics.periods import Period
from shegong.casework import services as casework
from shegong.casework.models import Case
from shegong.casework.tests.factories import open_case, setting_a, setting_b
from shegong.persontimes import services as persontimes
from shegong.persontimes.models import PersonTime
from shegong.regions.models import Region
from shegong.servicerequests import services as requests
from shegong.servicerequests.models import ServiceRequest
from shegong.servicerequests.tests.factories import submit
from shegong.servicerequests.tests.test_dispatch import sla
from shegong.stations.tests.factories import service_domain
from shegong.testing.world import COMMUNITY_A, DISTRICT_A, DISTRICT_B, STREET_A
from shegong.timebank import services as timebank
from shegong.timebank.models import Account, Movement, Transfer
from shegong.timebank.tests.factories import resident_account, station_account, volunteer_account
from shegong.volunteers import services as volunteers
from shegong.volunteers.models import ServiceRecord, Volunteer
from shegong.volunteers.tests.factories import COMMUNITY_B, make_volunteer, station_b

pytestmark = pytest.mark.django_db

FIRST_DAY = datetime.date(2026, 1, 1)
LAST_DAY = datetime.date(2026, 5, 31)  # every dated write falls before the clock (June 2026)
DAYS = (LAST_DAY - FIRST_DAY).days
DOMAINS = ("social_assistance", "elderly", "")
CITY = "440100000000"
NODES = (CITY, DISTRICT_A, DISTRICT_B, STREET_A, COMMUNITY_A)
PERIODS = (
    Period(datetime.date(2026, 3, 1), datetime.date(2026, 3, 31)),
    Period(datetime.date(2026, 2, 10), datetime.date(2026, 4, 20)),
    Period(datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)),
    Period(datetime.date(2026, 6, 1), datetime.date(2026, 6, 30)),
)
MONTHS = (
    Period(datetime.date(2026, 3, 1), datetime.date(2026, 3, 31)),
    Period(datetime.date(2026, 5, 1), datetime.date(2026, 5, 31)),
)
CLOCK_START = datetime.datetime(2026, 6, 1, 8, 0)


def day(offset: int) -> datetime.date:
    return FIRST_DAY + datetime.timedelta(days=offset % (DAYS + 1))


index = st.integers(0, 9)
offset = st.integers(0, DAYS)
OPERATIONS = st.lists(
    st.one_of(
        st.tuples(
            st.just("person_times"),
            st.integers(0, 4),
            offset,
            st.integers(0, 30),
            st.booleans(),
            st.sampled_from(DOMAINS),
        ),
        st.tuples(st.just("erase"), st.integers(0, 4)),
        st.tuples(st.just("case_open"), st.booleans(), offset, st.sampled_from(DOMAINS[:2])),
        st.tuples(st.just("case_domain"), index, st.sampled_from(DOMAINS[:2])),
        st.tuples(st.just("case_close"), index, st.integers(0, 60)),
        st.tuples(st.just("case_reopen"), index),
        st.tuples(st.just("request"), st.booleans(), st.integers(1, 600)),
        st.tuples(st.just("respond"), index, st.booleans(), st.integers(1, 400)),
        st.tuples(st.just("rate"), index, st.integers(1, 5)),
        st.tuples(st.just("service"), st.integers(0, 3), offset, st.integers(1, 80)),
        st.tuples(st.just("confirm"), index),
        st.tuples(st.just("correct"), index, st.integers(1, 80)),
        st.tuples(st.just("void"), index),
        st.tuples(st.just("grant"), st.integers(0, 3), offset, st.integers(1, 40)),
        st.tuples(st.just("reverse"), index, st.integers(0, 30)),
    ),
    max_size=14,
)


class Clock:
    def __init__(self):
        self.now = timezone.make_aware(CLOCK_START)

    def __call__(self):
        return self.now

    def advance(self, minutes: int) -> None:
        self.now += datetime.timedelta(minutes=minutes)


class Bed:
    """The people and places every example writes about (made once per test, kept across examples)."""

    def __init__(self, world, clock):
        self.world, self.clock = world, clock
        service_domain("elderly", "老年")
        self.settings = (setting_a(world), setting_b(world))
        self.stations = tuple(setting.station for setting in self.settings)
        sla(world, 2)
        self.volunteers = [
            make_volunteer(name, region, registered_on=FIRST_DAY)
            for name, region in (("甲", COMMUNITY_A), ("乙", COMMUNITY_A), ("丙", COMMUNITY_B), ("丁", COMMUNITY_B))
        ]
        self.accounts = [
            volunteer_account("戊", COMMUNITY_A),
            resident_account("己", COMMUNITY_A),
            volunteer_account("庚", COMMUNITY_B),
            resident_account("辛", COMMUNITY_B),
        ]
        self.issuers = {True: station_account(self.stations[0]), False: station_account(station_b())}


@pytest.fixture
def bed(world, monkeypatch):
    clock = Clock()
    monkeypatch.setattr(timezone, "now", clock)
    return Bed(world, clock)


def pick(items: list, position: int):
    return items[position % len(items)] if items else None


def run(bed: Bed, operations: list) -> list:
    """Apply the operations; returns the ones the rules refused (a refused write changes nothing)."""
    cases, submitted, records, transfers = [], [], [], []
    refused = []
    for operation in operations:
        name, *args = operation
        try:
            with transaction.atomic():
                apply(bed, name, args, cases, submitted, records, transfers)
        except (ValidationError, PermissionDenied) as error:
            refused.append((operation, error))
    return refused


def organiser(bed: Bed, volunteer):
    """Who records and confirms a volunteer's service (谁记录谁证明): the head of 北京街道's station for its
    volunteers, worker_b (海珠) for the others."""
    return bed.world.station_head_a if volunteer.region_id == COMMUNITY_A else bed.world.worker_b


def apply(bed: Bed, name: str, args: list, cases, submitted, records, transfers) -> None:
    if name == "person_times":
        source, when, count, first_station, domain = args
        persontimes.record(
            kind="activity",
            source_id=source,
            occurred_on=day(when),
            count=count,
            station=bed.stations[0 if first_station else 1],
            domain=domain,
        )
    elif name == "erase":
        persontimes.erase(kind="activity", source_id=args[0])
    elif name == "case_open":
        first_setting, when, domain = args
        cases.append(open_case(bed.settings[0 if first_setting else 1], opened_on=day(when), domain=domain))
    elif name == "case_domain" and cases:
        case = Case.objects.get(pk=pick(cases, args[0]).pk)
        casework.case_update(case=case, actor=None, domain=args[1])
    elif name == "case_close" and cases:
        case = Case.objects.get(pk=pick(cases, args[0]).pk)
        on = min(case.opened_on + datetime.timedelta(days=args[1]), LAST_DAY)
        casework.case_move(
            case=case, to=Case.Stage.CLOSED, actor=None, closure_reason="client_ended", closure_summary="结束", on=on
        )
    elif name == "case_reopen" and cases:
        case = Case.objects.get(pk=pick(cases, args[0]).pk)
        casework.case_move(case=case, to=Case.Stage.ASSESSMENT, actor=None, reason="问题复发")
    elif name == "request":
        community, minutes = args
        bed.clock.advance(minutes)
        submitted.append(submit(COMMUNITY_A if community else COMMUNITY_B))
    elif name == "respond" and submitted:
        request, accept, minutes = pick(submitted, args[0]), args[1], args[2]
        bed.clock.advance(minutes)
        request = ServiceRequest.all_records.get(pk=request.pk)
        if not accept:
            requests.request_dismiss(request=request, actor=None, reason="重复提交")
            return
        worker = requests.candidates_for(request).order_by("pk").first()
        requests.request_assign(request=request, worker=worker, actor=None)
        requests.request_accept(request=request, actor=None)
    elif name == "rate" and submitted:
        request = ServiceRequest.all_records.get(pk=pick(submitted, args[0]).pk)
        bed.clock.advance(30)
        if request.status == ServiceRequest.Status.ACCEPTED:
            requests.request_close(request=request, actor=None, note="已办结")
        requests.request_rate(tracking_code=request.tracking_code, rating=args[1])
    elif name == "service":
        volunteer, when, tenths = pick(bed.volunteers, args[0]), args[1], args[2]
        records.append(
            volunteers.service_record_create(
                actor=organiser(bed, volunteer),
                volunteer=volunteer,
                service_date=day(when),
                hours=Decimal(tenths) / 10 if tenths <= 240 else 24,
                content="探访",
                served_with_actor=True,
            )
        )
    elif name in ("confirm", "correct", "void") and records:
        entry = ServiceRecord.objects.get(pk=pick(records, args[0]).pk)
        actor = organiser(bed, entry.volunteer)
        if name == "confirm":
            volunteers.service_record_confirm(actor=actor, record_=entry)
        elif name == "correct":
            volunteers.service_record_correct(
                actor=actor, record_=entry, hours=Decimal(args[1]) / 10, reason="更正时长"
            )
        else:
            volunteers.service_record_void(actor=actor, record_=entry, reason="误录")
    elif name == "grant":
        account, when, hours = pick(bed.accounts, args[0]), args[1], args[2]
        issuer = bed.issuers[account.region_id == COMMUNITY_A]
        transfers.append(
            timebank.grant(issuer=issuer, account=account, hours=Decimal(hours), actor=None, occurred_on=day(when))
        )
    elif name == "reverse" and transfers:
        transfer = pick(transfers, args[0])
        on = min(transfer.occurred_on + datetime.timedelta(days=args[1]), LAST_DAY)
        timebank.reverse(transfer=transfer, reason="误操作", actor=None, occurred_on=on)


# --- naive counts over the raw records --------------------------------------------------------------------------------


def _local_day(moment) -> datetime.date | None:
    return timezone.localtime(moment).date() if moment is not None else None


class Raw:
    """The raw records, read once, and the indicators counted straight from them (no aggregate involved)."""

    def __init__(self):
        self.person_times = list(PersonTime.objects.values_list("region_id", "occurred_on", "count"))
        self.cases = list(Case.objects.values_list("region_id", "opened_on", "stage", "closed_on"))
        self.requests = list(
            ServiceRequest.all_records.values_list(
                "community_id", "created_at", "first_response_at", "due_at", "rating", "rated_at"
            )
        )
        self.records = list(
            ServiceRecord.objects.filter(status="confirmed").values_list(
                "region_id", "volunteer__region_id", "volunteer_id", "service_date", "hours"
            )
        )
        self.movements = list(Movement.objects.values_list("account__region_id", "transfer__occurred_on", "amount"))

    def count(self, code: str, prefix: str, period: Period) -> tuple[float, float | None]:
        """(numerator, denominator) of the indicator."""

        def within(value) -> bool:
            return value is not None and period.start <= value <= period.end

        def here(region: str) -> bool:
            return region.startswith(prefix)

        if code == "person_times":
            return sum(count for region, on, count in self.person_times if here(region) and within(on)), None
        cases = [(opened, stage, closed) for region, opened, stage, closed in self.cases if here(region)]
        if code == "cases_opened":
            return sum(1 for opened, _stage, _closed in cases if within(opened)), None
        if code == "cases_closed":
            return sum(1 for _opened, stage, closed in cases if stage == "closed" and within(closed)), None
        if code == "cases_open":
            ended = sum(1 for _opened, stage, closed in cases if stage == "closed" and closed <= period.end)
            return sum(1 for opened, _stage, _closed in cases if opened <= period.end) - ended, None
        rows = [row[1:] for row in self.requests if here(row[0])]
        if code == "requests_received":
            return sum(1 for created, *_rest in rows if within(_local_day(created))), None
        if code == "request_within_sla":
            answered = [(first, due) for _c, first, due, *_r in rows if due is not None and within(_local_day(first))]
            return sum(1 for first, due in answered if first <= due), len(answered)
        if code == "request_satisfaction":
            rated = [rating for *_r, rating, rated_at in rows if rating is not None and within(_local_day(rated_at))]
            return sum(rated), len(rated)
        if code == "volunteer_hours":
            return float(sum(hours for region, _v, _id, on, hours in self.records if here(region) and within(on))), None
        if code == "volunteers_active":
            return len(
                {volunteer for _r, region, volunteer, on, _h in self.records if here(region) and within(on)}
            ), None
        moved = [amount for region, on, amount in self.movements if here(region) and within(on)]
        if code == "timebank_hours_deposited":
            return float(sum(amount for amount in moved if amount > 0)), None
        if code == "timebank_hours_spent":
            return -float(sum(amount for amount in moved if amount < 0)), None
        raise AssertionError(code)


CHECKED = (
    "person_times",
    "cases_opened",
    "cases_closed",
    "cases_open",
    "requests_received",
    "request_within_sla",
    "request_satisfaction",
    "volunteer_hours",
    "timebank_hours_deposited",
    "timebank_hours_spent",
)


def assert_figures_equal_naive_counts() -> None:
    nodes = [Node.of(region) for region in Region.objects.filter(pk__in=NODES).order_by("pk")]
    raw = Raw()
    checks = [(CHECKED, period) for period in PERIODS] + [(("volunteers_active",), month) for month in MONTHS]
    for codes, period in checks:
        figures = evaluate([indicator(code) for code in codes], nodes, period)
        for code in codes:
            for node in nodes:
                figure = figures[(code, node)]
                numerator, denominator = raw.count(code, node.prefix, period)
                assert (code, node.code, period, figure.numerator) == (
                    code,
                    node.code,
                    period,
                    pytest.approx(numerator),
                )
                if denominator is not None:
                    assert figure.denominator == pytest.approx(denominator), (code, node.code, period)


@settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=OPERATIONS)
def test_aggregates_equal_raw_counts_after_random_writes(bed, operations):
    with transaction.atomic():
        run(bed, operations)
        assert maintenance.verify() == (0, [])
        assert_figures_equal_naive_counts()
        transaction.set_rollback(True)


def test_the_property_sees_every_source(bed):
    """The sequences reach every source (a guard against a property that checks nothing)."""
    operations = [
        ("person_times", 1, 60, 12, True, "elderly"),
        ("person_times", 1, 70, 5, False, ""),
        ("case_open", True, 50, "elderly"),
        ("case_open", False, 55, "social_assistance"),
        ("case_close", 0, 10),
        ("case_close", 1, 10),
        ("case_reopen", 1),
        ("request", True, 10),
        ("request", False, 10),
        ("respond", 0, True, 30),
        ("respond", 1, False, 300),
        ("rate", 0, 4),
        ("service", 0, 65, 25),
        ("service", 2, 66, 15),
        ("confirm", 0),
        ("confirm", 1),
        ("correct", 1, 30),
        ("void", 0),
        ("grant", 0, 70, 5),
        ("grant", 3, 71, 3),
        ("reverse", 1, 2),
    ]
    with transaction.atomic():
        assert run(bed, operations) == []
        assert PersonTime.objects.count() == 1
        assert Case.objects.filter(stage=Case.Stage.CLOSED).count() == 1
        assert ServiceRequest.all_records.filter(rating=4).count() == 1
        assert ServiceRequest.all_records.filter(due_at__isnull=False, first_response_at__isnull=False).count() == 2
        assert list(ServiceRecord.objects.values_list("status", "hours").order_by("pk")) == [
            ("void", Decimal("2.5")),
            ("confirmed", Decimal("3.0")),
        ]
        assert Transfer.objects.filter(kind=Transfer.Kind.REVERSAL).count() == 1
        assert Volunteer.objects.count() == 6 and Account.objects.filter(kind="station").count() == 2
        assert maintenance.verify() == (0, [])
        assert_figures_equal_naive_counts()
        transaction.set_rollback(True)


def test_verify_catches_a_tampered_aggregate_of_another_fact(bed):
    run(bed, [("case_open", True, 50, "elderly"), ("service", 0, 65, 25), ("confirm", 0)])
    assert maintenance.verify() == (0, [])
    row = Aggregate.objects.filter(fact="volunteer_hours", level=2, grain="M").first()
    Aggregate.objects.filter(pk=row.pk).update(value=row.value - 50)
    count, differences = maintenance.verify()
    assert count == 1
    assert (differences[0]["fact"], differences[0]["stored"], differences[0]["expected"]) == (
        "volunteer_hours",
        row.value - 50,
        row.value,
    )
    by_fact = defaultdict(int)
    for entry in differences:
        by_fact[entry["fact"]] += 1
    assert dict(by_fact) == {"volunteer_hours": 1}
