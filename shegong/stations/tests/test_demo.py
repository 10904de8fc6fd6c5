"""The stations demo on a small run (越秀区 and 海珠区, on the workers demo's people): the three levels and the
specialised stations where the plan puts them, the rules the services enforce kept (one live station per region and
kind, one full-time post per worker, no blacklisted or inactive worker, one resident per room), presence for the
last weeks, some stations non-compliant on purpose, the demo station head's post, and a second load that changes
nothing."""

import io
from collections import Counter

import pytest
from django.utils import timezone

from shegong.audit.models import AuditEntry
from shegong.policies.models import PolicyProfile
from shegong.regions.models import Region
from shegong.stations import demo, rules
from shegong.stations.models import PresenceCheckIn, StaffAssignment, Station, StationService, StationStatusEvent
from shegong.stations.tests.factories import make_user
from shegong.workers import demo as workers_demo
from shegong.workers.models import CreditEvent, SocialWorker

pytestmark = pytest.mark.django_db

Kind = Station.Kind
YUEXIU, HAIZHU = "440104", "440105"
TABLES = (Station, StationStatusEvent, StationService, StaffAssignment, PresenceCheckIn, PolicyProfile, AuditEntry)


def counts() -> list[int]:
    return [model.objects.count() for model in TABLES]


@pytest.fixture
def loaded(world):
    """The demo login station_head (as the accounts demo makes it), the workers demo, then the stations demo."""
    head = make_user("station_head", "station_head", region="440104003000")
    context = {"stdout": io.StringIO(), "agencies": [world.agency_a, world.agency_b]}
    workers_demo.load(context)
    result = demo.populate(districts=[YUEXIU, HAIZHU], demo_worker=context["demo_worker"])
    return head, context, result


def test_the_network_of_two_districts(loaded):
    _head, _context, result = loaded
    stations = Station.objects.all()
    assert {station.region_id[:6] for station in stations} == {YUEXIU, HAIZHU}
    kinds = Counter(stations.values_list("kind", flat=True))
    assert kinds[Kind.CENTRE] == 2
    streets = Region.objects.filter(level=4, code__regex=r"^44010[45]").count()
    communities = Region.objects.filter(level=5, code__regex=r"^44010[45]").count()
    assert 0.8 * streets <= kinds[Kind.STATION] <= streets
    assert 0.3 * communities <= kinds[Kind.ROOM] <= 0.5 * communities
    # 越秀's school station, 海珠's 两站合一 (hosted, beside the three levels).
    assert kinds[Kind.SCHOOL] == 1 and kinds[Kind.MINOR_PROTECTION] == 1
    assert all(station.host_institution for station in stations.exclude(kind__in=Station.NETWORK_KINDS))
    for station in stations.select_related("region"):
        wanted = Station.LEVEL_OF_KIND.get(station.kind)
        assert wanted is None or station.region.level == wanted
        assert station.code.startswith({"centre": "C", "station": "S", "room": "R"}.get(station.kind, ""))
    assert stations.get(region_id="440104003104").kind == Kind.ROOM  # 流水井社区 always has its room
    assert sum(result.created.values()) == stations.count()
    assert set(stations.values_list("status", flat=True)) <= {"operating", "preparing", "suspended"}
    # Every station has a history whose newest entry is its status, and a service list.
    for station in stations.prefetch_related("status_events", "services"):
        events = sorted(station.status_events.all(), key=lambda event: (event.effective_on, event.pk))
        assert events and events[-1].status == station.status
        assert station.services.all()
    assert StationStatusEvent.objects.filter(status="suspended", station__status="operating").exists()
    # The staffing profile the demo judges by, marked as demo data.
    profile = PolicyProfile.objects.get(region_id="440000000000")
    assert "演示" in profile.name and "演示" in profile.rules.get().source_text


