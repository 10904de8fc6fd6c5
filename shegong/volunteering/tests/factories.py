"""Builders for the volunteering tests: a station in 北京街道 (district A) with an organiser who signs in, an activity
there, volunteers with accounts (the 志愿者 role), and a need with one shift today."""

import datetime
import itertools

from django.utils import timezone

from shegong.accounts.models import Role, RoleAssignment, User
from shegong.groupwork.tests.factories import COMMUNITY_A, COMMUNITY_B, STREET_A, STREET_B, make_activity
from shegong.registration.tests.factories import id_number
from shegong.stations.models import StaffAssignment
from shegong.stations.tests.factories import Kind, make_station, make_worker
from shegong.volunteering import services
from shegong.volunteers.models import Volunteer

_serial = itertools.count(500)
DISTRICT_A = "440104000000"


def make_user(username: str, role: str | None, region: str | None = None) -> User:
    user = User.objects.create(username=username, display_name=username, home_region_id=region)
    if role:
        RoleAssignment.objects.create(user=user, role=Role.objects.get(code=role), region_id=region)
    return user


def make_volunteer(name: str, *, region: str = COMMUNITY_A, account=None, status=Volunteer.Status.ACTIVE) -> Volunteer:
    serial = next(_serial)
    return Volunteer.objects.create(
        number=f"V{serial:07d}",
        name=name,
        id_number=id_number(serial, birth="19950505"),
        birth_date=datetime.date(1995, 5, 5),
        sex="F",
        region_id=region,
        province_code=region[:2],
        registered_on=datetime.date(2025, 1, 1),
        status=status,
        account=account,
    )


def volunteer_user(username: str, *, region: str = COMMUNITY_A) -> tuple[User, Volunteer]:
    user = make_user(username, "volunteer", region)
    return user, make_volunteer(f"志愿者{username}", region=region, account=user)


def place(world) -> object:
    """Station A with its organiser (a signed-in social worker of district A) and an activity in 流水井社区; station B
    in district B with worker_b's activity; volunteer users near each; an open need with a shift today on each."""
    world.station_a = make_station(Kind.STATION, STREET_A, agency=world.agency_a)
    world.station_b = make_station(Kind.STATION, STREET_B, agency=world.agency_b)
    world.organiser_user = make_user("organiser_a", "social_worker", DISTRICT_A)
    world.organiser = make_worker(name="李组织", region=DISTRICT_A, account=world.organiser_user)
    StaffAssignment.objects.create(
        station=world.station_a,
        worker=world.organiser,
        role=StaffAssignment.Role.FULL_TIME,
        start_date=datetime.date(2024, 1, 1),
    )
    world.worker_b_person = make_worker(name="王社工", region="440105000000", account=world.worker_b)
    world.activity_a = make_activity(world.station_a, world.organiser, COMMUNITY_A, title="流水井邻里节")
    world.activity_b = make_activity(world.station_b, world.worker_b_person, COMMUNITY_B, title="海珠游园")
    world.vol_user, world.volunteer = volunteer_user("vol_a")
    world.vol_user_2, world.volunteer_2 = volunteer_user("vol_a2")
    world.vol_user_b, world.volunteer_b = volunteer_user("vol_b", region=COMMUNITY_B)
    today = timezone.localdate()
    world.need_a = post(world.activity_a, world.organiser, actor=world.organiser_user, day=today, needed=2)
    world.shift_a = world.need_a.shifts.get()
    world.need_b = post(
        world.activity_b, world.worker_b_person, actor=world.worker_b, day=today, title="海珠游园志愿者"
    )
    world.shift_b = world.need_b.shifts.get()
    world.users.update({"organiser_a": world.organiser_user, "vol_a": world.vol_user, "vol_b": world.vol_user_b})
    return world


def post(target, organiser, *, actor=None, day=None, needed: int = 3, title: str = "邻里节志愿者", **values):
    return services.need_post(
        actor=actor,
        target=target,
        organiser=organiser,
        title=title,
        roles=values.pop("roles", "引导员、摄影"),
        place=values.pop("place", "社区广场"),
        shifts=[
            {
                "day": day or timezone.localdate(),
                "starts_at": datetime.time(9, 0),
                "ends_at": datetime.time(12, 0),
                "needed": needed,
            }
        ],
        **values,
    )
