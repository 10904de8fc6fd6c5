"""Pay: the pay guidance rule kind, verdicts against it, and who may see a worker's pay."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from shegong.policies import registry
from shegong.policies.models import PolicyProfile, PolicyRule
from shegong.recruitment import guidance, selectors, services
from shegong.recruitment.models import WorkerPay
from shegong.talent.tests.factories import make_user, make_worker
from shegong.testing.world import CITY, STREET_A

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
D = datetime.date
GUIDANCE = {
    "intermediate_2_min": "7000",
    "intermediate_2_max": "9000",
    "assistant_1_min": "5500",
    "review_period_years": 3,
}


@pytest.fixture
def guidance_rule(db):
    """Pay guidance for 广州市 from 2024, in a profile of its own (the presets' 2018 profile ends the day before)."""
    PolicyProfile.objects.filter(region_id=CITY, valid_to__isnull=True).update(valid_to=D(2024, 1, 1))
    profile = PolicyProfile.objects.create(name="广州市薪酬指导价位", region_id=CITY, valid_from=D(2024, 1, 1))
    rule = PolicyRule(profile=profile, kind=guidance.KIND, params=GUIDANCE, source_text="测试")
    rule.full_clean()
    rule.save()
    return rule


@pytest.fixture
def staff(world):
    return make_worker("薪酬社工", region=STREET_A, agency=world.agency_a, job_grade="intermediate_2")


def test_the_kind_is_registered_by_the_recruitment_app():
    kind = registry.get(guidance.KIND)
    assert kind.owner == "recruitment"
    assert {param.name for param in kind.params} >= {"senior_1_min", "assistant_2_max", "review_period_years"}


def test_the_kind_checks_its_parameters():
    kind = registry.get(guidance.KIND)
    with pytest.raises(ValidationError):
        kind.clean_params({})
    with pytest.raises(ValidationError) as caught:
        kind.clean_params({"senior_1_min": "20000", "senior_1_max": "15000"})
    assert "senior_1_max" in caught.value.message_dict
    assert kind.clean_params({"senior_1_min": "15000.50"}) == {"senior_1_min": "15000.5"}


@pytest.mark.parametrize(
    ("grade", "pay", "passed", "position"),
    [
        ("intermediate_2", "6999.99", False, "below"),
        ("intermediate_2", "7000", True, "within"),
        ("intermediate_2", "9000", True, "within"),
        ("intermediate_2", "9000.01", True, "above"),
        ("assistant_1", "5000", False, "below"),
        ("assistant_1", "99999", True, "within"),  # no upper bound for this grade
        ("senior_1", "5000", None, None),  # no guidance for this grade
    ],
)
def test_verdicts(grade, pay, passed, position):
    kind = registry.get(guidance.KIND)
    verdict = kind.evaluate(kind.clean_params(GUIDANCE), {"job_grade": grade, "monthly_pay": pay})
    assert verdict.passed is passed and verdict.figures.get("position") == position
    if position == "below":
        assert "低于指导下限" in verdict.message


def test_a_worker_without_a_grade_cannot_be_judged(guidance_rule):
    comparison = selectors.compare(guidance_rule, "", Decimal("5000"), TODAY)
    assert comparison.verdict.passed is None and comparison.label == "无法判定"


def test_review_is_due_after_the_period(guidance_rule):
    assert selectors.compare(guidance_rule, "intermediate_2", 8000, D(2026, 12, 31)).review_overdue is False
    late = selectors.compare(guidance_rule, "intermediate_2", 8000, D(2027, 1, 1))
    assert late.review_due == D(2027, 1, 1) and late.review_overdue is True


def test_history_is_judged_by_the_guidance_of_its_own_date(world, guidance_rule, staff):
    services.pay_record(
        worker=staff, effective_from=D(2023, 6, 1), monthly_pay=Decimal("6000"), actor=world.agency_admin_a
    )
    services.pay_record(
        worker=staff, effective_from=D(2024, 6, 1), monthly_pay=Decimal("6500"), actor=world.agency_admin_a
    )
    history = selectors.pay_history(staff)
    selectors.compare_history(staff, history)
    assert [(pay.effective_from, pay.comparison.position) for pay in history] == [
        (D(2024, 6, 1), "below"),
        (D(2023, 6, 1), None),  # before the guidance existed
    ]
    assert history[1].comparison.rule is None


def test_recording_pay_needs_the_employer_or_the_region(world, staff):
    other_agency_admin = make_user("agency_b_admin", "agency_admin", agency=world.agency_b)
    for outsider in (other_agency_admin, world.district_b_admin, world.worker_b, world.station_head_a):
        with pytest.raises(PermissionDenied):
            services.pay_record(worker=staff, effective_from=TODAY, monthly_pay=Decimal("8000"), actor=outsider)
    pay = services.pay_record(
        worker=staff, effective_from=TODAY, monthly_pay=Decimal("8000"), actor=world.district_a_admin
    )
    assert pay.agency == world.agency_a
    with pytest.raises(ValidationError):
        services.pay_record(worker=staff, effective_from=TODAY, monthly_pay=Decimal("8100"), actor=world.agency_admin_a)


def test_pay_visibility(client, world, staff):
    services.pay_record(worker=staff, effective_from=TODAY, monthly_pay=Decimal("8000"), actor=world.agency_admin_a)
    other_agency_admin = make_user("agency_b_admin", "agency_admin", agency=world.agency_b)
    peer_account = make_user("peer", "social_worker", region="440104000000")
    make_worker("同事", region=STREET_A, agency=world.agency_a, account=peer_account)
    own_account = make_user("own", "social_worker", region="440104000000")
    staff.account = own_account
    staff.save()
    url = reverse("recruitment:pay_worker", args=[staff.pk])
    api = f"/api/v1/recruitment/pay/workers/{staff.pk}"
    expected = {
        world.agency_admin_a: 200,
        world.district_a_admin: 200,
        world.city_admin: 200,
        other_agency_admin: 404,
        peer_account: 404,
        world.district_b_admin: 404,
        world.station_head_a: 404,
        world.outsider: 404,
    }
    for user, status in expected.items():
        client.force_login(user)
        assert client.get(url).status_code == status, user
        assert client.get(api).status_code == status, user
    # The worker themselves does not see it either (visible only to the employer and the bureau).
    client.force_login(own_account)
    assert client.get(url).status_code == 404
    assert client.get(api).status_code == 404
    # Nor does anyone outside see it in a list.
    for user in (other_agency_admin, world.district_b_admin):
        client.force_login(user)
        assert "薪酬社工" not in client.get(reverse("recruitment:pay_list")).content.decode()


def test_the_list_filters_by_position_against_the_guidance(client, world, guidance_rule):
    low = make_worker("低薪社工", region=STREET_A, agency=world.agency_a, job_grade="intermediate_2")
    fair = make_worker("达标社工", region=STREET_A, agency=world.agency_a, job_grade="intermediate_2")
    ungraded = make_worker("未定级社工", region=STREET_A, agency=world.agency_a)
    for worker, amount in ((low, "6500"), (fair, "7500"), (ungraded, "5000")):
        services.pay_record(
            worker=worker, effective_from=D(2024, 3, 1), monthly_pay=Decimal(amount), actor=world.agency_admin_a
        )
    # An older record of the low earner: only the current pay is listed.
    services.pay_record(
        worker=low, effective_from=D(2023, 3, 1), monthly_pay=Decimal("9000"), actor=world.agency_admin_a
    )
    client.force_login(world.agency_admin_a)
    url = reverse("recruitment:pay_list")
    below = client.get(url, {"position": "below"}).content.decode()
    assert "低薪社工" in below and "达标社工" not in below and "未定级社工" not in below
    within = client.get(url, {"position": "within"}).content.decode()
    assert "达标社工" in within and "低薪社工" not in within
    unknown = client.get(url, {"position": "unknown"}).content.decode()
    assert "未定级社工" in unknown and "达标社工" not in unknown
    everyone = client.get(url).content.decode()
    assert everyone.count('data-testid="pay-row"') == 3 and 'data-testid="pay-below"' in everyone
    page = client.get(reverse("recruitment:pay_worker", args=[low.pk])).content.decode()
    assert "低于指导下限" in page and "6,500.00" in page
    api = client.get("/api/v1/recruitment/pay", {"position": "below"}).json()
    assert [item["worker_name"] for item in api["items"]] == ["低薪社工"]
    assert api["items"][0]["comparison"]["minimum"] == "7000"


def test_pay_is_recorded_from_the_page(client, world, staff):
    client.force_login(world.agency_admin_a)
    url = reverse("recruitment:pay_worker", args=[staff.pk])
    response = client.post(url, {"effective_from": "2024-01-01", "monthly_pay": "7800", "note": "年度调薪"})
    assert response.status_code == 302
    assert WorkerPay.objects.get().monthly_pay == Decimal("7800")
    response = client.post(url, {"effective_from": "2024-01-01", "monthly_pay": "7900"})
    assert response.status_code == 200 and "已有薪酬记录" in response.content.decode()
