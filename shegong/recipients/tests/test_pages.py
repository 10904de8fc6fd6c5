"""Every page and endpoint × every named user, in and out of scope; the forms through the pages; the list filters."""

import datetime

import pytest
from django.urls import reverse

from shegong.recipients.models import Recipient
from shegong.recipients.tests.factories import (
    COMMUNITY_A,
    COMMUNITY_A2,
    COMMUNITY_B,
    Kind,
    id_number,
    make_recipient,
    make_station,
)
from shegong.testing.matrix import ViewCase, assert_matrix

pytestmark = pytest.mark.django_db

SEES = {
    "city_admin": 200,
    "district_a_admin": 200,
    "district_b_admin": 200,
    "station_head_a": 200,
    "worker_b": 200,
    "agency_admin_a": 200,
    "outsider": 200,
}
SEES_A = {
    "city_admin": 200,
    "district_a_admin": 200,
    "station_head_a": 200,
    "district_b_admin": 404,
    "worker_b": 404,
    "agency_admin_a": 404,
    "outsider": 404,
}
KEEPS_A = {"station_head_a": 200, "agency_admin_a": 404}
BUREAU = {"city_admin": 200, "district_a_admin": 200, "district_b_admin": 200, "outsider": 200}


def _a(w):
    return [w.recipient_a.pk]


def _b(w):
    return [w.recipient_b.pk]


CASES = [
    ViewCase("recipients:list", {"anonymous": 302, **SEES}, default=403),
    ViewCase("recipients:export", {"anonymous": 302, **SEES}, default=403, method="post"),
    ViewCase(
        "recipients:create",
        {"anonymous": 302, "station_head_a": 200, "agency_admin_a": 200, "worker_b": 200},
        default=403,
    ),
    ViewCase("recipients:withdrawn", {"anonymous": 302, **BUREAU}, default=403),
    ViewCase(
        "recipients:detail",
        {"anonymous": 302, **SEES_A},
        default=403,
        args=_a,
        out_of_scope=_b,
        out_of_scope_users=["district_a_admin", "station_head_a"],
    ),
    *[
        ViewCase(name, {"anonymous": 302, **KEEPS_A}, default=403, args=_a, out_of_scope=_b)
        for name in ("recipients:edit", "recipients:consent", "recipients:withdraw")
    ],
]


@pytest.fixture
def placed(world):
    world.recipient_a = make_recipient("陈大文", COMMUNITY_A, phone="13800138000")
    world.recipient_b = make_recipient("黄海珠", COMMUNITY_B)
    return world


@pytest.mark.parametrize("case", CASES, ids=str)
def test_permission_matrix(client, placed, case):
    case.check(client, placed)


def test_api_matrix(client, placed):
    assert_matrix(client, placed, "/api/v1/recipients/", {"anonymous": 401, **SEES}, default=403)
    assert_matrix(
        client, placed, f"/api/v1/recipients/{placed.recipient_a.pk}", {"anonymous": 401, **SEES_A}, default=403
    )
    assert_matrix(
        client,
        placed,
        f"/api/v1/recipients/{placed.recipient_b.pk}",
        {"district_a_admin": 404, "station_head_a": 404, "district_b_admin": 200},
    )


def test_api_answers_masked_and_scoped(client, placed):
    client.force_login(placed.district_a_admin)
    answer = client.get("/api/v1/recipients/").json()
    assert [item["name"] for item in answer["items"]] == ["陈大文"]
    item = answer["items"][0]
    assert "*" in item["id_number"] and item["phone"] == "138****8000"
    assert client.get("/api/v1/recipients/", {"region": "440105"}).json()["items"] == []
    assert client.get("/api/v1/recipients/", {"region": "x"}).status_code == 422


def test_an_agency_sees_the_recipients_of_its_stations(client, world):
    station = make_station(Kind.STATION, "440104001", agency=world.agency_a)
    served = make_recipient("刘机构", COMMUNITY_A2, station=station)
    make_recipient("周其他", COMMUNITY_A)
    client.force_login(world.agency_admin_a)
    assert [row.name for row in client.get(reverse("recipients:list")).context["page"]] == ["刘机构"]
    assert client.get(reverse("recipients:edit", args=[served.pk])).status_code == 200


