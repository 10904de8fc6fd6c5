"""Optimal matching of residents' pending requests (码上办) to available social workers, all at once.

The station head (or a district bureau) presses one button and every pending request of the station or district is
given to a worker. Doing that one request after another ("give each request the best worker still free") is what
this module deliberately avoids: an early request can take the only worker a later request could have had, and a
greedy loop cannot undo it. Instead the whole batch is one assignment problem, solved exactly.

The model, and why:

* Candidates. A request may go only to a worker of its own district (区县): social work is organised and paid per
  district and a worker does not cross the city for one visit. Within the district three distance tiers exist:
  the worker is the resident social worker of the request's community (驻点社工, 12-digit code in
  `AvailableWorker.communities`), works at a station of the same street (9-digit prefix in `streets`), or only of
  the same district (6-digit prefix in `districts`). A worker who already declined the request (its
  `excluded_workers`) is no candidate for it again, and a worker offers `capacity - open_load` new slots (none when
  that is ≤ 0: no one is pushed above the capacity in the profile).
* Cost of request r going to worker w as his k-th new case, every part in the same "points":
  - distance: 0 same community, 10 same street, 30 same district (`DISTANCE_COST`): the resident social worker
    knows the family and the place, a worker of the street is near;
  - competence: 0 when the request's domain is one of the worker's domains, 40 when it is not (`MISMATCH_COST`,
    dearer than the whole distance scale: a competent worker from the next street beats an incompetent neighbour),
    5 when the resident described the need in free text (`FREE_TEXT_COST`: nobody is known to be better at it; a
    small cost, not zero, so a worker is not tied up by it when a domain request needs him just as much);
  - load: 20 × (open_load + k) / capacity (`LOAD_COST`). The k-th case costs more than the (k-1)-th, i.e. the
    load cost of a worker is convex in the number of cases he gets: work is spread, and a worker at 4/5 is asked
    less readily than a colleague at 1/5.
  Leaving a request unassigned costs `UNASSIGNED_COST` = 1000, more than ten times the dearest assignment (90), so
  the solver leaves a request unassigned only when no candidate slot is left for it (or, in theory, when taking it
  would need more than ten others to move to worse workers).
* Objective: the minimum of the sum over all requests. Because each worker's load cost is convex in k, expanding
  worker w into `free` slots k = 1..free, slot k costing the k-th increment, makes the problem a rectangular
  linear assignment problem, requests × slots, whose optimum is the optimum of the original one (an optimal
  solution always fills a worker's cheaper slots first). A forbidden pair costs 1000 in that matrix, the price of
  "unassigned" (`_solve_group` says why that is exact without extra "unassigned" columns).
* Decomposition: no edge crosses districts, so the problem splits into independent sub-problems, one per group of
  districts linked by workers who serve several of them (usually one district each). Each is solved exactly with
  scipy.optimize.linear_sum_assignment (the Jonker-Volgenant shortest augmenting path algorithm); a province's
  10,000 requests become a few dozen small matrices.
* Determinism: requests and workers are taken in id order whatever order they come in, so the same batch always
  gives the same plan; within a worker the new cases are numbered k = 1, 2 … in request-id order for the reported
  per-match cost (the total does not depend on that order).

`solve_reference` computes the same optimum by an independent route — one linear programme over the whole
province, the min-cost flow request → worker → slot, solved by HiGHS (scipy.optimize.linprog). Its constraint
matrix is a network matrix (totally unimodular), so the LP optimum is the integer optimum. The tests and the
benchmark (`./dev bench requests-matching`) check `solve` against it and against brute force.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np
from django.utils.translation import gettext_lazy as _
from scipy.optimize import linear_sum_assignment, linprog
from scipy.sparse import coo_array

DISTANCE_COST = {"community": 0.0, "street": 10.0, "district": 30.0}
MISMATCH_COST = 40.0
FREE_TEXT_COST = 5.0
LOAD_COST = 20.0
UNASSIGNED_COST = 1000.0

# What the station head reads, by key: translated once per plan (`_words`), not once per match.
WORDS = {
    "community": _("同社区驻点社工"),
    "street": _("同街道"),
    "district": _("同区县"),
    "competent": _("擅长该服务领域"),
    "mismatch": _("非擅长领域"),
    "free_text": _("未指定服务领域"),
    "load": _("当前在办 %(open)d/%(capacity)d"),
    "bad_community": _("社区代码无效"),
    "no_worker": _("本区县暂无可接单社工"),
    "all_declined": _("本区县可接单社工均已谢绝此请求"),
    "full": _("本区县社工接单名额已满"),
}


@dataclass(frozen=True)
class PendingRequest:
    """A request waiting for a worker: where it comes from, what it is about, who already declined it."""

    id: int
    community_code: str  # 12 digits
    domain: str  # a service domain code, "" when the resident wrote free text
    excluded_workers: frozenset[int] = frozenset()


@dataclass(frozen=True)
class AvailableWorker:
    """A social worker who can take requests: where he works, what he is good at, how busy he is."""

    id: int
    domains: frozenset[str]
    communities: frozenset[str]  # 12-digit codes of the communities where he is the resident social worker
    streets: frozenset[str]  # 9-digit street prefixes of his stations
    districts: frozenset[str]  # 6-digit district prefixes
    open_load: int
    capacity: int

    @property
    def free(self) -> int:
        return max(self.capacity - self.open_load, 0)


@dataclass(frozen=True)
class Match:
    request_id: int
    worker_id: int
    cost: float
    reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class MatchPlan:
    """The plan: matches in request-id order, unassigned requests with the reason, and the objective value (the sum
    of the matches' costs plus `UNASSIGNED_COST` per unassigned request)."""

    matches: list[Match]
    unassigned: list[tuple[int, str]]
    total_cost: float

    @property
    def matched_cost(self) -> float:
        """The cost of the matches alone."""
        return sum(match.cost for match in self.matches)


# --- the cost model, one pair at a time (the reference solver and the reasons use it) -------------------------------


def valid_community(code: str) -> bool:
    return isinstance(code, str) and len(code) == 12 and code.isdigit()


def tier(request: PendingRequest, worker: AvailableWorker) -> str | None:
    """How close the worker is to the request's community, or None when he is not a candidate by place."""
    code = request.community_code
    if code in worker.communities:
        return "community"
    if code[:9] in worker.streets:
        return "street"
    if code[:6] in worker.districts:
        return "district"
    return None


def competence_cost(request: PendingRequest, worker: AvailableWorker) -> float:
    if not request.domain:
        return FREE_TEXT_COST
    return 0.0 if request.domain in worker.domains else MISMATCH_COST


def slot_cost(worker: AvailableWorker, k: int) -> float:
    """The load cost of the worker's k-th new case (k = 1 … free)."""
    return LOAD_COST * (worker.open_load + k) / worker.capacity


def pair_cost(request: PendingRequest, worker: AvailableWorker) -> float | None:
    """Distance plus competence cost of giving the request to the worker (his load aside), None if not allowed."""
    if worker.free <= 0 or worker.id in request.excluded_workers or not valid_community(request.community_code):
        return None
    place = tier(request, worker)
    if place is None:
        return None
    return DISTANCE_COST[place] + competence_cost(request, worker)


def reasons_for(request: PendingRequest, worker: AvailableWorker, words: dict | None = None) -> list[str]:
    """Why this worker, in words the station head reads (in the active language; `words` is `_words()` when the
    caller explains many matches and translates once)."""
    words = words or _words()
    if not request.domain:
        competence = words["free_text"]
    elif request.domain in worker.domains:
        competence = words["competent"]
    else:
        competence = words["mismatch"]
    load = words["load"] % {"open": worker.open_load, "capacity": worker.capacity}
    return [words[tier(request, worker)], competence, load]


def _words() -> dict[str, str]:
    """Every reason in the active language."""
    return {key: str(text) for key, text in WORDS.items()}


# --- the solver ------------------------------------------------------------------------------------------------------


def _sorted_unique(items, kind: str):
    ordered = sorted(items, key=lambda item: item.id)
    for before, after in pairwise(ordered):
        if before.id == after.id:
            raise ValueError(f"duplicate {kind} id {after.id}")
    return ordered


def _reach(worker: AvailableWorker) -> set[str]:
    """The districts (6-digit prefixes) where the worker can be a candidate."""
    return set(worker.districts) | {street[:6] for street in worker.streets} | {code[:6] for code in worker.communities}


def solve(requests: Sequence[PendingRequest], workers: Sequence[AvailableWorker]) -> MatchPlan:
    """Assign the requests to the workers at the minimum total cost (see the module docstring for the model)."""
    requests = _sorted_unique(requests, "request")
    workers = _sorted_unique(workers, "worker")

    words = _words()
    unassigned: dict[int, str] = {}
    by_district: dict[str, list[PendingRequest]] = defaultdict(list)
    for request in requests:
        if valid_community(request.community_code):
            by_district[request.community_code[:6]].append(request)
        else:
            unassigned[request.id] = words["bad_community"]

    # Districts linked by a worker who reaches several of them must be solved together (union-find).
    parent: dict[str, str] = {district: district for district in by_district}

    def root(district: str) -> str:
        while parent[district] != district:
            parent[district] = parent[parent[district]]
            district = parent[district]
        return district

    workers_of: dict[str, list[AvailableWorker]] = defaultdict(list)
    for worker in workers:
        if worker.free <= 0 or worker.capacity <= 0:
            continue
        reached = sorted(district for district in _reach(worker) if district in parent)
        if not reached:
            continue
        first = root(reached[0])
        for district in reached[1:]:
            other = root(district)
            if other != first:
                parent[max(first, other)] = min(first, other)
                first = min(first, other)
        workers_of[reached[0]].append(worker)

    groups: dict[str, tuple[list[PendingRequest], list[AvailableWorker]]] = {}
    for district in sorted(by_district):
        groups.setdefault(root(district), ([], []))[0].extend(by_district[district])
    for district, district_workers in workers_of.items():
        groups[root(district)][1].extend(district_workers)

    matches: list[Match] = []
    for group_requests, group_workers in groups.values():
        group_requests.sort(key=lambda request: request.id)
        group_workers.sort(key=lambda worker: worker.id)
        found, left = _solve_group(group_requests, group_workers, words)
        matches.extend(found)
        unassigned.update(left)

    matches.sort(key=lambda match: match.request_id)
    ordered_unassigned = sorted(unassigned.items())
    total = sum(match.cost for match in matches) + UNASSIGNED_COST * len(ordered_unassigned)
    return MatchPlan(matches=matches, unassigned=ordered_unassigned, total_cost=total)


def _solve_group(
    requests: list[PendingRequest], workers: list[AvailableWorker], words: dict
) -> tuple[list[Match], dict[int, str]]:
    """One independent sub-problem: a dense rectangular assignment, requests × workers' slots."""
    n = len(requests)
    if not workers:
        return [], {request.id: words["no_worker"] for request in requests}

    # The rows of each place and domain, so that a worker's column is a few indexed writes, not a scan.
    rows_of: dict[str, list[int]] = defaultdict(list)
    free_text = []
    excluded_rows: dict[int, list[int]] = defaultdict(list)
    for row, request in enumerate(requests):
        code = request.community_code
        rows_of["d" + code[:6]].append(row)
        rows_of["s" + code[:9]].append(row)
        rows_of["c" + code].append(row)
        if request.domain:
            rows_of["t" + request.domain].append(row)
        else:
            free_text.append(row)
        for worker_id in request.excluded_workers:
            excluded_rows[worker_id].append(row)
    index_of = {key: np.array(rows, dtype=np.intp) for key, rows in rows_of.items()}
    empty = np.array([], dtype=np.intp)

    def rows(prefix: str, values) -> np.ndarray:
        found = [index_of[prefix + value] for value in values if prefix + value in index_of]
        return np.concatenate(found) if len(found) > 1 else (found[0] if found else empty)

    blocks: list[np.ndarray] = []
    owners: list[AvailableWorker] = []  # the worker of each slot column
    candidates = np.zeros(n, dtype=bool)  # has any candidate before exclusions
    allowed = np.zeros(n, dtype=bool)  # has any candidate after exclusions
    for worker in workers:
        base = np.full(n, np.inf)
        base[rows("d", worker.districts)] = DISTANCE_COST["district"]
        base[rows("s", worker.streets)] = DISTANCE_COST["street"]
        base[rows("c", worker.communities)] = DISTANCE_COST["community"]
        competence = np.full(n, MISMATCH_COST)
        competence[rows("t", worker.domains)] = 0.0
        competence[free_text] = FREE_TEXT_COST
        base += competence
        reachable = np.isfinite(base)
        candidates |= reachable
        if worker.id in excluded_rows:
            base[excluded_rows[worker.id]] = np.inf
            reachable = np.isfinite(base)
        reach = int(np.count_nonzero(reachable))
        if not reach:
            continue
        allowed |= reachable
        slots = min(worker.free, reach)
        loads = LOAD_COST * (worker.open_load + np.arange(1, slots + 1)) / worker.capacity
        blocks.append(base[:, None] + loads[None, :])
        owners.extend([worker] * slots)

    taken: dict[int, list[PendingRequest]] = defaultdict(list)
    if owners:
        # A forbidden pair costs exactly "unassigned": a request put there counts as unassigned and its slot as
        # unused. Whether there are more requests or more slots, each plan of the original problem corresponds to a
        # full assignment of this matrix whose cost differs by the same constant (U × (requests − slots) when
        # requests are more, 0 otherwise), so the optimum is the same without a block of "unassigned" columns.
        cost = np.hstack(blocks)
        cost[np.isinf(cost)] = UNASSIGNED_COST
        assigned_rows, columns = linear_sum_assignment(cost)
        for row, column in zip(assigned_rows.tolist(), columns.tolist(), strict=True):
            if cost[row, column] < UNASSIGNED_COST:
                taken[owners[column].id].append(requests[row])

    worker_by_id = {worker.id: worker for worker in workers}
    matched = {request.id for got in taken.values() for request in got}
    left: dict[int, str] = {}
    for row, request in enumerate(requests):
        if request.id in matched:
            continue
        if not candidates[row]:
            left[request.id] = words["no_worker"]
        elif not allowed[row]:
            left[request.id] = words["all_declined"]
        else:
            left[request.id] = words["full"]

    matches = []
    for worker_id, got in taken.items():
        worker = worker_by_id[worker_id]
        for k, request in enumerate(sorted(got, key=lambda r: r.id), start=1):
            cost_value = pair_cost(request, worker) + slot_cost(worker, k)
            matches.append(Match(request.id, worker.id, cost_value, reasons_for(request, worker, words)))
    return matches, left


# --- the reference: one linear programme for everything --------------------------------------------------------------


@dataclass(frozen=True)
class ReferenceResult:
    total_cost: float
    assigned: int
    variables: int


def solve_reference(requests: Sequence[PendingRequest], workers: Sequence[AvailableWorker]) -> ReferenceResult:
    """The optimum of the same model by another route: the min-cost flow request → worker → slot → sink written as
    one linear programme over all requests and workers (no decomposition, no slot matrix), solved by HiGHS.

    Variables: x[r, w] ∈ [0, 1] for each allowed pair (cost distance + competence), y[w, k] ∈ [0, 1] for the k-th
    slot of w (cost of that slot's load), u[r] ∈ [0, 1] (cost `UNASSIGNED_COST`). Constraints: Σ_w x[r, w] + u[r] = 1
    for each request, Σ_r x[r, w] - Σ_k y[w, k] = 0 for each worker. The matrix is the incidence matrix of a network
    (totally unimodular), so the LP optimum is integral, i.e. the optimum of the assignment."""
    requests = _sorted_unique(requests, "request")
    workers = _sorted_unique(workers, "worker")
    n_requests, n_workers = len(requests), len(workers)

    # Candidate workers by place, found through plain dictionaries (not the solver's numpy columns).
    by_community: dict[str, list[int]] = defaultdict(list)
    by_street: dict[str, list[int]] = defaultdict(list)
    by_district: dict[str, list[int]] = defaultdict(list)
    for index, worker in enumerate(workers):
        if worker.free <= 0 or worker.capacity <= 0:
            continue
        for code in worker.communities:
            by_community[code].append(index)
        for code in worker.streets:
            by_street[code].append(index)
        for code in worker.districts:
            by_district[code].append(index)

    costs: list[float] = []
    rows: list[int] = []
    columns: list[int] = []
    values: list[float] = []
    degree = [0] * n_workers
    column = 0
    for r, request in enumerate(requests):
        code = request.community_code
        if not valid_community(code):
            continue
        seen = set(by_community.get(code, ())) | set(by_street.get(code[:9], ())) | set(by_district.get(code[:6], ()))
        for w in sorted(seen):
            pair = pair_cost(request, workers[w])
            if pair is None:
                continue
            costs.append(pair)
            rows += [r, n_requests + w]
            columns += [column, column]
            values += [1.0, 1.0]
            degree[w] += 1
            column += 1
    pairs = column
    for w, worker in enumerate(workers):
        for k in range(1, min(worker.free, degree[w]) + 1):
            costs.append(slot_cost(worker, k))
            rows.append(n_requests + w)
            columns.append(column)
            values.append(-1.0)
            column += 1
    for r in range(n_requests):
        costs.append(UNASSIGNED_COST)
        rows.append(r)
        columns.append(column)
        values.append(1.0)
        column += 1

    matrix = coo_array((values, (rows, columns)), shape=(n_requests + n_workers, column)).tocsc()
    right = np.concatenate([np.ones(n_requests), np.zeros(n_workers)])
    result = linprog(np.array(costs), A_eq=matrix, b_eq=right, bounds=(0, 1), method="highs")
    if result.status != 0:
        raise RuntimeError(f"the reference linear programme failed: {result.message}")
    assigned = round(float(result.x[:pairs].sum()))
    return ReferenceResult(total_cost=float(result.fun), assigned=assigned, variables=column)
