"""The supervisee ratio: distinct supervisees in a period against the supervisor_ratio rule in force for the
supervisor's region (Shenzhen's preset 1 : 20), or the national default where no profile defines one."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from shegong.policies import selectors as policy_selectors
from shegong.policies.models import PolicyProfile, PolicyRule
from shegong.talent import ratio, selectors, services
from shegong.talent.models import SupervisionSession
from shegong.talent.tests.factories import make_worker
from shegong.testing.world import DISTRICT_A, DISTRICT_B, STREET_A

pytestmark = pytest.mark.django_db

SHENZHEN = "440300000000"
TODAY = timezone.localdate()


def supervisor(world, region=DISTRICT_A, name="督导甲"):
    worker = make_worker(name, region=region, agency=world.agency_a if region.startswith("440104") else None)
    return services.supervisor_appoint(
        worker=worker,
        grade="junior",
        grade_since=TODAY - datetime.timedelta(days=400),
        approving_authority="社工协会",
        actor=world.city_admin if region.startswith("4401") else world.outsider,
    )


def sessions(profile, count: int, actor, region=DISTRICT_A, day=None, per_session=5):
    """`count` distinct supervisees over group sessions of `per_session`."""
    workers = [make_worker(region=region) for _ in range(count)]
    for start in range(0, count, per_session):
        group = workers[start : start + per_session]
        services.session_create(
            supervisor=profile,
            supervisees=group,
            held_on=day or TODAY - datetime.timedelta(days=10),
            hours=Decimal("2"),
            topic="个案研讨",
            mode="group" if len(group) > 1 else "individual",
            actor=actor,
        )
    return workers


def figures(profile, as_of=TODAY):
    return selectors.supervisor_figures(profile, selectors.Period.ending(as_of))


def test_guangzhou_has_no_ratio_rule_so_the_national_default_applies(world):
    profile = supervisor(world)
    sessions(profile, ratio.NATIONAL_DEFAULT_MAX_SUPERVISEES, world.city_admin)
    result = figures(profile)
    assert result.supervisee_count == 20
    assert result.ratio.limit.is_default and result.ratio.verdict.passed is True
    sessions(profile, 1, world.city_admin)
    result = figures(profile)
    assert result.supervisee_count == 21 and result.ratio.verdict.passed is False
    assert "系统默认值" in result.ratio.verdict.source_text


def test_shenzhen_preset_rule_is_used_with_its_source(world):
    profile = supervisor(world, region=SHENZHEN, name="深圳督导")
    rule = policy_selectors.rule_in_force("supervisor_ratio", SHENZHEN, TODAY)
    assert rule is not None and rule.params == {"max_supervisees": 20}
    # Tighten the rule so that its verdict cannot be mistaken for the default's.
    PolicyRule.objects.filter(pk=rule.pk).update(params={"max_supervisees": 3})
    sessions(profile, 4, world.outsider, region=SHENZHEN)
    result = figures(profile)
    assert result.ratio.limit.max_supervisees == 3 and not result.ratio.limit.is_default
    assert result.ratio.verdict.passed is False
    assert result.ratio.verdict.profile_name == str(rule.profile)
    assert "1督导：2督导助理：20社工" in result.ratio.verdict.source_text
    assert "至多督导 3 人" in result.ratio.verdict.message


def test_a_local_profile_overrides_only_its_own_subtree(world):
    local = PolicyProfile.objects.create(
        name="越秀区督导配比", region_id=DISTRICT_A, valid_from=datetime.date(2020, 1, 1)
    )
    PolicyRule.objects.create(profile=local, kind="supervisor_ratio", params={"max_supervisees": 5})
    in_a = supervisor(world, region=STREET_A, name="越秀督导")
    in_b = supervisor(world, region=DISTRICT_B, name="海珠督导")
    sessions(in_a, 6, world.city_admin)
    sessions(in_b, 6, world.city_admin, region=DISTRICT_B)
    assert figures(in_a).ratio.verdict.passed is False
    assert figures(in_b).ratio.verdict.passed is True and figures(in_b).ratio.limit.is_default
    # The rule applies from its profile's start: before it, the default.
    assert ratio.limit_for_region(STREET_A, datetime.date(2019, 12, 31)).is_default


def test_batch_limits_agree_with_the_policies_selectors(world):
    local = PolicyProfile.objects.create(name="海珠区", region_id=DISTRICT_B, valid_from=datetime.date(2021, 1, 1))
    PolicyRule.objects.create(profile=local, kind="supervisor_ratio", params={"max_supervisees": 8})
    regions = [DISTRICT_A, STREET_A, DISTRICT_B, "440105001000", SHENZHEN, "440100000000", "110100000000"]
    for day in (datetime.date(2019, 1, 1), datetime.date(2021, 6, 1), TODAY):
        batch = ratio.limits_for_regions(regions, day)
        for code in regions:
            assert batch[code] == ratio.limit_for_region(code, day), (code, day)


def test_distinct_supervisees_in_the_period_only(world):
    profile = supervisor(world)
    regulars = sessions(profile, 3, world.city_admin)
    # The same three again: still three distinct supervisees.
    services.session_create(
        supervisor=profile,
        supervisees=regulars,
        held_on=TODAY - datetime.timedelta(days=3),
        hours=Decimal("1.5"),
        topic="跟进",
        mode="group",
        actor=world.city_admin,
    )
    # Someone seen fourteen months ago is outside the twelve-month period.
    sessions(profile, 1, world.city_admin, day=TODAY - datetime.timedelta(days=395))
    result = figures(profile)
    assert (result.supervisee_count, result.session_count, result.session_hours) == (3, 2, Decimal("3.5"))
    older = selectors.supervisor_figures(profile, selectors.Period(TODAY - datetime.timedelta(days=400), TODAY))
    assert older.supervisee_count == 4


def test_the_list_flags_and_filters_supervisors_over_the_ratio(client, world):
    over = supervisor(world, name="超额督导")
    sessions(over, 21, world.city_admin)
    within = supervisor(world, name="达标督导")
    sessions(within, 2, world.city_admin)
    client.force_login(world.district_a_admin)
    page = client.get(reverse("talent:supervisor_list")).content.decode()
    assert "1 名督导超出配比" in page
    only_over = client.get(reverse("talent:supervisor_list"), {"over_ratio": "1"}).content.decode()
    assert "超额督导" in only_over and "达标督导" not in only_over
    not_over = client.get(reverse("talent:supervisor_list"), {"over_ratio": "0"}).content.decode()
    assert "超额督导" not in not_over and "达标督导" in not_over
    detail = client.get(reverse("talent:supervisor_detail", args=[over.pk])).content.decode()
    assert 'data-testid="ratio-over"' in detail and "被督导社工 21 人" in detail


def test_session_rules(world):
    profile = supervisor(world)
    one, two = make_worker(), make_worker()
    base = {"supervisor": profile, "held_on": TODAY, "hours": Decimal("2"), "topic": "t", "actor": world.city_admin}
    with pytest.raises(ValidationError) as caught:
        services.session_create(supervisees=[one, two], mode=SupervisionSession.Mode.INDIVIDUAL, **base)
    assert "mode" in caught.value.message_dict
    with pytest.raises(ValidationError):
        services.session_create(supervisees=[one], mode=SupervisionSession.Mode.GROUP, **base)
    with pytest.raises(ValidationError) as caught:
        services.session_create(supervisees=[profile.worker], mode="individual", **base)
    assert "督导不能督导自己" in str(caught.value)
    with pytest.raises(ValidationError):
        services.session_create(supervisees=[], mode="individual", **base)
    with pytest.raises(ValidationError):
        services.session_create(supervisees=[one], mode="individual", **{**base, "held_on": TODAY.replace(year=2999)})
    with pytest.raises(ValidationError):
        services.session_create(supervisees=[one], mode="individual", **{**base, "hours": Decimal("25")})
    session = services.session_create(supervisees=[one], mode="individual", **base)
    assert list(session.supervisees.all()) == [one]


def test_a_supervisor_records_their_own_sessions_but_not_a_colleagues(world):
    from shegong.talent.tests.factories import make_user

    account = make_user("sup_self", "supervisor", region=DISTRICT_A)
    own = supervisor(world, name="本人督导")
    own.worker.account = account
    own.worker.save()
    colleague = supervisor(world, name="同事督导")
    supervisee = make_worker()
    assert services.can_record_session(account, own) and not services.can_record_session(account, colleague)
    services.session_create(
        supervisor=own,
        supervisees=[supervisee],
        held_on=TODAY,
        hours=Decimal("1"),
        topic="t",
        mode="individual",
        actor=account,
    )


def test_the_session_form_records_candidates_and_typed_ids(client, world):
    profile = supervisor(world)
    colleague = make_worker("同事甲", agency=world.agency_a)
    typed = make_worker("外机构乙", region=DISTRICT_A)
    client.force_login(world.agency_admin_a)
    url = reverse("talent:session_create", args=[profile.pk])
    form = client.get(url).content.decode()
    assert "同事甲" in form and "外机构乙" not in form
    response = client.post(
        url,
        {
            "held_on": TODAY.isoformat(),
            "hours": "2",
            "mode": "group",
            "topic": "小组督导",
            "supervisees": [colleague.pk],
            "others": typed.id_number,
        },
    )
    # The typed worker is outside the agency admin's scope (another employer): refused, nothing written.
    assert response.status_code == 200 and "没有找到" in response.content.decode()
    client.force_login(world.district_a_admin)
    response = client.post(
        url,
        {
            "held_on": TODAY.isoformat(),
            "hours": "2",
            "mode": "group",
            "topic": "小组督导",
            "supervisees": [colleague.pk],
            "others": typed.id_number,
        },
    )
    assert response.status_code == 302
    assert set(profile.sessions.get().supervisees.values_list("name", flat=True)) == {"同事甲", "外机构乙"}
