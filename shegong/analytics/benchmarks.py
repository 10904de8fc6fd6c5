"""`./dev bench analytics --scale province [--province 44]`: the indicator panel at every region level, against the
naive way, the cost of keeping aggregates current on a write, and the full rebuild, on generated service records.

    DATABASE_URL=postgres://…/bench ./dev bench analytics --scale province              # 10,000,000 records
    DATABASE_URL=postgres://…/bench ./dev bench analytics --scale city --records 200000 # a quick check
    ./dev bench analytics --scale national                                              # all 620,573 communities
    ./dev bench analytics --scale tiny --database current                               # what the test runs

What it does, in a fresh scratch database (`benchmarking.fresh_database`, dropped at the end; `--database current`
runs in the configured database instead and keeps what it generates, so a second run measures again without
generating: `--reuse true`):

1. loads the real divisions of the province (regions.loading.load_shipped; `--scale national` all of them, `city` /
   `tiny` one city), opens a 镇街社工站 on about 90% of the townships and a 村社社工室 on a share of their communities
   (`--room-share`, 0.4), one worker per station, a project per county, and writes `--records` service records
   (persontimes.PersonTime, the 服务人次 fact table) spread over the last two years, the communities, 21 service
   domains (skewed) and the three kinds, with live maintenance paused: one INSERT … SELECT over a generated series per
   chunk, entirely in the database. Then `maintenance.rebuild()` computes every aggregate: its time is the full
   rebuild time.
2. measures the dashboard's indicator panel (figures.evaluate of the 服务人次 indicators for the region, then for its
   children: the drill-down) at the five levels, on regions picked at random (seeded) among those with records:
   cold (a new database connection, so an empty server-side catalog and plan cache, and an empty Django cache) and
   warm (the same region again), p50 and p95 in milliseconds, for this year to date (the dashboard's default period).
3. computes the same figures the naive way (one ORM aggregate over PersonTime per indicator and region: a code range
   and a date range), checks that both agree, and gives the ratio naive / aggregates (warm p50).
4. writes `--writes` service records through persontimes.services.record inside transaction.atomic with an audit
   row, as the casework, group-work and activity services do, alternately with maintenance on and paused (blocks of
   50), and reports the mean and p95 per write and the overhead. The records written while paused are deleted again
   (paused), so the aggregates stay exact; `--verify true` checks that with maintenance.verify().

Options: scale (province), province (44), city (per scale), records (per scale), seed (1), room_share (0.4),
samples (regions per level, per scale), writes (per scale), naive_runs (per scale), database (fresh | current),
reuse (false), verify (false; true at tiny).
"""

import datetime
import os
import random
import statistics
import sys
import time
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import DatabaseError, connection, transaction
from django.db.models import Sum
from django.utils import timezone

from shegong.analytics import catalogue, figures, maintenance
from shegong.analytics.periods import Period, year_to_date
from shegong.core.benchmarking import fresh_database, machine, vendor
from shegong.regions.codes import PREFIX_LENGTHS, canonical, subtree_bounds

FACT = "person_times"
LEVEL_NAMES = {1: "province", 2: "city", 3: "county", 4: "township", 5: "community"}
CHUNK = 500_000
# The 21 service domains of the refdata dictionary, weighted: a few domains carry most of the services.
DOMAIN_WEIGHTS = {
    "social_assistance": 14,
    "social_welfare": 12,
    "community_building": 11,
    "marriage_family": 8,
    "education_guidance": 7,
    "disability_rehabilitation": 6,
    "mental_health": 5,
    "youth_affairs": 5,
    "employment_assistance": 4,
    "health": 4,
    "charity": 3,
    "worker_support": 3,
    "poverty_relief": 3,
    "dispute_mediation": 3,
    "drug_rehabilitation": 2,
    "crime_prevention": 2,
    "correction_and_aftercare": 2,
    "community_correction": 2,
    "resettlement_assistance": 2,
    "emergency_response": 1,
    "doctor_patient_relations": 1,
}


@dataclass(frozen=True)
class Scale:
    province: str | None  # None: every province
    city: str  # "" for the whole province
    records: int
    samples: int  # regions measured per level
    writes: int
    naive_runs: int


