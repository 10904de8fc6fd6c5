"""Which rules are in force where and when: rule-level inheritance over the region's ancestors and the nation."""

import datetime

import pytest

from shegong.policies import selectors
from shegong.policies.models import PolicyProfile, PolicyRule

pytestmark = pytest.mark.django_db

STREET = "440104003000"  # 北京街道, 越秀区, 广州市
COMMUNITY = "440104003104"  # 流水井社区居委会
DAY_2017 = datetime.date(2017, 6, 1)
DAY_2019 = datetime.date(2019, 6, 1)


def amount(region, on):
    return selectors.rules_in_force(region, on)["station_project_amount"].params["amount"]


def test_a_street_in_guangzhou_gets_guangzhou_money_rules_and_national_others():
    rules = selectors.rules_in_force(STREET, DAY_2019)
    assert rules["station_project_amount"].params == {"amount": "2400000"}
    assert rules["labour_cost_share"].params == {"minimum": "65"}
    assert rules["labour_cost_share"].profile.preset == "guangzhou-2018"
    assert rules["continuing_education_hours"].profile.preset == "national"
    assert rules["registration_validity"].profile.region_id is None
    # Nothing from other provinces leaks in.
    assert "professional_staff_share" not in rules and "package_fee_per_person" not in rules


def test_the_date_picks_the_period():
    assert amount(STREET, DAY_2017) == "2000000"
    assert amount(STREET, DAY_2019) == "2400000"
    # valid_to is exclusive: the new amount holds from 2018-01-01 itself.
    assert amount("4401", datetime.date(2017, 12, 31)) == "2000000"
    assert amount("4401", datetime.date(2018, 1, 1)) == "2400000"
    # Before 2018 Guangzhou had no 65% rule, so none is in force.
    assert "labour_cost_share" not in selectors.rules_in_force(STREET, DAY_2017)
    assert selectors.profile_in_force(COMMUNITY, DAY_2017).preset == "guangzhou-2011"


def test_before_any_profile_nothing_is_in_force():
    assert selectors.rules_in_force(STREET, datetime.date(2000, 1, 1)) == {}
    assert selectors.profile_in_force(STREET, datetime.date(2000, 1, 1)) is None


def test_rule_level_inheritance_through_a_province_profile():
    """A 广东 profile that sets only training hours: Guangzhou keeps its own money rules, gains Guangdong's training
    rule, and still inherits the nation's registration rule; the city's own rule wins over the province's."""
    guangdong = PolicyProfile.objects.create(
        name="广东省", region_id="440000000000", valid_from=datetime.date(2015, 1, 1)
    )
    PolicyRule.objects.create(profile=guangdong, kind="frontline_training_hours", params={"minimum_hours": "60"})
    PolicyRule.objects.create(profile=guangdong, kind="labour_cost_share", params={"minimum": "50"})
    rules = selectors.rules_in_force(STREET, DAY_2019)
    assert rules["frontline_training_hours"].profile == guangdong
    assert rules["labour_cost_share"].params == {"minimum": "65"}  # the city's, nearer than the province's
    assert rules["registration_validity"].profile.preset == "national"
    # In 2017 Guangzhou's old profile has no share rule, so the province's applies.
    assert selectors.rules_in_force(STREET, DAY_2017)["labour_cost_share"].profile == guangdong
    # The nearest profile in force: the city's own where it has one; Shenzhen's before its 2020 profile is 广东's.
    assert selectors.profile_in_force(STREET, DAY_2019).preset == "guangzhou-2018"
    assert selectors.profile_in_force("4403", datetime.date(2019, 1, 1)) == guangdong
    assert selectors.profile_in_force("4403", datetime.date(2021, 1, 1)).preset == "shenzhen-2020"


def test_a_district_profile_overrides_only_what_it_sets():
    yuexiu = PolicyProfile.objects.create(name="越秀区", region_id="440104000000", valid_from=datetime.date(2019, 1, 1))
    PolicyRule.objects.create(profile=yuexiu, kind="presence_days_per_week", params={"minimum_days": 4})
    rules = selectors.rules_in_force(STREET, DAY_2019)
    assert rules["presence_days_per_week"].params == {"minimum_days": 4}
    assert rules["station_project_amount"].profile.preset == "guangzhou-2018"
    # A sibling district is untouched.
    assert selectors.rules_in_force("440105000000", DAY_2019)["presence_days_per_week"].params == {"minimum_days": 3}


def test_resolution_costs_a_fixed_number_of_queries(django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        rules = selectors.rules_in_force(COMMUNITY, DAY_2019)
        [rule.profile.name for rule in rules.values()]


def test_evaluate_uses_the_rule_in_force_and_says_where_it_comes_from():
    facts = {"labour_cost": "1632000", "total_funds": "2400000"}
    verdict = selectors.evaluate("labour_cost_share", STREET, DAY_2019, facts)
    assert verdict.passed is True
    assert verdict.profile_name == "广州市（2018年起）"
    assert "人员支出比例不能低于65%" in verdict.source_text
    assert selectors.evaluate("labour_cost_share", STREET, DAY_2017, facts) is None


def test_codes_are_accepted_short_or_long_and_unknown_ones_refused():
    assert selectors.place("4401").code == "440100000000"
    assert selectors.place("440104003").level == 4
    for bad in ("44010", "abc", "990000000000"):
        with pytest.raises(selectors.UnknownRegion):
            selectors.place(bad)
