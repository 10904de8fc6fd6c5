"""Benchmarks of the station network.

`./dev bench stations-network province=44` — the network page for a whole province (goal: under 300 ms on
PostgreSQL). It loads the real divisions of the province (shegong.regions.loading.load_shipped), then generates, in
bulk, a network on them: a 区县中心 on every county, an operating 镇街社工站 on every township and street, a 村社社工室
on about 40% of the communities, a few full-time staff each (some under-staffed on purpose), each room's resident social
worker and their check-ins for the last complete week and the current one. It then measures, as a province admin:

- the selector behind the page (stations.selectors.network) at the province, at one of its cities and at one county;
- the whole page through the Django test client (/stations/network/?region=…), template rendering included;
- the naive way the selector replaces: one coverage count and one judgement per child region (a query set per child).

Each is run `runs` times warm (same connection, caches filled) and `runs` times cold (a new database connection, so
an empty catalog and plan cache in the server, and an empty Django cache), and the table gives p50 and p95 in
milliseconds with the number of queries. With `explain=true` it prints the PostgreSQL plans (EXPLAIN ANALYZE) of the
province page's queries, slowest first.

The generated data is kept (it takes a minute to build) and found again on the next run: every generated record
belongs to the benchmark's agency. Run it on a database of its own; `clean=true` deletes the generated records (and
nothing else) and stops. The staffing rules come from the stations demo's 广东省 profile (see stations/demo.py); the
presence rule from the 广州 preset.
Options: province (44), city (the province's first city with counties), county (that city's first county),
runs (20), room_share (0.4), seed (1), explain (false), clean (false).

`./dev bench stations-import rows=5000` — the station-assignments import (stations/imports.py) on new rooms of the
province with new workers: reading the workbook, checking every row, the bulk write under the services' locks, against
the naive way (services.staff_assign row by row, `naive` rows). Everything it writes is rolled back.
Options: rows (5000), naive (300), province (44).
"""

from __future__ import annotations

import datetime
import os
import platform
import random
import statistics
import time
from collections import defaultdict

from django.core.cache import cache
from django.db import connection, reset_queries, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shegong.regions.codes import canonical, subtree_bounds
from shegong.regions.models import Region
from shegong.stations.models import PresenceCheckIn, StaffAssignment, Station, StationStatusEvent

BENCH_AGENCY = "基准测试社工站运营中心"
BENCH_ADMIN = "bench_province_admin"
BATCH = 2000


# --- Data ------------------------------------------------------------------------------------------------------------


def _divisions(stdout, province: str) -> None:
    """The province's real divisions, kept (reference data, not synthetic). The loader is idempotent and writes only
    what is missing, so a database that holds one city of the province gets the rest."""
    from shegong.regions.loading import load_shipped

    result = load_shipped(province=province)
    if result.created:
        stdout.write(f"loaded {result.created:,} divisions of province {province} in {result.seconds:.1f} s")


def _agency(province: str):
    from stdnum.cn import uscc

    from shegong.agencies.models import Agency

    body = f"52{province}0000MJBENCH0"[:17]
    agency, _created = Agency.objects.get_or_create(
        credit_code=body + uscc.calc_check_digit(body),
        defaults={
            "name": BENCH_AGENCY,
            "region_id": canonical(province),
            "legal_form": Agency.LegalForm.SOCIAL_SERVICE,
        },
    )
    return agency


def _admin(province: str):
    from shegong.accounts.models import Role, RoleAssignment, User

    user, created = User.objects.get_or_create(username=BENCH_ADMIN, defaults={"display_name": "基准测试省级管理员"})
    if created:
        user.set_unusable_password()
        user.must_change_password = False
        user.save()
    RoleAssignment.objects.get_or_create(
        user=user, role=Role.objects.get(code="civil_affairs_admin"), region_id=canonical(province)
    )
    return User.objects.get(pk=user.pk)


