"""Every page × every named user, in and out of scope; the forms through the pages; the list, its filters and export."""

import io

import openpyxl
import pytest
from django.urls import reverse

from shegong.casework.models import Case, CaseCrisis, CaseReview
from shegong.casework.tests.factories import DOMAIN, Setting, fill, open_case, setting_a, setting_b, walk
from shegong.recipients.tests.factories import withdraw
from shegong.testing.matrix import ViewCase

pytestmark = pytest.mark.django_db

ANON = {"anonymous": 302}
READERS = {
    "city_admin": 200,
    "district_a_admin": 200,
    "district_b_admin": 200,
    "station_head_a": 200,
    "worker_b": 200,
    "agency_admin_a": 200,
    "outsider": 200,
}
CARRIERS = {"station_head_a": 200, "worker_b": 200, "agency_admin_a": 200}
SEES_A = {
    "city_admin": 200,
    "district_a_admin": 200,
    "station_head_a": 200,
    "district_b_admin": 404,
    "worker_b": 404,
    "agency_admin_a": 404,
    "outsider": 404,
}
# Writers hold change_case or add_case: the bureaus (view only) get 403 before any scope check.
KEEPS_A = {"station_head_a": 200, "worker_b": 404, "agency_admin_a": 404}


def _a(w):
    return [w.case_a.pk]


def _b(w):
    return [w.case_b.pk]


def _goal(case_attr):
    return lambda w: [getattr(w, case_attr).pk, getattr(w, case_attr).goals.first().pk]


def _session(case_attr):
    return lambda w: [getattr(w, case_attr).pk, getattr(w, case_attr).sessions.first().pk]


CASES = [
    ViewCase("casework:list", {**ANON, **READERS}, default=403),
    ViewCase("casework:mine", {**ANON, **CARRIERS}, default=403),
    ViewCase("casework:export", {**ANON, **READERS}, default=403, method="post"),
    ViewCase("casework:open", {**ANON, **CARRIERS}, default=403),
    ViewCase(
        "casework:detail",
        {**ANON, **SEES_A},
        default=403,
        args=_a,
        out_of_scope=_b,
        out_of_scope_users=["district_a_admin", "station_head_a"],
    ),
    *[
        ViewCase(name, {**ANON, **KEEPS_A}, default=403, args=_a, out_of_scope=_b)
        for name in (
            "casework:intake",
            "casework:assessment",
            "casework:plan",
            "casework:goal_add",
            "casework:session_add",
            "casework:evaluation",
            "casework:crisis",
        )
    ],
    ViewCase(
        "casework:goal_edit",
        {**ANON, **KEEPS_A},
        default=403,
        args=_goal("case_a"),
        out_of_scope=_goal("case_b"),
        out_of_scope_users=["station_head_a"],
    ),
    ViewCase(
        "casework:session_edit",
        {**ANON, **KEEPS_A},
        default=403,
        args=_session("case_a"),
        out_of_scope=_session("case_b"),
        out_of_scope_users=["station_head_a"],
    ),
    # Without a target the move page sends the keeper back to the case.
    ViewCase(
        "casework:move",
        {**ANON, "station_head_a": 302, "worker_b": 404, "agency_admin_a": 404},
        default=403,
        args=_a,
        out_of_scope=_b,
        out_of_scope_users=["station_head_a"],
    ),
    ViewCase(
        "casework:crisis_clear",
        {**ANON, **KEEPS_A},
        default=403,
        args=_a,
        out_of_scope=_b,
        out_of_scope_users=["station_head_a"],
    ),
    ViewCase("casework:review", {**ANON, "station_head_a": 200}, default=403, args=_a, out_of_scope=_b),
    # Worker_b's own case: the owner keeps it with add_case alone; district A's people do not see it.
    ViewCase(
        "casework:detail",
        {
            **ANON,
            "worker_b": 200,
            "district_b_admin": 200,
            "city_admin": 200,
            "station_head_a": 404,
            "district_a_admin": 404,
            "agency_admin_a": 404,
            "outsider": 404,
        },
        default=403,
        args=_b,
        label="GET casework:detail (worker_b's own)",
    ),
    ViewCase(
        "casework:session_add",
        {**ANON, "worker_b": 200, "station_head_a": 404, "agency_admin_a": 404},
        default=403,
        args=_b,
        label="GET casework:session_add (worker_b's own)",
    ),
]


@pytest.fixture
def placed(world):
    world.setting_a = setting_a(world)
    world.setting_b = setting_b(world)
    for name, setting in (("case_a", world.setting_a), ("case_b", world.setting_b)):
        case = walk(open_case(setting), Case.Stage.INTERVENTION)
        fill(case)
        setattr(world, name, case)
    return world


