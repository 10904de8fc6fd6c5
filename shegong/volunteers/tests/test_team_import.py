"""Excel import of volunteer teams: the template, a good file written whole through the team services (members,
leader, audit rows), bad rows reported with their reasons in Chinese, nothing half-written; the import page's scope;
and the team list exported to Excel."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from shegong.audit.models import AuditEntry
from shegong.tabular.models import ImportJob
from shegong.testing.matrix import assert_matrix
from shegong.volunteers import services
from shegong.volunteers.models import VolunteerTeam
from shegong.volunteers.tests.factories import COMMUNITY_A, COMMUNITY_B, STREET_A, make_volunteer, station_a, station_b
from shegong.volunteers.tests.tabular_helpers import reasons_by, run, use_immediate_tasks

pytestmark = pytest.mark.django_db
KIND = "volunteer-teams"
KEEPERS = {"station_head_a": 200, "agency_admin_a": 200}


@pytest.fixture(autouse=True)
def setup(settings, tmp_path):
    use_immediate_tasks(settings, tmp_path)


@pytest.fixture
def people(world):
    world.leader = make_volunteer("陈队长", COMMUNITY_A)
    world.member = make_volunteer("林队员", COMMUNITY_A)
    world.far = make_volunteer("黄海珠", COMMUNITY_B)
    station_b()
    return world


def good(w) -> list[dict]:
    return [
        {
            "name": "北京街长者关爱队",
            "region": STREET_A,
            "station": station_a().code,
            "leader": w.leader.number,
            "members": w.member.number,
            "founded_on": "2026-01-05",
        },
        {"name": "北京街环保队", "region": STREET_A, "agency": w.agency_a.credit_code},
    ]


def test_the_import_page_and_template_are_for_keepers(client, world):
    for url in (reverse("tabular:import", args=[KIND]), reverse("tabular:template", args=[KIND])):
        assert_matrix(client, world, url, {"anonymous": 302, **KEEPERS}, default=403)
    client.force_login(world.station_head_a)
    sheet = load_workbook(io.BytesIO(client.get(reverse("tabular:template", args=[KIND])).content)).worksheets[0]
    assert [cell.value for cell in sheet[1]][:3] == ["队名*", "所在地区区划代码*", "管理站点编码"]


def test_a_good_file_is_written_whole_through_the_services(people, django_capture_on_commit_callbacks):
    w = people
    job = run(KIND, w.station_head_a, django_capture_on_commit_callbacks, good(w))
    assert (job.status, job.written_rows, job.error_rows) == ("done", 2, 0), job.message
    team = VolunteerTeam.objects.get(name="北京街长者关爱队")
    assert team.station == station_a() and team.leader == w.leader and team.founded_on.isoformat() == "2026-01-05"
    assert set(team.members.all()) == {w.leader, w.member}
    assert VolunteerTeam.objects.get(name="北京街环保队").agency == w.agency_a
    audited = AuditEntry.objects.filter(object_type="volunteers.volunteerteam", object_id=str(team.pk))
    assert audited.filter(action="create").count() == 1 and audited.filter(action="update").count() == 3


def test_bad_rows_are_reported_and_nothing_is_written(people, django_capture_on_commit_callbacks):
    w = people
    services.team_create(actor=None, name="已有的队", region=station_a().region, station=station_a())
    rows = [
        *good(w),
        {**good(w)[1], "agency": None, "station": station_a().code},  # the same name and region as row 3
        {"name": "已有的队", "region": STREET_A, "station": station_a().code},
        {"name": "无区划", "region": "440104999999", "station": station_a().code},
        {"name": "无管理", "region": STREET_A},
        {"name": "无站点", "region": STREET_A, "station": "S000"},
        {"name": "越界队", "region": "440105001000", "station": station_b().code},
        {"name": "外区队员", "region": STREET_A, "station": station_a().code, "members": w.far.number},
        {"name": "未来队", "region": STREET_A, "station": station_a().code, "founded_on": "2099-01-01"},
    ]
    before = VolunteerTeam.objects.count()
    job = run(KIND, w.station_head_a, django_capture_on_commit_callbacks, rows)
    assert (job.status, job.written_rows, job.error_rows) == ("rejected", 0, 8), job.message
    reasons = reasons_by(job, 1)
    assert "重复" in reasons["北京街环保队"]
    assert "同名" in reasons["已有的队"]
    assert "没有这个区划" in reasons["无区划"]
    assert "至少填一项" in reasons["无管理"]
    assert "没有这个站点" in reasons["无站点"]
    assert "管辖范围" in reasons["越界队"]
    assert w.far.number in reasons["外区队员"] and "管辖范围" in reasons["外区队员"]
    assert "不能晚于今天" in reasons["未来队"]
    assert VolunteerTeam.objects.count() == before
    job = run(KIND, w.station_head_a, django_capture_on_commit_callbacks, rows, ImportJob.Mode.GOOD_ROWS)
    assert (job.status, job.written_rows) == ("done", 2) and VolunteerTeam.objects.count() == before + 2


def test_the_team_list_exports_to_excel(client, people):
    w = people
    team = services.team_create(actor=None, name="北京街长者关爱队", region=station_a().region, station=station_a())
    services.team_add_member(actor=None, team=team, volunteer=w.leader)
    services.team_set_leader(actor=None, team=team, volunteer=w.leader)
    services.team_create(actor=None, name="海珠队", region=station_b().region, station=station_b())
    url = reverse("volunteers:team_export")
    sees = {"city_admin": 200, "district_a_admin": 200, "district_b_admin": 200, "station_head_a": 200}
    assert_matrix(client, w, url, {"anonymous": 302, **sees, "no_role": 403, "evaluator": 403}, method="post")
    client.force_login(w.station_head_a)
    sheet = load_workbook(io.BytesIO(client.post(url).content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    body = [row for row in rows if row and row[0] == "北京街长者关爱队"]
    assert body and body[0][6] == w.leader.number and w.leader.number in body[0][8]
    assert not any(row and row[0] == "海珠队" for row in rows)  # out of scope
