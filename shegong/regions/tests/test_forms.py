"""The region picker: RegionField's validation and RegionPickerWidget's chain of selects."""

import re

import pytest
from django import forms

from shegong.regions import loading, selectors
from shegong.regions.forms import RegionField, RegionPickerWidget
from shegong.regions.models import Region

pytestmark = pytest.mark.django_db


class StreetForm(forms.Form):
    region = RegionField(label="街道/乡镇", min_level=4, max_level=4)


class AnyForm(forms.Form):
    region = RegionField(required=False)


def chain_data(*codes: str, name: str = "region") -> dict:
    return {f"{name}_{level}": code for level, code in enumerate(codes, start=1)}


def test_returns_a_region_from_the_chain_of_selects():
    form = StreetForm(chain_data("440000000000", "440100000000", "440104000000", "440104003000"))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["region"] == Region.objects.get(code="440104003000")


@pytest.mark.parametrize("value", ["440104003", "440104003000"])
def test_accepts_a_single_posted_code_short_or_full(value):
    form = StreetForm({"region": value})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["region"].code == "440104003000"


def test_too_shallow_and_too_deep():
    form = StreetForm(chain_data("440000000000", "440100000000", "440104000000"))
    assert not form.is_valid()
    assert form.errors["region"] == ["请继续选择，至少选到街道/乡镇。"]
    form = StreetForm({"region": "440104003104"})
    assert not form.is_valid()
    assert form.errors["region"] == ["最多只能选到街道/乡镇。"]


def test_required_and_optional():
    form = StreetForm({})
    assert not form.is_valid() and form.errors["region"] == ["这个字段是必填项。"]
    form = AnyForm({})
    assert form.is_valid() and form.cleaned_data["region"] is None


@pytest.mark.parametrize("value", ["abc", "4", "990100000000", "440104999"])
def test_invalid_or_unknown_codes(value):
    form = AnyForm({"region": value})
    assert not form.is_valid()
    assert form.errors["region"] == ["请选择有效的行政区划。"]


def test_stale_deeper_choice_from_another_branch_is_ignored():
    # Without JavaScript the street select keeps 北京街道 after the district changed to 海珠区.
    data = chain_data("440000000000", "440100000000", "440105000000", "440104003000")
    form = AnyForm(data)
    assert form.is_valid()
    assert form.cleaned_data["region"].code == "440105000000"
    form = StreetForm(data)
    assert not form.is_valid()
    assert form.errors["region"] == ["请继续选择，至少选到街道/乡镇。"]


def test_within_limits_choices_to_a_subtree():
    form = StreetForm({"region": "440105001"})
    form.fields["region"].within = ["440104"]
    assert not form.is_valid()
    assert form.errors["region"] == ["所选区划不在您的管辖范围内。"]
    form = StreetForm({"region": "440104003"})
    form.fields["region"].within = [Region.objects.get(code="440104000000"), "440105"]
    assert form.is_valid(), form.errors


def test_within_from_a_users_scope(world):
    assert selectors.picker_within(world.district_a_admin) == [Region.objects.get(code="440104000000")]
    assert selectors.picker_within(world.no_role) == []
    form = StreetForm({"region": "440104003"})
    form.fields["region"].within = selectors.picker_within(world.no_role)
    assert not form.is_valid()  # no role, no area: nothing can be chosen


def test_city_without_county_level_counts_as_complete_for_a_county_field():
    loading.load_shipped(city="4419")

    class CountyForm(forms.Form):
        region = RegionField(min_level=3, max_level=3)

    # 东莞市 has no county level: the county select repeats the city's code.
    form = CountyForm(chain_data("440000000000", "441900000000", "441900000000"))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["region"].code == "441900000000"
    # 广州市 has districts: choosing only the city is not enough.
    form = CountyForm(chain_data("440000000000", "440100000000"))
    assert not form.is_valid()
    # A town of 东莞 through the skipped level, for a township field.
    form = StreetForm(chain_data("440000000000", "441900000000", "441900000000", "441900003000"))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["region"].level == 4


