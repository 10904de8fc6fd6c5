"""Changing a plan after its creation: editing it (what may always change, the period only while nothing is recorded,
checklist areas that carry results), removing a plan with nothing recorded, taking an unrecorded target out of its
plan; each refusal with its Chinese message, nothing changed by a refusal, every change audited; the pages in the
permission matrix, in and out of scope."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from shegong.audit.models import AuditEntry
from shegong.inspections import services
from shegong.inspections.models import ChecklistResult, Finding, Inspection, InspectionPlan
from shegong.inspections.tests.factories import AREAS, DAY, done_inspection, make_plan, stations, world_setup
from shegong.inspections.tests.test_pages import BUREAU_A_ONLY
from shegong.testing.matrix import ViewCase
from shegong.testing.world import CITY

pytestmark = pytest.mark.django_db

CONFORM = ChecklistResult.Result.CONFORM


def audit(obj, action):
    return AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk), action=action).order_by(
        "sequence"
    )


def edit(plan, actor, **changes):
    values = {
        "year": plan.year,
        "quarter": plan.quarter,
        "kind": plan.kind,
        "title": plan.title,
        "checklist": list(plan.checklist),
        "inspectors": list(plan.inspectors.all()),
        "notes": plan.notes,
    }
    values.update(changes)
    return services.plan_update(actor=actor, plan=plan, **values)


def message(exc) -> str:
    return " ".join(exc.value.messages)


@pytest.fixture
def plan(world):
    return make_plan(inspectors=[world.district_a_admin])


@pytest.fixture
def places(world):
    return stations(world)


# --- Editing a plan --------------------------------------------------------------------------------------------------


def test_everything_may_change_while_nothing_is_recorded(world, plan, places):
    visit = services.inspection_add(actor=None, plan=plan, station=places["a"])
    edit(
        plan,
        world.district_a_admin,
        year=2027,
        quarter=3,
        kind=InspectionPlan.Kind.UNANNOUNCED,
        title="  越秀区第三季度暗访  ",
        checklist=["safety_management", "financial_management"],
        inspectors=[world.district_a_admin, world.city_admin],
        notes="夜间暗访",
    )
    plan.refresh_from_db()
    assert (plan.year, plan.quarter, plan.kind, plan.title) == (2027, 3, "unannounced", "越秀区第三季度暗访")
    assert plan.checklist == ["safety_management", "financial_management"]
    # The new inspectors go to the plan's inspections that are not done.
    assert set(visit.inspectors.all()) == {world.district_a_admin, world.city_admin}
    entry = audit(plan, AuditEntry.Action.UPDATE).get()
    assert entry.changes["quarter"] == ["1", "3"]
    assert entry.changes["inspectors"] == [
        [world.district_a_admin.pk],
        sorted([world.district_a_admin.pk, world.city_admin.pk]),
    ]


def test_an_edit_that_changes_nothing_writes_no_audit_entry(world, plan):
    edit(plan, world.district_a_admin)
    assert not audit(plan, AuditEntry.Action.UPDATE).exists()


def test_the_period_is_fixed_once_an_inspection_is_recorded(world, plan, places):
    visit = services.inspection_add(actor=None, plan=plan, station=places["a"])
    services.inspection_record(actor=None, inspection=visit, visited_on=DAY, results={}, today=DAY)
    with pytest.raises(ValidationError) as exc:
        edit(plan, world.district_a_admin, quarter=2)
    assert exc.value.message_dict["quarter"] == ["本计划已有督查记录，不能再更改年度或季度。"]
    with pytest.raises(ValidationError):
        edit(plan, world.district_a_admin, year=2027)
    # The rest still changes.
    edit(plan, world.district_a_admin, title="越秀区第一季度督查（调整）", kind=InspectionPlan.Kind.SPECIAL)
    plan.refresh_from_db()
    assert (plan.quarter, plan.kind) == (1, "special")


@pytest.mark.parametrize("how", ["summary", "result", "finding"])
def test_any_filled_in_part_counts_as_recorded(world, plan, places, how):
    visit = services.inspection_add(actor=None, plan=plan, station=places["a"])
    if how == "summary":
        services.inspection_record(actor=None, inspection=visit, visited_on=None, results={}, summary="已约谈")
    elif how == "result":
        services.inspection_record(actor=None, inspection=visit, visited_on=None, results={AREAS[1]: (CONFORM, "")})
    else:
        services.finding_add(actor=None, inspection=visit, description="台账缺失", severity=Finding.Severity.MINOR)
    with pytest.raises(ValidationError):
        edit(plan, world.district_a_admin, quarter=4)
    with pytest.raises(ValidationError):
        services.inspection_remove(actor=world.district_a_admin, inspection=visit)


def test_checklist_areas_with_results_or_findings_stay(world, plan, places):
    visit = services.inspection_add(actor=None, plan=plan, station=places["a"])
    services.inspection_record(actor=None, inspection=visit, visited_on=None, results={AREAS[0]: (CONFORM, "")})
    services.finding_add(
        actor=None, inspection=visit, description="人员不在岗", severity=Finding.Severity.MINOR, area=AREAS[2]
    )
    with pytest.raises(ValidationError) as exc:
        edit(plan, world.district_a_admin, checklist=[AREAS[1]])
    assert exc.value.message_dict["checklist"] == ["以下检查项目已有督查结果或问题记录，不能移除：安全管理、人员在岗"]
    # An area nobody has filled in may go, and while nothing is done a new one may come.
    edit(plan, world.district_a_admin, checklist=[AREAS[0], AREAS[2], "financial_management"])
    plan.refresh_from_db()
    assert plan.checklist == [AREAS[0], AREAS[2], "financial_management"]


def test_no_new_area_once_an_inspection_is_done(world, plan, places):
    done_inspection(plan, station=places["a"], finding="")
    with pytest.raises(ValidationError) as exc:
        edit(plan, world.district_a_admin, checklist=[*AREAS, "financial_management"])
    assert "不能再增加检查项目" in exc.value.message_dict["checklist"][0]
    assert InspectionPlan.objects.get(pk=plan.pk).checklist == AREAS


def test_a_done_inspection_keeps_its_inspectors(world, plan, places):
    done, _finding = done_inspection(plan, station=places["a"], finding="")
    edit(plan, world.district_a_admin, inspectors=[world.city_admin])
    assert list(done.inspectors.all()) == [world.district_a_admin]


def test_edit_refusals(world, plan):
    make_plan(title="越秀区专项检查")
    with pytest.raises(ValidationError) as exc:
        edit(plan, world.district_a_admin, title="越秀区专项检查")
    assert exc.value.message_dict["title"] == ["该区划本季度已有同名同方式的督查计划。"]
    with pytest.raises(ValidationError) as exc:
        edit(plan, world.district_a_admin, checklist=[])
    assert exc.value.message_dict["checklist"] == ["此字段不能为空。"]
    with pytest.raises(ValidationError) as exc:
        edit(plan, world.district_a_admin, inspectors=[world.district_b_admin])
    assert "不是本辖区的民政部门督查人员" in exc.value.message_dict["inspectors"][0]
    with pytest.raises(PermissionDenied):
        edit(plan, world.district_b_admin, title="改名")
    with pytest.raises(PermissionDenied):
        edit(plan, world.station_head_a, title="改名")
    plan.refresh_from_db()
    assert plan.title == "越秀区2026年第1季度督查"
    assert not audit(plan, AuditEntry.Action.UPDATE).exists()


# --- Removing a plan -------------------------------------------------------------------------------------------------


def test_a_plan_with_nothing_recorded_is_removed_with_its_targets(world, plan, places):
    visits = [
        services.inspection_add(actor=None, plan=plan, station=places["a"]),
        services.inspection_add(actor=None, plan=plan, agency=world.agency_a),
    ]
    services.plan_delete(actor=world.district_a_admin, plan=plan)
    assert not InspectionPlan.objects.filter(pk=plan.pk).exists()
    assert not Inspection.objects.filter(pk__in=[v.pk for v in visits]).exists()
    assert audit(plan, AuditEntry.Action.DELETE).get().changes["targets"] == [2, None]
    assert all(audit(v, AuditEntry.Action.DELETE).exists() for v in visits)


def test_a_plan_with_a_recorded_inspection_stays(world, plan, places):
    done_inspection(plan, station=places["a"], finding="")
    services.inspection_add(actor=None, plan=plan, agency=world.agency_a)
    with pytest.raises(ValidationError) as exc:
        services.plan_delete(actor=world.district_a_admin, plan=plan)
    assert message(exc) == "本计划已有 1 个督查对象有督查记录，不能删除；可移出尚未记录的督查对象。"
    assert Inspection.objects.filter(plan=plan).count() == 2
    with pytest.raises(PermissionDenied):
        services.plan_delete(actor=world.district_b_admin, plan=plan)
    with pytest.raises(PermissionDenied):
        services.plan_delete(actor=world.agency_admin_a, plan=plan)
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.DELETE).exists()


# --- Taking a target out ---------------------------------------------------------------------------------------------


def test_an_unrecorded_target_leaves_the_plan(world, plan, places):
    visit = services.inspection_add(actor=None, plan=plan, station=places["a"])
    stale = Inspection.objects.get(pk=visit.pk)
    services.inspection_remove(actor=world.district_a_admin, inspection=visit)
    assert not Inspection.objects.filter(pk=visit.pk).exists()
    entry = audit(visit, AuditEntry.Action.DELETE).get()
    assert entry.changes["station"] == [str(places["a"].pk), None]
    # Whoever still holds it (a request that read it just before) cannot record on it any more, nor take it out
    # twice: the lock finds it gone.
    with pytest.raises(ValidationError) as exc:
        services.inspection_record(actor=None, inspection=stale, visited_on=DAY, results={})
    assert message(exc) == "该督查对象已被移出督查计划。"
    with pytest.raises(ValidationError):
        services.inspection_remove(actor=world.district_a_admin, inspection=stale)
    # It may be added again.
    services.inspection_add(actor=world.district_a_admin, plan=plan, station=places["a"])


def test_a_recorded_target_stays(world, plan, places):
    done, _finding = done_inspection(plan, station=places["a"], finding="")
    with pytest.raises(ValidationError) as exc:
        services.inspection_remove(actor=world.district_a_admin, inspection=done)
    assert message(exc) == "北京街社工站 的督查已有记录（日期、结果、意见或问题），不能移出计划。"
    assert Inspection.objects.filter(pk=done.pk).exists()


def test_only_the_plans_bureau_takes_targets_out(world, places):
    # The city's plan visits a station of district A: district A's admin sees the visit but not the plan.
    city_plan = make_plan(CITY)
    visit = services.inspection_add(actor=None, plan=city_plan, station=places["a"])
    for actor in (world.district_a_admin, world.district_b_admin, world.station_head_a):
        with pytest.raises(PermissionDenied):
            services.inspection_remove(actor=actor, inspection=visit)
    services.inspection_remove(actor=world.city_admin, inspection=visit)


# --- Pages -----------------------------------------------------------------------------------------------------------


@pytest.fixture
def data(world):
    world.data = world_setup(world)
    return world.data


REFUSED = {**BUREAU_A_ONLY, "city_admin": 302, "district_a_admin": 302}
CASES = [
    ViewCase(
        "inspections:plan_edit",
        BUREAU_A_ONLY,
        args=lambda w: [w.data["plan_a"].pk],
        out_of_scope=lambda w: [w.data["plan_b"].pk],
        out_of_scope_users=["district_a_admin"],
    ),
    ViewCase(
        "inspections:plan_edit",
        BUREAU_A_ONLY,
        method="post",
        args=lambda w: [w.data["plan_a"].pk],
        data={"title": ""},
        label="POST inspections:plan_edit (invalid: the form again)",
    ),
    ViewCase(
        "inspections:plan_delete",
        REFUSED,
        method="post",
        args=lambda w: [w.data["plan_a"].pk],
        out_of_scope=lambda w: [w.data["plan_b"].pk],
        out_of_scope_users=["district_a_admin"],
        label="POST inspections:plan_delete (recorded: refused, back to the plan)",
    ),
    ViewCase(
        "inspections:inspection_remove",
        REFUSED,
        method="post",
        args=lambda w: [w.data["inspection_a"].pk],
        out_of_scope=lambda w: [w.data["inspection_b"].pk],
        out_of_scope_users=["district_a_admin"],
        label="POST inspections:inspection_remove (recorded: refused, back to the plan)",
    ),
    ViewCase(
        "inspections:plan_target_template",
        BUREAU_A_ONLY,
        args=lambda w: [w.data["plan_a"].pk],
        out_of_scope=lambda w: [w.data["plan_b"].pk],
        out_of_scope_users=["district_a_admin"],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_permission_matrix(client, world, data, case):
    case.check(client, world)


def test_the_pages_edit_remove_and_delete(client, world, data):
    plan = data["plan_a"]
    extra = services.inspection_add(actor=None, plan=plan, station=data["room"])
    client.force_login(world.district_a_admin)
    page = client.get(reverse("inspections:plan_detail", args=[plan.pk])).content.decode()
    # Only the unrecorded target has its button; the plan has recorded ones, so no delete.
    assert page.count('data-testid="visit-remove"') == 1
    assert reverse("inspections:inspection_remove", args=[extra.pk]) in page
    assert 'data-testid="plan-delete"' not in page

    response = client.post(
        reverse("inspections:plan_edit", args=[plan.pk]),
        {"year": 2026, "quarter": 2, "kind": "routine", "title": "改期", "checklist": AREAS},
    )
    assert response.status_code == 200
    assert "本计划已有督查记录，不能再更改年度或季度。" in response.content.decode()
    response = client.post(
        reverse("inspections:plan_edit", args=[plan.pk]),
        {"year": 2026, "quarter": 1, "kind": "special", "title": "越秀区专项检查", "checklist": AREAS},
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.title, plan.kind) == ("越秀区专项检查", "special")

    response = client.post(reverse("inspections:inspection_remove", args=[extra.pk]))
    assert response["Location"].endswith(reverse("inspections:plan_detail", args=[plan.pk]) + "#targets")
    assert not Inspection.objects.filter(pk=extra.pk).exists()

    empty = make_plan(quarter=2)
    services.inspection_add(actor=None, plan=empty, station=data["a"])
    page = client.get(reverse("inspections:plan_detail", args=[empty.pk])).content.decode()
    assert 'data-testid="plan-delete"' in page
    response = client.post(reverse("inspections:plan_delete", args=[empty.pk]))
    assert response["Location"] == reverse("inspections:plan_list")
    assert not InspectionPlan.objects.filter(pk=empty.pk).exists()


def test_the_plan_page_does_not_query_per_target(client, world, data):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    plan = data["plan_a"]
    client.force_login(world.district_a_admin)
    url = reverse("inspections:plan_detail", args=[plan.pk])
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    services.inspection_add(actor=None, plan=plan, station=data["room"])
    with CaptureQueriesContext(connection) as after:
        client.get(url)
    assert len(after) == len(before)
