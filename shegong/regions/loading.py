"""Loading the shipped 2023 divisions (and official NBS files) into Region. Idempotent: a second run changes nothing."""

import csv
import gzip
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction

from shegong.regions.models import Region

DATA_DIR = Path(__file__).resolve().parent / "data"
LEVEL_FILES = {1: "provinces.csv.gz", 2: "cities.csv.gz", 3: "areas.csv.gz", 4: "streets.csv.gz", 5: "villages.csv.gz"}
PARENT_COLUMN = {2: "provinceCode", 3: "cityCode", 4: "areaCode", 5: "streetCode"}
URBAN_SUFFIXES = ("居委会", "居民委员会", "社区")
RURAL_SUFFIXES = ("村委会", "村民委员会", "村")


def area_class_from_name(name: str) -> str:
    """城乡属性 when no official class is known: 居委会/社区 are urban, 村委会/村 rural, anything else unknown."""
    if name.endswith(URBAN_SUFFIXES):
        return Region.AreaClass.URBAN
    if name.endswith(RURAL_SUFFIXES):
        return Region.AreaClass.RURAL
    return Region.AreaClass.UNKNOWN


def area_class_from_nbs(urban_rural_code: str) -> str:
    """城乡分类代码: 1xx (111 主城区 … 123 特殊区域) is urban, 2xx (210 乡中心区, 220 村庄) rural."""
    if urban_rural_code.startswith("1"):
        return Region.AreaClass.URBAN
    if urban_rural_code.startswith("2"):
        return Region.AreaClass.RURAL
    return Region.AreaClass.UNKNOWN


@dataclass(frozen=True)
class Row:
    code: str
    name: str
    level: int
    parent: str | None
    urban_rural_code: str = ""
    area_class: str = ""


@dataclass
class LoadResult:
    read: dict[int, int] = field(default_factory=dict)
    created: int = 0
    updated: int = 0
    seconds: float = 0.0


def shipped_rows(province: str | None = None, city: str | None = None) -> Iterator[Row]:
    """Rows of the shipped files, provinces and cities always in full, lower levels limited to province/city."""
    for level, filename in LEVEL_FILES.items():
        with gzip.open(DATA_DIR / filename, "rt", encoding="utf-8") as handle:
            for record in csv.DictReader(handle):
                code = record["code"]
                if level >= 3 and (
                    (province and not code.startswith(province)) or (city and not code.startswith(city))
                ):
                    continue
                parent = record.get(PARENT_COLUMN.get(level, ""), None)
                name = record["name"]
                yield Row(
                    code=code.ljust(12, "0"),
                    name=name,
                    level=level,
                    parent=parent.ljust(12, "0") if parent else None,
                    area_class=area_class_from_name(name) if level == 5 else "",
                )


def load(rows: Iterator[Row], progress: Callable[[int, int], None] | None = None, batch: int = 20000) -> LoadResult:
    """Insert new regions and update changed ones, parents before children; untouched rows are not written."""
    started = time.perf_counter()
    result = LoadResult()
    existing = {
        code: (name, level, parent, urc, area)
        for code, name, level, parent, urc, area in Region.objects.values_list(
            "code", "name", "level", "parent_id", "urban_rural_code", "area_class"
        ).iterator(chunk_size=50000)
    }
    to_create: list[Region] = []
    to_update: list[Region] = []
    for row in rows:
        result.read[row.level] = result.read.get(row.level, 0) + 1
        values = (row.name, row.level, row.parent, row.urban_rural_code, row.area_class)
        current = existing.get(row.code)
        if current == values:
            continue
        region = Region(
            code=row.code,
            name=row.name,
            level=row.level,
            parent_id=row.parent,
            urban_rural_code=row.urban_rural_code,
            area_class=row.area_class,
        )
        (to_create if current is None else to_update).append(region)
    total = len(to_create) + len(to_update)
    with transaction.atomic():
        done = 0
        to_create.sort(key=lambda region: (region.level, region.code))
        for start in range(0, len(to_create), batch):
            chunk = to_create[start : start + batch]
            Region.objects.bulk_create(chunk, batch_size=_insert_batch_size())
            done += len(chunk)
            if progress:
                progress(done, total)
        for start in range(0, len(to_update), batch):
            chunk = to_update[start : start + batch]
            Region.objects.bulk_update(
                chunk, ["name", "level", "parent", "urban_rural_code", "area_class"], batch_size=1000
            )
            done += len(chunk)
            if progress:
                progress(done, total)
    result.created = len(to_create)
    result.updated = len(to_update)
    result.seconds = time.perf_counter() - started
    return result


def _insert_batch_size() -> int:
    return 5000 if connection.vendor == "postgresql" else 4000


def load_shipped(province: str | None = None, city: str | None = None, progress=None) -> LoadResult:
    if city and not province:
        province = city[:2]
    return load(shipped_rows(province, city), progress=progress)