def _workers(agency, regions: list[str], seed: int) -> list[int]:
    """One synthetic worker per code in `regions` (the region they work in), written in bulk; their ids in order."""
    from shegong.workers.identity import id_number_from_body
    from shegong.workers.imports import Builder
    from shegong.workers.models import SocialWorker

    build = Builder(SocialWorker)
    rng = random.Random(seed)
    start = SocialWorker.objects.filter(agency=agency).count()
    rows = []
    for offset, region in enumerate(regions):
        serial = start + offset
        sequence, day = serial % 1000, serial // 1000
        # 440104 (越秀区) has been an address code since before 1990, so the numbers pass python-stdnum's checks.
        birth = datetime.date(1990, 1, 1) + datetime.timedelta(days=day)
        rows.append(
            build(
                name=f"基准社工{serial}",
                name_initials=f"jzsg{serial}",
                id_number=id_number_from_body(f"440104{birth:%Y%m%d}{sequence:03d}"),
                birth_date=birth,
                sex="M" if sequence % 2 else "F",
                region_id=region,
                province_code=region[:2],
                agency_id=agency.pk,
                highest_certificate=rng.choice(["", "assistant", "intermediate"]),
                status=SocialWorker.Status.ACTIVE,
            )
        )
    SocialWorker.objects.bulk_create(rows, batch_size=BATCH)
    return [row.pk for row in rows]


def _generate(stdout, province: str, room_share: float, seed: int, today: datetime.date):
    """The synthetic network on the province's real divisions (skipped when the benchmark's stations are there)."""
    from shegong.stations import demo
    from shegong.stations.services import KIND_LETTERS

    agency = _agency(province)
    if Station.objects.filter(agency=agency).exists():
        return agency
    started = time.perf_counter()
    demo._ensure_profile()
    low, high = subtree_bounds(canonical(province), Region.Level.PROVINCE)
    regions = list(
        Region.objects.filter(code__gte=low, code__lte=high, level__gte=Region.Level.COUNTY)
        .order_by("code")
        .values_list("code", "level", "area_class")
    )
    live = set(
        Station.objects.filter(region_id__gte=low, region_id__lte=high)
        .exclude(status=Station.Status.REVOKED)
        .values_list("region_id", "kind")
    )
    rng = random.Random(seed)
    kind_of = {Region.Level.COUNTY: Station.Kind.CENTRE, Region.Level.TOWNSHIP: Station.Kind.STATION}
    planned = []  # (region code, kind, area class, staff wanted)
    for code, level, area_class in regions:
        kind = kind_of.get(level, Station.Kind.ROOM)
        if (code, kind) in live or (kind == Station.Kind.ROOM and rng.random() >= room_share):
            continue
        if kind == Station.Kind.ROOM:
            wanted = 0 if rng.random() < 0.05 else 1
        elif kind == Station.Kind.STATION:
            wanted = 2 if area_class == Region.AreaClass.URBAN else 1
            wanted = max(wanted - (rng.random() < 0.1), 0)
        else:
            wanted = 2 if rng.random() > 0.1 else 1
        planned.append((code, kind, area_class, wanted))
    opened = today - datetime.timedelta(days=400)
    stations = [
        Station(
            code=KIND_LETTERS[kind] + code[: {Station.Kind.CENTRE: 6, Station.Kind.STATION: 9}.get(kind, 12)],
            name=f"基准{code}{Station.Kind(kind).label}",
            kind=kind,
            region_id=code,
            province_code=code[:2],
            agency=agency,
            opened_on=opened,
            status=Station.Status.OPERATING,
        )
        for code, kind, _area, _wanted in planned
    ]
    Station.objects.bulk_create(stations, batch_size=BATCH)
    StationStatusEvent.objects.bulk_create(
        [StationStatusEvent(station=station, status=station.status, effective_on=opened) for station in stations],
        batch_size=BATCH,
    )
    workers = iter(_workers(agency, [code for code, _kind, _area, wanted in planned for _n in range(wanted)], seed))
    posts, check_ins = [], []
    last_monday = today - datetime.timedelta(days=today.weekday() + 7)
    days = [last_monday + datetime.timedelta(days=offset) for offset in range(5)]
    days += [day + datetime.timedelta(days=7) for day in days if day + datetime.timedelta(days=7) <= today]
    for station, (code, kind, _area, wanted) in zip(stations, planned, strict=True):
        for index in range(wanted):
            worker = next(workers)
            role = StaffAssignment.Role.RESIDENT if kind == Station.Kind.ROOM else ("head", "full_time")[min(index, 1)]
            posts.append(
                StaffAssignment(station=station, worker_id=worker, role=role, full_time=True, start_date=opened)
            )
            if kind == Station.Kind.ROOM:
                present = rng.sample(days, min(len(days), rng.choice([1, 2, 3, 3, 4, 5, 6])))
                check_ins += [
                    PresenceCheckIn(worker_id=worker, station=station, community_id=code, date=day, method="qr")
                    for day in present
                ]
    StaffAssignment.objects.bulk_create(posts, batch_size=BATCH)
    PresenceCheckIn.objects.bulk_create(check_ins, batch_size=BATCH)
    counts = defaultdict(int)
    for _code, kind, _area, _wanted in planned:
        counts[kind] += 1
    stdout.write(
        f"generated in {time.perf_counter() - started:.1f} s: "
        + ", ".join(f"{count:,} {kind}" for kind, count in counts.items())
        + f"; {len(posts):,} posts, {len(check_ins):,} check-ins"
    )
    return agency


