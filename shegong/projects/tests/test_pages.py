"""The project pages: every view against every named user (assert_matrix), in and out of scope (404), the station
head seeing the projects of the stations in their street, the contractor seeing its own; the forms going through the
services with Chinese errors; the failing list and the exports."""

import datetime
import re

import pytest
from django.urls import reverse

from shegong.audit.models import AuditEntry
from shegong.projects import services
from shegong.projects.models import Project
from shegong.projects.tests.factories import contract, make_project, make_station, make_worker, roster, wan
from shegong.testing.matrix import ViewCase
from shegong.testing.world import DISTRICT_B, STREET_A

pytestmark = pytest.mark.django_db

STREET_B = "440105001000"

FORBIDDEN = {
    "anonymous": 302,
    "worker_b": 403,
    "system_admin": 403,
    "security_admin": 403,
    "audit_admin": 403,
    "no_role": 403,
}
VIEWERS = {"city_admin": 200, "district_a_admin": 200, "station_head_a": 200, "agency_admin_a": 200}
BUYERS = {"city_admin": 200, "district_a_admin": 200, "station_head_a": 403, "agency_admin_a": 403}
KEEPERS = {"city_admin": 200, "district_a_admin": 200, "station_head_a": 403, "agency_admin_a": 200}
OTHERS_404 = {"district_b_admin": 404, "outsider": 404}
EVERYWHERE = {"district_b_admin": 200, "outsider": 200}
IN_A = ["district_a_admin", "agency_admin_a"]


@pytest.fixture
def deal(world):
    """District A's project covering 北京街道's station, contracted to agency A, with one roster member; district B's
    project contracted to agency B."""
    station = make_station("station", STREET_A, agency=world.agency_a)
    project = contract(make_project(stations=[station], name="北京街项目"), world.agency_a)
    (member,) = roster(project, 1, certified=1, agency=world.agency_a)
    other_station = make_station("station", STREET_B, agency=world.agency_b)
    other = contract(make_project(DISTRICT_B, stations=[other_station], name="赤岗街项目"), world.agency_b)
    (other_member,) = roster(other, 1)
    return {"project": project, "member": member, "other": other, "other_member": other_member}


def _deal(world):
    return world._deal


def _p(world):
    return [_deal(world)["project"].pk]


def _o(world):
    return [_deal(world)["other"].pk]


CASES = [
    ViewCase("projects:list", {**FORBIDDEN, **VIEWERS, **EVERYWHERE}),
    ViewCase("projects:failing", {**FORBIDDEN, **VIEWERS, **EVERYWHERE}),
    ViewCase("projects:failing", {**FORBIDDEN, **VIEWERS, **EVERYWHERE}, method="post", label="POST projects:failing"),
    ViewCase("projects:export", {**FORBIDDEN, **VIEWERS, **EVERYWHERE}, method="post", args=lambda w: ["projects"]),
    ViewCase(
        "projects:export",
        {**FORBIDDEN, **VIEWERS, **EVERYWHERE},
        method="post",
        args=lambda w: ["budgets"],
        label="POST projects:export budgets",
    ),
    ViewCase(
        "projects:export",
        {**FORBIDDEN, **VIEWERS, **EVERYWHERE},
        method="post",
        args=lambda w: ["rosters"],
        label="POST projects:export rosters",
    ),
    ViewCase("projects:create", {**FORBIDDEN, **BUYERS, **EVERYWHERE}),
    ViewCase(
        "projects:detail",
        {**FORBIDDEN, **VIEWERS, **OTHERS_404},
        args=_p,
        out_of_scope=_o,
        out_of_scope_users=["district_a_admin", "station_head_a", "agency_admin_a"],
    ),
    ViewCase(
        "projects:edit",
        {**FORBIDDEN, **BUYERS, **OTHERS_404},
        args=_p,
        out_of_scope=_o,
        out_of_scope_users=["district_a_admin"],
    ),
    ViewCase(
        "projects:contractor",
        {**FORBIDDEN, **BUYERS, **OTHERS_404},
        args=_p,
        out_of_scope=_o,
        out_of_scope_users=["district_a_admin"],
    ),
    ViewCase(
        "projects:move",
        {**FORBIDDEN, **BUYERS, **OTHERS_404},
        args=_p,
        out_of_scope=_o,
        out_of_scope_users=["district_a_admin"],
    ),
    ViewCase(
        "projects:spending",
        {**FORBIDDEN, **KEEPERS, **OTHERS_404},
        args=_p,
        out_of_scope=_o,
        out_of_scope_users=IN_A,
    ),
    ViewCase(
        "projects:staff_add",
        {**FORBIDDEN, **KEEPERS, **OTHERS_404},
        args=_p,
        out_of_scope=_o,
        out_of_scope_users=IN_A,
    ),
    ViewCase(
        "projects:staff_end",
        {**FORBIDDEN, **KEEPERS, **OTHERS_404},
        args=lambda w: [*_p(w), _deal(w)["member"].pk],
        out_of_scope=lambda w: [*_o(w), _deal(w)["other_member"].pk],
        out_of_scope_users=IN_A,
    ),
    ViewCase(
        "projects:staff_remove",
        {**FORBIDDEN, "station_head_a": 403, **OTHERS_404},
        method="post",
        args=lambda w: [*_p(w), _deal(w)["member"].pk],
        out_of_scope=lambda w: [*_o(w), _deal(w)["other_member"].pk],
        out_of_scope_users=IN_A,
    ),
]


