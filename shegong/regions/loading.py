"""Loading divisions into Region: the shipped 2023 files (here) and official NBS files (nbs.py), through one engine.

`load()` takes rows level by level (parents first), compares them chunk by chunk with what the database holds (one
range query over the (level, code) index per chunk) and writes only new or changed rows, so a second run writes
nothing and memory stays at one chunk, whatever the size of the country. New rows go in with PostgreSQL's COPY
(psycopg 3) or one prepared INSERT run over the chunk (SQLite's executemany); building 665k model instances would
cost more than the database work itself. A load of many new rows builds the secondary indexes once at the end
(`_bulk_mode`). Figures and the ORM baseline: `./dev bench regions-load` (benchmarks.py).

The shipped files repeat a parent as its own child in five rows, whose 12-digit code equals the parent's: the
county-level 441900 东莞市, 442000 中山市 and 460400 儋州市 (cities without a county level, whose townships the NBS
lists directly under the city) and 350527000 / 350527000000 金门县 (a placeholder township and village of a county
with no divisions of its own). Such a row is skipped and its children attach to the region it repeats, so the
township 441900003000 has level 4 and the parent 441900000000 (level 2). Levels come from the file a row is in, never
from trailing zeros.
"""

import csv
import gzip
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from django.core.cache import cache
from django.db import DatabaseError, connection, transaction

from shegong.regions.codes import CODE_LENGTH
from shegong.regions.models import Region

logger = logging.getLogger(__name__)
DATA_DIR = Path(__file__).resolve().parent / "data"
LEVEL_FILES = {1: "provinces.csv.gz", 2: "cities.csv.gz", 3: "areas.csv.gz", 4: "streets.csv.gz", 5: "villages.csv.gz"}
PARENT_COLUMN = {2: "provinceCode", 3: "cityCode", 4: "areaCode", 5: "streetCode"}
CHUNK = 20_000
BULK_ROWS = 50_000  # at least this many new rows expected: build indexes afterwards (see _bulk_mode)
VERSION_CACHE_KEY = "regions:version"  # changes after every load that wrote something (see selectors' caches)

# Village level (村级), from the data README (shared/data/divisions/README.md, counts of the 2023 files).
VILLAGE_URBAN_SUFFIXES = ("居委会", "居民委员会", "社区")
VILLAGE_RURAL_SUFFIXES = ("村委会", "村民委员会", "村")
# Township level (乡级): 街道 are urban, 镇 / 乡 / 民族乡 / 苏木 (the Inner Mongolian township) rural.
TOWNSHIP_URBAN_SUFFIXES = ("街道", "街道办事处")
TOWNSHIP_RURAL_SUFFIXES = ("镇", "乡", "民族乡", "苏木")
COLUMNS = ("code", "name", "level", "parent_id", "urban_rural_code", "area_class")
# (level, rows done in that level, rows expected in that level; 0 once the level is complete)
ProgressCallback = Callable[[int, int, int], None]


def area_class_from_name(name: str, level: int = 5) -> str:
    """城乡属性 when no official class is known, read from the name.

    Village level (村级), as the data README says (shared/data/divisions/README.md, NBS 2023 codes): names
    ending in 居委会 / 居民委员会 / 社区 are urban (城市社区, 126,714 in 2023), names ending in 村委会 / 村民委员会 / 村
    rural (农村社区, 484,087); the 9,772 others (…生活区, …管理区, 嘎查, 牧委会, 生产队 …) stay unknown.

    Township level (乡级), from the kinds of township-level divisions in the NBS code rules (统计用区划代码编制规则:
    街道、镇、乡、民族乡、苏木): a 街道 (or 街道办事处) is urban, the seat of a street station (街道社工站); a 镇, 乡,
    民族乡 or 苏木 is rural, a township station (乡镇社工站). The Chongqing staffing rule (seed 002: street station ≥ 2
    social workers, township station ≥ 1) needs exactly this distinction. Others (开发区, 农场, 林场, 管理区 …) stay
    unknown. Levels 1-3 carry no class.

    An official NBS class code (城乡分类代码, 111..220) always wins over the name: see `area_class_from_nbs`.
    """
    if level == 5:
        if name.endswith(VILLAGE_URBAN_SUFFIXES):
            return Region.AreaClass.URBAN
        if name.endswith(VILLAGE_RURAL_SUFFIXES):
            return Region.AreaClass.RURAL
    elif level == 4:
        if name.endswith(TOWNSHIP_URBAN_SUFFIXES):
            return Region.AreaClass.URBAN
        if name.endswith(TOWNSHIP_RURAL_SUFFIXES):
            return Region.AreaClass.RURAL
    return Region.AreaClass.UNKNOWN


