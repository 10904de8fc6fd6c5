"""The fact and indicator catalogue.

Each app that has something to count declares it in its own `facts.py`, next to the records it counts:
- FACTS: what is counted (a `Fact`: code, name, unit, whether it is a stock or a flow, its dimensions);
- SOURCES: how records contribute to facts — a `RowSource` for facts read straight off one row (a service event, a
  certificate), an `EntitySource` for judgements that need a computation (a station meeting its staffing standard);
- INDICATORS: numerator / denominator over facts (`Indicator`, `Measure`), summed separately over the region subtree
  and period, then divided, then times a factor (never an average of ratios).

`collect()` reads every installed app's facts.py once at start-up; `maintenance` keeps the aggregates current from
the SOURCES, and `figures` evaluates the INDICATORS.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import import_module

from django.apps import apps
from django.db.models import Expression, F, Q, Value
from django.utils.functional import Promise


@dataclass(frozen=True)
class Fact:
    """Something counted. A flow (服务人次, requests received) is summed over a period; a stock (certified workers,
    stations) is the sum of every change up to a date: +1 when a thing begins, −1 when it ends."""

    code: str
    name: Promise | str
    unit: Promise | str = ""  # e.g. _("人次"); empty shows no unit
    stock: bool = False
    # Stored values are integers (exact on every database): a fact in hours with scale 100 stores hundredths.
    scale: int = 1
    # Names of the dimensions (e.g. 服务领域, 服务类型); values are codes, `dim_labels` turns them into names.
    dims: tuple = ()
    dim_labels: Callable[[int], dict] | None = None  # dimension index (0 or 1) -> {code: label}
    # A judgement recomputed as of today (no history): read as of any date it gives today's state.
    snapshot: bool = False


@dataclass(frozen=True)
class Contribution:
    fact: str
    region_code: str  # 12-digit code of the most specific region known (a community when there is one)
    day: datetime.date
    value: int
    dim: str = ""
    dim2: str = ""


def _expression(value) -> Expression:
    if isinstance(value, Expression) or hasattr(value, "resolve_expression"):
        return value
    if isinstance(value, str) and value:
        return F(value)
    return Value(value)


@dataclass(frozen=True)
class RowSource:
    """Rows of `model` matching `when` contribute `value` to `fact` on `day` in `region`.

    The same declaration serves the live maintenance (the row's contribution before and after each write), the
    rebuild (one GROUP BY over the table) and verify. Paths are ORM lookups from `model` (strings) or expressions.
    `watch` names other models whose writes change these rows' contributions, with the lookup from `model` to that
    model's primary key (e.g. ("workers.SocialWorker", "worker") when the region comes from the worker)."""

    fact: str
    model: str  # "app_label.ModelName"
    region: object  # path or expression giving the 12-digit region code
    day: object  # path or expression giving a date
    value: object = 1
    dim: object = ""
    dim2: object = ""
    when: Q = field(default_factory=Q)
    watch: tuple = ()

    @property
    def key(self) -> str:
        return f"{self.model}:{self.fact}:{id(self)}"

    def model_class(self):
        return apps.get_model(self.model)

    def annotations(self) -> dict:
        return {
            "_a_region": _expression(self.region),
            "_a_day": _expression(self.day),
            "_a_value": _expression(self.value),
            "_a_dim": _expression(self.dim),
            "_a_dim2": _expression(self.dim2),
        }


@dataclass(frozen=True)
class EntitySource:
    """Judgements about entities of `model` (a station, a project) computed in Python by `compute(ids)`, which returns
    {entity id: [Contribution, …]} for the ids that contribute. `watch` is a tuple of (model label, function from an
    instance of that model to the entity ids it affects); the entity model itself is always watched."""

    name: str
    model: str
    facts: tuple
    compute: Callable[[list], dict]
    watch: tuple = ()
    batch_size: int = 500

    def model_class(self):
        return apps.get_model(self.model)


@dataclass(frozen=True)
class Measure:
    """One side of an indicator.

    kind "sum": the fact summed over the region subtree (over the period for a flow, up to the period's end for a
    stock), optionally restricted to dimension values. kind "regions": how many regions of `level` the subtree has
    (from the division table). kind "regions_meeting": how many regions of `level` in the subtree have the fact (as a
    stock, restricted like "sum") at or above `threshold`. kind "median": the median of a histogram fact whose first
    dimension is the bucket's upper bound (an integer written with leading zeros)."""

    fact: str = ""
    kind: str = "sum"
    dim: tuple = ()
    dim2: tuple = ()
    level: int | None = None
    threshold: int = 1


@dataclass(frozen=True)
class Indicator:
    code: str
    name: Promise | str
    section: Promise | str
    numerator: Measure
    denominator: Measure | None = None
    factor: float = 1
    unit: Promise | str = ""
    decimals: int = 0
    # How a value over a long period is formed from its months: "sum" (flows), "last" (stocks: the value at the end),
    # "average" (the mean of the monthly values).
    time_aggregation: str = "sum"
    higher_is_better: bool = True
    description: Promise | str = ""
    source: Promise | str = ""  # the policy text or rule the indicator answers (cite the seed)
    # Which dimension of the numerator's fact a breakdown chart shows (0 or 1), if any.
    breakdown: int | None = None
    key: bool = False  # shown on the landing panel


@dataclass
class Catalogue:
    facts: dict = field(default_factory=dict)
    row_sources: list = field(default_factory=list)
    entity_sources: list = field(default_factory=list)
    indicators: dict = field(default_factory=dict)


CATALOGUE = Catalogue()


def collect() -> Catalogue:
    """Read every installed app's facts.py (once)."""
    if CATALOGUE.facts:
        return CATALOGUE
    for config in apps.get_app_configs():
        try:
            module = import_module(f"{config.name}.facts")
        except ModuleNotFoundError as error:
            if error.name != f"{config.name}.facts":
                raise
            continue
        register(
            facts=getattr(module, "FACTS", ()),
            sources=getattr(module, "SOURCES", ()),
            indicators=getattr(module, "INDICATORS", ()),
        )
    return CATALOGUE


def register(*, facts: Iterable[Fact] = (), sources: Iterable = (), indicators: Iterable[Indicator] = ()) -> None:
    for fact in facts:
        if fact.code in CATALOGUE.facts:
            raise ValueError(f"fact {fact.code} is declared twice")
        CATALOGUE.facts[fact.code] = fact
    for source in sources:
        if isinstance(source, RowSource):
            CATALOGUE.row_sources.append(source)
        elif isinstance(source, EntitySource):
            CATALOGUE.entity_sources.append(source)
        else:
            raise TypeError(f"not a source: {source!r}")
    for indicator in indicators:
        if indicator.code in CATALOGUE.indicators:
            raise ValueError(f"indicator {indicator.code} is declared twice")
        CATALOGUE.indicators[indicator.code] = indicator


def fact(code: str) -> Fact:
    try:
        return CATALOGUE.facts[code]
    except KeyError:
        raise KeyError(f"no fact {code!r}: declare it in an app's facts.py") from None


def indicator(code: str) -> Indicator:
    return CATALOGUE.indicators[code]


def indicators() -> list[Indicator]:
    return list(CATALOGUE.indicators.values())


def key_indicators() -> list[Indicator]:
    return [item for item in CATALOGUE.indicators.values() if item.key]


# Judgements (EntitySource facts with snapshot=True) are dated here: read as of any later date they give the state of
# the last recomputation.
SNAPSHOT_DAY = datetime.date(2000, 1, 1)