SCALES = {
    "tiny": Scale("44", "4404", 600, 2, 20, 1),
    "city": Scale("44", "4401", 200_000, 5, 400, 3),
    "province": Scale("44", "", 10_000_000, 10, 2000, 3),
    "national": Scale(None, "", 50_000_000, 10, 2000, 2),
}


@dataclass
class World:
    places: int = 0
    stations: int = 0
    rooms: int = 0
    workers: int = 0
    projects: int = 0
    records: int = 0
    regions_with_records: dict = field(default_factory=dict)  # level -> [code]
    seconds: dict = field(default_factory=dict)


def _flag(value) -> bool:
    return value if isinstance(value, bool) else str(value).lower() in {"1", "true", "yes", "on"}


def _say(text: str) -> None:
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


# --- Data ------------------------------------------------------------------------------------------------------------


def _divisions(scale: Scale, province: str) -> float:
    from shegong.regions.loading import load_shipped

    started = time.perf_counter()
    result = load_shipped(province=None if scale.province is None else province, city=scale.city or None)
    if result.created:
        _say(f"loaded {result.created:,} divisions")
    return time.perf_counter() - started


def _agency():
    from stdnum.cn import uscc

    from shegong.agencies.models import Agency

    body = "52440000MJANALYT0"
    agency, _created = Agency.objects.get_or_create(
        credit_code=body + uscc.calc_check_digit(body),
        defaults={"name": "统计基准测试社工机构", "region_id": canonical("44"), "legal_form": "social_service"},
    )
    return agency


def _actor():
    from shegong.accounts.models import User

    user, created = User.objects.get_or_create(username="bench_analytics", defaults={"display_name": "统计基准测试"})
    if created:
        user.set_unusable_password()
        user.save()
    return user


def _area_bounds(scale: Scale, province: str) -> tuple[str, str]:
    if scale.city:
        return subtree_bounds(canonical(scale.city), 2)
    if scale.province is None:
        return "000000000000", "999999999999"
    return subtree_bounds(canonical(province), 1)


def _generate_network(scale: Scale, province: str, room_share: float, seed: int, today: datetime.date) -> list:
    """Stations on ~90% of the townships, rooms on a share of their communities, one worker each, a project per county.
    Returns the places service records are written at: (region code, station id, project id, worker id)."""
    from shegong.projects.models import Project
    from shegong.regions.models import Region
    from shegong.stations.benchmarks import _workers
    from shegong.stations.models import Station
    from shegong.stations.services import KIND_LETTERS

    rng = random.Random(seed)
    agency = _agency()
    low, high = _area_bounds(scale, province)
    townships = list(
        Region.objects.filter(level=4, code__gte=low, code__lte=high).order_by("code").values_list("code", flat=True)
    )
    communities: dict[str, list[str]] = {}
    for code, parent in (
        Region.objects.filter(level=5, code__gte=low, code__lte=high).order_by("code").values_list("code", "parent_id")
    ):
        communities.setdefault(parent, []).append(code)
    opened = today - datetime.timedelta(days=800)
    stations, planned_rooms = [], []
    for township in townships:
        if rng.random() >= 0.9:
            continue
        stations.append(
            Station(
                code=KIND_LETTERS[Station.Kind.STATION] + township[:9],
                name=f"基准{township}社工站",
                kind=Station.Kind.STATION,
                region_id=township,
                province_code=township[:2],
                agency=agency,
                opened_on=opened,
                status=Station.Status.OPERATING,
            )
        )
        planned_rooms += [(township, code) for code in communities.get(township, []) if rng.random() < room_share]
    rooms = [
        Station(
            code=KIND_LETTERS[Station.Kind.ROOM] + code,
            name=f"基准{code}社工室",
            kind=Station.Kind.ROOM,
            region_id=code,
            province_code=code[:2],
            agency=agency,
            opened_on=opened,
            status=Station.Status.OPERATING,
        )
        for _township, code in planned_rooms
    ]
    Station.objects.bulk_create(stations + rooms, batch_size=2000)
    station_of = {station.region_id: station.pk for station in stations}
    room_of = {room.region_id: room.pk for room in rooms}
    counties = sorted({code[:6] for code in station_of})
    county_regions = set(Region.objects.filter(level=3, code__gte=low, code__lte=high).values_list("code", flat=True))
    projects = Project.objects.bulk_create(
        [
            Project(
                code=f"JZTJ{county}",
                name=f"基准{county}社工服务项目",
                purchaser_department="基准测试民政局",
                # 东莞 and 中山 have no county level: their projects are the city's.
                region_id=county.ljust(12, "0")
                if county.ljust(12, "0") in county_regions
                else county[:4].ljust(12, "0"),
                province_code=county[:2],
                agency=agency,
                contract_date=today - datetime.timedelta(days=770),
                start_date=today - datetime.timedelta(days=760),
                end_date=today + datetime.timedelta(days=365),
                total_funds=1_000_000,
                stage=Project.Stage.EXECUTING,
            )
            for county in counties
        ],
        batch_size=2000,
    )
    project_of = {project.code[4:]: project.pk for project in projects}
    worker_regions = [station.region_id for station in stations] + [room.region_id for room in rooms]
    worker_ids = dict(zip(worker_regions, _workers(agency, worker_regions, seed), strict=True))
    places = []
    for township in sorted(station_of):
        project = project_of[township[:6]] if rng.random() < 0.6 else None
        # Services the station gives in no one community (a street-wide activity) are counted at the township.
        places.append((township, station_of[township], project, worker_ids[township]))
        for code in communities.get(township, []):
            if code in room_of:
                places.append((code, room_of[code], project, worker_ids[code]))
            else:
                places.append((code, station_of[township], project, worker_ids[township]))
    return places


