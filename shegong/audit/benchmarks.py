"""Benchmarks of the audit log: chain verification in bounded memory, and search paging that does not slow down with
depth. Run as `./dev bench audit_verify rows=200000` or `./dev bench audit_search rows=200000`.

The generated entries are written inside a transaction that is rolled back at the end: the log is append-only, so a
benchmark must never leave its synthetic rows in a real database.
"""

import random
import time
import tracemalloc
from contextlib import contextmanager
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from shegong.audit.models import AuditChainHead, AuditEntry
from shegong.audit.selectors import entry_count, entry_page
from shegong.audit.services import GENESIS_HASH, entry_digest
from shegong.audit.verification import verify
from shegong.core.benchmarking import best_ms

ACTIONS = [choice for choice, _label in AuditEntry.Action.choices]
TYPES = ["accounts.user", "agencies.agency", "workers.socialworker", "policies.policyprofile", "refdata.dictionary"]


class Rollback(Exception):
    pass


@contextmanager
def synthetic_log(rows: int, stdout):
    """`rows` valid, chained entries appended after whatever is there; all of it rolled back afterwards."""
    try:
        with transaction.atomic():
            head, _ = AuditChainHead.objects.select_for_update().get_or_create(
                id=1, defaults={"last_sequence": 0, "last_hash": GENESIS_HASH}
            )
            started = time.perf_counter()
            rng = random.Random(2026)
            sequence, previous = head.last_sequence, head.last_hash
            moment = timezone.now() - timedelta(days=365)
            batch = []
            for n in range(rows):
                sequence += 1
                moment += timedelta(seconds=rng.randint(1, 120))
                entry = AuditEntry(
                    sequence=sequence,
                    created_at=moment,
                    actor_username=f"user{rng.randint(1, 500):03d}",
                    action=rng.choice(ACTIONS),
                    object_type=rng.choice(TYPES),
                    object_id=str(rng.randint(1, 50_000)),
                    object_repr=f"对象 {n:07d}",
                    changes={"display_name": ["旧名", f"新名{n}"], "phone": ["138****8000", "139****9000"]},
                    ip=f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
                    user_agent="Mozilla/5.0 (bench)",
                    previous_hash=previous,
                )
                entry.entry_hash = previous = entry_digest(entry)
                batch.append(entry)
                if len(batch) == 5000:
                    AuditEntry.objects.bulk_create(batch)
                    batch = []
            AuditEntry.objects.bulk_create(batch)
            head.last_sequence, head.last_hash = sequence, previous
            head.save(update_fields=["last_sequence", "last_hash"])
            stdout.write(
                f"generated {rows:,} chained entries in {time.perf_counter() - started:.1f} s (rolled back at the end)"
            )
            yield head.last_sequence
            raise Rollback
    except Rollback:
        pass


def measure(function):
    """(seconds, peak traced memory in MiB) of one call."""
    started = time.perf_counter()
    function()
    seconds = time.perf_counter() - started
    tracemalloc.start()
    try:
        function()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return seconds, peak / 2**20


def naive_verify():
    """The obvious way: load the whole log, then walk it."""
    entries = list(AuditEntry.objects.order_by("sequence"))
    previous = GENESIS_HASH
    bad = 0
    for entry in entries:
        bad += entry.previous_hash != previous or entry_digest(entry) != entry.entry_hash
        previous = entry.entry_hash
    return bad


def bench_verify(stdout, rows="200000", chunk="5000"):
    """Chunked chain verification vs loading the whole log: time and peak memory."""
    rows, chunk = int(rows), int(chunk)
    with synthetic_log(rows, stdout):
        total = AuditEntry.objects.count()
        chunked_s, chunked_mb = measure(lambda: verify(chunk_size=chunk))
        problems = verify(chunk_size=chunk).problem_count  # non-zero only if the log was tampered with before
        naive_s, naive_mb = measure(naive_verify)
        stdout.write(f"\n{connection.vendor}, {total:,} entries in the log\n")
        stdout.write(f"{'method':<28}{'seconds':>10}{'entries/s':>12}{'peak MiB':>10}")
        for name, seconds, mib in (
            (f"chunked verify ({chunk:,}/query)", chunked_s, chunked_mb),
            ("naive: load all, then walk", naive_s, naive_mb),
        ):
            stdout.write(f"{name:<28}{seconds:>10.2f}{total / seconds:>12,.0f}{mib:>10.1f}")
        stdout.write(f"memory ratio naive/chunked: {naive_mb / chunked_mb:.1f}x; problems found: {problems}")


def bench_search(stdout, rows="200000"):
    """The audit page's queries: keyset paging vs OFFSET paging at depth, filtered pages, capped count."""
    rows = int(rows)
    with synthetic_log(rows, stdout) as last:
        everything = AuditEntry.objects.order_by("-sequence")
        deep = last - int(rows * 0.9)  # 90 % of the way back
        offset = everything.filter(sequence__gt=deep).count()
        one_actor = everything.filter(actor_username="user042")
        recent = everything.filter(created_at__gte=timezone.now() - timedelta(days=300))
        figures = [
            ("first page, no filter", lambda: entry_page(everything)),
            ("keyset page 90% deep", lambda: entry_page(everything, before=deep)),
            ("OFFSET page 90% deep (naive)", lambda: list(everything[offset : offset + 51])),
            ("actor filter, first page", lambda: entry_page(one_actor)),
            ("actor filter, keyset deep", lambda: entry_page(one_actor, before=deep)),
            ("object type+id filter", lambda: entry_page(everything.filter(object_type=TYPES[1], object_id="77"))),
            ("capped count, last 300 days", lambda: entry_count(recent)),
            ("exact count, last 300 days", lambda: recent.count()),
        ]
        stdout.write(f"\n{connection.vendor}, {AuditEntry.objects.count():,} entries; best of 5, milliseconds\n")
        results = {}
        for name, function in figures:
            results[name] = best_ms(function)
            stdout.write(f"{name:<32}{results[name]:>10.2f}")
        ratio = results["OFFSET page 90% deep (naive)"] / results["keyset page 90% deep"]
        stdout.write(f"deep page, OFFSET/keyset: {ratio:.1f}x")
        exact, capped = results["exact count, last 300 days"], results["capped count, last 300 days"]
        stdout.write(f"count, exact/capped: {exact / capped:.1f}x")


BENCHMARKS = {"audit_verify": bench_verify, "audit_search": bench_search}
