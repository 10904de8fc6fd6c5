"""Builders for the requests tests: a small station network of 北京街道 (district A) with a head, a resident social
worker and a colleague who all have accounts, and requests submitted through the real service (as a resident)."""

import itertools
import time

from shegong.regions.models import Region
from shegong.servicerequests import abuse, services
from shegong.stations import services as station_services
from shegong.stations.models import StaffAssignment
from shegong.stations.tests.factories import LONG_AGO, Kind, make_station, make_user, make_worker
from shegong.testing.world import COMMUNITY_A, DISTRICT_A, DISTRICT_B, STREET_A

COMMUNITY_A2 = "440104003107"  # another community of 北京街道 (no room)
STREET_B = "440105001000"
COMMUNITY_B = "440105001101"  # 下渡社区, 海珠区
Role = StaffAssignment.Role
_serial = itertools.count(1)


def post(station, worker, role=Role.FULL_TIME, full_time=True):
    return station_services.staff_assign(
        actor=None, station=station, worker=worker, role=role, full_time=full_time, start_date=LONG_AGO
    )


def worker_with_account(username: str, name: str, region: str = DISTRICT_A, user=None):
    user = user or make_user(username, "social_worker", region=region)
    return make_worker(name, region=region, account=user)


class Network:
    """北京街道's station with its head (station_head_a's account), the room of 流水井社区 with its resident worker,
    a full-time colleague at the street station; and 海珠区's street station with worker_b as staff."""

    def __init__(self, world):
        self.world = world
        self.street = make_station(Kind.STATION, STREET_A, name="北京街社工站")
        self.room = make_station(Kind.ROOM, COMMUNITY_A, name="流水井社工室")
        self.head = make_worker("李站长", region=DISTRICT_A, account=world.station_head_a)
        post(self.street, self.head, Role.HEAD)
        self.resident = worker_with_account("worker_a", "王驻点")
        post(self.room, self.resident, Role.RESIDENT)
        self.colleague = worker_with_account("worker_a2", "赵同事")
        post(self.street, self.colleague)
        self.street_b = make_station(Kind.STATION, STREET_B, name="沙园街社工站")
        self.worker_b = make_worker("海珠社工", region=DISTRICT_B, account=world.worker_b)
        post(self.street_b, self.worker_b)

    @property
    def resident_user(self):
        return self.resident.account

    @property
    def colleague_user(self):
        return self.colleague.account


def token(code: str, age: float = 60) -> str:
    return abuse.issue_form_token(code, issued_at=time.time() - age)


def submit(community: str = COMMUNITY_A, *, code: str | None = None, form_token: str | None = None, **values):
    values.setdefault("domain", "social_assistance")
    values.setdefault("description", "家中老人行动不便，需要上门探访")
    code = code or community
    created, _new = services.request_submit(
        target_code=code,
        community=Region.objects.get(pk=community),
        form_token=form_token or token(code) + str(next(_serial)),
        client_hash="test",
        **values,
    )
    return created
