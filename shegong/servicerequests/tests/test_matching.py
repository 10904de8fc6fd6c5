"""The matching of pending requests to workers: optimal (checked against brute force and against the independent
linear programme), within the rules (capacity, exclusions, districts), deterministic, explained. No database."""

import itertools
import random

import pytest

from shegong.servicerequests.matching import (
    UNASSIGNED_COST,
    AvailableWorker,
    MatchPlan,
    PendingRequest,
    solve,
    solve_reference,
)

DISTRICTS = ["440104", "440105"]
DOMAINS = ["elderly", "children", "disability"]


def community(district: str, street: int, number: int) -> str:
    return f"{district}{street:03d}{number:03d}"


def worker(id, *, domains=(), communities=(), streets=(), districts=(), open_load=0, capacity=3):
    return AvailableWorker(
        id=id,
        domains=frozenset(domains),
        communities=frozenset(communities),
        streets=frozenset(streets),
        districts=frozenset(districts),
        open_load=open_load,
        capacity=capacity,
    )


# --- the model written out again, independently of the module, for brute force -------------------------------------


def expected_pair_cost(request: PendingRequest, w: AvailableWorker):
    """Distance + competence per the documented model (0/10/30; 0/40, free text 5), None when not a candidate."""
    code = request.community_code
    if w.id in request.excluded_workers:
        return None
    if code in w.communities:
        distance = 0
    elif code[:9] in w.streets:
        distance = 10
    elif code[:6] in w.districts:
        distance = 30
    else:
        return None
    if not request.domain:
        return distance + 5
    return distance + (0 if request.domain in w.domains else 40)


def load_cost(w: AvailableWorker, taken: int) -> float:
    """20 × (open_load + k) / capacity summed over k = 1..taken."""
    return sum(20 * (w.open_load + k) / w.capacity for k in range(1, taken + 1))


def brute_force(requests, workers) -> float:
    """Every assignment (each request to a candidate worker or to nobody) within the free slots; the cheapest."""
    options = []
    for request in requests:
        choices = [None]
        for index, w in enumerate(workers):
            if w.capacity - w.open_load > 0 and expected_pair_cost(request, w) is not None:
                choices.append(index)
        options.append(choices)
    best = float("inf")
    for choice in itertools.product(*options):
        counts = [0] * len(workers)
        total = 0.0
        for request, index in zip(requests, choice, strict=True):
            if index is None:
                total += 1000
            else:
                counts[index] += 1
                total += expected_pair_cost(request, workers[index])
        if any(count > max(w.capacity - w.open_load, 0) for count, w in zip(counts, workers, strict=True)):
            continue
        total += sum(load_cost(w, count) for w, count in zip(workers, counts, strict=True))
        best = min(best, total)
    return best


def random_case(rng: random.Random, max_requests: int, max_workers: int, districts=DISTRICTS, streets=2, places=2):
    """Requests and workers over a few districts, streets and communities; some free text, some declines, some
    workers reaching two districts, capacities 0-3 with loads that may already fill them."""
    workers = []
    for id in range(1, rng.randint(1, max_workers) + 1):
        home = rng.choice(districts)
        street = f"{home}{rng.randint(1, streets):03d}"
        reach = {home} | ({rng.choice(districts)} if rng.random() < 0.2 else set())
        capacity = rng.randint(0, 3)
        workers.append(
            worker(
                id * 10,
                domains=rng.sample(DOMAINS, rng.randint(0, 2)),
                communities={f"{street}{rng.randint(1, places):03d}"} if rng.random() < 0.6 else set(),
                streets={street} if rng.random() < 0.8 else set(),
                districts=reach,
                open_load=rng.randint(0, capacity + 1) if rng.random() < 0.3 else 0,
                capacity=capacity,
            )
        )
    requests = []
    for id in range(1, rng.randint(1, max_requests) + 1):
        declined = frozenset(w.id for w in workers if rng.random() < 0.15)
        requests.append(
            PendingRequest(
                id=id * 7,
                community_code=community(rng.choice(districts), rng.randint(1, streets), rng.randint(1, places)),
                domain=rng.choice([*DOMAINS, ""]),
                excluded_workers=declined,
            )
        )
    return requests, workers


