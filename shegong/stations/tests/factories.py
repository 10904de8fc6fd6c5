"""Builders for the station tests. Stations go through the real service (as the installation, actor None) so that
their code and first status entry are what production writes; workers, users and blacklist entries are written
directly (shegong/talent/tests/factories.py) so a test states only what it is about.

The test database holds the real divisions of 广州市 only; the tests of other jurisdictions' presets (重庆, 浙江, 江苏,
黑龙江) add the few regions they need under those provinces' real cities with `add_region`.
"""

import datetime

from shegong.regions.codes import canonical, level_of_short_code
from shegong.regions.models import Region
from shegong.stations import services
from shegong.stations.models import Station
from shegong.talent.tests.factories import blacklist, make_user, make_worker  # noqa: F401  (re-exported)

Kind = Station.Kind
Status = Station.Status
LONG_AGO = datetime.date(2020, 1, 1)


def add_region(short_code: str, name: str, area_class: str = "") -> Region:
    """A region under its (existing) parent, from a code written at its own length (500103, 500103001 …)."""
    level = level_of_short_code(short_code)
    code = canonical(short_code)
    parent = Region.objects.filter(level__lt=level, code__in=_parents(code, level)).order_by("-level").first()
    region, _created = Region.objects.get_or_create(
        code=code, defaults={"name": name, "level": level, "parent": parent, "area_class": area_class}
    )
    return region


def _parents(code: str, level: int) -> list[str]:
    from shegong.regions.codes import ancestor_codes

    return ancestor_codes(code, level)[1:]


def make_station(
    kind: str,
    region: Region | str,
    *,
    name: str = "",
    status: str = Status.OPERATING,
    agency=None,
    host_institution: str = "",
    opened_on: datetime.date | None = LONG_AGO,
    **values,
) -> Station:
    region = region if isinstance(region, Region) else Region.objects.get(pk=canonical(region))
    return services.station_create(
        actor=None,
        name=name or f"{region.name}{Kind(kind).label}",
        kind=kind,
        region=region,
        agency=agency,
        host_institution=host_institution,
        opened_on=opened_on,
        status=status,
        **values,
    )


def staff(station: Station, count: int, *, full_time: bool = True, role: str = "full_time", certified: int = 0):
    """`count` new workers in post at the station since LONG_AGO; the first `certified` of them hold a certificate."""
    workers = []
    for index in range(count):
        worker = make_worker(region=station.region_id)
        if index < certified:
            worker.highest_certificate = "intermediate"
            worker.save(update_fields=["highest_certificate"])
        services.staff_assign(
            actor=None, station=station, worker=worker, role=role, full_time=full_time, start_date=LONG_AGO
        )
        workers.append(worker)
    return workers


def service_domain(code: str = "social_assistance", name: str = "社会救助"):
    from shegong.talent.tests.factories import domain

    return domain(code, name)
