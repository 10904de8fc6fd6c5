"""Counting the shipped CSV files directly, as the reference the loader's results are compared with."""

import gzip
from collections import Counter
from functools import cache

from shegong.regions.loading import DATA_DIR, LEVEL_FILES


@cache
def _codes(level: int) -> tuple[str, ...]:
    with gzip.open(DATA_DIR / LEVEL_FILES[level], "rt", encoding="utf-8") as handle:
        next(handle)
        return tuple(line.split(",", 1)[0] for line in handle)


def csv_codes(level: int, head: str = "") -> list[str]:
    return [code for code in _codes(level) if code.startswith(head)]


def csv_counts(head: str) -> Counter:
    """Rows per level of the files under a 2- or 4-digit prefix (levels 1-2: the whole country, as loaded)."""
    return Counter({level: len(csv_codes(level, "" if level < 3 else head)) for level in LEVEL_FILES})