def assert_valid(plan: MatchPlan, requests, workers) -> None:
    by_request = {r.id: r for r in requests}
    by_worker = {w.id: w for w in workers}
    assigned = [m.request_id for m in plan.matches]
    left = [request_id for request_id, _reason in plan.unassigned]
    assert sorted(assigned + left) == sorted(by_request), "every request exactly once"
    counts: dict[int, int] = {}
    for match in plan.matches:
        request, w = by_request[match.request_id], by_worker[match.worker_id]
        counts[w.id] = counts.get(w.id, 0) + 1
        assert w.id not in request.excluded_workers, "a worker who declined is never asked again"
        assert expected_pair_cost(request, w) is not None, "never across districts or outside the worker's reach"
        assert match.reasons and all(isinstance(reason, str) and reason for reason in match.reasons)
    for worker_id, count in counts.items():
        w = by_worker[worker_id]
        assert w.open_load + count <= w.capacity, "capacity never exceeded"
    assert all(reason for _id, reason in plan.unassigned)
    assert plan.total_cost == pytest.approx(plan.matched_cost + UNASSIGNED_COST * len(plan.unassigned))
    recomputed = sum(expected_pair_cost(by_request[m.request_id], by_worker[m.worker_id]) for m in plan.matches)
    recomputed += sum(load_cost(by_worker[w], count) for w, count in counts.items())
    assert plan.matched_cost == pytest.approx(recomputed), "each match's cost is the model's"


def test_optimal_against_brute_force_on_many_small_cases():
    rng = random.Random(20261122)
    checked = 0
    for _ in range(400):
        requests, workers = random_case(rng, max_requests=6, max_workers=4)
        plan = solve(requests, workers)
        assert_valid(plan, requests, workers)
        assert plan.total_cost == pytest.approx(brute_force(requests, workers), abs=1e-9)
        checked += 1
    assert checked == 400


def test_reference_linear_programme_agrees_on_medium_cases():
    rng = random.Random(6)
    districts = ["440103", "440104", "440105", "440106"]
    for _ in range(15):
        requests, workers = random_case(rng, 80, 40, districts=districts, streets=4, places=5)
        plan = solve(requests, workers)
        assert_valid(plan, requests, workers)
        reference = solve_reference(requests, workers)
        assert plan.total_cost == pytest.approx(reference.total_cost, abs=1e-6)
        assert len(plan.matches) == reference.assigned


def test_reference_agrees_with_brute_force_on_small_cases():
    rng = random.Random(11)
    for _ in range(60):
        requests, workers = random_case(rng, max_requests=5, max_workers=3)
        assert solve_reference(requests, workers).total_cost == pytest.approx(brute_force(requests, workers))


def test_not_greedy_the_first_request_does_not_take_the_only_worker_the_second_can_have():
    near = community("440104", 3, 1)
    a = worker(1, domains={"elderly"}, communities={near}, streets={"440104003"}, districts={"440104"}, capacity=1)
    b = worker(2, domains={"elderly"}, districts={"440104"}, capacity=1)
    first = PendingRequest(1, near, "elderly")  # best with a (same community), could go to b
    second = PendingRequest(2, near, "elderly", excluded_workers=frozenset({2}))  # only a
    plan = solve([first, second], [a, b])
    assert {(m.request_id, m.worker_id) for m in plan.matches} == {(1, 2), (2, 1)}
    assert plan.unassigned == []


def test_work_is_spread_between_equal_workers():
    place = community("440104", 3, 1)
    workers = [worker(id, domains={"elderly"}, districts={"440104"}, capacity=5) for id in (1, 2)]
    requests = [PendingRequest(id, place, "elderly") for id in (1, 2, 3, 4)]
    plan = solve(requests, workers)
    assert sorted(m.worker_id for m in plan.matches) == [1, 1, 2, 2]


def test_competence_beats_being_next_door_and_load_matters():
    place = community("440104", 3, 1)
    neighbour = worker(1, domains={"children"}, communities={place}, districts={"440104"}, capacity=4)
    expert = worker(2, domains={"elderly"}, streets={"440104003"}, districts={"440104"}, capacity=4)
    plan = solve([PendingRequest(1, place, "elderly")], [neighbour, expert])
    assert [m.worker_id for m in plan.matches] == [2]
    busy_expert = worker(2, domains={"elderly"}, districts={"440104"}, open_load=3, capacity=4)
    plan = solve([PendingRequest(1, place, "")], [neighbour, busy_expert])
    assert [m.worker_id for m in plan.matches] == [1]


def test_never_across_districts_even_when_the_district_has_nobody():
    plan = solve([PendingRequest(1, community("440105", 1, 1), "elderly")], [worker(1, districts={"440104"})])
    assert plan.matches == []
    assert plan.unassigned == [(1, "本区县暂无可接单社工")]
    assert plan.total_cost == UNASSIGNED_COST