def test_has_changed():
    field = RegionField()
    region = Region.objects.get(code="440104000000")
    assert not field.has_changed(region, "440104")
    assert not field.has_changed("440104000000", "440104000000")
    assert field.has_changed(region, "440105000000")
    assert field.has_changed(None, "44")


def test_field_rejects_impossible_level_range():
    with pytest.raises(ValueError):
        RegionField(min_level=4, max_level=3)


def selects(html: str) -> dict[int, dict]:
    found = {}
    for match in re.finditer(r'<select([^>]*)data-level="(\d)"([^>]*)>(.*?)</select>', html, re.S):
        level = int(match.group(2))
        attrs = match.group(1) + match.group(3)
        options = re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', match.group(4))
        found[level] = {
            "disabled": " disabled" in attrs,
            "options": [(value, label) for value, _sel, label in options],
            "selected": next((value for value, sel, _label in options if sel), None),
        }
    return found


def test_widget_renders_the_chain_of_an_initial_value(django_assert_max_num_queries):
    form = AnyForm(initial={"region": Region.objects.get(code="440104003000")})
    with django_assert_max_num_queries(3):
        html = str(form["region"])
    levels = selects(html)
    assert sorted(levels) == [1, 2, 3, 4, 5]
    assert [levels[level]["selected"] for level in (1, 2, 3, 4)] == [
        "440000000000",
        "440100000000",
        "440104000000",
        "440104003000",
    ]
    assert len(levels[1]["options"]) == 32  # the prompt and 31 provinces
    assert ("440104000000", "越秀区") in levels[3]["options"]
    # The communities of 北京街道 are ready to choose; nothing is chosen yet.
    assert levels[5]["selected"] is None and not levels[5]["disabled"] and len(levels[5]["options"]) > 5
    assert 'data-options-url="/regions/picker/options/"' in html
    assert "<script" not in html and "style=" not in html
    assert form.media._js == ["regions/region-picker.js"]


def test_widget_without_value_offers_provinces_only():
    levels = selects(str(AnyForm()["region"]))
    assert len(levels[1]["options"]) == 32
    assert all(levels[level]["disabled"] for level in (2, 3, 4, 5))


def test_widget_re_renders_the_posted_chain_after_an_error():
    form = StreetForm(chain_data("440000000000", "440100000000", "440104000000"))
    assert not form.is_valid()
    levels = selects(str(form["region"]))
    assert levels[3]["selected"] == "440104000000"
    assert not levels[4]["disabled"] and ("440104003000", "北京街道") in levels[4]["options"]
    assert sorted(levels) == [1, 2, 3, 4]  # max_level 4: no village select


def test_widget_skips_the_missing_county_of_dongguan():
    loading.load_shipped(city="4419")
    form = StreetForm(initial={"region": "441900003000"})
    levels = selects(str(form["region"]))
    assert levels[3]["options"] == [("441900000000", "（不设此级）")] and levels[3]["selected"] == "441900000000"
    assert levels[4]["selected"] == "441900003000"
    assert len(levels[4]["options"]) > 30


def test_widget_within_preselects_what_is_already_decided():
    form = StreetForm()
    form.fields["region"].within = ["440104"]
    html = str(form["region"])
    levels = selects(html)
    assert levels[1]["options"][1:] == [("440000000000", "广东省")] and levels[1]["selected"] == "440000000000"
    assert levels[2]["selected"] == "440100000000"
    assert levels[3]["options"][1:] == [("440104000000", "越秀区")] and levels[3]["selected"] == "440104000000"
    assert all(code.startswith("440104") for code, _label in levels[4]["options"][1:])
    assert 'data-within="440104"' in html


def test_widget_within_two_districts_lets_the_user_choose_between_them():
    form = StreetForm()
    form.fields["region"].within = ["440104", "440105"]
    levels = selects(str(form["region"]))
    assert levels[2]["selected"] == "440100000000"
    assert levels[3]["selected"] is None
    assert [label for _code, label in levels[3]["options"][1:]] == ["越秀区", "海珠区"]


def test_label_points_at_the_first_select():
    form = StreetForm()
    assert 'for="id_region_1"' in form["region"].label_tag()
    assert RegionPickerWidget().id_for_label("id_x") == "id_x_1"
