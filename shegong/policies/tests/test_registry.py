"""The rule-kind registry and the built-in kinds: parameter schemas, exact shares at their boundaries, verdicts."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from shegong.policies import registry
from shegong.policies.kinds import BUILTIN_KINDS
from shegong.policies.kinds.base import add_months, add_years
from shegong.policies.registry import Param, ParamType, RuleKind, Verdict

SHARE_KINDS = {
    # kind: (numerator fact, denominator fact, numerator is a count)
    "labour_cost_share": ("labour_cost", "total_funds", False),
    "professional_staff_share": ("professional_staff", "total_staff", True),
    "certified_post_share": ("certified_posts", "social_work_posts", True),
    "township_station_coverage": ("townships_with_station", "townships", True),
    "community_room_coverage": ("communities_with_room", "communities", True),
}


def errors_of(exc: ValidationError) -> dict[str, list[str]]:
    return {key: [str(message) for message in value] for key, value in exc.message_dict.items()}


def test_every_builtin_kind_is_registered_with_a_label_facts_and_an_owner():
    codes = {kind.code for kind in registry.all_kinds()}
    assert {kind.code for kind in BUILTIN_KINDS} <= codes
    for kind in BUILTIN_KINDS:
        assert str(kind.label) and str(kind.description) and kind.facts
        assert kind.owner in registry.OWNER_LABELS
        assert len({param.name for param in kind.params}) == len(kind.params)


def test_registering_another_kind_under_a_taken_code_is_refused():
    kind = registry.get("labour_cost_share")
    assert registry.register(kind) is kind  # the same kind again is harmless
    impostor = RuleKind("labour_cost_share", "x", "x", "projects", (), (), kind.evaluator)
    with pytest.raises(ValueError, match="already registered"):
        registry.register(impostor)


def test_unknown_kind():
    with pytest.raises(LookupError):
        registry.get("no_such_kind")
    assert registry.kind_label("no_such_kind") == "no_such_kind"


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({}, "amount", "请填写「每站每年经费」。"),
        ({"amount": "abc"}, "amount", "「每站每年经费」必须是数字。"),
        ({"amount": "-1"}, "amount", "「每站每年经费」不能小于 0元。"),
        ({"amount": "2400000.001"}, "amount", "「每站每年经费」最多精确到分（两位小数）。"),
        ({"amount": "2400000", "bonus": 1}, "bonus", "「社工站项目经费标准」没有参数“bonus”。"),
    ],
)
def test_parameter_errors_are_clear_chinese_per_parameter(params, field, message):
    with pytest.raises(ValidationError) as caught:
        registry.get("station_project_amount").clean_params(params)
    assert errors_of(caught.value) == {field: [message]}


def test_percent_integer_and_cross_parameter_errors():
    share = registry.get("labour_cost_share")
    with pytest.raises(ValidationError) as caught:
        share.clean_params({"minimum": "101"})
    assert errors_of(caught.value) == {"minimum": ["「最低比例」不能大于 100%。"]}
    with pytest.raises(ValidationError) as caught:
        share.clean_params({})
    assert caught.value.messages == ["「最低比例」和「最高比例」至少填写一项。"]
    with pytest.raises(ValidationError) as caught:
        share.clean_params({"minimum": "80", "maximum": "70"})
    assert errors_of(caught.value) == {"maximum": ["「最高比例」不能低于「最低比例」。"]}
    presence = registry.get("presence_days_per_week")
    with pytest.raises(ValidationError) as caught:
        presence.clean_params({"minimum_days": "2.5"})
    assert errors_of(caught.value) == {"minimum_days": ["「每周最少天数」必须是整数。"]}
    with pytest.raises(ValidationError) as caught:
        presence.clean_params({"minimum_days": 8})
    assert errors_of(caught.value) == {"minimum_days": ["「每周最少天数」不能大于 7天。"]}
    with pytest.raises(ValidationError) as caught:
        registry.get("staffing_minimum").clean_params({"certified_share": "50"})
    assert caught.value.messages == ["请至少填写一类站点的最少配备人数。"]
    with pytest.raises(ValidationError) as caught:
        registry.get("registration_validity").clean_params(
            {"first_registration_years": 1, "validity_years": 1, "renewal_window_months": 13}
        )
    assert errors_of(caught.value) == {"renewal_window_months": ["「再登记受理期」不能长于「登记有效期」。"]}
    with pytest.raises(ValidationError) as caught:
        registry.get("rating_cutoffs").clean_params(
            {"full_score": 1000, "grade_5": 900, "grade_4": 800, "grade_3": 800, "grade_2": 600, "grade_1": 0}
        )
    assert errors_of(caught.value) == {"grade_3": ["3A 级分数线须低于 4A 级。"]}


def test_parameters_are_stored_canonically_and_displayed_with_units():
    kind = registry.get("labour_cost_share")
    assert kind.clean_params({"minimum": Decimal("65.00")}) == {"minimum": "65"}
    assert kind.clean_params({"minimum": 65.5}) == {"minimum": "65.5"}
    assert kind.clean_params({"minimum": "6.5E+1"}) == {"minimum": "65"}
    amount = registry.get("station_project_amount")
    assert amount.clean_params({"amount": "2,400,000.00"}) == {"amount": "2400000"}
    assert amount.display_params({"amount": "2400000"}) == [("每站每年经费", "2,400,000.00 元")]
    assert registry.get("package_fee_per_person").display_params({"minimum": "163000", "review_period_years": 3}) == [
        ("每人每年不低于", "163,000.00 元"),
        ("调整周期", "3 年"),
    ]
    assert registry.get("certified_post_share").display_params({"minimum": "100", "target_year": 2023}) == [
        ("最低比例", "100%"),
        ("目标年份", "2023 年"),
    ]
    assert Param("flag", "开关", ParamType.BOOL).clean("false") is False
    with pytest.raises(ValidationError):
        Param("flag", "开关", ParamType.BOOL).clean("maybe")


def test_missing_facts_give_no_verdict_and_name_them():
    verdict = registry.get("labour_cost_share").evaluate({"minimum": "65"}, {"labour_cost": "100"})
    assert verdict.passed is None
    assert verdict.status == "unknown" and verdict.status_label == "无法判定"
    assert verdict.missing == ("total_funds",)
    assert verdict.message == "无法判定：缺少项目经费。"


def test_wrong_fact_types_are_programming_errors():
    with pytest.raises(registry.FactError):
        registry.get("professional_staff_share").evaluate(
            {"minimum": "75"}, {"professional_staff": 1.5, "total_staff": 2}
        )
    with pytest.raises(registry.FactError):
        registry.get("staffing_minimum").evaluate({"centre": 2}, {"unit": "palace", "staff": 2})


def test_the_labour_cost_verdict_carries_the_figures_used():
    verdict = registry.get("labour_cost_share").evaluate(
        {"minimum": "65"}, {"labour_cost": Decimal("1632000"), "total_funds": Decimal("2400000")}
    )
    assert verdict.passed is True
    assert verdict.figures == {
        "labour_cost": Decimal("1632000"),
        "total_funds": Decimal("2400000"),
        "share": Decimal("0.68"),
        "minimum": Decimal("0.65"),
    }
    assert verdict.message == "人力成本 1,632,000.00 元 ÷ 项目经费 2,400,000.00 元 = 68%，规定不低于 65%：符合。"
    assert verdict.as_dict()["figures"] == {
        "labour_cost": "1632000",
        "total_funds": "2400000",
        "share": "0.68",
        "minimum": "0.65",
    }


def test_exactly_65_percent_of_2_400_000_passes_and_a_fen_less_fails():
    kind = registry.get("labour_cost_share")
    assert kind.evaluate({"minimum": "65"}, {"labour_cost": "1560000", "total_funds": "2400000"}).passed is True
    below = kind.evaluate({"minimum": "65"}, {"labour_cost": "1559999.99", "total_funds": "2400000"})
    assert below.passed is False
    # A failing share is rounded away from the bound, so it never reads as "65%".
    assert "= 64.99%" in below.message
    # Floats are taken at their shortest repr, so 0.1 + 0.2 style noise does not leak in.
    assert kind.evaluate({"minimum": "30"}, {"labour_cost": 0.3, "total_funds": 1}).passed is True


def test_a_maximum_share_fails_above_and_rounds_up():
    kind = registry.get("labour_cost_share")
    assert kind.evaluate({"maximum": "70"}, {"labour_cost": "70", "total_funds": "100"}).passed is True
    above = kind.evaluate({"maximum": "70"}, {"labour_cost": "70.0001", "total_funds": "100"})
    assert above.passed is False and "= 70.01%" in above.message


def test_a_zero_denominator_cannot_be_judged():
    verdict = registry.get("labour_cost_share").evaluate({"minimum": "65"}, {"labour_cost": 0, "total_funds": 0})
    assert verdict.passed is None and "项目经费为 0" in verdict.message


percentages = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("100"), places=2)
denominators = st.integers(min_value=1, max_value=10**9)


@pytest.mark.parametrize("code", sorted(SHARE_KINDS))
@settings(max_examples=150, deadline=None)
@given(percent=percentages, denominator=denominators)
def test_every_share_rule_at_and_around_its_minimum(code, percent, denominator):
    """numerator = denominator × p% passes "≥ p%" exactly; the smallest step below fails."""
    numerator_fact, denominator_fact, counts = SHARE_KINDS[code]
    kind = registry.get(code)
    params = kind.clean_params({"minimum": percent})
    exact = Decimal(denominator) * percent / 100
    # The least numerator (whole count, or amount in fen) that reaches p%.
    step = Decimal(1) if counts else Decimal("0.01")
    at = exact.quantize(step, rounding="ROUND_CEILING")
    verdict = kind.evaluate(params, {numerator_fact: at, denominator_fact: denominator})
    assert verdict.passed is True, verdict.message
    below = at - step
    if below >= 0:
        verdict = kind.evaluate(params, {numerator_fact: below, denominator_fact: denominator})
        assert verdict.passed is False, verdict.message
        assert f"规定不低于 {registry.canonical_decimal(percent)}%" in verdict.message


@settings(max_examples=200, deadline=None)
@given(percent=percentages, denominator=st.decimals(min_value=Decimal("0.01"), max_value=Decimal(10**10), places=2))
def test_labour_share_at_the_exact_boundary_passes_both_min_and_max(percent, denominator):
    kind = registry.get("labour_cost_share")
    params = kind.clean_params({"minimum": percent, "maximum": percent})
    numerator = denominator * percent / 100  # exact in Decimal: at most 14 significant digits
    assert kind.evaluate(params, {"labour_cost": numerator, "total_funds": denominator}).passed is True
    nudge = Decimal("1E-6")
    assert kind.evaluate(params, {"labour_cost": numerator + nudge, "total_funds": denominator}).passed is False
    assert kind.evaluate(params, {"labour_cost": numerator - nudge, "total_funds": denominator}).passed is False


@settings(max_examples=100, deadline=None)
@given(limit=st.integers(min_value=1, max_value=50), supervisors=st.integers(min_value=0, max_value=40))
def test_supervisor_ratio_boundary(limit, supervisors):
    kind = registry.get("supervisor_ratio")
    params = {"max_supervisees": limit}
    assert kind.evaluate(params, {"supervisors": supervisors, "supervisees": limit * supervisors}).passed is True
    assert kind.evaluate(params, {"supervisors": supervisors, "supervisees": limit * supervisors + 1}).passed is False


@settings(max_examples=100, deadline=None)
@given(fee=st.decimals(min_value=Decimal("1"), max_value=Decimal("1000000"), places=2), posts=st.integers(1, 500))
def test_package_fee_boundary(fee, posts):
    kind = registry.get("package_fee_per_person")
    params = kind.clean_params({"minimum": fee})
    assert kind.evaluate(params, {"annual_funds": fee * posts, "posts": posts}).passed is True
    verdict = kind.evaluate(params, {"annual_funds": fee * posts - Decimal("0.01"), "posts": posts})
    assert verdict.passed is False
    assert verdict.figures["fee_per_person"] < fee  # never displayed as meeting the minimum


def test_staffing_by_unit_and_certified_share():
    kind = registry.get("staffing_minimum")
    chongqing = {"centre": 2, "street_station": 2, "township_station": 1, "urban_community": 2, "rural_community": 1}
    assert kind.evaluate(chongqing, {"unit": "township_station", "staff": 1}).passed is True
    street = kind.evaluate(chongqing, {"unit": "street_station", "staff": 1})
    assert street.passed is False
    assert street.message == "街道社会工作站配备专职社会工作者 1 名，规定至少 2 名：不符合。"
    zhejiang = {"urban_community": 2, "rural_community": 1, "target_year": 2022}
    unknown = kind.evaluate(zhejiang, {"unit": "centre", "staff": 5})
    assert unknown.passed is None and "未规定区县社会工作指导中心" in unknown.message
    certified = {**chongqing, "certified_share": "50"}
    assert kind.evaluate(certified, {"unit": "centre", "staff": 2}).missing == ("certified_staff",)
    assert kind.evaluate(certified, {"unit": "centre", "staff": 2, "certified_staff": 1}).passed is True
    assert kind.evaluate(certified, {"unit": "centre", "staff": 3, "certified_staff": 1}).passed is False


def test_continuing_education_by_certificate_level():
    kind = registry.get("continuing_education_hours")
    params = kind.clean_params({"assistant_hours": 72, "intermediate_hours": 90, "senior_hours": 90, "period_years": 3})
    assert kind.evaluate(params, {"certificate_level": "assistant", "hours": 72}).passed is True
    verdict = kind.evaluate(params, {"certificate_level": "intermediate", "hours": Decimal("89.5")})
    assert verdict.passed is False
    assert verdict.message == "社会工作师在 3 年登记有效期内接受继续教育 89.5 小时，规定不少于 90 小时：不符合。"
    assert kind.evaluate(params, {"certificate_level": "senior", "hours": 90}).figures["minimum"] == 90


def test_registration_validity_dates():
    kind = registry.get("registration_validity")
    params = {"first_registration_years": 1, "validity_years": 3, "renewal_window_months": 3}
    day = datetime.date
    not_yet = kind.evaluate(params, {"certificate_date": day(2024, 6, 30), "as_of": day(2025, 6, 29)})
    assert not_yet.passed is True and not_yet.figures["first_registration_deadline"] == day(2025, 6, 30)
    late = kind.evaluate(params, {"certificate_date": day(2024, 6, 30), "as_of": day(2025, 6, 30)})
    assert late.passed is False
    facts = {"certificate_date": day(2020, 1, 1), "registered_on": day(2023, 2, 28)}
    valid = kind.evaluate(params, {**facts, "as_of": day(2025, 11, 27)})
    assert valid.passed is True
    assert valid.figures["expires_on"] == day(2026, 2, 28) and valid.figures["renewal_opens_on"] == day(2025, 11, 28)
    assert "再登记受理期自 2025-11-28 起" in valid.message
    assert "已进入再登记受理期" in kind.evaluate(params, {**facts, "as_of": day(2025, 11, 28)}).message
    assert kind.evaluate(params, {**facts, "as_of": day(2026, 2, 28)}).passed is False


def test_rating_validity_cutoffs_and_county_agencies():
    validity = registry.get("rating_validity")
    rated = {"rated_on": datetime.date(2021, 3, 1)}
    assert validity.evaluate({"validity_years": 5}, {**rated, "as_of": datetime.date(2026, 2, 28)}).passed is True
    assert validity.evaluate({"validity_years": 5}, {**rated, "as_of": datetime.date(2026, 3, 1)}).passed is False
    cutoffs = registry.get("rating_cutoffs")
    params = cutoffs.clean_params(
        {"full_score": 1000, "grade_5": 900, "grade_4": 800, "grade_3": 700, "grade_2": 600, "grade_1": 0}
    )
    verdict = cutoffs.evaluate(params, {"score": "799.5", "required_grade": "3"})
    assert verdict.figures["grade"] == 3 and verdict.passed is True
    assert cutoffs.evaluate(params, {"score": "699", "required_grade": "3"}).passed is False
    county = registry.get("county_rated_agencies")
    params = {"minimum_agencies": 2, "minimum_grade": 3, "target_year": 2025}
    assert county.evaluate(params, {"rated_agencies": 2}).passed is True
    assert "2025 年底前目标" in county.evaluate(params, {"rated_agencies": 1}).message


def test_social_work_post_share_with_tolerance():
    kind = registry.get("social_work_post_share")
    assert kind.evaluate({"target": "70"}, {"social_work_posts": 7, "technical_posts": 10}).passed is True
    assert kind.evaluate({"target": "70"}, {"social_work_posts": 68, "technical_posts": 100}).passed is False
    loose = kind.clean_params({"target": "70", "tolerance": "5"})
    assert kind.evaluate(loose, {"social_work_posts": 65, "technical_posts": 100}).passed is True
    with pytest.raises(ValidationError):
        kind.clean_params({"target": "3", "tolerance": "5"})


def test_verdict_attribution():
    class FakeRule:
        source_text = "依据"
        profile_id = 7
        profile = "某规则集"
        pk = 3

    verdict = Verdict(kind="k", label="K", passed=True).attributed(FakeRule())
    assert (verdict.source_text, verdict.profile_id, verdict.profile_name, verdict.rule_id) == (
        "依据",
        7,
        "某规则集",
        3,
    )


def test_calendar_arithmetic_clamps_to_month_end():
    assert add_months(datetime.date(2024, 1, 31), 1) == datetime.date(2024, 2, 29)
    assert add_months(datetime.date(2024, 3, 31), -1) == datetime.date(2024, 2, 29)
    assert add_years(datetime.date(2024, 2, 29), 1) == datetime.date(2025, 2, 28)
    assert add_months(datetime.date(2025, 12, 15), 1) == datetime.date(2026, 1, 15)


def test_verdicts_and_labels_speak_english_when_asked():
    from django.utils import translation

    with translation.override("en"):
        kind = registry.get("labour_cost_share")
        verdict = kind.evaluate({"minimum": "65"}, {"labour_cost": "1560000", "total_funds": "2400000"})
        assert verdict.label == "Labour cost share of project funds"
        assert verdict.message == (
            "Labour cost 1,560,000.00 yuan ÷ Project funds 2,400,000.00 yuan = 65%, required at least 65%: Met."
        )
        with pytest.raises(ValidationError) as caught:
            kind.clean_params({"minimum": "x"})
        assert caught.value.message_dict == {"minimum": ["“Minimum share” must be a number."]}