def _clean(stdout, province: str) -> None:
    from shegong.accounts.models import User
    from shegong.workers.models import SocialWorker

    agency = _agency(province)
    with transaction.atomic():
        stations = Station.objects.filter(agency=agency)
        deleted = {
            "check-ins": PresenceCheckIn.objects.filter(station__in=stations).delete()[0],
            "posts": StaffAssignment.objects.filter(station__in=stations).delete()[0],
            "status events": StationStatusEvent.objects.filter(station__in=stations).delete()[0],
            "stations": stations.delete()[0],
            "workers": SocialWorker.objects.filter(agency=agency).delete()[0],
            "users": User.objects.filter(username=BENCH_ADMIN).delete()[0],
        }
        agency.delete()
    stdout.write("deleted " + ", ".join(f"{count:,} {name}" for name, count in deleted.items()))


# --- Measuring -------------------------------------------------------------------------------------------------------


def _cold() -> None:
    """A new server process for the next query (empty catalog and plan caches) and an empty application cache."""
    connection.close()
    connection.ensure_connection()
    cache.clear()


def _measure(call, runs: int, cold: bool) -> tuple[list[float], int]:
    timings, queries = [], 0
    for _run in range(runs):
        if cold:
            _cold()
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            call()
            timings.append((time.perf_counter() - started) * 1000)
        queries = len(captured.captured_queries)
    return timings, queries


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _row(stdout, label: str, warm: tuple[list[float], int], cold: tuple[list[float], int]) -> None:
    stdout.write(
        f"{label:<44}{statistics.median(cold[0]):>9.1f}{_percentile(cold[0], 0.95):>9.1f}"
        f"{statistics.median(warm[0]):>9.1f}{_percentile(warm[0], 0.95):>9.1f}{warm[1]:>9}"
    )


def _server_version() -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            return "PostgreSQL " + cursor.fetchone()[0]
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sqlite_version()")
            return "SQLite " + cursor.fetchone()[0]
    return connection.vendor


def _naive(user, node: Region, today: datetime.date) -> None:
    """The network page's figures the obvious way: for each child, its coverage (regions and stations counted) and
    its stations judged, each child on its own."""
    from shegong.core.scope import region_q as scope_region_q
    from shegong.core.scope import scoped
    from shegong.stations import rules, selectors

    for child in Region.objects.filter(parent_id=node.code).order_by("code"):
        selectors.region_coverage(child, today, user=user)
        rules.judge(
            scoped(Station, user, selectors.VIEW).filter(scope_region_q("region", child.code, child.level)), today
        )


def _explain(stdout, user, node: Region, today: datetime.date) -> None:
    from shegong.stations import selectors

    if connection.vendor != "postgresql":
        stdout.write("explain=true needs PostgreSQL")
        return
    with CaptureQueriesContext(connection) as captured:
        selectors.network(user, node, today)
    plans = []
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            lines = [row[0] for row in cursor.fetchall()]
            total = next((line for line in reversed(lines) if line.startswith("Execution Time")), "")
            plans.append((float(total.split(":")[1].split()[0]) if total else 0.0, sql, lines))
    for milliseconds, sql, lines in sorted(plans, key=lambda plan: -plan[0]):
        stdout.write(f"\n-- {milliseconds:.1f} ms: {sql[:400]}{' …' if len(sql) > 400 else ''}")
        for line in lines:
            stdout.write("   " + line)


