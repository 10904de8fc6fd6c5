"""The arithmetic of an evaluation, in exact decimals (no floats anywhere).

- An item's weight in the whole tree (its effective weight, in % of 100) is the product of the weights down its path:
  dimension % × indicator % × item % / 100².
- A rater group's score (0–100) is Σ (score / max points) × effective weight over the items that group scores,
  divided by the sum of those items' effective weights (renormalised: a group that scores half the tree is still
  marked out of 100). Several evaluators of one group: each item's fraction is the mean of their fractions.
- The overall score is Σ group weight % × group score / 100, over the groups of the template.
- Only the shown figures are rounded (2 places, half up); the overall score is computed from unrounded group scores.
- The grade is the first band (highest minimum first) whose minimum the rounded total reaches.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext

HUNDRED = Decimal(100)
ZERO = Decimal(0)
CENT = Decimal("0.01")
PRECISION = 40


def round2(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Node:
    id: int
    parent_id: int | None
    level: int
    weight: Decimal
    max_points: Decimal | None = None
    name: str = ""


def effective_weights(nodes: Iterable[Node]) -> dict[int, Decimal]:
    """{item id: effective weight in % of the whole tree}."""
    by_id = {node.id: node for node in nodes}
    found = {}
    with localcontext() as context:
        context.prec = PRECISION
        for node in by_id.values():
            if node.level != 3:
                continue
            weight, current = Decimal(1), node
            while current is not None:
                weight *= current.weight / HUNDRED
                current = by_id.get(current.parent_id) if current.parent_id else None
            found[node.id] = weight * HUNDRED
    return found


def group_score(fractions: Mapping[int, Decimal], weights: Mapping[int, Decimal]) -> Decimal | None:
    """The group's score out of 100 from {item id: fraction 0..1} over the items it scores (unrounded); None when
    the items carry no weight at all."""
    with localcontext() as context:
        context.prec = PRECISION
        total_weight = sum((weights[item] for item in fractions), ZERO)
        if total_weight == 0:
            return None
        earned = sum((fraction * weights[item] for item, fraction in fractions.items()), ZERO)
        return earned / total_weight * HUNDRED


def mean(values: Iterable[Decimal]) -> Decimal | None:
    values = list(values)
    if not values:
        return None
    with localcontext() as context:
        context.prec = PRECISION
        return sum(values, ZERO) / len(values)


def overall(scores: Mapping[str, Decimal], group_weights: Mapping[str, Decimal]) -> Decimal:
    """Σ group weight % × group score / 100 (the group weights add up to 100, checked on the template)."""
    with localcontext() as context:
        context.prec = PRECISION
        return sum((group_weights[kind] * score / HUNDRED for kind, score in scores.items()), ZERO)


def grade(total: Decimal, bands: list[dict]) -> str:
    """The label of the first band (highest minimum first) whose minimum `total` reaches; "" with no band."""
    for band in sorted(bands, key=lambda band: Decimal(str(band["minimum"])), reverse=True):
        if total >= Decimal(str(band["minimum"])):
            return str(band["label"])
    return ""


def weight_problems(siblings: Mapping[str, list[Decimal]]) -> dict[str, Decimal]:
    """{where: sum − 100} for each group of siblings whose weights do not add up to 100."""
    off = {}
    for where, weights in siblings.items():
        total = sum(weights, ZERO)
        if total != HUNDRED:
            off[where] = total - HUNDRED
    return off
