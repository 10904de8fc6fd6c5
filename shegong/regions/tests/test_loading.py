"""The loader of the shipped 2023 divisions: counts per level, idempotency, repairs, the 东莞 and 金门 rows, classes.

The test database holds the real divisions of 广州市 (4401) from the session baseline; tests that load more run in a
transaction that is rolled back. The whole country is the benchmark's job (`./dev bench regions-load`).
"""

import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.db.models import Count, Q

from shegong.audit.models import AuditEntry
from shegong.regions import loading, selectors, services
from shegong.regions.loading import area_class_from_name, area_class_from_nbs
from shegong.regions.models import Region
from shegong.regions.tests.helpers import csv_codes, csv_counts

pytestmark = pytest.mark.django_db

FIELDS = ("code", "name", "level", "parent_id", "urban_rural_code", "area_class")


def db_counts(head: str) -> Counter:
    """Rows per level: the whole country at levels 1-2, only under `head` below."""
    rows = (
        Region.objects.filter(Q(level__lte=2) | Q(code__startswith=head))
        .values_list("level")
        .annotate(n=Count("code"))
        .order_by()
    )
    return Counter(dict(rows))


def snapshot(head: str) -> list[tuple]:
    return list(Region.objects.filter(code__startswith=head).order_by("code").values_list(*FIELDS))


def test_city_counts_per_level_match_the_files():
    result = loading.load_shipped(city="4401")
    expected = csv_counts("4401")
    assert result.read == dict(expected)
    assert db_counts("4401") == expected
    assert expected[3] == 11 and expected[4] == 178  # 广州: 11 districts, 178 streets and towns
    assert result.created == 0 and result.updated == 0  # the baseline loaded it already


def test_second_run_writes_nothing_and_changes_no_row():
    before = snapshot("44")
    result = loading.load_shipped(city="4401")
    assert (result.created, result.updated) == (0, 0)
    assert result.unchanged == result.total
    assert snapshot("44") == before


def test_edited_name_is_restored_by_a_rerun():
    Region.objects.filter(code="440104003104").update(name="改过的名字")
    result = loading.load_shipped(city="4401")
    assert (result.created, result.updated) == (0, 1)
    assert Region.objects.get(code="440104003104").name != "改过的名字"
    assert result.changes["440104003104"]["name"][0] == "改过的名字"


def test_province_load_counts_dongguan_and_zhongshan_without_county_rows():
    result = loading.load_shipped(province="44")
    expected = csv_counts("44")
    expected[3] -= 2  # 441900 东莞市 and 442000 中山市 repeat their city
    assert result.read == dict(expected)
    assert db_counts("44") == expected
    assert {row.code for row in result.skipped} == {"441900", "442000"}
    dongguan = Region.objects.get(code="441900000000")
    assert (dongguan.name, dongguan.level) == ("东莞市", 2)
    towns = Region.objects.filter(parent=dongguan)
    assert towns.count() == len(csv_codes(4, "4419")) > 30
    assert set(towns.values_list("level", flat=True)) == {4}
    assert not Region.objects.filter(code__startswith="4419", level=3).exists()
    again = loading.load_shipped(province="44")
    assert (again.created, again.updated) == (0, 0)


def test_all_placeholder_rows_of_the_country_are_found():
    skipped: list = []
    kept = Counter(row.level for row in loading.shipped_rows(skipped=skipped))
    assert {(row.level, row.code) for row in skipped} == {
        (3, "441900"),
        (3, "442000"),
        (3, "460400"),
        (4, "350527000"),
        (5, "350527000000"),
    }
    assert dict(kept) == {1: 31, 2: 342, 3: 2975, 4: 41351, 5: 620572}


def test_kinmen_county_loads_without_its_placeholder_township():
    result = loading.load_shipped(city="3505")
    assert {row.code for row in result.skipped} == {"350527000", "350527000000"}
    kinmen = Region.objects.get(code="350527000000")
    assert (kinmen.level, kinmen.parent_id) == (3, "350500000000")
    assert not kinmen.children.exists()


def test_descendants_of_yuexiu_are_exactly_the_codes_under_440104():
    yuexiu = selectors.get("440104")
    codes = set(selectors.descendants(yuexiu).values_list("code", flat=True))
    expected = {code.ljust(12, "0") for level in (4, 5) for code in csv_codes(level, "440104")}
    assert codes == expected
    assert all(code.startswith("440104") for code in codes)
    assert not any(code.startswith("440105") for code in codes)
    assert "440104000000" not in codes
    assert "440104000000" in set(selectors.descendants(yuexiu, include_self=True).values_list("code", flat=True))


def test_descendant_query_is_one_range_over_the_key(django_assert_num_queries):
    yuexiu = selectors.get("440104")
    with django_assert_num_queries(1) as captured:
        list(selectors.descendants(yuexiu))
    sql = captured.captured_queries[0]["sql"]
    assert ">=" in sql and "<=" in sql and "LIKE" not in sql.upper()


def test_ancestors_come_from_codes_in_one_query(django_assert_num_queries):
    community = selectors.get("440104003104")
    with django_assert_num_queries(1):
        names = [region.name for region in selectors.ancestors(community)]
    assert names == ["广东省", "广州市", "越秀区", "北京街道"]