def area_class_from_nbs(urban_rural_code: str) -> str:
    """城乡分类代码 (NBS 统计上划分城乡的规定): 1xx (111 主城区 … 123 特殊区域) is urban,
    2xx (210 乡中心区, 220 村庄) rural."""
    if urban_rural_code.startswith("1"):
        return Region.AreaClass.URBAN
    if urban_rural_code.startswith("2"):
        return Region.AreaClass.RURAL
    return Region.AreaClass.UNKNOWN


class Row(NamedTuple):
    """One region as the loader writes it (a tuple: half a million of them must stay cheap)."""

    code: str
    name: str
    level: int
    parent: str | None
    urban_rural_code: str = ""
    area_class: str = ""


@dataclass(frozen=True)
class Skipped:
    level: int
    code: str
    name: str
    stands_for: str  # the 12-digit code of the region the row duplicates


@dataclass
class LoadResult:
    read: dict[int, int] = field(default_factory=dict)  # rows kept per level
    created: int = 0
    updated: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    changes: dict[str, dict] = field(default_factory=dict)  # code -> {field: [before, after]}, first CHANGES_KEPT
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.read.values())

    @property
    def unchanged(self) -> int:
        return self.total - self.created - self.updated


CHANGES_KEPT = 1000


def _in_filter(code: str, level: int, province: str | None, city: str | None) -> bool:
    """Provinces and cities load in full (the national skeleton); lower levels only inside the province/city asked."""
    if level < 3:
        return True
    return (not province or code.startswith(province)) and (not city or code.startswith(city))


def shipped_totals(province: str | None = None, city: str | None = None) -> dict[int, int]:
    """Rows per level the shipped files hold for the filter, counted on the raw lines (for progress figures)."""
    totals = {}
    head = (city or province or "").encode()
    for level, filename in LEVEL_FILES.items():
        with gzip.open(DATA_DIR / filename, "rb") as handle:
            data = handle.read()
        if level < 3 or not head:
            totals[level] = data.rstrip(b"\n").count(b"\n")  # lines after the header
        else:
            totals[level] = sum(1 for _line in _lines_starting_with(data, head))
    return totals


def shipped_rows(
    province: str | None = None, city: str | None = None, skipped: list[Skipped] | None = None
) -> Iterator[Row]:
    """Rows of the shipped files, level by level in code order; rows duplicating their parent go to `skipped`."""
    stands_for: dict[str, str] = {}  # short code of a skipped row -> 12-digit code of the region it duplicates
    for level, filename in LEVEL_FILES.items():
        with gzip.open(DATA_DIR / filename, "rb") as handle:
            header = next(csv.reader([next(handle).decode("utf-8")]))
            code_at, name_at = header.index("code"), header.index("name")
            parent_at = header.index(PARENT_COLUMN[level]) if level > 1 else None
            head = ((city or province or "") if level >= 3 else "").encode()
            if head and code_at == 0:
                lines = _lines_starting_with(handle.read(), head)
            else:
                lines = (line.decode("utf-8") for line in handle)
            for record in csv.reader(lines):
                code = record[code_at]
                if not _in_filter(code, level, province, city):
                    continue
                name = record[name_at]
                full = code.ljust(CODE_LENGTH, "0")
                parent = None
                if parent_at is not None:
                    parent_short = record[parent_at]
                    parent = stands_for.get(parent_short) or parent_short.ljust(CODE_LENGTH, "0")
                    if full == parent:
                        stands_for[code] = parent
                        if skipped is not None:
                            skipped.append(Skipped(level, code, name, parent))
                        continue
                yield Row(full, name, level, parent, "", area_class_from_name(name, level))