def test_full_workers_and_capacity_zero_are_not_candidates():
    place = community("440104", 1, 1)
    full = worker(1, districts={"440104"}, open_load=3, capacity=3)
    over = worker(2, districts={"440104"}, open_load=5, capacity=3)
    none = worker(3, districts={"440104"}, capacity=0)
    plan = solve([PendingRequest(1, place, "")], [full, over, none])
    assert plan.matches == [] and plan.unassigned == [(1, "本区县暂无可接单社工")]


def test_unassigned_reasons():
    place = community("440104", 1, 1)
    only = worker(9, districts={"440104"}, capacity=1)
    plan = solve(
        [
            PendingRequest(1, place, "elderly"),
            PendingRequest(2, place, "elderly"),  # the one slot went to request 1 (tie: the lower id)
            PendingRequest(3, place, "", excluded_workers=frozenset({9})),
            PendingRequest(4, "4401", ""),
        ],
        [only],
    )
    assert [(m.request_id, m.worker_id) for m in plan.matches] == [(1, 9)]
    assert dict(plan.unassigned) == {
        2: "本区县社工接单名额已满",
        3: "本区县可接单社工均已谢绝此请求",
        4: "社区代码无效",
    }


def test_a_worker_serving_two_districts_is_shared_between_them():
    w = worker(5, domains={"elderly"}, districts={"440104", "440105"}, capacity=1)
    near = worker(6, domains={"elderly"}, districts={"440105"}, capacity=1)
    requests = [
        PendingRequest(1, community("440104", 1, 1), "elderly"),
        PendingRequest(2, community("440105", 1, 1), ""),
    ]
    plan = solve(requests, [w, near])
    assert {(m.request_id, m.worker_id) for m in plan.matches} == {(1, 5), (2, 6)}
    plan = solve(requests, [w])
    assert len(plan.matches) == 1 and len(plan.unassigned) == 1


def test_reasons_explain_each_match():
    place = community("440104", 3, 1)
    resident = worker(1, domains={"elderly"}, communities={place}, districts={"440104"}, open_load=2, capacity=5)
    street = worker(2, domains={"children"}, streets={"440104003"}, districts={"440104"}, capacity=5)
    district = worker(3, districts={"440104"}, capacity=5)
    plan = solve([PendingRequest(1, place, "elderly")], [resident])
    assert plan.matches[0].reasons == ["同社区驻点社工", "擅长该服务领域", "当前在办 2/5"]
    assert plan.matches[0].cost == pytest.approx(0 + 0 + 20 * 3 / 5)
    plan = solve([PendingRequest(1, place, "elderly")], [street])
    assert plan.matches[0].reasons == ["同街道", "非擅长领域", "当前在办 0/5"]
    plan = solve([PendingRequest(1, place, "")], [district])
    assert plan.matches[0].reasons == ["同区县", "未指定服务领域", "当前在办 0/5"]


def test_reasons_follow_the_active_language():
    from django.utils import translation

    place = community("440104", 3, 1)
    with translation.override("en"):
        plan = solve([PendingRequest(1, place, "")], [worker(1, districts={"440104"})])
    assert all(isinstance(reason, str) for reason in plan.matches[0].reasons)


def test_tie_breaking_is_deterministic_whatever_the_input_order():
    rng = random.Random(3)
    for _ in range(30):
        requests, workers = random_case(rng, 12, 6, streets=1, places=1)
        plan = solve(requests, workers)
        shuffled_requests, shuffled_workers = requests[:], workers[:]
        rng.shuffle(shuffled_requests)
        rng.shuffle(shuffled_workers)
        assert solve(shuffled_requests, shuffled_workers) == plan
    place = community("440104", 1, 1)
    twins = [worker(2, districts={"440104"}, capacity=1), worker(1, districts={"440104"}, capacity=1)]
    plan = solve([PendingRequest(1, place, "")], twins)
    assert [m.worker_id for m in plan.matches] == [1], "equal workers: the lower id"


def test_empty_inputs_and_duplicate_ids():
    assert solve([], []) == MatchPlan(matches=[], unassigned=[], total_cost=0.0)
    assert solve([], [worker(1, districts={"440104"})]).matches == []
    with pytest.raises(ValueError, match="duplicate request id 1"):
        solve([PendingRequest(1, community("440104", 1, 1), "")] * 2, [])
    with pytest.raises(ValueError, match="duplicate worker id 3"):
        solve([], [worker(3), worker(3)])


def test_the_plan_is_immutable():
    plan = solve([PendingRequest(1, community("440104", 1, 1), "")], [worker(1, districts={"440104"})])
    with pytest.raises(AttributeError):
        plan.total_cost = 0
    with pytest.raises(AttributeError):
        plan.matches[0].worker_id = 2
