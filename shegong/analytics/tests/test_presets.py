"""Target presets from the seeds (浙江 2022, 江苏 2025, 黑龙江 2022): loaded with the seed's words as the source,
idempotent, only by someone whose scope covers the province; and the demo's targets (演示设定) for 广州."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from shegong.analytics import presets
from shegong.analytics.models import Target
from shegong.audit.models import AuditEntry
from shegong.stations.tests.factories import add_region, make_user
from shegong.testing.world import CITY

pytestmark = pytest.mark.django_db


@pytest.fixture
def provinces(db):
    return {code: add_region(code, name) for code, name in (("33", "浙江省"), ("32", "江苏省"), ("23", "黑龙江省"))}


def targets_of(region: str) -> dict:
    return {
        item.indicator: (item.value, item.period_start, item.period_end, item.source)
        for item in Target.objects.filter(region_id=region)
    }


def test_the_three_presets_with_the_seeds_numbers_and_words(provinces):
    for code in presets.PRESETS:
        presets.targets_load_preset(code, None)
    zhejiang = targets_of("330000000000")
    assert {name: row[0] for name, row in zhejiang.items()} == {
        "certified_workers": 100_000,
        "agencies": 1_600,
        "supervisors": 800,
    }
    assert zhejiang["certified_workers"][2] == datetime.date(2022, 12, 31)
    assert "10万人" in zhejiang["certified_workers"][3] and "种子文件001" in zhejiang["certified_workers"][3]
    jiangsu = targets_of("320000000000")
    assert {name: row[0] for name, row in jiangsu.items()} == {
        "certified_workers": 100_000,
        "leading_talents": 150,
        "supervisors": 150,
        "township_station_coverage": 100,
        "counties_2_agencies_3a": 100,
    }
    assert all(row[2] == datetime.date(2025, 12, 31) for row in jiangsu.values())
    assert "3A级及以上民办" in jiangsu["counties_2_agencies_3a"][3]
    heilongjiang = targets_of("230000000000")
    assert {name: row[0] for name, row in heilongjiang.items()} == {"township_station_coverage": 40}
    assert "40%" in heilongjiang["township_station_coverage"][3]
    assert set(Target.objects.values_list("preset", flat=True)) == set(presets.PRESETS)


def test_loading_again_changes_nothing_and_restores_an_edited_value(provinces):
    presets.targets_load_preset(presets.JIANGSU, None)
    audited = AuditEntry.objects.filter(object_type="analytics.target").count()
    presets.targets_load_preset(presets.JIANGSU, None)
    assert Target.objects.count() == 5
    assert AuditEntry.objects.filter(object_type="analytics.target").count() == audited
    Target.objects.filter(indicator="supervisors").update(value=99)
    presets.targets_load_preset(presets.JIANGSU, None)
    assert Target.objects.get(indicator="supervisors").value == 150


def test_only_a_bureau_of_the_province_loads_its_preset(client, world, provinces):
    with pytest.raises(ValidationError) as error:
        presets.targets_load_preset(presets.JIANGSU, world.city_admin)
    assert "不在您的管辖范围内" in str(error.value)
    jiangsu_admin = make_user("jiangsu_admin", "civil_affairs_admin", region="320000000000")
    assert len(presets.targets_load_preset(presets.JIANGSU, jiangsu_admin)) == 5

    client.force_login(world.city_admin)
    response = client.post(reverse("analytics:target_preset"), {"preset": presets.ZHEJIANG}, follow=True)
    assert "不在您的管辖范围内" in response.content.decode()
    assert not Target.objects.filter(region_id="330000000000").exists()
    client.force_login(jiangsu_admin)
    response = client.post(reverse("analytics:target_preset"), {"preset": presets.JIANGSU}, follow=True)
    assert "已载入" in response.content.decode()


def test_a_province_not_loaded_is_named(db, monkeypatch):
    missing = presets.Preset(
        "missing", "测试", "990000000000", datetime.date(2026, 1, 1), datetime.date(2026, 12, 31), ()
    )
    monkeypatch.setitem(presets.PRESETS, "missing", missing)
    with pytest.raises(ValidationError) as error:
        presets.targets_load_preset("missing", None)
    assert "尚未载入" in str(error.value)


def test_demo_targets_for_guangzhou_are_marked_and_idempotent(world):
    context = {"city_code": CITY, "stdout": io.StringIO()}
    written = presets.load_demo_targets(context)
    assert written and all(item.source == "演示设定" and item.region_id == CITY for item in written)
    assert {item.indicator for item in written} >= {"certified_workers", "township_station_coverage"}
    assert Target.objects.get(indicator="township_station_coverage").value == 100
    presets.load_demo_targets(context)
    assert Target.objects.count() == len(written)
    assert "演示设定" in context["stdout"].getvalue()
