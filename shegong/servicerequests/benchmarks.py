"""Benchmark of the matching of residents' requests (码上办): `./dev bench requests-matching`.

A whole province's batch — by default 10,000 pending requests and 5,000 workers over 广东's real districts, streets
and communities (2023 statistical codes: the Region table when it holds the whole province, else the shipped
division files) — is assigned by `matching.solve` (exact assignment per group of districts). The same batch is
solved again by the independent reference, one linear programme over the whole province (`matching.solve_reference`,
HiGHS), and by a greedy loop for comparison. Printed: the solve time (goal ≤ 2 s), the reference time, the total
costs and the gap in % (goal ≤ 1 %; the solver is exact, so the gap is 0 up to rounding), how many requests each
assigned. Options: --requests (10000), --workers (5000), --seed (2026), --repeat (3: the solve time is the best of
that many runs; the first run is reported too).
"""

import random
import time
from collections import defaultdict

from shegong.core.benchmarking import machine

PROVINCE = "44"  # 广东省
DOMAINS = [
    "social_welfare",
    "social_assistance",
    "charity",
    "community_building",
    "marriage_family",
    "mental_health",
    "disability_rehabilitation",
    "education",
    "employment",
    "employee_support",
    "crime_prevention",
    "drug_rehabilitation",
    "correction",
    "health",
    "mediation",
    "emergency",
]  # the 16 service domains (DESIGN §3, seed 000)


def requests_matching(stdout, requests: str = "10000", workers: str = "5000", seed: str = "2026", repeat: str = "3"):
    """Matching of a province's pending requests to its workers (10,000 × 5,000, 广东) against an LP reference."""
    from shegong.servicerequests import matching

    n_requests, n_workers, seed_value, repeats = int(requests), int(workers), int(seed), max(int(repeat), 1)
    write = stdout.write
    communities, source = _communities()
    write(f"requests-matching · {machine()}")
    write(f"广东省: {len(communities):,} communities in {len({c[:6] for c in communities}):,} districts ({source})")

    started = time.perf_counter()
    batch, staff = _generate(communities, n_requests, n_workers, random.Random(seed_value))
    write(
        f"generated {len(batch):,} pending requests and {len(staff):,} workers "
        f"({sum(w.free for w in staff):,} free slots, seed {seed_value}) in {time.perf_counter() - started:.1f} s"
    )

    times = []
    plan = None
    for _ in range(repeats):
        started = time.perf_counter()
        plan = matching.solve(batch, staff)
        times.append(time.perf_counter() - started)
    started = time.perf_counter()
    reference = matching.solve_reference(batch, staff)
    reference_seconds = time.perf_counter() - started

    started = time.perf_counter()
    greedy_cost, greedy_assigned = _greedy(batch, staff)
    greedy_seconds = time.perf_counter() - started

    gap = (plan.total_cost - reference.total_cost) / reference.total_cost * 100 if reference.total_cost else 0.0
    gap = 0.0 if abs(gap) < 1e-9 else gap  # rounding of the two float sums, not a difference
    tiers = defaultdict(int)
    for match in plan.matches:
        tiers[match.reasons[0]] += 1
    write("")
    write(f"{'':24} {'solve':>16} {'reference (LP)':>16} {'greedy':>16}")
    write(f"{'time, s':24} {min(times):>16.3f} {reference_seconds:>16.3f} {greedy_seconds:>16.3f}")
    write(
        f"{'total cost (objective)':24} {plan.total_cost:>16,.3f} {reference.total_cost:>16,.3f} {greedy_cost:>16,.3f}"
    )
    write(f"{'assigned':24} {len(plan.matches):>16,} {reference.assigned:>16,} {greedy_assigned:>16,}")
    write(
        f"{'unassigned':24} {len(plan.unassigned):>16,} {len(batch) - reference.assigned:>16,} "
        f"{len(batch) - greedy_assigned:>16,}"
    )
    write("")
    write(f"solve: best of {repeats} runs {min(times):.3f} s (first run {times[0]:.3f} s); goal ≤ 2 s")
    write(f"reference: one LP of {reference.variables:,} variables over the whole province, {reference_seconds:.3f} s")
    write(f"gap: {gap:.6f} % (goal ≤ 1 %)")
    write(
        f"greedy (each request in turn to its cheapest worker with a free slot, for comparison): "
        f"{(greedy_cost - reference.total_cost) / reference.total_cost * 100:+.2f} % cost, "
        f"{greedy_assigned - len(plan.matches):+,} assigned"
    )
    write("matches by distance: " + ", ".join(f"{name} {count:,}" for name, count in sorted(tiers.items())))
    reasons = defaultdict(int)
    for _request_id, reason in plan.unassigned:
        reasons[reason] += 1
    if reasons:
        write("unassigned because: " + ", ".join(f"{name} {count:,}" for name, count in sorted(reasons.items())))