@pytest.mark.parametrize("case", CASES, ids=str)
def test_permission_matrix(client, placed, case):
    case.check(client, placed)


def _rows(client, user, url="casework:list", **params):
    client.force_login(user)
    response = client.get(reverse(url), params)
    assert response.status_code == 200
    return {case.pk for case in response.context["page"]}


def test_worker_sees_only_own_cases_head_sees_street(client, placed):
    colleague = make_other_worker(placed)
    setting = Setting(station=placed.setting_b.station, worker=colleague, recipient=placed.setting_b.recipient)
    other_b = open_case(setting)  # a case of the same station carried by a colleague
    assert _rows(client, placed.worker_b) == {placed.case_b.pk}
    assert _rows(client, placed.worker_b, "casework:mine") == {placed.case_b.pk}
    assert _rows(client, placed.district_b_admin) == {placed.case_b.pk, other_b.pk}
    assert _rows(client, placed.station_head_a) == {placed.case_a.pk}
    assert _rows(client, placed.station_head_a, "casework:mine") == set()
    assert _rows(client, placed.city_admin) == {placed.case_a.pk, placed.case_b.pk, other_b.pk}
    assert _rows(client, placed.outsider) == set()


def make_other_worker(world):
    from shegong.casework.tests.factories import post
    from shegong.stations.tests.factories import make_worker

    return post(world.setting_b.station, make_worker(region="440105000000"))


def test_withdrawn_recipients_cases_vanish(client, placed):
    withdraw(placed.case_a.recipient)
    assert _rows(client, placed.city_admin) == {placed.case_b.pk}
    client.force_login(placed.station_head_a)
    assert client.get(reverse("casework:detail", args=[placed.case_a.pk])).status_code == 404
    response = client.get("/api/v1/casework/")
    assert {item["id"] for item in response.json()["items"]} == set()
    assert Case.objects.filter(pk=placed.case_a.pk).exists()  # the record stays


def test_filters(client, placed):
    walk_case = placed.case_a
    assert _rows(client, placed.city_admin, stage="intervention") == {placed.case_a.pk, placed.case_b.pk}
    assert _rows(client, placed.city_admin, stage="intake") == set()
    assert _rows(client, placed.city_admin, station=placed.setting_a.station.pk) == {walk_case.pk}
    assert _rows(client, placed.city_admin, worker=placed.setting_b.worker.pk) == {placed.case_b.pk}
    assert _rows(client, placed.city_admin, domain=DOMAIN) == {placed.case_a.pk, placed.case_b.pk}
    assert _rows(client, placed.city_admin, q=walk_case.code) == {walk_case.pk}
    assert _rows(client, placed.city_admin, crisis="1") == set()
    assert _rows(client, placed.city_admin, awaiting_review="1") == {placed.case_a.pk, placed.case_b.pk}
    CaseReview.objects.create(case=walk_case, stage=walk_case.stage, decision="approved", comment="好")
    assert _rows(client, placed.city_admin, awaiting_review="1") == {placed.case_b.pk}
    assert _rows(client, placed.city_admin, awaiting_review="0") == {walk_case.pk}
    assert _rows(client, placed.city_admin, overdue="1") == {placed.case_a.pk, placed.case_b.pk}  # sessions in March


