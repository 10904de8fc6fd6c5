"""The arithmetic (hypothesis): effective weights, group scores within bounds and renormalised, overall totals,
rounding and grades — exact decimals."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from shegong.evaluations import scoring
from shegong.evaluations.presets import BANDS

weights = st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=6).filter(lambda w: sum(w) > 0)
fractions = st.decimals(min_value=0, max_value=1, places=4)


def to_hundred(raw: list[int]) -> list[Decimal]:
    """Integer parts scaled to add up to exactly 100 (two places; the last one takes the rest)."""
    total = sum(raw)
    scaled = [(Decimal(100) * value / total).quantize(Decimal("0.01"), rounding="ROUND_DOWN") for value in raw]
    scaled[-1] += Decimal(100) - sum(scaled)
    return scaled


@st.composite
def trees(draw):
    nodes, next_id = [], 1
    for dimension_weight in to_hundred(draw(weights)):
        dimension = scoring.Node(next_id, None, 1, dimension_weight)
        nodes.append(dimension)
        next_id += 1
        for indicator_weight in to_hundred(draw(weights)):
            indicator = scoring.Node(next_id, dimension.id, 2, indicator_weight)
            nodes.append(indicator)
            next_id += 1
            for item_weight in to_hundred(draw(weights)):
                nodes.append(scoring.Node(next_id, indicator.id, 3, item_weight, Decimal(10)))
                next_id += 1
    return nodes


@given(trees())
def test_effective_weights_of_a_balanced_tree_add_up_to_100(nodes):
    assert sum(scoring.effective_weights(nodes).values()) == Decimal(100)


@given(trees(), st.data())
def test_group_score_is_within_0_and_100_and_full_marks_give_100(nodes, data):
    weights_of = scoring.effective_weights(nodes)
    items = [item for item, weight in weights_of.items() if weight > 0]
    if not items:
        return
    chosen = data.draw(st.lists(st.sampled_from(items), min_size=1, unique=True))
    given_fractions = {item: data.draw(fractions) for item in chosen}
    score = scoring.group_score(given_fractions, weights_of)
    assert Decimal(0) <= score <= Decimal(100)
    assert scoring.group_score(dict.fromkeys(chosen, Decimal(1)), weights_of) == Decimal(100)
    assert scoring.group_score(dict.fromkeys(chosen, Decimal(0)), weights_of) == Decimal(0)
    # Renormalised: one item scored alone is marked out of 100 whatever its weight.
    assert scoring.group_score({chosen[0]: Decimal("0.5")}, weights_of) == Decimal(50)


@given(weights, st.data())
def test_overall_is_the_weighted_mean_of_group_scores(raw, data):
    group_weights = {f"g{index}": weight for index, weight in enumerate(to_hundred(raw))}
    scores = {kind: data.draw(st.decimals(min_value=0, max_value=100, places=2)) for kind in group_weights}
    total = scoring.overall(scores, group_weights)
    assert min(scores.values()) <= total <= max(scores.values())
    same = data.draw(st.decimals(min_value=0, max_value=100, places=2))
    assert scoring.overall(dict.fromkeys(group_weights, same), group_weights) == same


@given(st.decimals(min_value=0, max_value=100, places=6))
def test_rounding_and_grades(value):
    rounded = scoring.round2(value)
    assert abs(rounded - value) <= Decimal("0.005")
    grade = scoring.grade(rounded, BANDS)
    expected = "优秀" if rounded >= 90 else "良好" if rounded >= 80 else "合格" if rounded >= 60 else "不合格"
    assert grade == expected


def test_half_up_at_the_band_edge():
    assert scoring.round2(Decimal("89.995")) == Decimal("90.00")
    assert scoring.grade(scoring.round2(Decimal("89.995")), BANDS) == "优秀"
    assert scoring.grade(Decimal("89.99"), BANDS) == "良好"


def test_weights_off_report_the_difference():
    assert scoring.weight_problems({"a": [Decimal(60), Decimal(30)], "b": [Decimal(100)]}) == {"a": Decimal(-10)}