def _lines_starting_with(data: bytes, head: bytes) -> Iterator[str]:
    """The lines of a code-sorted file whose code starts with `head`: one contiguous block, found without parsing
    the rest (a city's 3,000 villages out of 620,000 in a fifth of the time a line-by-line scan takes)."""
    start = data.find(b"\n" + head)
    while start != -1:
        end = data.find(b"\n", start + 1)
        line = data[start + 1 : end if end != -1 else len(data)]
        if not line.startswith(head):
            return
        yield line.decode("utf-8")
        start = end


def load(
    rows: Iterable[Row],
    *,
    totals: dict[int, int] | None = None,
    progress: ProgressCallback | None = None,
    chunk_size: int = CHUNK,
) -> LoadResult:
    """Insert new regions and update changed ones, parents before children; rows that match are not written.

    `rows` must come level by level (parents first), ideally in code order within a level so each chunk's range query
    stays narrow. An empty class code never erases an official one already stored (the NBS class wins over names).
    All or nothing: one transaction.
    """
    started = time.perf_counter()
    result = LoadResult()
    totals = totals or {}
    with transaction.atomic():
        bulk = sum(totals.values()) - Region.objects.count() >= BULK_ROWS
        with _bulk_mode(bulk):
            chunk: list[Row] = []
            level = None
            for row in rows:
                if row.level != level or len(chunk) >= chunk_size:
                    if chunk:
                        _load_chunk(chunk, result)
                        if progress:
                            progress(level, result.read[level], totals.get(level, 0) if row.level == level else 0)
                    chunk = []
                    level = row.level
                chunk.append(row)
            if chunk:
                _load_chunk(chunk, result)
                if progress:
                    progress(level, result.read[level], 0)
        if result.created or result.updated:
            transaction.on_commit(_new_version)
    result.seconds = time.perf_counter() - started
    return result


@contextmanager
def _bulk_mode(enabled: bool):
    """For a load of many new rows: drop the secondary indexes (and, on PostgreSQL, the parent foreign key) first
    and build them once at the end, the usual advice for populating a database (PostgreSQL manual, "Populating a
    Database"). Updating an index row by row costs more than sorting once, the name index above all (its keys come
    in random order), and PostgreSQL checks a foreign key row by row but a re-added one in a single join. Inside the
    load's transaction: if the load fails, the rollback puts everything back. The table stays locked until commit,
    which a load of this size (a new installation, a new province) can afford.
    """
    if not enabled:
        yield
        return
    quote = connection.ops.quote_name
    table = quote(Region._meta.db_table)
    indexes = [
        (quote(index.name), ", ".join(quote(Region._meta.get_field(name).column) for name in index.fields))
        for index in Region._meta.indexes
    ]
    parent, code = quote(Region._meta.get_field("parent").column), quote(Region._meta.pk.column)
    with connection.cursor() as cursor:
        foreign_keys = []
        if connection.vendor == "postgresql":  # SQLite's checks are cheap and its constraints cannot be dropped
            constraints = connection.introspection.get_constraints(cursor, Region._meta.db_table)
            foreign_keys = [
                name
                for name, info in constraints.items()
                if info["foreign_key"] == (Region._meta.db_table, Region._meta.pk.column)
                and info["columns"] == [Region._meta.get_field("parent").column]
            ]
        for name in foreign_keys:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
        for name, _columns in indexes:
            cursor.execute(f"DROP INDEX {name}")
    yield
    # PostgreSQL refuses DDL on a table with pending deferred checks; none are pending, as the parent key was gone
    # while rows went in and updates never change a code.
    with connection.cursor() as cursor:
        for name, columns in indexes:
            cursor.execute(f"CREATE INDEX {name} ON {table} ({columns})")
        for name in foreign_keys:
            cursor.execute(
                f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} FOREIGN KEY ({parent}) REFERENCES {table} ({code})"
                " DEFERRABLE INITIALLY DEFERRED"
            )