def stations_network(
    stdout,
    province: str = "44",
    city: str = "",
    county: str = "",
    runs: str = "20",
    room_share: str = "0.4",
    seed: str = "1",
    explain: str = "false",
    clean: str = "false",
    **options,
):
    """The network page for a whole province (goal < 300 ms on PostgreSQL): selector and page, cold and warm."""
    from django.conf import settings
    from django.test import Client

    from shegong.stations import selectors

    if clean == "true":
        _clean(stdout, province)
        return
    runs_count = int(runs)
    today = timezone.localdate()
    _divisions(stdout, province)
    with transaction.atomic():
        _generate(stdout, province, float(room_share), int(seed), today)
        user = _admin(province)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in ("stations_station", "stations_staffassignment", "stations_presencecheckin"):
                cursor.execute(f"ANALYZE {table}")
    root = Region.objects.get(pk=canonical(province))
    city_region = (
        Region.objects.get(pk=canonical(city))
        if city
        else Region.objects.filter(parent=root, children__level=Region.Level.COUNTY).order_by("code").first()
    )
    county_region = (
        Region.objects.get(pk=canonical(county))
        if county
        else Region.objects.filter(parent=city_region, level=Region.Level.COUNTY).order_by("code").first()
    )
    low, high = root.subtree_bounds
    sizes = {
        "stations": Station.objects.filter(region_id__gte=low, region_id__lte=high).count(),
        "posts": StaffAssignment.objects.filter(station__region_id__gte=low, station__region_id__lte=high).count(),
        "check-ins": PresenceCheckIn.objects.filter(community_id__gte=low, community_id__lte=high).count(),
        "regions": Region.objects.filter(code__gte=low, code__lte=high).count(),
    }
    load = " · load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()) if hasattr(os, "getloadavg") else ""
    stdout.write(
        f"\nstations-network · {root.name} ({province}) · {_server_version()} · {platform.machine()}, "
        f"{os.cpu_count()} CPUs{load}\n"
        + " · ".join(f"{count:,} {name}" for name, count in sizes.items())
        + f" · {runs_count} runs each, milliseconds\n"
    )
    stdout.write(f"{'':<44}{'cold':>18}{'warm':>18}\n{'':<44}{'p50':>9}{'p95':>9}{'p50':>9}{'p95':>9}{'queries':>9}")

    def selector_at(node):
        return lambda: selectors.network(user, node, today)

    for label, node in [
        (f"selector · province {root.name}", root),
        (f"selector · city {city_region.name}", city_region),
        (f"selector · county {county_region.name}", county_region),
    ]:
        call = selector_at(node)
        call()  # imports and first-use work once, outside both series
        _row(stdout, label, _measure(call, runs_count, cold=False), _measure(call, runs_count, cold=True))

    # The page's {% static %} tags without a collectstatic manifest (the benchmark does not need one).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    client = Client()
    host = (settings.ALLOWED_HOSTS or ["localhost"])[0].lstrip(".").replace("*", "localhost")

    def page_at(node):
        def call():
            client.force_login(user)  # a cold run starts a new connection; the session row is read again anyway
            response = client.get("/stations/network/", {"region": node.code}, HTTP_HOST=host)
            if response.status_code != 200:
                raise RuntimeError(f"the network page answered {response.status_code}")
            return response

        return call

    for label, node in [(f"page · province {root.name}", root), (f"page · city {city_region.name}", city_region)]:
        call = page_at(node)
        call()
        _row(stdout, label, _measure(call, runs_count, cold=False), _measure(call, runs_count, cold=True))

    naive_runs = max(1, min(runs_count, 3))
    naive = _measure(lambda: _naive(user, root, today), naive_runs, cold=False)
    naive_cold = _measure(lambda: _naive(user, root, today), naive_runs, cold=True)
    _row(stdout, f"naive (per child) · province {root.name}", naive, naive_cold)
    fast = _measure(selector_at(root), runs_count, cold=False)
    stdout.write(
        f"\nthe selector is {statistics.median(naive[0]) / statistics.median(fast[0]):.1f}× faster than the naive way "
        f"at the province (warm p50); naive runs: {naive_runs}"
    )
    if explain == "true":
        _explain(stdout, user, root, today)