def with_evaluator(case: ViewCase, world) -> ViewCase:
    """The evaluator's permissions are the evaluations app's: they get what a city-wide user with the same
    permission gets (200 / 302 like the city admin), else 403."""
    perm = {
        "projects:create": "projects.add_project",
        "projects:edit": "projects.change_project",
        "projects:contractor": "projects.change_project",
        "projects:move": "projects.move_project",
        "projects:spending": "projects.keep_delivery",
        "projects:staff_add": "projects.keep_delivery",
        "projects:staff_end": "projects.keep_delivery",
        "projects:staff_remove": "projects.keep_delivery",
    }.get(case.url_name, "projects.view_project")
    expected = dict(case.expected)
    if "evaluator" not in expected:
        expected["evaluator"] = expected.get("city_admin", 403) if world.evaluator.has_perm(perm) else 403
        if case.url_name == "projects:staff_remove":
            expected["evaluator"] = 403 if not world.evaluator.has_perm(perm) else None
    case.expected = {key: value for key, value in expected.items() if value is not None}
    return case


@pytest.mark.parametrize("case", CASES, ids=str)
def test_permission_matrix(client, world, deal, case):
    world._deal = deal
    with_evaluator(case, world).check(client, world)


def codes(response, testid="project-row"):
    text = response if isinstance(response, str) else response.content.decode()
    return set(re.findall(rf'data-testid="{testid}" data-code="([^"]+)"', text))


def test_lists_are_scoped_station_heads_see_their_stations_projects(client, world, deal):
    a, b = deal["project"].code, deal["other"].code
    for user, expected in [
        (world.city_admin, {a, b}),
        (world.district_a_admin, {a}),
        (world.station_head_a, {a}),
        (world.agency_admin_a, {a}),
        (world.district_b_admin, {b}),
        (world.outsider, set()),
    ]:
        client.force_login(user)
        assert codes(client.get(reverse("projects:list"))) == expected, user.username


def test_filters_by_stage_text_and_failing_only(client, world, deal):
    failing = make_project(personnel=wan(100), name="人员经费偏低项目")
    client.force_login(world.city_admin)
    assert codes(client.get(reverse("projects:list"), {"stage": "initiated"})) == {failing.code}
    assert codes(client.get(reverse("projects:list"), {"q": "赤岗"})) == {deal["other"].code}
    assert codes(client.get(reverse("projects:list"), {"failing": "on"})) == {failing.code}


def test_detail_shows_terms_verdicts_budget_roster_and_moves(client, world, deal):
    client.force_login(world.district_a_admin)
    response = client.get(reverse("projects:detail", args=[deal["project"].pk]))
    text = response.content.decode()
    assert 'data-testid="verdict-labour_cost_share" data-status="pass"' in text
    assert "人员支出比例不能低于65%" in text  # the source text
    assert 'data-testid="move-executing"' in text and 'data-testid="move-terminated"' in text
    assert 'data-testid="move-closed"' not in text
    assert 'data-testid="certified"' in text
    client.force_login(world.station_head_a)
    text = client.get(reverse("projects:detail", args=[deal["project"].pk])).content.decode()
    assert 'data-testid="move-executing"' not in text and 'data-testid="staff-add"' not in text