def _new_version() -> None:
    """Tell cached figures (selectors.community_counts) that the divisions changed."""
    try:
        cache.set(VERSION_CACHE_KEY, time.time_ns(), None)
    except DatabaseError as exc:
        # The database cache's table is missing (`createcachetable` not run): nothing cached, nothing to expire.
        logger.warning("regions: cache unavailable, could not mark the divisions as changed (%s)", exc)


def _load_chunk(chunk: list[Row], result: LoadResult) -> None:
    level = chunk[0].level
    low = min(row.code for row in chunk)
    high = max(row.code for row in chunk)
    # Only this level: the (level, code) index gives exactly the chunk's neighbours. A code cannot be stored at
    # another level (constraint region_level_matches_code), so a row not found here is new.
    table, columns = _table_sql()
    code, level_column = (connection.ops.quote_name(name) for name in ("code", "level"))
    with connection.cursor() as cursor:
        # Plain SQL: the ORM's per-row work would double the time of a re-run that compares 665k rows.
        cursor.execute(
            f"SELECT {columns} FROM {table} WHERE {level_column} = %s AND {code} BETWEEN %s AND %s",
            [level, low, high],
        )
        existing = {values[0]: values for values in cursor.fetchall()}
    to_create: list[Row] = []
    to_update: list[Row] = []
    for row in chunk:
        current = existing.get(row.code)
        if current is None:
            to_create.append(row)
            continue
        if not row.urban_rural_code and current[4]:
            row = row._replace(urban_rural_code=current[4], area_class=current[5])
        if tuple(row) != current:
            to_update.append(row)
            if len(result.changes) < CHANGES_KEPT:
                result.changes[row.code] = {
                    name: [before, after]
                    for name, before, after in zip(COLUMNS, current, row, strict=True)
                    if before != after
                }
    if to_create:
        _insert(to_create)
    if to_update:
        _update(to_update)
    result.read[level] = result.read.get(level, 0) + len(chunk)
    result.created += len(to_create)
    result.updated += len(to_update)


def _table_sql() -> tuple[str, str]:
    quote = connection.ops.quote_name
    return quote(Region._meta.db_table), ", ".join(quote(Region._meta.get_field(name).column) for name in COLUMNS)


def _insert(rows: list[Row]) -> None:
    table, columns = _table_sql()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY streams the rows in one command: several times faster than multi-row INSERTs.
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(COLUMNS))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", rows)


def _update(rows: list[Row]) -> None:
    table, columns = _table_sql()
    quote = connection.ops.quote_name
    names = [quote(Region._meta.get_field(name).column) for name in COLUMNS]
    code = quote(Region._meta.pk.column)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One statement per chunk: the changed rows go to a scratch table by COPY, then one joined UPDATE
            # (a new edition with class codes for every village changes 620k rows; one UPDATE each takes minutes).
            scratch = quote("regions_region_load")
            cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {scratch} (LIKE {table}) ON COMMIT DROP")
            cursor.execute(f"TRUNCATE {scratch}")
            with cursor.cursor.copy(f"COPY {scratch} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            assignments = ", ".join(f"{name} = new.{name}" for name in names[1:])
            cursor.execute(
                f"UPDATE {table} AS old SET {assignments} FROM {scratch} AS new WHERE old.{code} = new.{code}"
            )
        else:
            assignments = ", ".join(f"{name} = %s" for name in names[1:])
            cursor.executemany(
                f"UPDATE {table} SET {assignments} WHERE {code} = %s", [(*row[1:], row.code) for row in rows]
            )


def load_shipped(
    province: str | None = None, city: str | None = None, progress: ProgressCallback | None = None
) -> LoadResult:
    """Load the shipped 2023 divisions: all provinces and cities, lower levels limited to `province` / `city`."""
    if city and not province:
        province = city[:2]
    skipped: list[Skipped] = []
    totals = shipped_totals(province, city)
    result = load(shipped_rows(province, city, skipped), totals=totals, progress=progress)
    result.skipped = skipped
    return result