def _rooms_without_station(province: str, count: int, agency) -> list[Station]:
    """`count` new rooms on communities of the province that have none (rolled back with the benchmark)."""
    from shegong.stations.services import KIND_LETTERS

    low, high = subtree_bounds(canonical(province), Region.Level.PROVINCE)
    taken = Station.objects.filter(kind=Station.Kind.ROOM).values("region_id")
    codes = list(
        Region.objects.filter(level=Region.Level.VILLAGE, code__gte=low, code__lte=high)
        .exclude(code__in=taken)
        .order_by("code")
        .values_list("code", flat=True)[:count]
    )
    return Station.objects.bulk_create(
        [
            Station(
                code=KIND_LETTERS[Station.Kind.ROOM] + code,
                name=f"导入基准{code}",
                kind=Station.Kind.ROOM,
                region_id=code,
                province_code=code[:2],
                agency=agency,
                status=Station.Status.OPERATING,
            )
            for code in codes
        ],
        batch_size=BATCH,
    )


def stations_import(stdout, rows: str = "5000", naive: str = "300", province: str = "44", **options):
    """The station-assignments import (read, check every row, bulk write under the services' locks) against the naive
    way, services.staff_assign row by row; rows per second. Everything is rolled back at the end."""
    import io

    from django.conf import settings
    from openpyxl import Workbook

    from shegong.stations import services
    from shegong.stations.imports import StaffAssignmentImport
    from shegong.tabular import services as tabular
    from shegong.tabular import spec as specs
    from shegong.tabular import workbooks
    from shegong.workers.models import SocialWorker

    count, naive_count = int(rows), int(naive)
    _divisions(stdout, province)

    class Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            agency = _agency(province)
            user = _admin(province)
            rooms = _rooms_without_station(province, count + naive_count, agency)
            worker_ids = _workers(agency, [room.region_id for room in rooms], 7)
            numbers = dict(SocialWorker.objects.filter(pk__in=worker_ids).values_list("pk", "id_number"))
            book = Workbook()
            sheet = book.active
            sheet.append(StaffAssignmentImport().headers)
            for room, worker in zip(rooms[:count], worker_ids[:count], strict=True):
                sheet.append([room.code, numbers[worker], "驻点社工", "是", "2024-01-01", ""])
            buffer = io.BytesIO()
            book.save(buffer)
            spec = specs.get("station-assignments")
            settings.IMPORT_MAX_ROWS = max(settings.IMPORT_MAX_ROWS, count)
            started = time.perf_counter()
            sheet_rows = workbooks.read_rows(buffer.getvalue())
            positions = workbooks.column_positions(spec, sheet_rows.headers)
            read = time.perf_counter()
            context = spec.prepare(user)
            good, failures = tabular.check_rows(spec, sheet_rows, positions, context, user)
            checked = time.perf_counter()
            with transaction.atomic():
                written = spec.write([{k: v for k, v in row.items() if k != "_row"} for row in good], context, user)
                connection.check_constraints()
            done = time.perf_counter()
            workers = SocialWorker.objects.in_bulk(worker_ids[count:])
            naive_started = time.perf_counter()
            for room, worker in zip(rooms[count:], worker_ids[count:], strict=True):
                services.staff_assign(
                    actor=user,
                    station=room,
                    worker=workers[worker],
                    role="resident",
                    start_date=datetime.date(2024, 1, 1),
                )
            naive_seconds = time.perf_counter() - naive_started
            if failures:
                stdout.write(f"refused, e.g. row {failures[0][0]}: {failures[0][2]}")
            load = " · load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()) if hasattr(os, "getloadavg") else ""
            import_seconds = done - read

            def line(label: str, seconds: float, rows_done: int) -> str:
                return f"{label:<34}{seconds:>8.2f} s{rows_done / seconds:>10,.0f} rows/s"

            stdout.write(
                f"\nstations-import · {_server_version()} · {os.cpu_count()} CPUs{load} · {count:,} assignment rows "
                f"({len(failures)} refused)"
            )
            stdout.write(line("read workbook", read - started, count))
            stdout.write(line("prepare + check rows", checked - read, count))
            stdout.write(line("write (bulk, under the locks)", done - checked, written))
            stdout.write(line("import (check + write)", import_seconds, written))
            speedup = written / import_seconds / (naive_count / naive_seconds)
            stdout.write(
                line("naive: staff_assign per row", naive_seconds, naive_count)
                + f"   (the import is {speedup:,.0f}× faster)"
            )
            raise Rollback
    except Rollback:
        stdout.write("(everything written by the benchmark was rolled back)")


BENCHMARKS = {"stations-network": stations_network, "stations-import": stations_import}