def _rand(limit: str) -> str:
    if connection.vendor == "postgresql":
        return f"floor(random() * {limit})::int"
    return f"(abs(random()) %% {limit})"


def _day(start_param: str, offset: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST({start_param} AS date) + {offset}"
    return f"date({start_param}, '+' || {offset} || ' days')"


def _series(low: int, high: int) -> tuple[str, list]:
    """A table expression `g(n)` of the integers low..high."""
    if connection.vendor == "postgresql":
        return "generate_series(%s, %s) AS g(n)", [low, high]
    return (
        "(WITH RECURSIVE s(n) AS (SELECT %s UNION ALL SELECT n + 1 FROM s WHERE n < %s) SELECT n FROM s) AS g",
        [low, high],
    )


def _write_places(places: list) -> None:
    """The places as a table the generating statement joins (kept, so `--reuse true` finds them again)."""
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_places")
        cursor.execute("DROP TABLE IF EXISTS bench_domains")
        cursor.execute(
            "CREATE TABLE bench_places (idx integer PRIMARY KEY, region_id varchar(12), station_id bigint, "
            "agency_id bigint, project_id bigint, worker_id bigint)"
        )
        cursor.execute("CREATE TABLE bench_domains (slot integer PRIMARY KEY, code varchar(50))")
        agency = _agency().pk
        cursor.executemany(
            "INSERT INTO bench_places VALUES (%s, %s, %s, %s, %s, %s)",
            [(index, *place[:2], agency, *place[2:]) for index, place in enumerate(places, start=1)],
        )
        slots = [code for code, weight in DOMAIN_WEIGHTS.items() for _n in range(weight)]
        cursor.executemany("INSERT INTO bench_domains VALUES (%s, %s)", list(enumerate(slots)))


def _places() -> list:
    """The places of a previous generation, or [] (none in this database)."""
    if "bench_places" not in connection.introspection.table_names():
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT region_id, station_id, project_id, worker_id FROM bench_places ORDER BY idx")
        return [tuple(row) for row in cursor.fetchall()]


def _generate_records(places: list, count: int, first: int, today: datetime.date, seed: int) -> float:
    """`count` service records (source ids first … first + count − 1) over the places, in chunks of one statement each:
    place by place in code order (the indexes fill in order), a random day of the last two years, a domain, a kind
    (half case sessions of 1 person-time, 30% group sessions of 4–12, 20% activities of 10–59)."""
    from shegong.persontimes.models import PersonTime

    _write_places(places)
    table = PersonTime._meta.db_table
    start = today - datetime.timedelta(days=729)
    slots = sum(DOMAIN_WEIGHTS.values())
    recorded_at = connection.ops.adapt_datetimefield_value(timezone.now())
    started = time.perf_counter()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT setseed(%s)", [(seed % 1000) / 1000])
            replica = _skip_foreign_key_triggers(cursor, True)
        for low in range(first, first + count, CHUNK):
            high = min(low + CHUNK - 1, first + count - 1)
            series, params = _series(low, high)
            sql = (
                f"INSERT INTO {table} (kind, source_id, occurred_on, count, domain, region_id, province_code, "
                f"station_id, agency_id, project_id, worker_id, recorded_at) "
                f"SELECT CASE WHEN r.rk < 50 THEN 'case_session' WHEN r.rk < 80 THEN 'group_session' "
                f"ELSE 'activity' END, r.n, {_day('%s', 'r.rday')}, "
                f"CASE WHEN r.rk < 50 THEN 1 WHEN r.rk < 80 THEN 4 + r.rc %% 9 ELSE 10 + r.rc END, d.code, "
                f"p.region_id, SUBSTR(p.region_id, 1, 2), p.station_id, p.agency_id, p.project_id, p.worker_id, %s "
                f"FROM (SELECT n, {_rand('100')} AS rk, {_rand('730')} AS rday, {_rand('50')} AS rc, "
                f"{_rand(str(slots))} AS rd FROM {series}) r "
                f"JOIN bench_places p ON p.idx = 1 + ((CAST(r.n AS bigint) - %s) * %s) / %s "
                f"JOIN bench_domains d ON d.slot = r.rd"
            )
            with transaction.atomic():
                cursor.execute(sql, [start.isoformat(), recorded_at, *params, first, len(places), count])
            done = high - first + 1
            elapsed = time.perf_counter() - started
            _say(f"  {done:,} records in {elapsed:.0f} s ({done / elapsed:,.0f}/s)")
        if connection.vendor == "postgresql" and replica:
            _skip_foreign_key_triggers(cursor, False)
    return time.perf_counter() - started


def _skip_foreign_key_triggers(cursor, skip: bool) -> bool:
    """PostgreSQL checks each foreign key of each inserted row with a query of its own (five per record here), which
    is most of the generation's cost; the generated rows point at rows just written, so a superuser's session skips
    those checks while generating (session_replication_role = replica). Returns whether it could."""
    try:
        with transaction.atomic():
            cursor.execute(f"SET session_replication_role = {'replica' if skip else 'origin'}")
    except DatabaseError:  # not a superuser: the checks run, generation is slower
        return False
    return True


def _analyse() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _regions_with_records(places: list, scale: Scale, province: str, seed: int) -> dict[int, list[str]]:
    """Regions per level that hold records, a seeded random sample of `scale.samples` each (all there are if fewer)."""
    rng = random.Random(seed)
    by_level: dict[int, set] = {level: set() for level in LEVEL_NAMES}
    for region, *_rest in places:
        for level, length in PREFIX_LENGTHS.items():
            by_level[level].add(region[:length].ljust(12, "0"))  # not a region of that level: dropped below
    from shegong.regions.models import Region

    out = {}
    for level, codes in by_level.items():
        existing = sorted(Region.objects.filter(level=level, code__in=sorted(codes)).values_list("code", flat=True))
        out[level] = rng.sample(existing, min(scale.samples, len(existing)))
    return out


def _generate(stdout, scale: Scale, province: str, records: int, room_share: float, seed: int, today) -> World:
    world = World()
    world.seconds["divisions"] = _divisions(scale, province)
    started = time.perf_counter()
    with maintenance.paused():
        places = _generate_network(scale, province, room_share, seed, today)
        world.seconds["network"] = time.perf_counter() - started
        _say(f"network: {len(places):,} places in {world.seconds['network']:.1f} s; writing {records:,} records …")
        world.seconds["records"] = _generate_records(places, records, 1, today, seed)
    _analyse()
    _say("rebuilding the aggregates …")
    started = time.perf_counter()
    world.seconds["rebuild_rows"] = maintenance.rebuild()
    world.seconds["rebuild"] = time.perf_counter() - started
    _say(f"rebuilt in {world.seconds['rebuild']:.1f} s: {world.seconds['rebuild_rows']:,} aggregate rows")
    _analyse()
    world.places = len(places)
    world.records = records
    return world


# --- Measuring -------------------------------------------------------------------------------------------------------


def _cold() -> None:
    """A new server connection (empty catalog and plan caches) and an empty Django cache. Inside a transaction (the
    test) the connection cannot be replaced: only the cache is emptied."""
    if not connection.in_atomic_block:
        connection.close()
        connection.ensure_connection()
    cache.clear()


def _timed(call) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def _cpu_seconds() -> float | None:
    """CPU seconds used so far by this process and by its PostgreSQL server process (when the server runs on this
    machine and /proc shows it): unlike the wall clock, not inflated by other work on a shared machine."""
    own = time.process_time()
    if connection.vendor != "postgresql":
        return own
    try:
        pid = connection.connection.info.backend_pid
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        return own + (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (AttributeError, OSError, ValueError, IndexError):
        return None


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def panel_indicators() -> list:
    """The indicators the generated records feed: sums of 服务人次 (restricted by domain or kind), no denominator."""
    return [
        indicator
        for indicator in catalogue.indicators()
        if indicator.denominator is None
        and indicator.time_aggregation == "sum"
        and indicator.numerator.kind == "sum"
        and indicator.numerator.fact == FACT
    ]


def panel(indicators: list, region, period: Period) -> dict:
    """The dashboard's panel for a region: its figures, then its children's (the drill-down table)."""
    node = figures.Node.of(region)
    values = figures.evaluate(indicators, [node], period)
    if region.level < 5:
        values.update(figures.evaluate(indicators, figures.child_nodes(region), period))
    return {(code, item.code): figure.value for (code, item), figure in values.items()}


def naive_panel(indicators: list, region, period: Period) -> dict:
    """The same figures the naive way: one ORM aggregate over the raw records per indicator and region."""
    from shegong.persontimes.models import PersonTime
    from shegong.regions.models import Region

    nodes = [region]
    if region.level < 5:
        nodes += list(Region.objects.filter(parent=region).order_by("code"))
    out = {}
    for node in nodes:
        low, high = subtree_bounds(node.code, node.level)
        for indicator in indicators:
            measure = indicator.numerator
            rows = PersonTime.objects.filter(
                region_id__gte=low, region_id__lte=high, occurred_on__range=(period.start, period.end)
            )
            if measure.dim:
                rows = rows.filter(domain__in=list(measure.dim))
            if measure.dim2:
                rows = rows.filter(kind__in=list(measure.dim2))
            total = rows.aggregate(total=Sum("count"))["total"] or 0
            out[(indicator.code, node.code)] = total * indicator.factor
    return out


@dataclass
class LevelResult:
    level: int
    regions: int
    cold: list
    warm: list
    naive: list
    cpu_ms: float | None = None  # mean CPU (this process + its database server process) of a warm panel


def _measure_level(level: int, codes: list[str], indicators: list, period: Period, naive_runs: int) -> LevelResult:
    from shegong.regions.models import Region

    regions = [Region.objects.get(pk=code) for code in codes]
    cold, warm, naive = [], [], []
    # Cold: the first evaluation of each region on a new connection; twice round the sample (at least 10 runs).
    rounds = max(1, -(-10 // len(regions)))
    for _round in range(rounds):
        for region in regions:
            _cold()
            cold.append(_timed(lambda region=region: panel(indicators, region, period)))
    cpu_started = None
    for region in regions:
        panel(indicators, region, period)
        cpu_started = _cpu_seconds() if cpu_started is None else cpu_started
        for _run in range(max(3, 20 // len(regions))):
            warm.append(_timed(lambda region=region: panel(indicators, region, period)))
    cpu_ended = _cpu_seconds()
    warm_cpu = None
    if cpu_started is not None and cpu_ended is not None:
        # The warm-up calls of the second and later regions fall inside the span: count them as runs too.
        warm_cpu = (cpu_ended - cpu_started) * 1000 / (len(warm) + len(regions) - 1)
    for index, region in enumerate(regions[:naive_runs]):
        if index == 0:
            fast, slow = panel(indicators, region, period), naive_panel(indicators, region, period)
            if {key: value or 0 for key, value in fast.items()} != slow:
                raise RuntimeError(f"aggregates and raw records disagree for {region.code}: {fast} != {slow}")
        naive.append(_timed(lambda region=region: naive_panel(indicators, region, period)))
    return LevelResult(level, len(regions), cold, warm, naive, warm_cpu)


@dataclass
class WriteResult:
    on: list
    off: list
    queued: list = field(default_factory=list)  # maintenance on, the outbox left to a worker (ANALYTICS_DRAIN=worker)
    drain_ms: float = 0.0  # the worker's drain of those, in total
    cpu: dict = field(default_factory=dict)  # series -> CPU seconds (this process + its database server process)


def _measure_writes(count: int, places: list, today: datetime.date, seed: int) -> WriteResult:
    """`count` writes of a service record with an audit row, each in its own transaction, in turn (blocks of 50) with
    live maintenance applied at commit (ANALYTICS_DRAIN=commit, the default), with the change only queued for a
    worker (ANALYTICS_DRAIN=worker; the drain of the queue is timed on its own) and paused; the paused ones are
    deleted again (paused: they were never counted)."""
    from django.conf import settings

    from shegong.audit.models import AuditEntry
    from shegong.audit.services import record as audit
    from shegong.persontimes.models import PersonTime
    from shegong.persontimes.services import record
    from shegong.regions.models import Region
    from shegong.stations.models import Station

    rng = random.Random(seed + 7)
    actor = _actor()
    sample = rng.sample(places, min(len(places), 200))
    stations = Station.objects.select_related("agency").in_bulk([place[1] for place in sample])
    regions = Region.objects.in_bulk([place[0] for place in sample])
    first = (PersonTime.objects.order_by("-source_id").values_list("source_id", flat=True).first() or 0) + 1
    domains = list(DOMAIN_WEIGHTS)
    kinds = [PersonTime.Kind.CASE_SESSION, PersonTime.Kind.GROUP_SESSION, PersonTime.Kind.ACTIVITY]
    result = WriteResult([], [])
    paused_ids = []
    outbox = hasattr(maintenance, "drain") and hasattr(settings, "ANALYTICS_DRAIN")

    def write(source_id: int) -> float:
        region, station_id, _project, _worker = rng.choice(sample)
        station = stations[station_id]
        started = time.perf_counter()
        with transaction.atomic():
            row = record(
                kind=rng.choice(kinds),
                source_id=source_id,
                occurred_on=today - datetime.timedelta(days=rng.randrange(30)),
                count=rng.randint(1, 30),
                station=station,
                region=regions[region],
                domain=rng.choice(domains),
                agency=station.agency,
            )
            audit(actor=actor, action=AuditEntry.Action.CREATE, obj=row, note="benchmark")
        return (time.perf_counter() - started) * 1000

    def charge(series: str, started: float | None) -> None:
        ended = _cpu_seconds()
        if started is not None and ended is not None:
            result.cpu[series] = result.cpu.get(series, 0.0) + ended - started

    block = 50
    source_id = first
    for start in range(0, count, block):
        size = min(block, count - start)
        started = _cpu_seconds()
        for _n in range(size):
            result.on.append(write(source_id))
            source_id += 1
        charge("on", started)
        if outbox:
            drain_mode = settings.ANALYTICS_DRAIN
            settings.ANALYTICS_DRAIN = "worker"
            started = _cpu_seconds()
            try:
                for _n in range(size):
                    result.queued.append(write(source_id))
                    source_id += 1
            finally:
                settings.ANALYTICS_DRAIN = drain_mode
            charge("queued", started)
            started = _cpu_seconds()
            result.drain_ms += _timed(maintenance.drain)
            charge("drain", started)
        started = _cpu_seconds()
        with maintenance.paused():
            for _n in range(size):
                result.off.append(write(source_id))
                paused_ids.append(source_id)
                source_id += 1
        charge("off", started)
    with maintenance.paused(), transaction.atomic():
        PersonTime.objects.filter(source_id__in=paused_ids).delete()
    return result


# --- Report ----------------------------------------------------------------------------------------------------------


def _report(stdout, where, scale_name, province, world, counts, period, levels, writes, verified) -> None:
    write = stdout.write
    load = " · load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()) if hasattr(os, "getloadavg") else ""
    write(f"\nanalytics · scale {scale_name} · province {province} · {where}")
    write(f"database   {vendor()}")
    write(f"machine    {machine()}{load}")
    write(
        "data       "
        + " · ".join(f"{value:,} {name}" for name, value in counts.items())
        + f" · panel period {period.start}..{period.end}"
    )
    if world.seconds.get("records"):
        write(
            f"generation divisions {world.seconds['divisions']:.1f} s · network {world.seconds['network']:.1f} s · "
            f"records {world.seconds['records']:.1f} s ({world.records / world.seconds['records']:,.0f}/s)"
        )
    write("")
    write(
        f"{'panel (ms)':<22}{'regions':>8}{'cold p50':>10}{'cold p95':>10}{'warm p50':>10}{'warm p95':>10}"
        f"{'warm CPU':>10}{'naive p50':>11}{'naive/agg':>11}"
    )
    for item in levels:
        naive = statistics.median(item.naive) if item.naive else None
        warm = statistics.median(item.warm)
        write(
            f"{item.level} {LEVEL_NAMES[item.level]:<20}{item.regions:>8}{statistics.median(item.cold):>10.1f}"
            f"{_percentile(item.cold, 0.95):>10.1f}{warm:>10.1f}{_percentile(item.warm, 0.95):>10.1f}"
            + (f"{item.cpu_ms:>10.1f}" if item.cpu_ms is not None else f"{'-':>10}")
            + (f"{naive:>11.1f}{naive / warm:>10.0f}×" if naive is not None else f"{'-':>11}{'-':>11}")
        )
    write("panel = the 服务人次 indicators for the region and for each of its children (drill-down); naive = one ORM")
    write("aggregate over the raw records per indicator and region; p95 over all runs at the level; warm CPU = mean")
    write("CPU milliseconds of this process and its database server process per warm panel (not inflated by load)")
    if writes:
        off_mean = statistics.mean(writes.off)
        write("")
        write(f"{'write a record + audit (ms)':<36}{'writes':>8}{'mean':>9}{'p50':>9}{'p95':>9}{'CPU':>9}")
        rows = [("maintenance on (drain at commit)", "on", writes.on)]
        rows += [("maintenance on (queued for worker)", "queued", writes.queued)] if writes.queued else []
        for label, key, values in [*rows, ("maintenance paused", "off", writes.off)]:
            cpu = writes.cpu.get(key)
            write(
                f"{label:<36}{len(values):>8}{statistics.mean(values):>9.2f}{statistics.median(values):>9.2f}"
                f"{_percentile(values, 0.95):>9.2f}"
                + (f"{cpu * 1000 / len(values):>9.2f}" if cpu is not None else f"{'-':>9}")
            )
        series = [("aggregates applied at commit", writes.on)]
        if writes.queued:
            series.append(("change queued for a worker", writes.queued))
        for label, values in series:
            write(
                f"overhead, {label}: {(statistics.mean(values) / off_mean - 1) * 100:+.0f}% (mean), "
                f"{(statistics.median(values) / statistics.median(writes.off) - 1) * 100:+.0f}% (p50)"
            )
        if "on" in writes.cpu and "off" in writes.cpu:
            write(
                f"overhead in CPU (this process + its database server process): "
                f"{(writes.cpu['on'] / writes.cpu['off'] - 1) * 100:+.0f}% at commit"
                + (
                    f", {(writes.cpu['queued'] / writes.cpu['off'] - 1) * 100:+.0f}% queued"
                    if "queued" in writes.cpu
                    else ""
                )
            )
        if writes.queued:
            drain_cpu = writes.cpu.get("drain")
            write(
                f"the worker's drain of the queued changes: {writes.drain_ms / len(writes.queued):.2f} ms per record"
                + (f" ({drain_cpu * 1000 / len(writes.queued):.2f} ms CPU)" if drain_cpu is not None else "")
            )
    if world.seconds.get("rebuild"):
        write("")
        write(
            f"full rebuild (maintenance.rebuild): {world.seconds['rebuild']:.1f} s for {world.records:,} "
            f"records → {world.seconds['rebuild_rows']:,} aggregate rows"
        )
    if verified is not None:
        write(f"verify after the writes: {verified} differing aggregate rows")


def _counts(scale: Scale, province: str) -> dict:
    from shegong.analytics.models import Aggregate
    from shegong.persontimes.models import PersonTime
    from shegong.regions.models import Region
    from shegong.stations.models import Station

    agency = _agency()
    low, high = _area_bounds(scale, province)
    return {
        "communities": Region.objects.filter(level=5, code__gte=low, code__lte=high).count(),
        "townships": Region.objects.filter(level=4, code__gte=low, code__lte=high).count(),
        "stations": Station.objects.filter(agency=agency, kind=Station.Kind.STATION).count(),
        "rooms": Station.objects.filter(agency=agency, kind=Station.Kind.ROOM).count(),
        "records": PersonTime.objects.filter(agency=agency).count(),
        "aggregate rows": Aggregate.objects.count(),
    }


def _run(stdout, where: str, scale_name: str, scale: Scale, province: str, options: dict) -> None:
    today = timezone.localdate()
    seed = int(options["seed"])
    records = int(options["records"] or scale.records)
    places = _places() if options["reuse"] else []
    if places:
        world = World()
        _say(f"reusing {len(places):,} places and their records")
    else:
        world = _generate(stdout, scale, province, records, float(options["room_share"]), seed, today)
        places = _places()
    period = year_to_date(today)
    indicators = panel_indicators()
    if not indicators:
        raise RuntimeError("no 服务人次 indicator in the catalogue")
    sample = _regions_with_records(places, scale, province, seed)
    levels = []
    for level in sorted(sample):
        if not sample[level]:
            continue
        _say(f"measuring the panel at level {level} ({len(sample[level])} regions) …")
        levels.append(_measure_level(level, sample[level], indicators, period, scale.naive_runs))
    count = int(options["writes"] or scale.writes)
    writes = None
    if count:
        _say(f"measuring {count:,} writes with maintenance on and {count:,} paused …")
        writes = _measure_writes(count, places, today, seed)
    verified = None
    if options["verify"]:
        verified = maintenance.verify()[0]
    _report(stdout, where, scale_name, province, world, _counts(scale, province), period, levels, writes, verified)


def analytics(
    stdout,
    scale: str = "province",
    province: str = "44",
    city: str | None = None,
    records: str = "",
    seed: str = "1",
    room_share: str = "0.4",
    samples: str = "",
    writes: str = "",
    naive_runs: str = "",
    database: str = "fresh",
    reuse: str = "false",
    verify: str = "",
    **unknown,
):
    """The indicator panel at five levels (cold/warm, against the naive way), write overhead, rebuild time."""
    if unknown:
        raise SystemExit(f"unknown options: {', '.join(sorted(unknown))}")
    if scale not in SCALES:
        raise SystemExit(f"--scale is one of {', '.join(SCALES)}")
    base = SCALES[scale]
    chosen = Scale(
        province=base.province if base.province is None else province,
        city=base.city if city is None else city,
        records=int(records or base.records),
        samples=int(samples or base.samples),
        writes=base.writes,
        naive_runs=int(naive_runs or base.naive_runs),
    )
    if chosen.city and not chosen.city.startswith(province):
        chosen = Scale(chosen.province, "", chosen.records, chosen.samples, chosen.writes, chosen.naive_runs)
    options = {
        "seed": seed,
        "records": records,
        "room_share": room_share,
        "writes": writes,
        "reuse": _flag(reuse),
        "verify": _flag(verify) if verify else scale == "tiny",
    }
    if database == "current":
        _run(stdout, f"the configured database ({connection.settings_dict['NAME']})", scale, chosen, province, options)
        return
    if database != "fresh":
        raise SystemExit("--database is fresh (default) or current")
    with fresh_database("analytics") as where:
        _run(stdout, where, scale, chosen, province, options)


BENCHMARKS = {"analytics": analytics}
