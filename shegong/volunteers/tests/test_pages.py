"""Every page and endpoint × every named user, in and out of scope; the forms through the pages; the exports."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from shegong.testing.matrix import ViewCase, assert_matrix
from shegong.volunteers import services
from shegong.volunteers.models import ServiceRecord, Volunteer, VolunteerTeam
from shegong.volunteers.tests.factories import (
    COMMUNITY_A,
    COMMUNITY_B,
    id_number,
    make_user,
    make_volunteer,
    make_worker,
    station_a,
    station_b,
)
from shegong.volunteers.views import RECORD_EXPORT_COLUMNS

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
KEEPS = {"station_head_a": 200, "agency_admin_a": 200}
KEEPS_A = {"station_head_a": 200, "agency_admin_a": 404}
RECORDERS = {"station_head_a": 200, "agency_admin_a": 200, "worker_b": 200}
# Record B was recorded by worker_b: only they (or a keeper of 海珠's station, none in the world) confirm it.
CONFIRMS_B = {
    "worker_b": 200,
    "city_admin": 403,
    "district_b_admin": 403,
    "district_a_admin": 404,
    "station_head_a": 404,
    "agency_admin_a": 404,
    "outsider": 404,
}


def _a(w):
    return [w.volunteer_a.pk]


def _b(w):
    return [w.volunteer_b.pk]


CASES = [
    ViewCase("volunteers:list", {"anonymous": 302, **SEES}, default=403),
    ViewCase("volunteers:export", {"anonymous": 302, **SEES}, default=403, method="post"),
    ViewCase("volunteers:create", {"anonymous": 302, **KEEPS}, default=403),
    ViewCase(
        "volunteers:detail",
        {"anonymous": 302, **SEES_A},
        default=403,
        args=_a,
        out_of_scope=_b,
        out_of_scope_users=["district_a_admin", "station_head_a"],
    ),
    ViewCase("volunteers:edit", {"anonymous": 302, **KEEPS_A}, default=403, args=_a, out_of_scope=_b),
    ViewCase(
        "volunteers:status",
        {"anonymous": 302, "station_head_a": 302, "agency_admin_a": 404},
        default=403,
        args=_a,
        method="post",
        out_of_scope=_b,
        out_of_scope_users=["station_head_a"],
    ),
    *[
        ViewCase(
            "volunteers:add",
            {"anonymous": 302, **KEEPS_A},
            default=403,
            args=lambda w, kind=kind: [w.volunteer_a.pk, kind],
            out_of_scope=lambda w, kind=kind: [w.volunteer_b.pk, kind],
            label=f"volunteers:add {kind}",
        )
        for kind in ("training", "award", "evaluation")
    ],
    ViewCase("volunteers:teams", {"anonymous": 302, **SEES}, default=403),
    ViewCase("volunteers:team_create", {"anonymous": 302, **KEEPS}, default=403),
    ViewCase(
        "volunteers:team_detail",
        {"anonymous": 302, **SEES_A},
        default=403,
        args=lambda w: [w.team_a.pk],
        out_of_scope=lambda w: [w.team_b.pk],
        out_of_scope_users=["district_a_admin", "station_head_a"],
    ),
    ViewCase(
        "volunteers:team_edit",
        {"anonymous": 302, **KEEPS_A},
        default=403,
        args=lambda w: [w.team_a.pk],
        out_of_scope=lambda w: [w.team_b.pk],
    ),
    ViewCase("volunteers:records", {"anonymous": 302, **SEES}, default=403),
    ViewCase("volunteers:record_export", {"anonymous": 302, **SEES}, default=403, method="post"),
    ViewCase("volunteers:record_create", {"anonymous": 302, **RECORDERS}, default=403),
    ViewCase(
        "volunteers:record_confirm",
        {"anonymous": 302, **CONFIRMS_B, "worker_b": 302},
        default=403,
        args=lambda w: [w.record_b.pk],
        method="post",
    ),
    *[
        ViewCase(name, {"anonymous": 302, **CONFIRMS_B}, default=403, args=lambda w: [w.record_b.pk])
        for name in ("volunteers:record_correct", "volunteers:record_void")
    ],
]


@pytest.fixture
def placed(world):
    world.volunteer_a = make_volunteer("陈越秀", COMMUNITY_A, phone="13800138000")
    world.volunteer_b = make_volunteer("黄海珠", COMMUNITY_B)
    world.team_a = services.team_create(actor=None, name="北京街队", region=station_a().region, station=station_a())
    world.team_b = services.team_create(actor=None, name="海珠队", region=station_b().region, station=station_b())
    make_worker(region="440105000000", account=world.worker_b)
    world.record_b = services.service_record_create(
        actor=world.worker_b,
        volunteer=world.volunteer_b,
        service_date=datetime.date(2026, 3, 1),
        hours="2",
        content="长者探访",
    )
    return world


@pytest.mark.parametrize("case", CASES, ids=str)
def test_permission_matrix(client, placed, case):
    case.check(client, placed)


def test_my_record_is_the_volunteers_own(client, placed):
    account = make_user("vol_chen", "volunteer", region=COMMUNITY_A)
    services.volunteer_link_account(actor=None, volunteer=placed.volunteer_a, account=account)
    url = reverse("volunteers:me")
    assert_matrix(client, placed, url, {"anonymous": 302, "vol_chen": 200}, default=404, users={"vol_chen": account})
    client.force_login(account)
    page = client.get(url)
    assert page.context["volunteer"] == placed.volunteer_a and not page.context["can_change"]
    assert client.get(reverse("volunteers:detail", args=[placed.volunteer_b.pk])).status_code == 403


def test_api_matrix(client, placed):
    assert_matrix(client, placed, "/api/v1/volunteers/", {"anonymous": 401, **SEES}, default=403)
    assert_matrix(client, placed, "/api/v1/volunteers/teams/", {"anonymous": 401, **SEES}, default=403)
    assert_matrix(client, placed, "/api/v1/volunteers/records/", {"anonymous": 401, **SEES}, default=403)
    url = f"/api/v1/volunteers/{placed.volunteer_a.pk}"
    assert_matrix(client, placed, url, {"anonymous": 401, **SEES_A}, default=403)
    url = f"/api/v1/volunteers/{placed.volunteer_b.pk}"
    assert_matrix(client, placed, url, {"district_a_admin": 404, "station_head_a": 404, "district_b_admin": 200})
    confirm = f"/api/v1/volunteers/records/{placed.record_b.pk}/confirm"
    assert_matrix(
        client, placed, confirm, {"anonymous": 401, **CONFIRMS_B, "worker_b": None}, default=403, method="post"
    )
    assert_matrix(client, placed, confirm, {"worker_b": 200}, method="post")
    assert ServiceRecord.objects.get(pk=placed.record_b.pk).status == "confirmed"


def test_api_lists_are_scoped_and_masked_and_records_are_posted(client, placed):
    client.force_login(placed.district_a_admin)
    items = client.get("/api/v1/volunteers/").json()
    assert [item["name"] for item in items] == ["陈越秀"]
    assert "*" in items[0]["id_number"] and items[0]["phone"] == "138****8000"
    assert [team["name"] for team in client.get("/api/v1/volunteers/teams/").json()] == ["北京街队"]
    assert client.get("/api/v1/volunteers/records/").json() == []
    client.force_login(placed.worker_b)
    payload = {"volunteer": placed.volunteer_b.pk, "service_date": "2026-03-02", "hours": "1.5", "content": "助餐"}
    answer = client.post("/api/v1/volunteers/records/", payload, content_type="application/json")
    assert answer.status_code == 201 and answer.json()["status"] == "pending"
    payload["volunteer"] = placed.volunteer_a.pk
    assert client.post("/api/v1/volunteers/records/", payload, content_type="application/json").status_code == 404
    payload.update(volunteer=placed.volunteer_b.pk, hours="30")
    assert client.post("/api/v1/volunteers/records/", payload, content_type="application/json").status_code == 400


def test_register_through_the_form_and_filter_the_list(client, world):
    client.force_login(world.station_head_a)
    number = id_number(birth="19920304", sequence=25)
    data = {"name": "何志愿", "id_number": number, "phone": "13712345678", "region": COMMUNITY_A}
    data["station"] = station_a().pk
    response = client.post(reverse("volunteers:create"), data)
    assert response.status_code == 302, response.context["form"].errors
    volunteer = Volunteer.objects.get(name="何志愿")
    assert volunteer.birth_date == datetime.date(1992, 3, 4) and volunteer.sex == "M"
    again = client.post(reverse("volunteers:create"), {**data, "name": "再登记"})
    assert again.status_code == 200 and "不能重复登记" in str(again.context["form"].errors)
    listing = client.get(reverse("volunteers:list"), {"q": volunteer.number})
    assert [row.name for row in listing.context["page"]] == ["何志愿"]
    assert client.get(reverse("volunteers:list"), {"status": "left"}).context["page"].paginator.count == 0
    assert client.get(reverse("volunteers:list"), {"q": number}).context["page"].paginator.count == 1


def test_team_members_and_leader_through_the_page(client, placed):
    client.force_login(placed.station_head_a)
    url = reverse("volunteers:team_detail", args=[placed.team_a.pk])
    refused = client.post(url, {"number": placed.volunteer_a.number, "action": "leader"})
    assert refused.status_code == 200 and "队长必须是本队队员" in str(refused.context["form"].errors)
    client.post(url, {"number": placed.volunteer_a.number, "action": "add"})
    client.post(url, {"number": placed.volunteer_a.number, "action": "leader"})
    team = VolunteerTeam.objects.get(pk=placed.team_a.pk)
    assert team.leader == placed.volunteer_a and list(team.members.all()) == [placed.volunteer_a]
    hidden = client.post(url, {"number": placed.volunteer_b.number, "action": "add"})
    assert "不在您的管辖范围内" in str(hidden.context["form"].errors)


def test_confirm_correct_void_through_the_pages(client, placed):
    client.force_login(placed.worker_b)
    client.post(reverse("volunteers:record_confirm", args=[placed.record_b.pk]))
    url = reverse("volunteers:record_correct", args=[placed.record_b.pk])
    refused = client.post(url, {"hours": "3", "content": "长者探访", "reason": ""})
    assert refused.status_code == 200 and refused.context["form"].errors["reason"]
    assert client.post(url, {"hours": "3", "content": "长者探访", "reason": "漏记"}).status_code == 302
    entry = ServiceRecord.objects.get(pk=placed.record_b.pk)
    assert entry.hours == 3 and entry.corrections.get().reason == "漏记"
    client.post(reverse("volunteers:record_void", args=[entry.pk]), {"reason": "重复"})
    assert ServiceRecord.objects.get(pk=entry.pk).status == "void"


def test_record_export_has_the_national_columns_masked(client, placed):
    services.service_record_confirm(actor=placed.worker_b, record_=placed.record_b)
    client.force_login(placed.worker_b)  # a social worker: no reveal permission
    answer = client.post(reverse("volunteers:record_export"))
    rows = list(load_workbook(io.BytesIO(answer.content)).worksheets[0].iter_rows(values_only=True))
    header = next(index for index, row in enumerate(rows) if row and row[0] == "姓名")
    assert tuple(rows[header][: len(RECORD_EXPORT_COLUMNS)]) == RECORD_EXPORT_COLUMNS
    line = rows[header + 1]
    assert line[0] == "黄海珠" and line[1] == "居民身份证" and "*" in line[2] and line[3] == placed.volunteer_b.number
    answer = client.post(reverse("volunteers:record_export") + "?format=csv")
    lines = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert tuple(lines[0]) == RECORD_EXPORT_COLUMNS and "*" in lines[1][2] and lines[1][5] == "2.0"
    client.force_login(placed.district_b_admin)  # the bureau holds the reveal permission
    lines = list(
        csv.reader(
            io.StringIO(client.post(reverse("volunteers:record_export") + "?format=csv").content.decode("utf-8-sig"))
        )
    )
    assert lines[1][2] == placed.volunteer_b.id_number


def test_volunteer_export_is_masked(client, placed):
    client.force_login(placed.city_admin)
    answer = client.post(reverse("volunteers:export"))
    text = str(list(load_workbook(io.BytesIO(answer.content)).worksheets[0].iter_rows(values_only=True)))
    assert "陈越秀" in text and placed.volunteer_a.id_number not in text and "13800138000" not in text


def test_list_filters_by_team_skill_station_and_region(client, placed):
    from shegong.refdata.models import DictionaryItem

    skill = DictionaryItem.objects.filter(dictionary__code="volunteer_skill").first()
    other = make_volunteer("周技能", COMMUNITY_A, skills=[skill.code])
    services.team_add_member(actor=None, team=placed.team_a, volunteer=placed.volunteer_a)
    client.force_login(placed.city_admin)

    def names(**query):
        return sorted(row.name for row in client.get(reverse("volunteers:list"), query).context["page"])

    assert names(team=placed.team_a.pk) == ["陈越秀"]
    assert names(skill=skill.pk) == [other.name]
    assert names(station=station_b().pk) == ["黄海珠"]
    assert names(region="440105") == ["黄海珠"]
    assert names() == ["周技能", "陈越秀", "黄海珠"]


def test_the_detail_shows_the_national_record(client, placed):
    day = datetime.date(2026, 2, 1)
    head = placed.station_head_a
    services.training_add(
        actor=head, volunteer=placed.volunteer_a, trained_on=day, title="急救", hours=4, organiser="红会"
    )
    services.award_add(
        actor=head, volunteer=placed.volunteer_a, awarded_on=day, title="五星志愿者", awarded_by="民政局"
    )
    client.force_login(head)
    page = client.get(reverse("volunteers:detail", args=[placed.volunteer_a.pk])).content.decode()
    assert "急救" in page and "五星志愿者" in page and placed.volunteer_a.number in page
    assert placed.volunteer_a.id_number not in page
    response = client.post(
        reverse("volunteers:add", args=[placed.volunteer_a.pk, "evaluation"]),
        {"evaluated_on": "2026-02-02", "grade": "good", "evaluator": "北京街社工站"},
    )
    assert response.status_code == 302 and placed.volunteer_a.evaluations.get().grade == "good"