def test_export_has_no_notes_and_is_scoped(client, placed):
    client.force_login(placed.station_head_a)
    response = client.post(reverse("casework:export"))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cells = [str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert placed.case_a.code in cells and placed.case_b.code not in cells
    notes = placed.case_a.sessions.first().notes
    assert not any(notes in cell or "独居老人" in cell for cell in cells)


def test_notes_only_for_keepers(client, placed):
    notes = placed.case_a.sessions.first().notes
    client.force_login(placed.station_head_a)
    assert notes in client.get(reverse("casework:detail", args=[placed.case_a.pk])).content.decode()
    client.force_login(placed.district_a_admin)
    page = client.get(reverse("casework:detail", args=[placed.case_a.pk])).content.decode()
    assert placed.case_a.code in page and notes not in page


def test_keepers_refer_a_case_from_its_page(client, placed):
    detail = reverse("casework:detail", args=[placed.case_a.pk])
    refer = f"{reverse('referrals:create')}?case={placed.case_a.pk}"
    client.force_login(placed.station_head_a)
    assert refer in client.get(detail).content.decode()
    assert client.get(refer).status_code == 200
    client.force_login(placed.district_a_admin)  # oversees, keeps nothing
    assert refer not in client.get(detail).content.decode()


def test_open_case_through_the_page(client, placed):
    client.force_login(placed.station_head_a)
    url = reverse("casework:open")
    page = client.get(url, {"q": "陈"})
    assert placed.setting_a.recipient.name in page.content.decode()
    response = client.post(
        url + "?q=陈",
        {
            "recipient": placed.setting_a.recipient.pk,
            "station": placed.setting_a.station.pk,
            "worker": placed.setting_a.worker.pk,
            "domain": DOMAIN,
            "opened_on": "2026-04-01",
            "source": "outreach",
            "presenting_problem": "外展发现独居老人",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    case = Case.objects.latest("id")
    assert response["Location"] == reverse("casework:detail", args=[case.pk])
    assert case.intake.source == "outreach"


def test_open_case_refusal_lands_on_the_form(client, placed):
    client.force_login(placed.station_head_a)
    from shegong.stations.tests.factories import make_worker

    stranger = make_worker(region="440104003000")
    response = client.post(
        reverse("casework:open"),
        {
            "recipient": placed.setting_a.recipient.pk,
            "station": placed.setting_a.station.pk,
            "worker": stranger.pk,
            "domain": DOMAIN,
            "opened_on": "2026-04-01",
            "source": "outreach",
            "presenting_problem": "x",
        },
    )
    assert response.status_code == 200
    assert "worker" in response.context["form"].errors


def test_walk_a_case_through_the_pages(client, placed):
    """接案 → 结案 by the forms a worker fills on a phone, then the crisis flag, the review and reopening."""
    client.force_login(placed.worker_b)
    case = open_case(placed.setting_b)
    detail = reverse("casework:detail", args=[case.pk])

    def post(name, data, *args):
        case.refresh_from_db()
        response = client.post(reverse(f"casework:{name}", args=[case.pk, *args]), {"version": case.version, **data})
        assert response.status_code == 302, getattr(response, "context", None) and response.context["form"].errors
        return response

    def next_stage():
        case.refresh_from_db()
        post("move", {"to": Case.MOVES[case.stage], "from_detail": "1"})

    next_stage()
    post(
        "assessment",
        {"risk_level": "low", "need_living": "助餐", "assessed_on": "2026-03-03", "strengths": "", "risk_factors": ""},
    )
    next_stage()
    post("plan", {"methods": "链接资源", "planned_on": "2026-03-04"})
    post("goal_add", {"description": "按时用餐", "measure": "送餐记录", "target_date": "2026-05-01"})
    next_stage()
    post("session_add", {"held_on": "2026-03-05", "kind": "home_visit", "duration_minutes": 45, "notes": "家访"})
    next_stage()
    goal = case.goals.get()
    post("evaluation", {"overall": "达成", "evaluated_on": "2026-03-20", f"goal_{goal.pk}": "met"})
    case.refresh_from_db()
    assert case.stage == "evaluation"
    assert "close-case" in client.get(detail).content.decode()
    post("move", {"to": "closed", "closure_reason": "goals_met", "closure_summary": "目标达成", "on": "2026-03-21"})
    case.refresh_from_db()
    assert (case.stage, str(case.closed_on)) == ("closed", "2026-03-21")
    page = client.get(detail).content.decode()
    assert 'id="reopen-intervention"' in page and 'id="reopen-assessment"' in page


def test_a_refused_forward_move_is_explained(client, placed):
    client.force_login(placed.worker_b)
    case = open_case(placed.setting_b)
    case = walk(case, Case.Stage.ASSESSMENT)
    response = client.post(
        reverse("casework:move", args=[case.pk]), {"to": "planning", "version": case.version, "from_detail": "1"}
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "请先完成预估" in page


def test_stale_form_is_refused(client, placed):
    client.force_login(placed.station_head_a)
    case = placed.case_a
    response = client.post(
        reverse("casework:plan", args=[case.pk]),
        {"methods": "新方法", "planned_on": "2026-03-04", "version": case.version - 1},
    )
    assert response.status_code == 200
    assert "已被他人修改" in response.content.decode()


def test_crisis_and_review_through_the_pages(client, placed):
    client.force_login(placed.station_head_a)
    case = placed.case_a
    response = client.post(reverse("casework:crisis", args=[case.pk]), {"kind": "violence", "note": "邻居报告家暴"})
    assert response.status_code == 302
    assert "crisis-banner" in client.get(reverse("casework:detail", args=[case.pk])).content.decode()
    response = client.post(reverse("casework:crisis_clear", args=[case.pk]), {"note": ""})
    assert response.status_code == 200
    response = client.post(reverse("casework:crisis_clear", args=[case.pk]), {"note": "已转介妇联，安全"})
    assert response.status_code == 302
    assert not CaseCrisis.objects.filter(case=case, cleared_at__isnull=True).exists()
    response = client.post(reverse("casework:review", args=[case.pk]), {"decision": "revise", "comment": "补充风险"})
    assert response.status_code == 302
    assert CaseReview.objects.filter(case=case, decision="revise").exists()
