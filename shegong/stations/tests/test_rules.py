"""The station rules judged through the presets (DESIGN.md §3): staffing by kind, street/township and urban/rural
(重庆, 浙江), presence days per week (广州 3), township and community coverage at every level (江苏 100%, 黑龙江 40%);
each verdict with its figures and its rule's source text."""

import datetime

import pytest
from django.utils import timezone

from shegong.policies import registry
from shegong.policies import selectors as policy_selectors
from shegong.policies.models import PolicyProfile, PolicyRule
from shegong.regions.models import Region
from shegong.stations import rules, selectors, services
from shegong.stations.models import StaffAssignment, Station
from shegong.stations.rules import PRESENCE, STAFFING, RuleBook, judge_station, last_complete_week
from shegong.stations.tests.factories import LONG_AGO, add_region, make_station, make_user, make_worker, staff
from shegong.testing.world import COMMUNITY_A, STREET_A

pytestmark = pytest.mark.django_db

Kind = Station.Kind
Status = Station.Status
Role = StaffAssignment.Role
URBAN, RURAL = Region.AreaClass.URBAN, Region.AreaClass.RURAL


@pytest.fixture
def chongqing(db):
    """A district with a street and an urban community, another with a township and a village (重庆)."""
    return {
        "district": add_region("500103", "渝中区"),
        "street": add_region("500103001", "七星岗街道", URBAN),
        "urban": add_region("500103001001", "金汤街社区", URBAN),
        "rural_district": add_region("500110", "綦江区"),
        "township": add_region("500110100", "古南镇", RURAL),
        "village": add_region("500110100200", "桥河村", RURAL),
    }


def staffing(station):
    return judge_station(station, timezone.localdate()).verdict(STAFFING)


# --- Staffing --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "where", "minimum", "unit_label"),
    [
        (Kind.CENTRE, "district", 2, "区县社会工作指导中心"),
        (Kind.STATION, "street", 2, "街道社会工作站"),
        (Kind.STATION, "township", 1, "乡镇社会工作站"),
        (Kind.ROOM, "urban", 2, "城市社区（社会工作室）"),
        (Kind.ROOM, "village", 1, "农村社区（社会工作室）"),
    ],
)
def test_chongqing_staffing_standard_for_each_kind(chongqing, kind, where, minimum, unit_label):
    station = make_station(kind, chongqing[where])
    staff(station, minimum - 1)
    staff(station, 3, full_time=False, role=Role.ASSISTANT)  # part-time posts do not count
    verdict = staffing(station)
    assert verdict.passed is False
    assert verdict.figures["staff"] == minimum - 1 and verdict.figures["minimum"] == minimum
    assert f"{unit_label}配备专职社会工作者 {minimum - 1} 名，规定至少 {minimum} 名" in verdict.message
    assert "重庆市民政局" in verdict.source_text and "专职社会工作者" in verdict.source_text
    assert verdict.profile_name == "重庆市（三级服务体系标准）"
    staff(station, 1)
    verdict = staffing(station)
    assert verdict.passed is True and verdict.figures["staff"] == minimum


def test_only_posts_in_force_on_the_day_count(chongqing):
    station = make_station(Kind.STATION, chongqing["township"])
    worker = make_worker()
    today = timezone.localdate()
    post = services.staff_assign(
        actor=None, station=station, worker=worker, role=Role.FULL_TIME, start_date=LONG_AGO, end_date=today
    )
    assert staffing(station).passed is True
    post.end_date = today - datetime.timedelta(days=1)
    post.save()
    assert staffing(station).passed is False
    services.staff_assign(
        actor=None, station=station, worker=make_worker(), role=Role.HEAD, start_date=today + datetime.timedelta(days=1)
    )
    assert staffing(station).figures["staff"] == 0


def test_zhejiang_communities_urban_two_rural_one(db):
    add_region("330102", "上城区")
    add_region("330102001", "清波街道", URBAN)
    urban = make_station(Kind.ROOM, add_region("330102001001", "劳动路社区", URBAN))
    rural = make_station(Kind.ROOM, add_region("330102001201", "海潮村", RURAL))
    street = make_station(Kind.STATION, Region.objects.get(pk="330102001000"))
    staff(urban, 1)
    staff(rural, 1)
    staff(street, 5)
    assert (staffing(urban).passed, staffing(rural).passed) == (False, True)
    assert staffing(urban).figures["minimum"] == 2 and staffing(rural).figures["minimum"] == 1
    assert "浙江省民政厅" in staffing(urban).source_text
    # Zhejiang's rule sets only communities: it asks nothing of a street station, which is not judged by it.
    assert staffing(street) is None


