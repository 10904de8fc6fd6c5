"""The rule-kind registry: what a policy rule may say, how its parameters are checked and how it is judged.

A rule kind (规则类型) is code: a code name, a Chinese label, a parameter schema, a description of the facts it needs
and a pure `evaluate(params, facts) -> Verdict` function. A rule (PolicyRule) is data: a kind with parameter values and
the source text they come from, inside a jurisdiction's profile (DESIGN.md §4). The app that owns the facts registers
its kinds with `register(kind)` from its AppConfig.ready(); the kinds whose numbers the presets already hold live in
shegong/policies/kinds/ and are registered by PoliciesConfig.ready().

Numbers are exact: money, shares and hours are Decimal (stored in JSON as text), and a share is compared as the exact
fraction numerator/denominator against the bound, so 65% of 2,400,000 passes a "≥ 65%" rule however it is formatted.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from enum import StrEnum
from fractions import Fraction
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# --- Parameters ------------------------------------------------------------------------------------------------------


class ParamType(StrEnum):
    INT = "int"
    DECIMAL = "decimal"
    PERCENT = "percent"  # stored as the percentage: "65" means 65%
    BOOL = "bool"
    MONEY = "money"  # yuan, two decimals
    DAYS = "days"
    HOURS = "hours"
    YEARS = "years"  # a duration in years
    MONTHS = "months"  # a duration in months
    YEAR = "year"  # a calendar year, e.g. the year by which a target must be met


# Types held as JSON integers; the others (except BOOL) are held as canonical decimal text.
INTEGER_TYPES = {ParamType.INT, ParamType.DAYS, ParamType.YEARS, ParamType.MONTHS, ParamType.YEAR}
DECIMAL_TYPES = {ParamType.DECIMAL, ParamType.PERCENT, ParamType.MONEY, ParamType.HOURS}

UNITS: dict[ParamType, Promise] = {
    ParamType.PERCENT: gettext_lazy("%"),
    ParamType.MONEY: gettext_lazy("元"),
    ParamType.DAYS: gettext_lazy("天"),
    ParamType.HOURS: gettext_lazy("小时"),
    ParamType.YEARS: gettext_lazy("年"),
    ParamType.MONTHS: gettext_lazy("个月"),
}

TYPE_LABELS: dict[ParamType, Promise] = {
    ParamType.INT: gettext_lazy("整数"),
    ParamType.DECIMAL: gettext_lazy("数值"),
    ParamType.PERCENT: gettext_lazy("百分比"),
    ParamType.BOOL: gettext_lazy("是/否"),
    ParamType.MONEY: gettext_lazy("金额（元）"),
    ParamType.DAYS: gettext_lazy("天数"),
    ParamType.HOURS: gettext_lazy("小时数"),
    ParamType.YEARS: gettext_lazy("年数"),
    ParamType.MONTHS: gettext_lazy("月数"),
    ParamType.YEAR: gettext_lazy("年份"),
}

DEFAULT_BOUNDS: dict[ParamType, tuple[Any, Any]] = {
    ParamType.PERCENT: (Decimal(0), Decimal(100)),
    ParamType.MONEY: (Decimal(0), None),
    ParamType.DAYS: (0, None),
    ParamType.HOURS: (Decimal(0), None),
    ParamType.YEARS: (0, None),
    ParamType.MONTHS: (0, None),
    ParamType.YEAR: (1949, 2100),
}

MONEY_STEP = Decimal("0.01")


def canonical_decimal(value: Decimal) -> str:
    """Plain text without exponent or trailing zeros: Decimal('6.5E+1') → '65', Decimal('65.50') → '65.5'."""
    return format(value.normalize(), "f")


def to_decimal(value: Any) -> Decimal:
    """A Decimal from int, Decimal or text; floats go through their shortest repr so 0.1 stays 0.1."""
    if isinstance(value, bool):
        raise InvalidOperation
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        result = Decimal(repr(value))
    elif isinstance(value, str):
        result = Decimal(value.strip().replace(",", ""))
    else:
        raise InvalidOperation
    if not result.is_finite():
        raise InvalidOperation
    return result


@dataclass(frozen=True)
class Param:
    """One parameter of a rule kind."""

    name: str
    label: Promise | str
    type: ParamType
    min: Any = None  # defaults per type (DEFAULT_BOUNDS); percent is always 0..100
    max: Any = None
    required: bool = True
    help_text: Promise | str = ""

    @property
    def unit(self) -> str:
        return str(UNITS.get(self.type, ""))

    @property
    def bounds(self) -> tuple[Any, Any]:
        low, high = DEFAULT_BOUNDS.get(self.type, (None, None))
        return (self.min if self.min is not None else low, self.max if self.max is not None else high)

    def clean(self, raw: Any) -> Any:
        """The stored (JSON) form of a value, or ValidationError with a Chinese message naming the parameter."""
        label = str(self.label)
        if self.type == ParamType.BOOL:
            if isinstance(raw, bool):
                return raw
            if raw in ("true", "True", "1", 1):
                return True
            if raw in ("false", "False", "0", 0):
                return False
            raise ValidationError(_("「%(label)s」只能是“是”或“否”。") % {"label": label}, code="invalid")
        if self.type in INTEGER_TYPES:
            try:
                number = to_decimal(raw)
            except (InvalidOperation, ValueError):
                raise ValidationError(_("「%(label)s」必须是整数。") % {"label": label}, code="invalid") from None
            if number != number.to_integral_value():
                raise ValidationError(_("「%(label)s」必须是整数。") % {"label": label}, code="invalid")
            value: Any = int(number)
        else:
            try:
                value = to_decimal(raw)
            except (InvalidOperation, ValueError):
                raise ValidationError(_("「%(label)s」必须是数字。") % {"label": label}, code="invalid") from None
            if self.type == ParamType.MONEY and value != value.quantize(MONEY_STEP):
                raise ValidationError(_("「%(label)s」最多精确到分（两位小数）。") % {"label": label}, code="invalid")
        low, high = self.bounds
        if low is not None and value < low:
            raise ValidationError(
                _("「%(label)s」不能小于 %(min)s%(unit)s。") % {"label": label, "min": low, "unit": self.unit},
                code="min_value",
            )
        if high is not None and value > high:
            raise ValidationError(
                _("「%(label)s」不能大于 %(max)s%(unit)s。") % {"label": label, "max": high, "unit": self.unit},
                code="max_value",
            )
        if self.type in INTEGER_TYPES:
            return value
        if self.type == ParamType.MONEY:
            return canonical_decimal(value.quantize(MONEY_STEP)) if value else "0"
        return canonical_decimal(value)

    def to_python(self, stored: Any) -> Any:
        if stored is None:
            return None
        if self.type == ParamType.BOOL:
            return bool(stored)
        if self.type in INTEGER_TYPES:
            return int(stored)
        return to_decimal(stored)

    def display(self, stored: Any) -> str:
        """A value with its unit as people read it: "65%", "2,400,000 元", "3 年", "是"."""
        if stored is None or stored == "":
            return "—"
        value = self.to_python(stored)
        if self.type == ParamType.BOOL:
            return str(_("是") if value else _("否"))
        if self.type == ParamType.YEAR:
            return _("%(year)s 年") % {"year": value}
        if self.type == ParamType.PERCENT:
            return f"{canonical_decimal(value)}%"
        if self.type == ParamType.MONEY:
            return f"{format_money(value)} {self.unit}"
        if isinstance(value, int):
            text = str(value) if self.type == ParamType.INT else f"{value:,}"
        else:
            text = canonical_decimal(value)
        return f"{text} {self.unit}".strip()


# --- Facts -----------------------------------------------------------------------------------------------------------


class FactType(StrEnum):
    INT = "int"  # a count: a whole number ≥ 0
    DECIMAL = "decimal"
    MONEY = "money"
    HOURS = "hours"
    DAYS = "days"
    DATE = "date"
    CHOICE = "choice"


class FactError(ValueError):
    """A fact of the wrong type or out of range: a programming error in the caller, not a missing fact."""


@dataclass(frozen=True)
class Fact:
    """One fact a rule kind needs to reach a verdict, supplied by the app that owns it."""

    name: str
    label: Promise | str
    type: FactType
    required: bool = True
    choices: tuple[tuple[str, Promise | str], ...] = ()

    def coerce(self, value: Any) -> Any:
        try:
            if self.type == FactType.INT:
                if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
                    raise FactError
                number = to_decimal(value)
                if number != number.to_integral_value() or number < 0:
                    raise FactError
                return int(number)
            if self.type in (FactType.DECIMAL, FactType.MONEY, FactType.HOURS, FactType.DAYS):
                number = to_decimal(value)
                if number < 0:
                    raise FactError
                return number
            if self.type == FactType.DATE:
                if isinstance(value, datetime.datetime):
                    raise FactError
                if isinstance(value, datetime.date):
                    return value
                return datetime.date.fromisoformat(str(value))
            if self.type == FactType.CHOICE:
                if str(value) not in {code for code, _label in self.choices}:
                    raise FactError
                return str(value)
        except (InvalidOperation, ValueError, TypeError):
            pass
        raise FactError(f"fact {self.name!r} ({self.type}) cannot be {value!r}")

    def choice_label(self, value: str) -> str:
        return str(dict(self.choices).get(value, value))


# --- Verdicts --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    """What a rule says about some facts: passed (True / False / None = 无法判定), the figures used, a message, and
    where the rule comes from (its source text and profile; filled in when a stored rule is evaluated)."""

    kind: str
    label: str
    passed: bool | None
    figures: dict = field(default_factory=dict)
    message: str = ""
    missing: tuple[str, ...] = ()  # names of the facts that were needed but not given
    source_text: str = ""
    profile_id: int | None = None
    profile_name: str = ""
    rule_id: int | None = None

    @property
    def status(self) -> str:
        return {True: "pass", False: "fail", None: "unknown"}[self.passed]

    @property
    def status_label(self) -> str:
        return str({True: _("符合"), False: _("不符合"), None: _("无法判定")}[self.passed])

    def attributed(self, rule) -> Verdict:
        """The same verdict, saying which stored rule (and profile) it came from."""
        return replace(
            self,
            source_text=rule.source_text,
            profile_id=rule.profile_id,
            profile_name=str(rule.profile),
            rule_id=rule.pk,
        )

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "label": self.label,
            "passed": self.passed,
            "status": self.status,
            "figures": {key: json_value(value) for key, value in self.figures.items()},
            "message": self.message,
            "missing": list(self.missing),
            "source_text": self.source_text,
            "profile_id": self.profile_id,
            "profile_name": self.profile_name,
            "rule_id": self.rule_id,
        }


def json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return canonical_decimal(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Fraction):
        return canonical_decimal(ratio_decimal(value))
    return value


# --- Rule kinds ------------------------------------------------------------------------------------------------------

# The apps that supply facts, by the name a RuleKind gives as its owner.
OWNER_LABELS: dict[str, Promise] = {
    "stations": gettext_lazy("站点管理"),
    "projects": gettext_lazy("服务项目"),
    "registries": gettext_lazy("人才登记"),
    "agencies": gettext_lazy("服务机构"),
}

Evaluator = Callable[["RuleKind", Mapping[str, Any], Mapping[str, Any]], Verdict]


@dataclass(frozen=True)
class RuleKind:
    """A kind of rule. `evaluator(kind, params, facts)` receives typed parameters (absent optional ones are None) and
    typed facts (absent optional ones are None) and must be pure: no database, no clock."""

    code: str
    label: Promise | str
    description: Promise | str
    owner: str  # the app that will supply the facts, e.g. "projects"
    params: tuple[Param, ...]
    facts: tuple[Fact, ...]
    evaluator: Evaluator
    # Cross-parameter checks on the typed parameters; raise ValidationError (field-keyed or not).
    check: Callable[[Mapping[str, Any]], None] | None = None

    @property
    def owner_label(self) -> str:
        return str(OWNER_LABELS.get(self.owner, self.owner))

    def param(self, name: str) -> Param:
        for param in self.params:
            if param.name == name:
                return param
        raise KeyError(name)

    def fact(self, name: str) -> Fact:
        for fact in self.facts:
            if fact.name == name:
                return fact
        raise KeyError(name)

    def clean_params(self, raw: Mapping[str, Any] | None) -> dict:
        """Validated parameters in their stored form, or ValidationError keyed by parameter name."""
        raw = dict(raw or {})
        errors: dict[str, list] = {}
        cleaned: dict[str, Any] = {}
        known = {param.name for param in self.params}
        for name in sorted(set(raw) - known):
            errors.setdefault(name, []).append(
                ValidationError(
                    _("「%(kind)s」没有参数“%(name)s”。") % {"kind": self.label, "name": name}, code="unknown"
                )
            )
        for param in self.params:
            value = raw.get(param.name)
            if value is None or value == "":
                if param.required:
                    errors.setdefault(param.name, []).append(
                        ValidationError(_("请填写「%(label)s」。") % {"label": param.label}, code="required")
                    )
                continue
            try:
                cleaned[param.name] = param.clean(value)
            except ValidationError as exc:
                errors.setdefault(param.name, []).extend(exc.error_list)
        if errors:
            raise ValidationError(errors)
        if self.check is not None:
            self.check(self.typed_params(cleaned))
        return cleaned

    def typed_params(self, stored: Mapping[str, Any]) -> dict:
        return {param.name: param.to_python(stored.get(param.name)) for param in self.params}

    def display_params(self, stored: Mapping[str, Any]) -> list[tuple[str, str]]:
        """(label, value with unit) for every parameter that is set, in schema order."""
        return [
            (str(param.label), param.display(stored[param.name]))
            for param in self.params
            if stored.get(param.name) not in (None, "")
        ]

    def evaluate(self, params: Mapping[str, Any], facts: Mapping[str, Any]) -> Verdict:
        """Judge `facts` by a rule of this kind with stored `params`. Missing required facts give 无法判定."""
        missing = [fact for fact in self.facts if fact.required and facts.get(fact.name) is None]
        if missing:
            return self.unknown(missing)
        typed_facts = {
            fact.name: (fact.coerce(facts[fact.name]) if facts.get(fact.name) is not None else None)
            for fact in self.facts
        }
        return self.evaluator(self, self.typed_params(params), typed_facts)

    def verdict(self, passed: bool | None, message: str, **figures) -> Verdict:
        return Verdict(kind=self.code, label=str(self.label), passed=passed, figures=figures, message=message)

    def unknown(self, missing: list[Fact], message: str = "") -> Verdict:
        names = "、".join(str(fact.label) for fact in missing)
        return Verdict(
            kind=self.code,
            label=str(self.label),
            passed=None,
            message=message or _("无法判定：缺少%(facts)s。") % {"facts": names},
            missing=tuple(fact.name for fact in missing),
        )


_KINDS: dict[str, RuleKind] = {}


def register(kind: RuleKind) -> RuleKind:
    """Make a kind available to profiles. Registering the same kind again is harmless (ready() may run twice in
    tests); registering a different kind under a taken code is a programming error."""
    existing = _KINDS.get(kind.code)
    if existing is not None and existing is not kind:
        raise ValueError(f"rule kind {kind.code!r} is already registered by {existing.owner}")
    _KINDS[kind.code] = kind
    return kind


def get(code: str) -> RuleKind:
    try:
        return _KINDS[code]
    except KeyError:
        raise LookupError(f"unknown rule kind {code!r}") from None


def is_registered(code: str) -> bool:
    return code in _KINDS


def all_kinds() -> list[RuleKind]:
    """In registration order, which follows DESIGN.md §3 for the built-in kinds."""
    return list(_KINDS.values())


def kind_label(code: str) -> str:
    kind = _KINDS.get(code)
    return str(kind.label) if kind else code


# --- Exact arithmetic and formatting helpers for evaluators ----------------------------------------------------------

RATIO_PLACES = Decimal("0.000001")


def exact(value: Decimal | int) -> Fraction:
    return Fraction(value)


def _rounded(value: Fraction, places: Decimal, rounding: str) -> Decimal:
    # Exact: scale the fraction, round the integer quotient in the requested direction.
    scaled = value / Fraction(places)
    whole = Decimal(scaled.numerator) / Decimal(scaled.denominator)
    return (whole.to_integral_value(rounding=rounding) * places).normalize()


def ratio_decimal(value: Fraction, rounding: str = ROUND_HALF_EVEN) -> Decimal:
    """A ratio for display and JSON, to six places (0.0001%); comparisons never use this rounded value. Evaluators
    round a failing share away from the bound (down under a minimum, up over a maximum) so a figure that fails never
    reads as equal to the bound."""
    return _rounded(value, RATIO_PLACES, rounding)


def percent_text(value: Fraction, rounding: str = ROUND_HALF_EVEN) -> str:
    """A share given as a ratio (Fraction(17, 25)) as "68%", to two decimals of a percent."""
    return f"{canonical_decimal(_rounded(value * 100, Decimal('0.01'), rounding))}%"


def format_money(value: Decimal) -> str:
    """Yuan with thousands separators and two decimals: 2,400,000.00 (the way amounts are written in both languages)."""
    return f"{value.quantize(MONEY_STEP):,.2f}"