@pytest.mark.parametrize(
    ("name", "level", "expected"),
    [
        ("广卫社区居委会", 5, "urban"),
        ("某某居民委员会", 5, "urban"),
        ("光明社区", 5, "urban"),
        ("石井村委会", 5, "rural"),
        ("某某村民委员会", 5, "rural"),
        ("龙洞村", 5, "rural"),
        ("某农场生活区", 5, ""),
        ("巴彦嘎查", 5, ""),
        ("北京街道", 4, "urban"),
        ("保康街道办事处", 4, "urban"),
        ("太和镇", 4, "rural"),
        ("某某乡", 4, "rural"),
        ("某某民族乡", 4, "rural"),
        ("达尔汗苏木", 4, "rural"),
        ("经济技术开发区", 4, ""),
        ("越秀区", 3, ""),
        ("某某社区", 4, ""),
        ("某某街道", 5, ""),
    ],
)
def test_area_class_from_name(name, level, expected):
    assert area_class_from_name(name, level) == expected


@pytest.mark.parametrize(
    ("code", "expected"), [("111", "urban"), ("112", "urban"), ("123", "urban"), ("210", "rural"), ("220", "rural")]
)
def test_area_class_from_nbs(code, expected):
    assert area_class_from_nbs(code) == expected


def test_loaded_classes_follow_the_names():
    villages = Region.objects.filter(code__startswith="4401", level=5)
    for region in villages.iterator():
        assert region.area_class == area_class_from_name(region.name, 5), region.name
    assert villages.filter(area_class="urban").exists() and villages.filter(area_class="rural").exists()
    streets = Region.objects.filter(code__startswith="4401", level=4)
    assert streets.get(code="440104003000").area_class == "urban"  # 北京街道
    assert (
        streets.filter(name__endswith="镇", area_class="rural").count() == streets.filter(name__endswith="镇").count()
    )
    assert not Region.objects.filter(level__lte=3).exclude(area_class="").exists()


def test_official_class_is_not_erased_by_the_shipped_files():
    Region.objects.filter(code="440104003104").update(urban_rural_code="111", area_class="urban")
    Region.objects.filter(code="440111020200").update(urban_rural_code="220", area_class="rural")
    result = loading.load_shipped(city="4401")
    assert result.updated == 0
    assert Region.objects.get(code="440111020200").urban_rural_code == "220"


def test_database_refuses_a_level_that_disagrees_with_the_code():
    city = Region.objects.get(code="441900000000")
    with pytest.raises(IntegrityError), transaction.atomic():
        Region.objects.create(code="441900000001", name="错", level=4, parent=city)
    with pytest.raises(IntegrityError), transaction.atomic():
        Region.objects.filter(code="441900000000").update(level=3)


def test_service_records_one_audit_entry_only_when_something_changed():
    before = AuditEntry.objects.count()
    services.regions_load_shipped(city="4401")
    assert AuditEntry.objects.count() == before
    Region.objects.filter(code="440104003104").update(name="改过的名字")
    services.regions_load_shipped(city="4401")
    entry = AuditEntry.objects.order_by("-sequence").first()
    assert AuditEntry.objects.count() == before + 1
    assert (entry.action, entry.object_type, entry.object_id) == ("import", "regions.region", "4401")
    assert entry.actor_username == "shegong regions load"
    assert entry.changes["440104003104"]["name"][0] == "改过的名字"


def test_command_reports_counts_and_progress():
    out, err = io.StringIO(), io.StringIO()
    call_command("regions", "load", "--city", "4401", stdout=out, stderr=err)
    summary = out.getvalue().strip().splitlines()[-1]
    assert "created 0, updated 0" in summary
    assert "level 5 村级 2,851" in summary or "level 5 村级" in summary
    assert summary.endswith(" s")
    assert "level 4 乡级: 178 rows done" in err.getvalue()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--province", "4"], "--province takes a 2-digit code"),
        (["--city", "44011"], "--city takes a 4-digit code"),
        (["--province", "45", "--city", "4401"], "city 4401 is not in province 45"),
    ],
)
def test_command_rejects_bad_filters(args, message):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match=message):
        call_command("regions", "load", *args, stdout=io.StringIO(), stderr=io.StringIO())


def _index_and_key_names() -> set[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Region._meta.db_table)
    return {name for name, info in constraints.items() if info["index"] or info["foreign_key"]}


def test_bulk_mode_builds_indexes_afterwards_and_keeps_them(monkeypatch):
    monkeypatch.setattr(loading, "BULK_ROWS", 100)  # a city is enough to take the bulk path
    before = _index_and_key_names()
    result = loading.load_shipped(city="4419")
    assert result.created == len(csv_codes(4, "4419")) + len(csv_codes(5, "4419"))
    assert _index_and_key_names() == before
    assert {"region_name_idx", "region_parent_code_idx", "region_level_code_idx"} <= before
    assert selectors.search("东城街道", within=selectors.get("4419"))[0].code == "441900003000"
    again = loading.load_shipped(city="4419")
    assert (again.created, again.updated) == (0, 0)


def test_a_failed_load_writes_nothing_and_restores_the_indexes(monkeypatch):
    monkeypatch.setattr(loading, "BULK_ROWS", 100)
    before = _index_and_key_names()

    def rows_then_failure():
        yield from loading.shipped_rows(city="4419")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        loading.load(rows_then_failure(), totals={5: 1000})
    assert not Region.objects.filter(code__startswith="4419", level__gte=4).exists()
    assert _index_and_key_names() == before


@pytest.mark.parametrize("code", ["440104", "440104000000"])
def test_descendants_from_a_code(code):
    assert selectors.descendants(code).count() == len(csv_codes(4, "440104")) + len(csv_codes(5, "440104"))
    assert selectors.descendants(code, include_self=True).filter(code="440104000000").exists()