def test_the_staff_keep_the_services_rules(loaded):
    posts = list(StaffAssignment.objects.select_related("station", "worker"))
    assert posts
    full_time = [post for post in posts if post.full_time]
    by_worker = Counter(post.worker_id for post in full_time if post.end_date is None)
    assert max(by_worker.values()) == 1
    for post in full_time:
        others = [
            other
            for other in full_time
            if other.worker_id == post.worker_id
            and other.pk != post.pk
            and (other.end_date is None or other.end_date >= post.start_date)
            and (post.end_date is None or post.end_date >= other.start_date)
        ]
        assert not others, post
    workers = {post.worker_id for post in posts}
    assert not SocialWorker.objects.filter(pk__in=workers).exclude(status="active").exists()
    assert not CreditEvent.objects.filter(worker_id__in=workers, severity="blacklist").exists()
    residents = Counter(post.station_id for post in posts if post.role == "resident")
    assert max(residents.values()) == 1
    assert all(post.station.kind == Kind.ROOM for post in posts if post.role == "resident")
    rooms = Station.objects.filter(kind=Kind.ROOM)
    # Nearly every room has its resident social worker; a few are left without one on purpose.
    assert 0.85 * rooms.count() <= len(residents) < rooms.count()


def test_presence_and_verdicts(loaded):
    today = timezone.localdate()
    monday, _sunday = rules.last_complete_week(today)
    oldest = rules.iso_week(today)[0].toordinal() - 7 * demo.PRESENCE_WEEKS
    check_ins = PresenceCheckIn.objects.all()
    assert check_ins.filter(date__lt=monday).exists()
    assert min(check_ins.values_list("date", flat=True)).toordinal() >= oldest
    assert max(check_ins.values_list("date", flat=True)) <= today
    assert all(row.community_id == row.station.region_id for row in check_ins.select_related("station")[:200])
    judged = rules.judge(Station.objects.all(), today)
    rooms = [judgement for judgement in judged.values() if judgement.kind == Kind.ROOM and judgement.judged]
    days = Counter(judgement.presence_days for judgement in rooms if judgement.resident_id)
    assert sum(count for value, count in days.items() if value >= 3) > 0.7 * sum(days.values())
    assert sum(count for value, count in days.items() if value < 3) > 0
    failing = Counter(
        verdict.kind for judgement in judged.values() if judgement.noncompliant for verdict in judgement.failing
    )
    assert failing["presence_days_per_week"] and failing["staffing_minimum"]
    assert sum(judgement.noncompliant for judgement in judged.values()) < 0.35 * len(judged)


def test_the_demo_logins_have_their_posts(loaded):
    head, context, _result = loaded
    station = Station.objects.get(region_id="440104003000", kind=Kind.STATION)
    worker = SocialWorker.objects.get(account=head)
    post = StaffAssignment.objects.get(worker=worker)
    assert (post.station, post.role, post.full_time, post.end_date) == (station, "head", True, None)
    assert station.status == "operating"
    mine = StaffAssignment.objects.get(worker=context["demo_worker"])
    assert (mine.role, mine.station.kind, mine.station.region_id[:6]) == ("resident", Kind.ROOM, HAIZHU)


def test_a_second_load_changes_nothing(loaded):
    before = counts()
    again = demo.populate(districts=[YUEXIU, HAIZHU])
    assert sum(again.created.values()) == 0 and again.skipped == before[0]
    assert counts() == before
    # Loading another district afterwards adds only that district, with people nobody else has.
    demo.populate(districts=["440103"])
    added = Station.objects.filter(region__code__startswith="440103")
    assert added.exists() and Station.objects.count() == before[0] + added.count()
    full_time = StaffAssignment.objects.filter(full_time=True, end_date__isnull=True)
    assert full_time.values("worker").distinct().count() == full_time.count()


def test_a_head_created_after_the_station_gets_the_post_through_the_service(world):
    workers_demo.load({"stdout": io.StringIO(), "agencies": []})
    demo.populate(districts=[YUEXIU])
    head = make_user("station_head", "station_head", region="440104003000")
    demo.populate(districts=[YUEXIU])
    post = StaffAssignment.objects.get(worker__account=head)
    assert (post.station.region_id, post.role) == ("440104003000", "head")
    assert AuditEntry.objects.filter(object_type="stations.staffassignment", action="create").count() == 1
    demo.populate(districts=[YUEXIU])
    assert StaffAssignment.objects.filter(worker__account=head).count() == 1
