"""`./dev bench policies-in-force`: resolving the rules in force for a community, the way later apps will for every
project, station or worker they judge, against the naive way (walk up the parents one query at a time, then ask each
level for its profile and each profile for its rules).

    ./dev bench policies-in-force                      # 1,000 communities of 广州市 in a fresh database
    DATABASE_URL=postgres://… ./dev bench policies-in-force --lookups 2000 --periods 30

The database holds the presets plus, for realism, a profile for every district of 广州市 and for every tenth street,
each with `periods` consecutive yearly validity periods (so the date filter has history to skip), and two rules each.
"""

import datetime
import random
import statistics
import sys
import time

from django.db import connection, transaction
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from shegong.core.benchmarking import fresh_database, machine, vendor
from shegong.policies import selectors
from shegong.policies.models import PolicyProfile, PolicyRule

SEED = 11
ON = datetime.date(2026, 6, 1)


def _generate(periods: int) -> int:
    from shegong.regions.models import Region

    regions = list(Region.objects.filter(code__startswith="4401", level=3).values_list("code", flat=True))
    streets = Region.objects.filter(code__startswith="4401", level=4).order_by("code")
    streets = list(streets.values_list("code", flat=True))
    regions += streets[::10]
    first_year = ON.year - periods + 1
    profiles = [
        PolicyProfile(
            name=f"{code}-{year}",
            region_id=code,
            valid_from=datetime.date(year, 1, 1),
            valid_to=datetime.date(year + 1, 1, 1) if year < ON.year else None,
        )
        for code in regions
        for year in range(first_year, ON.year + 1)
    ]
    with transaction.atomic():
        PolicyProfile.objects.bulk_create(profiles, batch_size=2000)
        rules = []
        for profile in PolicyProfile.objects.filter(region_id__in=regions, preset=""):
            rules.append(PolicyRule(profile=profile, kind="presence_days_per_week", params={"minimum_days": 3}))
            rules.append(PolicyRule(profile=profile, kind="supervisor_ratio", params={"max_supervisees": 15}))
        PolicyRule.objects.bulk_create(rules, batch_size=5000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return len(profiles)


def naive_rules_in_force(code: str, on: datetime.date) -> dict:
    """The obvious way: a recursive walk up the parents, one profile query per level, one rule query per profile."""
    from shegong.regions.models import Region

    chain = []
    region = Region.objects.get(pk=code)
    while region is not None:
        chain.append(region)
        region = region.parent  # one query per level
    in_force = Q(valid_from__lte=on) & (Q(valid_to__isnull=True) | Q(valid_to__gt=on))
    profiles = [PolicyProfile.objects.filter(in_force, region=region).first() for region in chain]
    profiles.append(PolicyProfile.objects.filter(in_force, region__isnull=True).first())
    chosen = {}
    for profile in profiles:
        if profile is None:
            continue
        for rule in profile.rules.all():
            chosen.setdefault(rule.kind, rule)
    return chosen


def _measure(function, codes, repeat: int) -> tuple[float, float]:
    """Median milliseconds per lookup over `repeat` passes, and queries per lookup."""
    passes = []
    for _ in range(repeat):
        started = time.perf_counter()
        for code in codes:
            function(code, ON)
        passes.append((time.perf_counter() - started) * 1000 / len(codes))
    with CaptureQueriesContext(connection) as captured:
        function(codes[0], ON)
    return statistics.median(passes), len(captured.captured_queries)


def _run(stdout, lookups: int, periods: int, repeat: int, where: str) -> None:
    from shegong.policies.presets import install_presets
    from shegong.regions.loading import load_shipped
    from shegong.regions.models import Region

    sys.stderr.write("loading the divisions of 广州市 …\n")
    load_shipped(city="4401")
    install_presets()
    count = _generate(periods)
    communities = list(Region.objects.filter(code__startswith="4401", level=5).values_list("code", flat=True))
    codes = random.Random(SEED).sample(communities, min(lookups, len(communities)))
    # Same answers both ways, or the comparison means nothing.
    for code in codes[:50]:
        ours = {kind: rule.pk for kind, rule in selectors.rules_in_force(code, ON).items()}
        naive = {kind: rule.pk for kind, rule in naive_rules_in_force(code, ON).items()}
        assert ours == naive, (code, ours, naive)
    ours_ms, ours_queries = _measure(selectors.rules_in_force, codes, repeat)
    naive_ms, naive_queries = _measure(naive_rules_in_force, codes, repeat)
    write = stdout.write
    write(f"policies-in-force: {len(codes):,} communities of 广州市, {count:,} generated profiles, in {where}")
    write(f"database   {vendor()}")
    write(f"machine    {machine()}")
    write(f"median of {repeat} passes, milliseconds per lookup")
    write("")
    write(f"{'way':<44}{'ms/lookup':>11}{'queries':>9}")
    write(f"{'rules_in_force (code prefix, 3 queries)':<44}{ours_ms:>11.2f}{ours_queries:>9}")
    write(f"{'naive (parent walk, query per level)':<44}{naive_ms:>11.2f}{naive_queries:>9}")
    write(f"{'ratio naive / ours':<44}{naive_ms / ours_ms:>11.1f}")


def policies_in_force(stdout, lookups: str = "1000", periods: str = "20", repeat: str = "3") -> None:
    """Rules in force for communities (rule-level inheritance by code prefix) against a recursive parent walk."""
    with fresh_database("policies") as where:
        _run(stdout, int(lookups), int(periods), int(repeat), where)


BENCHMARKS = {"policies-in-force": policies_in_force}
