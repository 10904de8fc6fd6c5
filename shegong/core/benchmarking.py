"""What the apps' benchmarks (`<app>/benchmarks.py`, run as `./dev bench <name>`) share: the database and machine
they ran on, a fresh scratch database to run in, and timing helpers.

Figures are only comparable with the setting they were measured in, so every report starts with `header_lines()`.
"""

import os
import platform
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from django.db import connection


def vendor() -> str:
    """The database product and version, e.g. "PostgreSQL 16.4" or "SQLite 3.45.1"."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0].split()[0]}"
        cursor.execute("SELECT sqlite_version()")
        return f"SQLite {cursor.fetchone()[0]}"


def machine() -> str:
    return f"{os.cpu_count()} CPUs, {platform.system()} {platform.machine()}, Python {platform.python_version()}"


@contextmanager
def fresh_database(name: str):
    """A freshly migrated database for the benchmark `name`, dropped afterwards: Django's test database machinery
    under another name (a temporary file for SQLite, so the figures are those of a real deployment, not memory;
    `<database>_bench_<name>` on PostgreSQL). Yields the description of where the benchmark runs."""
    settings = connection.settings_dict
    original = settings["NAME"]
    scratch = None
    if connection.vendor == "sqlite":
        scratch = tempfile.mkdtemp(prefix=f"shegong-bench-{name}-")
        settings.setdefault("TEST", {})["NAME"] = str(Path(scratch) / f"{name}.sqlite3")
    else:
        settings.setdefault("TEST", {})["NAME"] = f"{original}_bench_{name}"
    sys.stderr.write("creating a fresh database and migrating it …\n")
    created = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        yield f"a fresh {connection.vendor} database ({created})"
    finally:
        connection.creation.destroy_test_db(original, verbosity=0)
        if scratch:
            for path in Path(scratch).glob("*"):
                path.unlink()
            Path(scratch).rmdir()


def median_ms(function, repeat: int) -> float:
    """Median wall-clock milliseconds of `repeat` calls."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def best_ms(function, repeat: int = 5) -> float:
    """Fastest wall-clock milliseconds of `repeat` calls."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - started)
    return best * 1000
