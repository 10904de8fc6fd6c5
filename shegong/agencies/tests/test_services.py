"""The agency register's rules: the credit code checksum, ratings against the cut-offs and validity of the policy
profile in force, the rating and the status on any date, the contractability check, scope and audit of each write."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import uscc

from shegong.agencies import rules, selectors, services
from shegong.agencies.fields import pinyin_initials
from shegong.agencies.models import Agency, AgencyStatus
from shegong.agencies.tests.conftest import bad_code, code, days_ago
from shegong.agencies.validators import validate_credit_code
from shegong.audit.models import AuditEntry
from shegong.policies.models import PolicyProfile, PolicyRule
from shegong.regions.models import Region

pytestmark = pytest.mark.django_db

YUEXIU = "440104000000"
HAIZHU = "440105000000"


def create(world, actor=None, serial=1000, region=YUEXIU, **extra):
    values = {
        "name": "广州市越秀区测试社会工作服务中心",
        "credit_code": code(serial),
        "legal_form": Agency.LegalForm.SOCIAL_SERVICE,
        "region": Region.objects.get(pk=region),
        "registration_authority": "广州市越秀区民政局",
        **extra,
    }
    return services.agency_create(actor=actor or world.city_admin, **values)


# --- 统一社会信用代码 --------------------------------------------------------------------------------------------


def test_a_credit_code_with_a_wrong_check_character_is_refused(world):
    with pytest.raises(ValidationError) as caught:
        create(world, credit_code=bad_code(1000))
    assert "统一社会信用代码" in str(caught.value) and "校验位" in str(caught.value)
    assert not Agency.objects.filter(credit_code=bad_code(1000)).exists()


@given(st.from_regex(r"[0-9]{8}[0-9A-HJ-NPQRTUWXY]{9}", fullmatch=True))
def test_the_validator_accepts_exactly_the_codes_whose_check_character_matches(body):
    # Every 17-character body has exactly one valid check character (GB 32100 mod 31), so one typo is always caught.
    right = body + uscc.calc_check_digit(body)
    validate_credit_code(right)
    for wrong in "0123456789ABCDEFGHJKLMNPQRTUWXY".replace(right[-1], ""):
        with pytest.raises(ValidationError):
            validate_credit_code(body + wrong)


def test_a_credit_code_is_registered_once_and_typed_loosely(world):
    agency = create(world, credit_code=" " + code(1001).lower() + " ")
    assert agency.credit_code == code(1001)
    with pytest.raises(ValidationError) as caught:
        create(world, serial=1001, name="另一家")
    assert "已登记" in str(caught.value)


# --- Create and update -----------------------------------------------------------------------------------------------


def test_create_derives_province_and_pinyin_sets_domains_and_audits(world, domains):
    agency = create(world, service_domains=domains[:2], contact_phone="138-0013-8000", founded_on=days_ago(800))
    agency.refresh_from_db()
    assert agency.province_code == "44"
    assert agency.name_initials == "gzsyxqcsshgzfwzx"
    assert agency.contact_phone == "13800138000"
    assert set(agency.service_domains.all()) == set(domains[:2])
    entry = AuditEntry.objects.get(action="create", object_type="agencies.agency", object_id=str(agency.pk))
    assert entry.changes["credit_code"] == [None, agency.credit_code]
    assert entry.changes["service_domains"][1] == "测试救助、测试婚姻家庭"
    assert "13800138000" not in str(entry.changes)  # phones stay masked in the log


def test_pinyin_initials_read_polyphonic_characters_by_word():
    assert pinyin_initials("重庆长者服务中心") == "cqzzfwzx"  # 重 chóng, 长 zhǎng
    assert pinyin_initials("长沙银行") == "csyh"  # 长 cháng, 行 háng
    assert pinyin_initials("广州（ABC）社工 2号") == "gzabcsg2h"


def test_a_region_outside_the_actors_scope_is_refused(world):
    with pytest.raises(ValidationError) as caught:
        create(world, actor=world.district_a_admin, region=HAIZHU)
    assert "不在您的管辖范围内" in str(caught.value)
    assert create(world, actor=world.district_a_admin).region_id == YUEXIU


def test_users_without_the_permission_cannot_register(world):
    for user in (world.station_head_a, world.agency_admin_a, world.worker_b, world.no_role):
        with pytest.raises(PermissionDenied):
            create(world, actor=user)


def test_a_founding_date_in_the_future_is_refused(world, today):
    with pytest.raises(ValidationError) as caught:
        create(world, founded_on=today + datetime.timedelta(days=1))
    assert "成立日期不能晚于今天" in str(caught.value)


def test_update_is_scoped_and_audited_and_the_agency_admin_cannot_move_the_agency(world, domains):
    agency = world.agency_a
    services.agency_update(
        actor=world.agency_admin_a, agency=agency, contact_person="李四", service_domains=[domains[2]]
    )
    agency.refresh_from_db()
    assert agency.contact_person == "李四"
    assert list(agency.service_domains.all()) == [domains[2]]
    entry = AuditEntry.objects.filter(action="update", object_id=str(agency.pk)).latest("sequence")
    assert entry.changes["contact_person"] == ["", "李四"]
    with pytest.raises(ValidationError):
        services.agency_update(actor=world.agency_admin_a, agency=agency, region=Region.objects.get(pk=HAIZHU))
    with pytest.raises(PermissionDenied):
        services.agency_update(actor=world.district_b_admin, agency=agency, contact_person="王五")
    with pytest.raises(PermissionDenied):
        services.agency_update(actor=world.agency_admin_a, agency=world.agency_b, contact_person="王五")


def test_a_phone_change_hidden_by_the_mask_is_still_visible_in_the_log(world):
    services.agency_update(actor=world.city_admin, agency=world.agency_a, contact_phone="13800138000")
    services.agency_update(actor=world.city_admin, agency=world.agency_a, contact_phone="13811118000")
    entry = AuditEntry.objects.filter(action="update", object_id=str(world.agency_a.pk)).latest("sequence")
    assert entry.changes["contact_phone"][1].endswith("(已修改)")


# --- Ratings ---------------------------------------------------------------------------------------------------------


def test_a_score_that_disagrees_with_the_national_cutoffs_is_refused_with_the_range_needed(world):
    with pytest.raises(ValidationError) as caught:
        services.agency_rate(
            actor=world.city_admin,
            agency=world.agency_a,
            level=5,
            score=850,
            rated_on=days_ago(10),
            source_document="公告",
        )
    message = caught.value.message_dict["score"][0]
    assert "得分 850 与等级 5A 不符" in message and "900 分及以上" in message and "对应 4A" in message
    with pytest.raises(ValidationError) as caught:
        services.agency_rate(
            actor=world.city_admin,
            agency=world.agency_a,
            level=2,
            score="700",
            rated_on=days_ago(10),
            source_document="公告",
        )
    assert "600 分至不足 700 分" in caught.value.message_dict["score"][0]
    with pytest.raises(ValidationError) as caught:
        services.agency_rate(
            actor=world.city_admin,
            agency=world.agency_a,
            level=5,
            score=1001,
            rated_on=days_ago(10),
            source_document="公告",
        )
    assert "0 至 1000" in caught.value.message_dict["score"][0]
    assert not world.agency_a.ratings.exists()


def test_a_rating_holds_five_years_and_is_cached_for_the_lists(world):
    rated_on = datetime.date(2019, 6, 1)
    rating = services.agency_rate(
        actor=world.city_admin,
        agency=world.agency_a,
        level=4,
        score=Decimal("856.5"),
        rated_on=rated_on,
        source_document="穗民〔2019〕1号",
    )
    assert rating.valid_until == datetime.date(2024, 6, 1)
    assert selectors.rating_in_force(world.agency_a, datetime.date(2024, 5, 31)) == rating
    assert selectors.rating_in_force(world.agency_a, datetime.date(2024, 6, 1)) is None
    assert selectors.rating_in_force(world.agency_a, datetime.date(2019, 5, 31)) is None
    world.agency_a.refresh_from_db()
    assert world.agency_a.latest_rating_level == 4
    assert world.agency_a.current_rating_level(datetime.date(2024, 5, 31)) == 4
    assert world.agency_a.current_rating_level(datetime.date(2024, 6, 1)) is None
    entry = AuditEntry.objects.get(object_type="agencies.agencyrating", object_id=str(rating.pk))
    assert "有效期 5 年" in entry.note


def test_a_newer_rating_replaces_the_older_one_from_its_date(world):
    first = services.agency_rate(
        actor=world.city_admin, agency=world.agency_a, level=3, score=720, rated_on=days_ago(1000), source_document="甲"
    )
    second = services.agency_rate(
        actor=world.city_admin, agency=world.agency_a, level=2, score=650, rated_on=days_ago(100), source_document="乙"
    )
    assert selectors.rating_in_force(world.agency_a, days_ago(101)) == first
    assert selectors.rating_in_force(world.agency_a, days_ago(100)) == second
    world.agency_a.refresh_from_db()
    assert world.agency_a.current_rating_level() == 2
    # Recording an older rating afterwards does not displace the latest one.
    services.agency_rate(
        actor=world.city_admin, agency=world.agency_a, level=1, score=500, rated_on=days_ago(2000), source_document="丙"
    )
    world.agency_a.refresh_from_db()
    assert world.agency_a.current_rating_level() == 2
    with pytest.raises(ValidationError):
        services.agency_rate(
            actor=world.city_admin,
            agency=world.agency_a,
            level=1,
            score=500,
            rated_on=days_ago(100),
            source_document="丁",
        )


def test_the_cutoffs_and_validity_of_the_regions_profile_apply_on_the_rating_date(world):
    profile = PolicyProfile.objects.create(name="越秀区测试评估办法", region_id=YUEXIU, valid_from=days_ago(365))
    PolicyRule.objects.create(
        profile=profile,
        kind="rating_cutoffs",
        params={"full_score": 1000, "grade_5": 950, "grade_4": 900, "grade_3": 850, "grade_2": 800, "grade_1": 500},
    )
    PolicyRule.objects.create(profile=profile, kind="rating_validity", params={"validity_years": 3})
    policy = rules.rating_policy(YUEXIU, days_ago(10))
    assert (policy.validity_years, policy.cutoffs[5], policy.cutoffs_source) == (3, 950, "越秀区测试评估办法")
    with pytest.raises(ValidationError) as caught:
        services.agency_rate(
            actor=world.city_admin,
            agency=world.agency_a,
            level=5,
            score=920,
            rated_on=days_ago(10),
            source_document="甲",
        )
    assert "越秀区测试评估办法" in str(caught.value) and "950 分及以上" in str(caught.value)
    rating = services.agency_rate(
        actor=world.city_admin, agency=world.agency_a, level=5, score=960, rated_on=days_ago(10), source_document="甲"
    )
    assert rating.valid_until == datetime.date(days_ago(10).year + 3, days_ago(10).month, days_ago(10).day)
    # Before the profile took effect the national defaults applied: 920 was a 5A then.
    older = services.agency_rate(
        actor=world.city_admin, agency=world.agency_a, level=5, score=920, rated_on=days_ago(400), source_document="乙"
    )
    assert older.full_score == 1000 and "全国默认" in older.policy_note


def test_rating_needs_its_permission_and_scope_and_no_future_date(world, today):
    for user in (world.agency_admin_a, world.station_head_a):
        with pytest.raises(PermissionDenied):
            services.agency_rate(
                actor=user, agency=world.agency_a, level=3, score=720, rated_on=today, source_document="甲"
            )
    with pytest.raises(PermissionDenied):
        services.agency_rate(
            actor=world.district_b_admin,
            agency=world.agency_a,
            level=3,
            score=720,
            rated_on=today,
            source_document="甲",
        )
    with pytest.raises(ValidationError) as caught:
        services.agency_rate(
            actor=world.city_admin,
            agency=world.agency_a,
            level=3,
            score=720,
            rated_on=today + datetime.timedelta(days=1),
            source_document="甲",
        )
    assert "认定日期不能晚于今天" in str(caught.value)


# --- Status ----------------------------------------------------------------------------------------------------------


def change(world, status, valid_from, valid_to=None, agency=None, actor=None, reason="未按规定报送年度工作报告"):
    return services.agency_change_status(
        actor=actor or world.city_admin,
        agency=agency or world.agency_a,
        status=status,
        reason=reason,
        source_document="穗民〔2025〕9号",
        valid_from=valid_from,
        valid_to=valid_to,
    )


def test_the_status_on_any_date_follows_the_history(world):
    listed, removed = days_ago(300), days_ago(100)
    change(world, AgencyStatus.ABNORMAL, listed)
    change(world, AgencyStatus.NORMAL, removed, reason="已补报")
    agency = world.agency_a
    assert selectors.status_on(agency, days_ago(301)).status == AgencyStatus.NORMAL
    assert selectors.status_on(agency, listed).status == AgencyStatus.ABNORMAL
    assert selectors.status_on(agency, days_ago(101)).status == AgencyStatus.ABNORMAL
    assert selectors.status_on(agency, removed).status == AgencyStatus.NORMAL
    agency.refresh_from_db()
    assert agency.current_status() == AgencyStatus.NORMAL
    history = selectors.status_history(agency)
    assert [event.status for event in history] == ["normal", "abnormal"]
    assert history[1].effective_to == removed  # superseded by the removal


def test_a_blacklisting_with_an_end_date_lapses_on_that_date(world, today):
    start, end = days_ago(50), days_ago(5)
    change(world, AgencyStatus.BLACKLIST, start, end)
    agency = world.agency_a
    assert selectors.status_on(agency, days_ago(6)).status == AgencyStatus.BLACKLIST
    assert selectors.status_on(agency, end).status == AgencyStatus.NORMAL
    agency.refresh_from_db()
    assert agency.latest_status == AgencyStatus.BLACKLIST and agency.current_status() == AgencyStatus.NORMAL
    assert agency.current_status(days_ago(6)) == AgencyStatus.BLACKLIST


def test_status_entries_are_validated_scoped_and_audited(world, today):
    with pytest.raises(ValidationError) as caught:
        change(world, AgencyStatus.NORMAL, days_ago(3))
    assert "无需移出" in str(caught.value)
    with pytest.raises(ValidationError) as caught:
        change(world, AgencyStatus.ABNORMAL, today + datetime.timedelta(days=1))
    assert "起始日期不能晚于今天" in str(caught.value)
    with pytest.raises(ValidationError) as caught:
        change(world, AgencyStatus.ABNORMAL, days_ago(3), days_ago(3))
    assert "截止日期须晚于起始日期" in str(caught.value)
    with pytest.raises(ValidationError) as caught:
        change(world, AgencyStatus.ABNORMAL, days_ago(3), reason="  ")
    assert "请填写原因" in str(caught.value)
    with pytest.raises(PermissionDenied):
        change(world, AgencyStatus.ABNORMAL, days_ago(3), actor=world.district_b_admin)
    with pytest.raises(PermissionDenied):
        change(world, AgencyStatus.ABNORMAL, days_ago(3), actor=world.agency_admin_a)
    event = change(world, AgencyStatus.ABNORMAL, days_ago(3))
    entry = AuditEntry.objects.get(action="transition", object_id=str(world.agency_a.pk))
    assert entry.changes["status"] == [None, "abnormal"] and "异常名录" in entry.note
    with pytest.raises(ValidationError) as caught:
        change(world, AgencyStatus.BLACKLIST, event.valid_from)
    assert "已有一条状态记录" in str(caught.value)


# --- Contractability (for the projects issue) ------------------------------------------------------------------------


def test_a_blacklisted_agency_is_refused_with_the_reason_and_only_while_listed(world):
    services.assert_agency_contractable(world.agency_a, days_ago(0))
    change(world, AgencyStatus.BLACKLIST, days_ago(30), days_ago(1) + datetime.timedelta(days=366), reason="骗取补贴")
    with pytest.raises(ValidationError) as caught:
        services.assert_agency_contractable(world.agency_a, days_ago(0))
    message = caught.value.messages[0]
    assert (
        "越秀测试社工中心" in message and "黑名单" in message and "骗取补贴" in message and "穗民〔2025〕9号" in message
    )
    assert caught.value.code == "agency_blacklist"
    services.assert_agency_contractable(world.agency_a, days_ago(31))  # before the listing


def test_an_agency_on_the_abnormal_list_is_refused_until_removed(world):
    change(world, AgencyStatus.ABNORMAL, days_ago(30))
    with pytest.raises(ValidationError) as caught:
        services.assert_agency_contractable(world.agency_a, days_ago(10))
    assert "异常名录" in caught.value.messages[0]
    change(world, AgencyStatus.NORMAL, days_ago(5), reason="已整改")
    services.assert_agency_contractable(world.agency_a, days_ago(5))
    with pytest.raises(ValidationError):
        services.assert_agency_contractable(world.agency_a, days_ago(6))


# --- The list's cached filters agree with the histories --------------------------------------------------------------


def test_the_list_filters_by_the_status_and_rating_in_force_today(world):
    change(world, AgencyStatus.BLACKLIST, days_ago(40), days_ago(2), agency=world.agency_b)  # lapsed
    change(world, AgencyStatus.ABNORMAL, days_ago(40))
    services.agency_rate(
        actor=world.city_admin,
        agency=world.agency_b,
        level=3,
        score=750,
        rated_on=days_ago(6 * 365),
        source_document="甲",
    )
    services.agency_rate(
        actor=world.city_admin, agency=world.agency_a, level=4, score=850, rated_on=days_ago(30), source_document="乙"
    )

    def names(**filters):
        found = selectors.agency_search(actor=world.city_admin, filters=selectors.AgencyFilters(**filters))
        return set(found.values_list("name", flat=True))

    assert names(status="abnormal") == {"越秀测试社工中心"}
    assert names(status="blacklist") == set()
    assert names(status="normal") == {"海珠测试社工中心"}
    assert names(rating=4) == {"越秀测试社工中心"}
    assert names(rating=3) == set()  # lapsed
    assert names(rating=selectors.NOT_RATED) == {"海珠测试社工中心"}