def test_register_through_the_form(client, world):
    client.force_login(world.station_head_a)
    number = id_number(birth="19380808", sequence=21)
    data = {
        "name": "何阿婆",
        "id_number": number,
        "phone": "13712345678",
        "community": COMMUNITY_A,
        "categories": ["extreme_poverty", "living_alone"],
        "attention_level": "2",
        "last_visit_on": "2026-01-10",
        "consent_given_on": "2026-01-10",
        "consent_scopes": ["service_record", "follow_up"],
    }
    response = client.post(reverse("recipients:create"), data)
    assert response.status_code == 302, response.context["form"].errors
    recipient = Recipient.objects.get(name="何阿婆")
    assert recipient.birth_date == datetime.date(1938, 8, 8) and recipient.sex == "M"
    assert sorted(recipient.category_links.values_list("category__code", flat=True)) == [
        "extreme_poverty",
        "living_alone",
    ]
    assert recipient.next_visit_due == datetime.date(2026, 1, 24)
    detail = client.get(response["Location"]).content.decode()
    assert number not in detail and "2026-01-24" in detail
    # Editing with the ID number left empty keeps it.
    data.update(id_number="", phone="", attention_level="3", name="何阿婆婆")
    response = client.post(reverse("recipients:edit", args=[recipient.pk]), data)
    assert response.status_code == 302
    recipient.refresh_from_db()
    assert recipient.id_number == number and recipient.attention_level == 3 and recipient.phone == "13712345678"


def test_the_form_shows_the_service_refusals(client, world):
    client.force_login(world.station_head_a)
    data = {
        "name": "无证人",
        "community": COMMUNITY_A,
        "attention_level": "6",
        "consent_given_on": "2026-01-10",
        "consent_scopes": ["follow_up"],
    }
    form = client.post(reverse("recipients:create"), data).context["form"]
    assert {"no_id_reason", "birth_date", "sex", "consent_scopes"} <= set(form.errors)
    data.update(no_id_reason="foreign", birth_date="1980-01-01", sex="F", consent_scopes=["service_record"])
    data["community"] = COMMUNITY_B  # outside 北京街道
    form = client.post(reverse("recipients:create"), data).context["form"]
    assert "community" in form.errors or form.non_field_errors()
    assert not Recipient.all_records.filter(name="无证人").exists()


def test_withdraw_through_the_page(client, placed):
    client.force_login(placed.station_head_a)
    url = reverse("recipients:withdraw", args=[placed.recipient_a.pk])
    response = client.post(url, {"on": "2026-02-02", "reason": "搬离本市"})
    assert response.status_code == 302
    assert client.get(reverse("recipients:detail", args=[placed.recipient_a.pk])).status_code == 404


def test_list_filters(client, world):
    station = make_station(Kind.ROOM, COMMUNITY_A)
    make_recipient("甲", COMMUNITY_A, station=station, categories=["orphan"], attention_level=1)
    make_recipient("乙", COMMUNITY_A, household_separated=True, id_number="", no_id_reason="foreign")
    make_recipient("丙", COMMUNITY_A2, attention_level=1)
    client.force_login(world.district_a_admin)
    url = reverse("recipients:list")

    def names(**params):
        return sorted(row.name for row in client.get(url, params).context["page"])

    assert names() == ["丙", "乙", "甲"]
    assert names(category=_category("orphan")) == ["甲"]
    assert names(attention_level="1") == ["丙", "甲"]
    assert names(household_separated="1") == ["乙"]
    assert names(station=station.pk) == ["甲"]
    assert names(
        region_4="440104001000", region_3="440104000000", region_2="440100000000", region_1="440000000000"
    ) == ["丙"]


def _category(code):
    from shegong.refdata.models import DictionaryItem

    return DictionaryItem.objects.get(dictionary__code="recipient_category", code=code).pk
