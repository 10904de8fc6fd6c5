"""The policy pages: the permission matrix over every page, scope (404 out of sight, 403 read-only), edit flows."""

import datetime

import pytest
from django.urls import reverse

from shegong.audit.models import AuditEntry
from shegong.policies.models import PolicyProfile, PolicyRule
from shegong.testing.matrix import assert_matrix
from shegong.web.navigation import items_for

pytestmark = pytest.mark.django_db

GUANGZHOU_USERS = [
    "city_admin",
    "district_a_admin",
    "district_b_admin",
    "station_head_a",
    "worker_b",
    "agency_admin_a",
    "system_admin",
    "security_admin",
]
NO_VIEW = {"anonymous": 302, "no_role": 403, "audit_admin": 403}


def preset(code):
    return PolicyProfile.objects.get(preset=code)


def rule(preset_code, kind):
    return PolicyRule.objects.get(profile__preset=preset_code, kind=kind)


def test_list_and_lookup_pages_matrix(client, world):
    for url in (reverse("policies:profile_list"), reverse("policies:lookup")):
        assert_matrix(client, world, url, NO_VIEW, default=200)


def test_profile_pages_answer_404_out_of_sight_and_403_when_read_only(client, world):
    guangzhou = preset("guangzhou-2018")
    assert_matrix(
        client,
        world,
        reverse("policies:profile_detail", args=[guangzhou.pk]),
        {**NO_VIEW, "outsider": 404},
        default=200,
    )
    assert_matrix(
        client,
        world,
        reverse("policies:profile_detail", args=[preset("shenzhen-2020").pk]),
        {**NO_VIEW, "outsider": 200},
        default=404,
    )
    assert_matrix(client, world, reverse("policies:profile_detail", args=[preset("national").pk]), NO_VIEW, default=200)
    edit_pages = [
        reverse("policies:profile_edit", args=[guangzhou.pk]),
        reverse("policies:rule_add", args=[guangzhou.pk]),
        reverse("policies:rule_edit", args=[rule("guangzhou-2018", "labour_cost_share").pk]),
    ]
    for url in edit_pages:
        assert_matrix(client, world, url, {**NO_VIEW, "outsider": 404, "city_admin": 200}, default=403)
    for url in (
        reverse("policies:rule_remove", args=[rule("guangzhou-2018", "labour_cost_share").pk]),
        reverse("policies:profile_delete", args=[guangzhou.pk]),
    ):
        assert_matrix(
            client,
            world,
            url,
            {**NO_VIEW, "outsider": 404, "city_admin": None},
            default=403,
            method="post",
        )
    # Creating and cloning need the change permission over some region.
    assert_matrix(
        client,
        world,
        reverse("policies:profile_create"),
        {**NO_VIEW, "city_admin": 200, "district_a_admin": 200, "district_b_admin": 200, "outsider": 200},
        default=403,
    )
    assert_matrix(
        client,
        world,
        reverse("policies:profile_clone", args=[guangzhou.pk]),
        {**NO_VIEW, "city_admin": 200, "district_a_admin": 200, "district_b_admin": 200, "outsider": 404},
        default=403,
    )


def test_the_list_shows_own_subtree_plus_what_applies_from_above(client, world):
    client.force_login(world.district_a_admin)
    response = client.get(reverse("policies:profile_list"))
    shown = {profile.preset: profile.editable for profile in response.context["profiles"]}
    assert shown == {"national": False, "guangzhou-2011": False, "guangzhou-2018": False}
    client.force_login(world.city_admin)
    shown = {p.preset: p.editable for p in client.get(reverse("policies:profile_list")).context["profiles"]}
    assert shown == {"national": False, "guangzhou-2011": True, "guangzhou-2018": True}
    shown = {p.preset for p in client.get(reverse("policies:profile_list"), {"q": "年起"}).context["profiles"]}
    assert shown == {"guangzhou-2018"}


def test_detail_page_shows_rules_with_units_and_sources(client, world):
    client.force_login(world.worker_b)
    response = client.get(reverse("policies:profile_detail", args=[preset("guangzhou-2018").pk]))
    html = response.content.decode()
    assert "人力成本占项目经费比例" in html and "65%" in html and "2,400,000.00 元" in html
    assert "穗府办规〔2018〕13号" in html
    assert reverse("policies:rule_edit", args=[rule("guangzhou-2018", "labour_cost_share").pk]) not in html


