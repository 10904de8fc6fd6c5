"""Builders for the volunteers tests: volunteers go through the real service as the installation (actor None)."""

import datetime
import itertools

from shegong.regions.models import Region
from shegong.stations.tests.factories import Kind, make_station, make_user, make_worker  # noqa: F401  (re-exported)
from shegong.volunteers import services
from shegong.volunteers.models import Volunteer
from shegong.workers.identity import id_number_from_body

STREET_A = "440104003000"  # 北京街道, 越秀区 (station_head_a)
COMMUNITY_A = "440104003104"  # 流水井社区, 北京街道
DISTRICT_B = "440105000000"  # 海珠区 (worker_b)
COMMUNITY_B = "440105001101"  # 下渡社区, 海珠区
_serial = itertools.count(1)


def id_number(birth: str = "19900101", place: str = "440104", sequence: int | None = None) -> str:
    sequence = next(_serial) % 1000 if sequence is None else sequence
    return id_number_from_body(f"{place}{birth}{sequence:03d}")


def station_a():
    from shegong.stations.models import Station

    return Station.objects.filter(region_id=STREET_A).first() or make_station(Kind.STATION, STREET_A)


def station_b():
    from shegong.stations.models import Station

    street = "440105001000"
    return Station.objects.filter(region_id=street).first() or make_station(Kind.STATION, street)


def make_volunteer(name: str = "李志愿", region: str = COMMUNITY_A, *, actor=None, **values) -> Volunteer:
    values.setdefault("id_number", id_number())
    if "station" not in values and "agency" not in values:
        values["station"] = station_a() if region.startswith("440104") else station_b()
    values.setdefault("registered_on", datetime.date(2026, 1, 10))
    return services.volunteer_register(actor=actor, name=name, region=Region.objects.get(pk=region), **values)