def test_certified_share_when_the_profile_sets_one(chongqing):
    kind = registry.get(STAFFING)
    profile = PolicyProfile.objects.create(name="渝中区（持证比例）", region=chongqing["district"], valid_from=LONG_AGO)
    PolicyRule.objects.create(
        profile=profile,
        kind=STAFFING,
        params=kind.clean_params({"centre": 2, "certified_share": "50"}),
        source_text="渝中区测试规则：持证人员不低于50%。",
    )
    centre = make_station(Kind.CENTRE, chongqing["district"])
    staff(centre, 2)
    verdict = staffing(centre)
    assert verdict.passed is False and verdict.figures["certified_staff"] == 0
    assert "其中持证 0 名，占 0%，规定不低于 50%" in verdict.message
    staff(centre, 1, certified=1)
    verdict = staffing(centre)
    assert verdict.passed is False and verdict.figures["certified_share"] < 1  # 1 of 3 certified
    staff(centre, 1, certified=1)
    assert staffing(centre).passed is True  # 2 of 4
    assert staffing(centre).source_text == "渝中区测试规则：持证人员不低于50%。"


def test_no_verdict_without_a_rule_or_a_unit(chongqing, world):
    # Guangzhou's profiles set no staffing standard.
    assert staffing(make_station(Kind.STATION, STREET_A)) is None
    school = make_station(Kind.SCHOOL, chongqing["street"], host_institution="重庆市第二十九中学")
    staff(school, 1)
    assert staffing(school) is None  # the rule kind has no unit for a school station
    unknown = make_station(Kind.STATION, add_region("500103002", "某开发区", ""))
    verdict = staffing(unknown)
    assert verdict.passed is None and "未标明是街道还是乡镇" in verdict.message


def test_only_operating_stations_count_as_non_compliant(chongqing):
    station = make_station(Kind.STATION, chongqing["street"], status=Status.PREPARING)
    judgement = judge_station(station, timezone.localdate())
    assert judgement.verdict(STAFFING).passed is False
    assert not judgement.noncompliant
    services.station_set_status(actor=None, station=station, status=Status.OPERATING)
    assert judge_station(station, timezone.localdate()).noncompliant


# --- Presence (广州 "一社区一社工", ≥ 3 days a week) ----------------------------------------------------------------


@pytest.fixture
def guangzhou_room(world):
    room = make_station(Kind.ROOM, COMMUNITY_A, name="流水井社区社工室")
    worker = make_worker(name="驻点甲")
    services.staff_assign(actor=None, station=room, worker=worker, role=Role.RESIDENT, start_date=LONG_AGO)
    return room, worker


def check_in(room, worker, day, community=None):
    return services.presence_check_in(
        actor=None, station=room, worker=worker, date=day, method="qr", community=community
    )


def test_presence_two_days_fail_three_pass(guangzhou_room):
    room, worker = guangzhou_room
    today = timezone.localdate()
    monday, sunday = last_complete_week(today)
    check_in(room, worker, monday)
    check_in(room, worker, monday + datetime.timedelta(days=2))
    check_in(room, worker, sunday + datetime.timedelta(days=1))  # this week's Monday: not in the week judged
    judgement = judge_station(room, today)
    verdict = judgement.verdict(PRESENCE)
    assert verdict.passed is False
    assert verdict.figures == {"days_per_week": 2, "minimum": 3}
    assert "驻点社工 驻点甲：每周在社区服务天数 2 天，规定不少于 3 天" in verdict.message
    assert "一社区一社工" in verdict.source_text and "3天以上" in verdict.source_text
    assert judgement.noncompliant
    check_in(room, worker, sunday)
    verdict = judge_station(room, today).verdict(PRESENCE)
    assert verdict.passed is True and verdict.figures["days_per_week"] == 3


def test_check_ins_elsewhere_or_by_others_do_not_count(guangzhou_room):
    room, worker = guangzhou_room
    monday, _sunday = last_complete_week(timezone.localdate())
    street = make_station(Kind.STATION, STREET_A)
    services.staff_assign(
        actor=None, station=street, worker=worker, role=Role.ASSISTANT, full_time=False, start_date=LONG_AGO
    )
    other_community = Region.objects.get(pk="440104003107")
    for offset in range(3):
        check_in(street, worker, monday + datetime.timedelta(days=offset), community=other_community)
    helper = make_worker(name="帮手")
    services.staff_assign(
        actor=None, station=room, worker=helper, role=Role.ASSISTANT, full_time=False, start_date=LONG_AGO
    )
    for offset in range(3):
        check_in(room, helper, monday + datetime.timedelta(days=offset))
    assert judge_station(room, timezone.localdate()).verdict(PRESENCE).figures["days_per_week"] == 0