def test_city_admin_edits_a_rule_on_the_page(client, world):
    target = rule("guangzhou-2018", "labour_cost_share")
    url = reverse("policies:rule_edit", args=[target.pk])
    client.force_login(world.city_admin)
    page = client.get(url)
    assert page.context["form"]["p_minimum"].value() == 65
    response = client.post(url, {"p_minimum": "120", "p_maximum": "", "source_text": target.source_text})
    assert response.status_code == 200
    assert "「最低比例」不能大于 100%。" in response.content.decode()
    response = client.post(url, {"p_minimum": "66", "p_maximum": "", "source_text": "新依据"})
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.params == {"minimum": "66"} and target.source_text == "新依据"
    entry = AuditEntry.objects.order_by("-sequence").first()
    assert entry.changes["params"] == [{"minimum": "65"}, {"minimum": "66"}]


def test_district_admin_creates_a_profile_adds_a_rule_and_deletes_it(client, world):
    client.force_login(world.district_a_admin)
    response = client.post(
        reverse("policies:profile_create"),
        {"region": "440104", "name": "越秀区规定", "valid_from": "2024-01-01", "valid_to": "", "description": ""},
    )
    assert response.status_code == 302
    profile = PolicyProfile.objects.get(name="越秀区规定")
    assert profile.region_id == "440104000000"
    add = reverse("policies:rule_add", args=[profile.pk])
    chooser = client.get(add, {"kind": "presence_days_per_week"})
    assert chooser.context["kind"].code == "presence_days_per_week"
    response = client.post(add, {"kind": "presence_days_per_week", "p_minimum_days": "", "source_text": ""})
    assert "请填写「每周最少天数」。" in response.content.decode()
    response = client.post(add, {"kind": "presence_days_per_week", "p_minimum_days": "4", "source_text": "区文件"})
    assert response.status_code == 302
    assert profile.rules.get().params == {"minimum_days": 4}
    # Another district, or none (= national), is refused on the form.
    response = client.post(
        reverse("policies:profile_create"),
        {"region": "440105", "name": "海珠", "valid_from": "2024-01-01"},
    )
    assert response.context["form"].errors["region"] == ["所选区划不在您的管辖范围内。"]
    response = client.post(
        reverse("policies:profile_create"), {"region": "", "name": "全国", "valid_from": "2024-01-01"}
    )
    assert "region" in response.context["form"].errors
    response = client.post(reverse("policies:profile_delete", args=[profile.pk]))
    assert response.status_code == 302 and not PolicyProfile.objects.filter(pk=profile.pk).exists()


def test_overlap_and_bad_codes_are_form_errors(client, world):
    client.force_login(world.city_admin)
    response = client.post(
        reverse("policies:profile_create"), {"region": "4401", "name": "重叠", "valid_from": "2020-01-01"}
    )
    assert response.status_code == 200 and "重叠" in response.context["form"].errors["valid_from"][0]
    response = client.post(
        reverse("policies:profile_create"), {"region": "9999", "name": "无", "valid_from": "2020-01-01"}
    )
    assert response.context["form"].errors["region"] == ["请选择有效的行政区划。"]


def test_clone_page(client, world):
    client.force_login(world.district_b_admin)
    response = client.post(
        reverse("policies:profile_clone", args=[preset("guangzhou-2018").pk]),
        {"region": "440105", "name": "", "valid_from": "2025-01-01", "valid_to": ""},
    )
    assert response.status_code == 302
    copy = PolicyProfile.objects.get(region_id="440105000000")
    assert copy.rules.count() == 3


def test_lookup_page(client, world):
    client.force_login(world.station_head_a)
    url = reverse("policies:lookup")
    page = client.get(url)
    assert "regions/region-picker.js" in page.content.decode()
    response = client.get(url, {"region": "440104003", "on": "2017-06-01"})
    rows = {row["rule"].kind: row for row in response.context["rows"]}
    assert rows["station_project_amount"].get("rule").params == {"amount": "2000000"}
    assert rows["station_project_amount"]["linked"] is True
    assert rows["continuing_education_hours"]["rule"].profile.preset == "national"
    assert "2,000,000.00 元" in response.content.decode()
    # The picker keeps the station head inside their street.
    response = client.get(url, {"region": "4403", "on": "2026-01-01"})
    assert response.context["rows"] is None
    assert "不在您的管辖范围内" in response.context["form"].errors["region"][0]
    assert client.get(url, {"region": "440105", "on": "2026-01-01"}).context["rows"] is None


def test_menu_entry(world):
    assert "policies:profile_list" in [item["url_name"] for item in items_for(world.worker_b)]
    assert "policies:profile_list" not in [item["url_name"] for item in items_for(world.audit_admin)]


def test_list_page_query_count_does_not_grow_with_profiles(client, world, django_assert_max_num_queries):
    for year in range(1990, 2000):
        PolicyProfile.objects.create(
            name=f"越秀{year}",
            region_id="440104000000",
            valid_from=datetime.date(year, 1, 1),
            valid_to=datetime.date(year + 1, 1, 1),
        )
    client.force_login(world.city_admin)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("policies:profile_list"))
    assert len(response.context["profiles"]) == 13
