"""`./dev bench regions-load`: load all of China (665,271 regions) into a fresh database, twice, and the ORM way.

    ./dev bench regions-load                        # a fresh database of the configured vendor, then dropped
    DATABASE_URL=postgres://… ./dev bench regions-load
    ./dev bench regions-load --naive false          # skip the ORM baseline (saves a minute)
    ./dev bench regions-load --database current     # the configured database itself, if nothing is loaded below
                                                    # the cities yet (its regions stay loaded afterwards)

The fresh database is Django's test database machinery under another name: a temporary file for SQLite (a file,
not memory, so the figures are those of a real deployment), `<name>_bench_regions` on PostgreSQL. The first run
loads levels 3-5 (the migration already holds the 373 provinces and cities), the second must write nothing, and the
baseline loads the same rows with Model instances and bulk_create, as a straightforward ORM loader would.
"""

import os
import resource
import sys
import time

from django.db import connection, transaction
from django.db.models import Count

from shegong.core.benchmarking import fresh_database, machine, vendor
from shegong.regions import loading
from shegong.regions.models import Region

LEVEL_NAMES = {1: "省级", 2: "地级", 3: "县级", 4: "乡级", 5: "村级"}


def _flag(value: str | bool) -> bool:
    return value if isinstance(value, bool) else str(value).lower() in {"1", "true", "yes", "on"}


def _progress(level: int, done: int, total: int) -> None:
    if not total:
        sys.stderr.write(f"  level {level} {LEVEL_NAMES[level]}: {done:,} rows\n")
        sys.stderr.flush()


def _orm_load() -> int:
    """The straightforward way: a Model instance per row, bulk_create in batches (the loader's old write path)."""
    existing = set(Region.objects.values_list("code", flat=True))
    batch: list[Region] = []
    created = 0
    with transaction.atomic():
        for row in loading.shipped_rows():
            if row.code in existing:
                continue
            batch.append(
                Region(
                    code=row.code,
                    name=row.name,
                    level=row.level,
                    parent_id=row.parent,
                    urban_rural_code=row.urban_rural_code,
                    area_class=row.area_class,
                )
            )
            if len(batch) >= loading.CHUNK:
                Region.objects.bulk_create(batch)
                created += len(batch)
                batch = []
        Region.objects.bulk_create(batch)
        created += len(batch)
    return created


def _delete_below_cities() -> None:
    table = connection.ops.quote_name(Region._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE level >= 3")


def _timed(function, *args):
    wall, cpu = time.perf_counter(), time.process_time()
    value = function(*args)
    return value, time.perf_counter() - wall, time.process_time() - cpu


def _run(stdout, naive: bool, where: str) -> None:
    below = Region.objects.filter(level__gte=3).count()
    if below:
        raise SystemExit(
            f"regions-load needs a database with nothing below the cities; this one holds {below:,} such regions"
        )
    database = vendor()
    load_before = os.getloadavg()[0]
    sys.stderr.write(f"first run ({database}):\n")
    first, first_wall, first_cpu = _timed(loading.load_shipped, None, None, _progress)
    sys.stderr.write("second run:\n")
    second, second_wall, second_cpu = _timed(loading.load_shipped, None, None, _progress)
    counts = dict(Region.objects.values_list("level").annotate(n=Count("code")).order_by())
    orm = None
    if naive:
        _delete_below_cities()
        sys.stderr.write("ORM baseline (Model instances + bulk_create) …\n")
        orm = _timed(_orm_load)
    load_after = os.getloadavg()[0]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    write = stdout.write
    write(f"regions-load: all of China into {where}")
    write(f"database   {database}")
    write(f"machine    {machine()}")
    write(
        f"load avg   {load_before:.1f} before, {load_after:.1f} after (other work on the machine slows the wall clock)"
    )
    write("")
    write(f"{'level':<12}{'rows in DB':>12}{'loaded':>12}")
    for level in sorted(LEVEL_NAMES):
        write(f"{level} {LEVEL_NAMES[level]:<10}{counts.get(level, 0):>12,}{first.read.get(level, 0):>12,}")
    write(f"{'total':<12}{sum(counts.values()):>12,}{first.total:>12,}")
    skipped = ", ".join(f"{row.code} {row.name}" for row in first.skipped)
    write(f"skipped rows repeating their parent's code: {skipped}")
    write("")
    write(f"{'run':<28}{'created':>9}{'updated':>9}{'seconds':>9}{'CPU s':>8}{'rows/s':>9}")
    write(
        f"{'first (levels 3-5 new)':<28}{first.created:>9,}{first.updated:>9,}{first_wall:>9.1f}{first_cpu:>8.1f}"
        f"{first.total / first_wall:>9,.0f}"
    )
    write(
        f"{'second (idempotent)':<28}{second.created:>9,}{second.updated:>9,}{second_wall:>9.1f}{second_cpu:>8.1f}"
        f"{second.total / second_wall:>9,.0f}"
    )
    if orm is not None:
        created, orm_wall, orm_cpu = orm
        write(
            f"{'ORM baseline (bulk_create)':<28}{created:>9,}{'-':>9}{orm_wall:>9.1f}{orm_cpu:>8.1f}"
            f"{created / orm_wall:>9,.0f}"
        )
        write("")
        ratio_wall, ratio_cpu = orm_wall / first_wall, orm_cpu / first_cpu
        write(f"first run vs ORM baseline: {ratio_wall:.1f}x faster (wall clock), {ratio_cpu:.1f}x less CPU here")
    write("CPU s: this process only (on PostgreSQL the server's work is not in it)")
    write(f"peak memory of this process: {peak_mb:,.0f} MB")
    if second.created or second.updated:
        raise SystemExit("the second run wrote rows: the loader is not idempotent")


def regions_load(stdout, naive: str = "true", database: str = "fresh") -> None:
    """Load all of China into a fresh database twice (the second run must write nothing) and the ORM way."""
    if database == "current":
        _run(stdout, _flag(naive), f"the configured database ({connection.settings_dict['NAME']})")
        return
    if database != "fresh":
        raise SystemExit("--database is fresh (default) or current")
    with fresh_database("regions") as where:
        _run(stdout, _flag(naive), where)


BENCHMARKS = {"regions-load": regions_load}