def test_a_room_without_resident_is_flagged_and_fails_presence(world):
    room = make_station(Kind.ROOM, COMMUNITY_A)
    judgement = judge_station(room, timezone.localdate())
    assert judgement.flags == ["未配备驻点社工（一社区一社工）"]
    verdict = judgement.verdict(PRESENCE)
    assert verdict.passed is False and verdict.message.startswith("本社工室没有驻点社工。")


def test_weekly_grids_for_the_room_and_the_worker(guangzhou_room):
    room, worker = guangzhou_room
    today = timezone.localdate()
    weeks = selectors.presence_weeks(today)
    for index, (monday, _sunday) in enumerate(weeks[1:4], start=1):
        for offset in range(index + 1):  # 2, 3, 4 days in the last three weeks
            check_in(room, worker, monday + datetime.timedelta(days=offset))
    grid = selectors.room_presence(room, today)
    assert len(grid) == 9 and grid[0].current and grid[0].verdict is None
    assert [row.count for row in grid[1:5]] == [2, 3, 4, 0]
    assert [row.verdict.passed for row in grid[1:5]] == [False, True, True, False]
    assert all(row.worker_name == "驻点甲" for row in grid)
    [worker_grid] = selectors.worker_presence(worker, today)
    assert [row.count for row in worker_grid[1:5]] == [2, 3, 4, 0]
    assert worker_grid[1].room == room


# --- Coverage --------------------------------------------------------------------------------------------------------


def coverage(code, on=None):
    return selectors.region_coverage(Region.objects.get(pk=code), on or timezone.localdate())


@pytest.fixture
def jiangsu(db):
    """南京: 玄武区 with three streets (all with an operating station), 秦淮区 with one street (none)."""
    add_region("320102", "玄武区")
    add_region("320104", "秦淮区")
    streets = [add_region(f"320102{n:03d}", f"玄武街道{n}", URBAN) for n in (2, 3, 4)]
    bare = add_region("320104001", "秦淮街道1", URBAN)
    for street in streets:
        add_region(street.short_code + "001", f"{street.name}一社区", URBAN)
        add_region(street.short_code + "002", f"{street.name}二社区", URBAN)
    for street in streets:
        make_station(Kind.STATION, street)
    make_station(Kind.STATION, bare, status=Status.PREPARING)  # in preparation: not coverage yet
    make_station(Kind.SCHOOL, bare, host_institution="南京某中学")  # specialised: never coverage
    make_station(Kind.ROOM, "320102002001")
    return streets, bare


def test_jiangsu_township_coverage_100_percent_at_city_district_and_street(jiangsu):
    streets, bare = jiangsu
    district = coverage("320102000000")
    assert (district.townships_with_station, district.townships) == (3, 3)
    assert district.township_verdict.passed is True
    assert "乡镇（街道）社会工作服务站点覆盖率达到100%" in district.township_verdict.source_text
    assert district.township_verdict.figures["target_year"] == 2025
    other = coverage("320104000000")
    assert (other.townships_with_station, other.townships, other.township_verdict.passed) == (0, 1, False)
    city = coverage("320100000000")
    assert (city.townships_with_station, city.townships) == (3, 4)
    assert city.township_verdict.passed is False
    assert "3 ÷ 乡镇（街道）总数 4 = 75%" in city.township_verdict.message
    street = coverage(streets[0].code)
    assert (street.townships_with_station, street.townships, street.township_verdict.passed) == (1, 1, True)
    assert coverage(bare.code).township_verdict.passed is False
    # Communities: counted at every level; no community rule in Jiangsu's profile, so no verdict.
    assert (district.communities_with_room, district.communities) == (1, 6)
    assert (city.communities_with_room, city.communities) == (1, 6)
    assert district.community_verdict is None


