"""Targets (目标): progress and projection on known data (met, on track, off track, no data), the services' validation
and audit, scope (a district admin neither sets nor sees a sibling district's target: 404), and the pages."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from shegong.analytics import services
from shegong.analytics.figures import progress
from shegong.analytics.models import Target
from shegong.audit.models import AuditEntry
from shegong.regions.models import Region
from shegong.talent import services as talent_services
from shegong.talent.tests.factories import make_worker
from shegong.testing.matrix import ViewCase
from shegong.testing.world import DISTRICT_A, DISTRICT_B, STREET_A

pytestmark = pytest.mark.django_db

YEAR_START = datetime.date(2026, 1, 1)
YEAR_END = datetime.date(2026, 12, 31)
MID_YEAR = datetime.date(2026, 7, 2)  # day 183 of 365


def region(code: str) -> Region:
    return Region.objects.get(pk=code)


def target(actor, indicator: str, value, where: str = DISTRICT_A, **values) -> Target:
    values.setdefault("period_start", YEAR_START)
    values.setdefault("period_end", YEAR_END)
    return services.target_create(actor=actor, indicator=indicator, region=region(where), value=value, **values)


def appoint(world, day: datetime.date, where: str = DISTRICT_A):
    talent_services.supervisor_appoint(
        worker=make_worker(region=where),
        grade="junior",
        grade_since=day,
        approving_authority="民政局",
        actor=world.city_admin,
    )


@pytest.fixture
def supervisors(world):
    """District A: one supervisor before the year, two more in its first half (1 on 1 January, 3 on 2 July)."""
    appoint(world, datetime.date(2025, 12, 1))
    appoint(world, datetime.date(2026, 3, 1))
    appoint(world, datetime.date(2026, 6, 1))


# --- Progress and projection -----------------------------------------------------------------------------------------


def projection(total_days: int) -> float:
    """From 1 on 1 January to 3 on 2 July (day 183), carried at that pace to a period of `total_days`."""
    return 3 + 2 * (total_days - 183) / 183


def test_progress_met_on_track_and_off_track_from_the_pace_since_the_start(world, supervisors):
    admin = world.district_a_admin
    reached = progress(target(admin, "supervisors", 3), MID_YEAR)
    assert (reached.status, reached.current, reached.share) == ("met", 3, 1)
    within = progress(target(admin, "supervisors", 4, period_end=datetime.date(2026, 12, 30)), MID_YEAR)
    assert within.status == "on_track" and within.projected == pytest.approx(projection(364))
    beyond = progress(target(admin, "supervisors", 6, period_end=datetime.date(2026, 12, 29)), MID_YEAR)
    assert beyond.status == "off_track" and beyond.projected == pytest.approx(projection(363))
    assert beyond.share == pytest.approx(0.5)
    # Once the period is over the verdict is final: not reached is off track, whatever the pace.
    assert progress(target(admin, "supervisors", 4, period_end=MID_YEAR), MID_YEAR).status == "off_track"
    assert progress(beyond.target, datetime.date(2027, 1, 5)).status == "off_track"


def test_a_ratio_with_nothing_to_divide_by_has_no_data(world):
    item = target(world.district_a_admin, "stations_staffing_compliance", 90)
    assert progress(item, MID_YEAR).status == "no_data"


def test_an_at_most_target_is_met_while_below(world, supervisors):
    item = target(world.district_a_admin, "registrations_expiring", 10, comparison="lte")
    assert progress(item, YEAR_END + datetime.timedelta(days=1)).status == "met"


# --- Services --------------------------------------------------------------------------------------------------------


def test_create_update_delete_are_validated_and_audited(world):
    admin = world.district_a_admin
    item = target(admin, "certified_workers", "1200", source="区十四五规划")
    assert item.value == Decimal("1200.00") and item.created_by == admin and item.version == 1
    entries = AuditEntry.objects.filter(object_type="analytics.target", object_id=str(item.pk)).order_by("sequence")
    assert list(entries.values_list("action", flat=True)) == ["create"]

    with pytest.raises(ValidationError) as error:
        target(admin, "certified_workers", 1500)
    assert "已有这一指标的目标" in str(error.value)
    with pytest.raises(ValidationError) as error:
        target(admin, "township_station_coverage", 120, period_end=datetime.date(2025, 1, 1))
    assert set(error.value.message_dict) == {"value", "period_end"}
    assert "不能超过 100" in error.value.message_dict["value"][0]
    with pytest.raises(ValidationError) as error:
        target(admin, "no_such_indicator", 1)
    assert "指标目录" in error.value.message_dict["indicator"][0]
    with pytest.raises(ValidationError):
        target(admin, "certified_workers", "abc", period_end=datetime.date(2026, 6, 30))

    services.target_update(actor=admin, target=item, value=1300, version=1)
    item.refresh_from_db()
    assert item.value == 1300 and item.version == 2
    with pytest.raises(ValidationError) as error:
        services.target_update(actor=admin, target=item, value=1400, version=1)
    assert "已被他人修改" in str(error.value)
    services.target_update(actor=admin, target=item, value="1300.00")  # no change: no audit row
    services.target_delete(actor=admin, target=item)
    assert not Target.objects.filter(pk=item.pk).exists()
    assert list(entries.values_list("action", flat=True)) == ["create", "update", "delete"]


def test_a_district_admin_sets_targets_only_inside_the_district(world):
    with pytest.raises(ValidationError) as error:
        target(world.district_a_admin, "certified_workers", 100, where=DISTRICT_B)
    assert "不在您的管辖范围内" in error.value.message_dict["region"][0]
    street = target(world.district_a_admin, "certified_workers", 100, where=STREET_A)
    sibling = target(world.district_b_admin, "certified_workers", 100, where=DISTRICT_B)
    with pytest.raises(PermissionDenied):
        services.target_update(actor=world.district_a_admin, target=sibling, value=1)
    with pytest.raises(PermissionDenied):
        services.target_delete(actor=world.district_a_admin, target=sibling)
    with pytest.raises(PermissionDenied):
        target(world.station_head_a, "certified_workers", 100, where=STREET_A)  # sees targets, does not set them
    with pytest.raises(ValidationError):
        services.target_update(actor=world.district_a_admin, target=street, region=region(DISTRICT_B))


# --- Pages -----------------------------------------------------------------------------------------------------------


def test_the_list_shows_progress_only_of_the_users_regions(client, world, supervisors):
    target(world.district_a_admin, "supervisors", 2)
    target(world.district_b_admin, "supervisors", 9, where=DISTRICT_B)
    client.force_login(world.district_a_admin)
    page = client.get(reverse("analytics:targets")).content.decode()
    assert page.count('data-testid="target-row"') == 1
    assert f'data-region="{DISTRICT_A}"' in page and f'data-region="{DISTRICT_B}"' not in page
    assert "已达成" in page and "督导" in page
    client.force_login(world.city_admin)
    page = client.get(reverse("analytics:targets")).content.decode()
    assert page.count('data-testid="target-row"') == 2


def test_the_form_sets_changes_and_deletes_a_target(client, world):
    client.force_login(world.district_a_admin)
    data = {
        "indicator": "certified_workers",
        "region": STREET_A,
        "period_start": "2026-01-01",
        "period_end": "2026-12-31",
        "value": "500",
        "comparison": "gte",
        "source": "街道计划",
    }
    response = client.post(reverse("analytics:target_create"), data)
    assert response.status_code == 302
    item = Target.objects.get(region_id=STREET_A)
    response = client.post(reverse("analytics:target_create"), {**data, "region": DISTRICT_B})
    assert response.status_code == 200 and "不在您的管辖范围内" in response.content.decode()

    edit = reverse("analytics:target_edit", args=[item.pk])
    assert 'value="500.00"' in client.get(edit).content.decode()
    assert client.post(edit, {**data, "value": "600", "version": "1"}).status_code == 302
    item.refresh_from_db()
    assert item.value == 600
    assert client.post(reverse("analytics:target_delete", args=[item.pk])).status_code == 302
    assert not Target.objects.filter(pk=item.pk).exists()


def _sibling(world) -> list:
    item = Target.objects.filter(region_id=DISTRICT_B).first() or target(
        world.district_b_admin, "certified_workers", 10, where=DISTRICT_B
    )
    return [item.pk]


def _own(world) -> list:
    item = Target.objects.filter(region_id=DISTRICT_A).first() or target(
        world.district_a_admin, "certified_workers", 10
    )
    return [item.pk]


BUREAUS = {"anonymous": 302, "city_admin": 200, "district_a_admin": 200, "district_b_admin": 200, "outsider": 200}
CASES = [
    ViewCase("analytics:targets", {**BUREAUS, "station_head_a": 200}, default=403),
    ViewCase("analytics:target_create", BUREAUS, default=403),
    ViewCase(
        "analytics:target_edit",
        {"anonymous": 302, "city_admin": 200, "district_a_admin": 200, "district_b_admin": 404, "outsider": 404},
        default=403,
        args=_own,
        out_of_scope=_sibling,
        out_of_scope_users=["district_a_admin", "outsider"],
    ),
    ViewCase(
        "analytics:target_delete",
        {"anonymous": 302, "worker_b": 403, "station_head_a": 403, "no_role": 403},
        method="post",
        args=_sibling,
        out_of_scope=_sibling,
        out_of_scope_users=["district_a_admin", "outsider"],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_permission_matrix(client, world, case):
    case.check(client, world)