def test_failing_list_shows_each_failing_project_with_figures_and_exports(client, world, deal):
    failing = make_project(personnel=wan(100), name="人员经费偏低项目")
    client.force_login(world.district_a_admin)
    response = client.get(reverse("projects:failing"))
    assert codes(response, "failing-project") == {failing.code}
    text = response.content.decode()
    assert "41.66%" in text and "不低于 65%" in text and "穗府办规〔2018〕13号" in text
    client.force_login(world.district_b_admin)
    assert codes(client.get(reverse("projects:failing")), "failing-project") == set()
    client.force_login(world.district_a_admin)
    # A terminated project no longer runs: it leaves the list unless its stage is asked for.
    services.project_move(actor=None, project=failing, to_stage=Project.Stage.TERMINATED, reason="购买方调整")
    assert codes(client.get(reverse("projects:failing")), "failing-project") == set()
    assert failing.code not in codes(client.get(reverse("projects:list"), {"failing": "on"}))
    asked = client.get(reverse("projects:failing"), {"stage": "terminated"})
    assert codes(asked, "failing-project") == {failing.code}
    response = client.post(reverse("projects:failing"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT, object_type="projects.project").exists()


def _form_data(**changes):
    data = {
        "name": "新项目",
        "purchaser_department": "越秀区民政局",
        "region": "440104",
        "start_date": "2025-01-01",
        "end_date": "2025-12-31",
        "total_funds": "2400000",
        "social_work_posts": "0",
        "stations": "",
        "description": "",
        "funding_fiscal": "2400000",
        "budget_personnel": "1600000",
        "budget_activity": "800000",
        "outputs-TOTAL_FORMS": "3",
        "outputs-INITIAL_FORMS": "0",
        "outputs-MIN_NUM_FORMS": "0",
        "outputs-MAX_NUM_FORMS": "20",
        "outputs-0-measure": "cases",
        "outputs-0-planned": "40",
    }
    data.update(changes)
    return data


def test_create_form_goes_through_the_service_with_chinese_errors(client, world):
    client.force_login(world.district_a_admin)
    response = client.post(reverse("projects:create"), _form_data(budget_activity="700000"))
    assert response.status_code == 200
    assert "预算科目合计 2,300,000.00 元，项目总经费 2,400,000.00 元，还差 100,000.00 元。" in response.content.decode()
    assert not Project.objects.exists()
    response = client.post(reverse("projects:create"), _form_data(region="440105"))
    assert "不在您的管辖范围内" in response.content.decode()
    response = client.post(reverse("projects:create"), _form_data(stations="S440104003 NOPE1"))
    assert "NOPE1" in response.content.decode()
    response = client.post(reverse("projects:create"), _form_data())
    project = Project.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("projects:detail", args=[project.pk])
    assert project.outputs.get().planned == 40


def test_edit_form_refuses_a_stale_version(client, world, deal):
    project = deal["project"]
    client.force_login(world.district_a_admin)
    page = client.get(reverse("projects:edit", args=[project.pk]))
    version = page.context["form"].initial["version"]
    data = _form_data(name="改名", version=version, stations=" ".join(s.code for s in project.stations.all()))
    Project.objects.filter(pk=project.pk).update(updated_at=project.updated_at + datetime.timedelta(seconds=5))
    response = client.post(reverse("projects:edit", args=[project.pk]), data)
    assert "已被他人修改" in response.content.decode()
    data["version"] = Project.objects.get(pk=project.pk).updated_at.isoformat()
    response = client.post(reverse("projects:edit", args=[project.pk]), data)
    assert response.status_code == 302
    assert Project.objects.get(pk=project.pk).name == "改名"


def test_move_page_refuses_a_forbidden_move_and_makes_an_allowed_one(client, world, deal):
    project = deal["project"]
    client.force_login(world.district_a_admin)
    url = reverse("projects:move", args=[project.pk])
    today = datetime.date.today().isoformat()
    response = client.post(url, {"to_stage": "closed", "effective_on": today})
    assert "只能变为：执行、终止" in response.content.decode()
    response = client.post(url, {"to_stage": "terminated", "effective_on": today})
    assert "终止项目须写明原因" in response.content.decode()
    response = client.post(url, {"to_stage": "executing", "effective_on": today})
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.stage == "executing"


def test_contractor_adds_staff_and_records_spending(client, world, deal):
    project = deal["project"]
    worker = make_worker(name="新社工丙", agency=world.agency_a)
    client.force_login(world.agency_admin_a)
    response = client.post(
        reverse("projects:staff_add", args=[project.pk]),
        {
            "worker": worker.id_number,
            "role": "social_worker",
            "is_full_time": "on",
            "is_social_work_post": "on",
            "start_date": "2025-02-01",
        },
    )
    assert response.status_code == 302
    assert project.staff.filter(worker=worker).exists()
    response = client.post(
        reverse("projects:spending", args=[project.pk]), {"spent_personnel": "1700000", "spent_activity": "10"}
    )
    assert response.status_code == 302
    text = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert 'data-testid="overspent"' in text and 'data-testid="spent-share"' in text
    response = client.post(reverse("projects:staff_remove", args=[project.pk, deal["member"].pk]))
    assert response.status_code == 302 and not project.staff.filter(pk=deal["member"].pk).exists()


def test_station_and_agency_pages_show_their_projects_in_the_viewers_scope(client, world, deal):
    station = deal["project"].stations.get()
    client.force_login(world.station_head_a)
    text = client.get(reverse("stations:detail", args=[station.code])).content.decode()
    assert codes(text, "panel-project") == {deal["project"].code}
    client.force_login(world.district_a_admin)
    text = client.get(reverse("agencies:detail", args=[world.agency_a.pk])).content.decode()
    assert codes(text, "panel-project") == {deal["project"].code}
    client.force_login(world.city_admin)
    text = client.get(reverse("agencies:detail", args=[world.agency_b.pk])).content.decode()
    assert codes(text, "panel-project") == {deal["other"].code}