def _greedy(batch, staff) -> tuple[float, int]:
    """What the matching replaces: each request in id order takes the cheapest worker still free (same cost model,
    same rules). Returns the objective value and how many it assigned."""
    from shegong.servicerequests.matching import UNASSIGNED_COST, pair_cost, slot_cost

    by_district = defaultdict(list)
    for worker in staff:
        for district in worker.districts | {code[:6] for code in worker.streets | worker.communities}:
            by_district[district].append(worker)
    taken = defaultdict(int)
    total, assigned = 0.0, 0
    for request in sorted(batch, key=lambda r: r.id):
        best = None
        for worker in by_district.get(request.community_code[:6], ()):
            if taken[worker.id] >= worker.free:
                continue
            pair = pair_cost(request, worker)
            if pair is None:
                continue
            cost = pair + slot_cost(worker, taken[worker.id] + 1)
            if best is None or (cost, worker.id) < best:
                best = (cost, worker.id)
        if best is None:
            total += UNASSIGNED_COST
        else:
            total += best[0]
            taken[best[1]] += 1
            assigned += 1
    return total, assigned


def _communities() -> tuple[list[str], str]:
    """广东's community codes (level 5), from the Region table if it holds the whole province (every city of it has
    communities: an installation often loads one city only), else from the shipped files."""
    from django.db import DatabaseError

    from shegong.regions.models import Region

    try:
        cities = set(Region.objects.filter(level=2, pk__startswith=PROVINCE).values_list("pk", flat=True))
        codes = list(
            Region.objects.filter(level=5, pk__startswith=PROVINCE).order_by("pk").values_list("pk", flat=True)
        )
    except DatabaseError:
        cities, codes = set(), []
    if cities and {code[:4] for code in codes} == {city[:4] for city in cities}:
        return codes, "Region table"
    from shegong.regions.loading import shipped_rows

    codes = [row.code for row in shipped_rows(province=PROVINCE) if row.level == 5 and row.code.startswith(PROVINCE)]
    return codes, "shipped division files"


def _generate(communities: list[str], n_requests: int, n_workers: int, rng: random.Random):
    """Requests at random communities (10 % free text, 3 % declined once by a worker of the district); workers at
    random communities, the resident social worker of 0-3 communities of their street, 5 % also serving another
    district of their city, 1-4 domains, capacity 3-8 with 0..capacity cases already open."""
    from shegong.servicerequests.matching import AvailableWorker, PendingRequest

    by_street: dict[str, list[str]] = defaultdict(list)
    districts_of_city: dict[str, set[str]] = defaultdict(set)
    for code in communities:
        by_street[code[:9]].append(code)
        districts_of_city[code[:4]].add(code[:6])
    districts_of_city = {city: sorted(districts) for city, districts in districts_of_city.items()}

    staff = []
    workers_of_district: dict[str, list[int]] = defaultdict(list)
    for id in range(1, n_workers + 1):
        home = rng.choice(communities)
        street_communities = by_street[home[:9]]
        served = set(rng.sample(street_communities, min(rng.randint(0, 3), len(street_communities))))
        districts = {home[:6]}
        if rng.random() < 0.05:
            districts.add(rng.choice(districts_of_city[home[:4]]))
        capacity = rng.randint(3, 8)
        staff.append(
            AvailableWorker(
                id=id,
                domains=frozenset(rng.sample(DOMAINS, rng.randint(1, 4))),
                communities=frozenset(served),
                streets=frozenset({home[:9]}),
                districts=frozenset(districts),
                open_load=rng.randint(0, capacity),
                capacity=capacity,
            )
        )
        for district in districts:
            workers_of_district[district].append(id)

    batch = []
    for id in range(1, n_requests + 1):
        code = rng.choice(communities)
        nearby = workers_of_district.get(code[:6])
        declined = frozenset({rng.choice(nearby)}) if nearby and rng.random() < 0.03 else frozenset()
        domain = "" if rng.random() < 0.1 else rng.choice(DOMAINS)
        batch.append(PendingRequest(id=id, community_code=code, domain=domain, excluded_workers=declined))
    return batch, staff


BENCHMARKS = {"requests-matching": requests_matching}
