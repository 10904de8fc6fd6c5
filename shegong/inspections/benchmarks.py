"""Benchmarks of rectification (`./dev bench NAME`, options as key=value).

inspections-overdue: the overdue list of a whole province. A fresh scratch database gets the province's real
divisions, one operating station on every street/township, a plan per county, an inspection and a finding per station
and `items` rectification items spread over the stations (deadlines over the past and next 120 days, a quarter of
them closed). Then it times, as the province's bureau admin and as one county's: the overdue count and the first
page of overdue items (the selector the list page uses, ordered by deadline), the whole list page through the test
client, the station page's panel, and the naive way: every item in scope loaded and judged in Python.
"""

from __future__ import annotations

import datetime
import random
import sys
import time

from django.db import connection, transaction
from django.utils import timezone

from shegong.core import benchmarking

BENCH_ADMIN = "bench_inspections_admin"
BENCH_COUNTY_ADMIN = "bench_inspections_county"


def _populate(stdout, province: str, items: int, seed: int, today: datetime.date):
    from shegong.accounts.models import Role, RoleAssignment, User
    from shegong.agencies.models import Agency
    from shegong.inspections.models import Finding, Inspection, InspectionPlan, RectificationItem
    from shegong.regions.codes import canonical, subtree_bounds
    from shegong.regions.loading import load_shipped
    from shegong.regions.models import Region
    from shegong.stations.models import Station

    started = time.perf_counter()
    load_shipped(province=province)
    low, high = subtree_bounds(canonical(province), Region.Level.PROVINCE)
    streets = list(
        Region.objects.filter(code__gte=low, code__lte=high, level=Region.Level.TOWNSHIP).values_list("code", flat=True)
    )
    rng = random.Random(seed)
    agency = Agency.objects.create(
        name="基准测试机构",
        credit_code=_credit_code(),
        region_id=streets[0][:6].ljust(12, "0"),
        legal_form="social_service",
    )
    with transaction.atomic():
        Station.objects.bulk_create(
            [
                Station(
                    code=f"S{code[:9]}",
                    name=f"基准站点{code}",
                    kind=Station.Kind.STATION,
                    region_id=code,
                    province_code=code[:2],
                    agency=agency,
                    status=Station.Status.OPERATING,
                )
                for code in streets
            ],
            batch_size=2000,
        )
        stations = list(Station.objects.filter(agency=agency).values_list("pk", "region_id"))
        counties = sorted({code[:6].ljust(12, "0") for _pk, code in stations})
        InspectionPlan.objects.bulk_create(
            [
                InspectionPlan(
                    region_id=county, year=today.year, quarter=1, kind="routine", title="基准督查", checklist=["x"]
                )
                for county in counties
            ]
        )
        plans = dict(InspectionPlan.objects.filter(title="基准督查").values_list("region_id", "pk"))
        visited = today - datetime.timedelta(days=150)
        Inspection.objects.bulk_create(
            [
                Inspection(
                    plan_id=plans[code[:6].ljust(12, "0")],
                    station_id=pk,
                    region_id=code,
                    status="done",
                    visited_on=visited,
                )
                for pk, code in stations
            ],
            batch_size=2000,
        )
        inspections = list(
            Inspection.objects.filter(plan__title="基准督查").values_list("pk", "station_id", "region_id")
        )
        Finding.objects.bulk_create(
            [Finding(inspection_id=pk, description="基准问题", severity="minor") for pk, _s, _r in inspections],
            batch_size=2000,
        )
        findings = dict(Finding.objects.filter(description="基准问题").values_list("inspection_id", "pk"))
        rows = []
        for _ in range(items):
            inspection, station, region = inspections[rng.randrange(len(inspections))]
            closed = rng.random() < 0.25
            deadline = today + datetime.timedelta(days=rng.randint(-120, 120))
            rows.append(
                RectificationItem(
                    finding_id=findings[inspection],
                    inspection_id=inspection,
                    owner_station_id=station,
                    region_id=region,
                    province_code=region[:2],
                    required_action="基准整改要求",
                    deadline=deadline,
                    status="closed" if closed else rng.choice(["open", "submitted", "returned"]),
                    return_reason="退回",
                    closed_on=deadline if closed else None,
                )
            )
        RectificationItem.objects.bulk_create(rows, batch_size=5000)
        role = Role.objects.get(code="civil_affairs_admin")
        admin = User.objects.create(username=BENCH_ADMIN, display_name=BENCH_ADMIN)
        RoleAssignment.objects.create(user=admin, role=role, region_id=canonical(province))
        county_admin = User.objects.create(username=BENCH_COUNTY_ADMIN, display_name=BENCH_COUNTY_ADMIN)
        RoleAssignment.objects.create(user=county_admin, role=role, region_id=counties[0])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE inspections_rectificationitem")
    stdout.write(
        f"generated {len(stations):,} stations, {len(counties):,} plans, {items:,} items "
        f"in {time.perf_counter() - started:.1f} s"
    )
    station = Station.objects.get(pk=stations[0][0])
    return admin, county_admin, station


def _credit_code() -> str:
    from stdnum.cn import uscc

    body = "52440000MJ9999991"
    return body + uscc.calc_check_digit(body)


def inspections_overdue(stdout, province: str = "44", items: str = "50000", runs: str = "15", seed: str = "1", **_):
    """The overdue rectification list of a whole province (default 50,000 items in 广东): selector, page, naive way."""
    from django.conf import settings
    from django.test import Client, override_settings

    from shegong.inspections import selectors

    runs_count = int(runs)
    # The pages are rendered without collected static files (no manifest needed to time them).
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with (
        benchmarking.fresh_database("inspections_overdue") as where,
        override_settings(STORAGES=storages, ALLOWED_HOSTS=["testserver"]),
    ):
        today = timezone.localdate()
        admin, county_admin, station = _populate(stdout, province, int(items), int(seed), today)
        client = Client()
        lines = []

        def row(label, ms, note=""):
            lines.append(f"{label:<58}{ms:>10.1f}  {note}")

        for name, user in (("province", admin), ("county", county_admin)):
            visible = selectors.items(user)
            overdue = visible.filter(selectors.overdue_q(today))
            count = overdue.count()
            row(f"{name}: overdue count ({count:,})", benchmarking.median_ms(overdue.count, runs_count))
            row(
                f"{name}: first page of 50 overdue, by deadline",
                benchmarking.median_ms(lambda qs=overdue: list(qs.order_by("deadline", "pk")[:50]), runs_count),
            )
            row(
                f"{name}: list counts (all, open, overdue, to review)",
                benchmarking.median_ms(lambda qs=visible: selectors.item_counts(qs, today), runs_count),
            )
            client.force_login(user)
            url = "/inspections/?overdue=on"
            assert client.get(url).status_code == 200
            row(
                f"{name}: overdue list page (GET {url})",
                benchmarking.median_ms(lambda u=url: client.get(u), runs_count),
            )

            def naive(qs=visible):
                return [item for item in qs.all() if item.is_overdue(today)]

            row(f"{name}: naive — load every item in scope, judge in Python", benchmarking.median_ms(naive, 3))
        client.force_login(admin)
        url = f"/stations/{station.code}/"
        row("station page with its rectification panel", benchmarking.median_ms(lambda: client.get(url), runs_count))
        stdout.write("inspections-overdue: " + where)
        stdout.write(benchmarking.machine() + ", " + benchmarking.vendor())
        stdout.write(f"{'what':<58}{'median ms':>10}")
        for line in lines:
            stdout.write(line)
    sys.stderr.flush()


BENCHMARKS = {"inspections-overdue": inspections_overdue}