def test_heilongjiang_township_coverage_40_percent(db):
    add_region("230102", "道里区")
    add_region("230103", "南岗区")
    daoli = [add_region(f"230102{n:03d}", f"道里街道{n}", URBAN) for n in range(1, 6)]
    nangang = [add_region(f"230103{n:03d}", f"南岗街道{n}", URBAN) for n in range(1, 6)]
    for street in daoli[:2] + nangang[:1]:
        make_station(Kind.STATION, street)
    assert coverage("230102000000").township_verdict.passed is True  # 2 / 5 = 40%
    assert coverage("230103000000").township_verdict.passed is False  # 1 / 5
    city = coverage("230100000000")
    assert (city.townships_with_station, city.townships, city.township_verdict.passed) == (3, 10, False)
    assert "不低于 40%" in city.township_verdict.message and "黑龙江省民政厅" in city.township_verdict.source_text
    assert coverage(daoli[0].code).township_verdict.passed is True
    assert coverage(daoli[4].code).township_verdict.passed is False
    make_station(Kind.STATION, nangang[1])
    assert coverage("230100000000").township_verdict.passed is True  # 4 / 10


def test_community_room_coverage_against_a_local_rule(jiangsu):
    kind = registry.get(rules.COMMUNITY_COVERAGE)
    profile = PolicyProfile.objects.create(
        name="玄武区（社工室覆盖）", region=Region.objects.get(pk="320102000000"), valid_from=LONG_AGO
    )
    PolicyRule.objects.create(
        profile=profile, kind=rules.COMMUNITY_COVERAGE, params=kind.clean_params({"minimum": "50"}), source_text="测试"
    )
    assert coverage("320102000000").community_verdict.passed is False  # 1 of 6
    for code in ("320102002002", "320102003001"):
        make_station(Kind.ROOM, code)
    assert coverage("320102000000").community_verdict.passed is True  # 3 of 6
    assert coverage("320100000000").community_verdict is None  # the district's rule does not reach the city


def test_network_page_agrees_with_the_single_region_figures(jiangsu, world):
    nationwide = make_user("nation_admin", "civil_affairs_admin")
    page = selectors.network(nationwide, Region.objects.get(pk="320100000000"))
    by_code = {node.region.code: node for node in page.children}
    assert by_code["320102000000"].coverage.townships_with_station == 3
    assert by_code["320104000000"].coverage.townships == 1
    assert by_code["320104000000"].count(Kind.SCHOOL) == 1 and by_code["320104000000"].specialised == 1
    assert page.summary.coverage.townships == 4 and page.summary.coverage.township_verdict.passed is False
    assert page.summary.total == 6 and page.summary.count(Kind.STATION) == 4


# --- Rule resolution -------------------------------------------------------------------------------------------------


def test_rulebook_agrees_with_the_policies_resolution(chongqing, world):
    on = timezone.localdate()
    book = RuleBook([STAFFING, PRESENCE, rules.TOWNSHIP_COVERAGE], on)
    for code in [COMMUNITY_A, STREET_A, "440300000000", "500103001001", "500110100000", "320000000000", "330100000000"]:
        level = Region.objects.get(pk=code).level
        for kind in (STAFFING, PRESENCE, rules.TOWNSHIP_COVERAGE):
            expected = policy_selectors.rule_in_force(kind, code, on)
            got = book.rule(kind, code, level)
            assert (got.pk if got else None) == (expected.pk if expected else None), (code, kind)


def test_the_network_counts_agree_with_the_full_judgements(chongqing, guangzhou_room):
    """rules.failing_by_region (the network page's counts) and rules.judge (the pages' verdicts) on a mix of stations
    that pass, fail, are not judged or are not operating."""
    room, worker = guangzhou_room
    monday, _sunday = last_complete_week(timezone.localdate())
    for offset in range(3):
        check_in(room, worker, monday + datetime.timedelta(days=offset))
    make_station(Kind.ROOM, "440104003107")  # no resident: fails presence
    staff(make_station(Kind.STATION, chongqing["street"]), 1)  # fails (2 needed)
    staff(make_station(Kind.STATION, chongqing["township"]), 1)  # passes
    make_station(Kind.CENTRE, chongqing["district"], status=Status.PREPARING)  # not operating: not counted
    make_station(Kind.SCHOOL, chongqing["street"], host_institution="某校")  # no rule: counted, passes
    on = timezone.localdate()
    judged = rules.judge(Station.objects.all(), on)
    full = sorted((j.region_id, j.noncompliant) for j in judged.values() if j.judged)
    assert sorted(rules.failing_by_region(Station.objects.all(), on)) == full
    assert sum(fails for _region, fails in full) == 2 and len(full) == 5
