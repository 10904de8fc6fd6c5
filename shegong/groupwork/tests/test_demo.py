"""The group-work demo on a small run: groups in every stage with sessions and 服务人次, activities over the last year,
the worker login's own groups, and a second load that changes nothing."""

import datetime
import io

import pytest
from django.utils import timezone

from shegong.groupwork import demo
from shegong.groupwork.models import CommunityActivity, GroupMember, GroupWork
from shegong.groupwork.tests.factories import COMMUNITY_A, STREET_A, Kind, make_recipient, make_station, make_worker
from shegong.persontimes.models import PersonTime
from shegong.stations.models import StaffAssignment

pytestmark = pytest.mark.django_db


def test_demo_loads_once(monkeypatch, world):
    monkeypatch.setattr(demo, "GROUPS", 12)
    monkeypatch.setattr(demo, "ACTIVITIES", 30)
    street = make_station(Kind.STATION, STREET_A, agency=world.agency_a)
    room = make_station(Kind.ROOM, COMMUNITY_A, agency=world.agency_a)
    staff = [make_worker(f"社工{i}", region="440104003000") for i in range(4)]
    since = datetime.date(2024, 1, 1)
    for index, worker in enumerate(staff):
        StaffAssignment.objects.create(
            station=street if index < 2 else room, worker=worker, role=StaffAssignment.Role.FULL_TIME, start_date=since
        )
    for index in range(12):
        make_recipient(f"居民{index}", COMMUNITY_A)
    out = io.StringIO()
    demo.load({"stdout": out, "demo_worker": staff[3]})
    groups = GroupWork.objects.all()
    assert groups.count() == 12 and "12 个小组" in out.getvalue()
    assert set(groups.values_list("stage", flat=True)) == set(GroupWork.Stage.values)
    assert groups.filter(stage=GroupWork.Stage.ENDING).exclude(end_reason="").exists()  # some ended early
    assert groups.filter(leader=staff[3]).count() >= 3
    assert not groups.filter(stage=GroupWork.Stage.PREPARATION, sessions__isnull=False).exists()
    assert GroupMember.objects.filter(recipient__isnull=False).exists()
    assert GroupMember.objects.filter(recipient__isnull=True).exists()
    activities = CommunityActivity.objects.all()
    assert activities.count() == 30 and activities.filter(organiser=staff[3]).count() >= 20
    assert activities.filter(held_on__lt=timezone.localdate() - datetime.timedelta(days=30)).exists()
    assert PersonTime.objects.filter(kind=PersonTime.Kind.GROUP_SESSION).exists()
    assert PersonTime.objects.filter(kind=PersonTime.Kind.ACTIVITY).count() == 30
    demo.load({"stdout": io.StringIO(), "demo_worker": staff[3]})
    assert GroupWork.objects.count() == 12 and CommunityActivity.objects.count() == 30
