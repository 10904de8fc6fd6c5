"""The services: plans (a year = four rounds), targets inside the region, the random sample, recording and locking an
inspection, corrections with a reason, rectification moves (each allowed and forbidden one), who may answer and
review, and every write audited."""

import datetime
import random

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shegong.audit.models import AuditEntry
from shegong.inspections import selectors, services
from shegong.inspections.models import (
    ChecklistResult,
    Finding,
    Inspection,
    InspectionCorrection,
    InspectionPlan,
    RectificationEvidence,
    RectificationItem,
)
from shegong.inspections.tests.factories import (
    AREAS,
    DAY,
    done_inspection,
    make_item,
    make_plan,
    pdf,
    png,
    stations,
    world_setup,
)
from shegong.regions.models import Region
from shegong.stations.models import Station
from shegong.stations.tests.factories import make_station
from shegong.testing.world import DISTRICT_A

pytestmark = pytest.mark.django_db

Status = RectificationItem.Status
CONFORM = ChecklistResult.Result.CONFORM


def audit_actions(obj):
    return list(
        AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
        .order_by("sequence")
        .values_list("action", flat=True)
    )


# --- Plans -----------------------------------------------------------------------------------------------------------


def test_a_year_plan_is_four_quarterly_rounds_with_inspectors(world):
    plans = services.plan_create_year(
        actor=world.district_a_admin,
        region=Region.objects.get(pk=DISTRICT_A),
        year=2026,
        kind=InspectionPlan.Kind.ROUTINE,
        title="越秀区社工站季度督查",
        checklist=AREAS,
        inspectors=[world.district_a_admin, world.city_admin],
    )
    assert [plan.quarter for plan in plans] == [1, 2, 3, 4]
    assert set(plans[0].inspectors.all()) == {world.district_a_admin, world.city_admin}
    assert all(audit_actions(plan) == [AuditEntry.Action.CREATE] for plan in plans)


def test_plan_refusals(world):
    district_a = Region.objects.get(pk=DISTRICT_A)
    values = dict(region=district_a, year=2026, quarter=1, kind="routine", title="督查", checklist=AREAS)
    with pytest.raises(PermissionDenied):
        services.plan_create(actor=world.district_b_admin, **values)
    with pytest.raises(PermissionDenied):
        services.plan_create(actor=world.station_head_a, **values)
    with pytest.raises(ValidationError) as exc:
        services.plan_create(actor=world.district_a_admin, **{**values, "checklist": ["no_such_area"]})
    assert "checklist" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.plan_create(actor=world.district_a_admin, **{**values, "checklist": []})
    assert "checklist" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.plan_create(actor=world.district_a_admin, **values, inspectors=[world.district_b_admin])
    assert "inspectors" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.plan_create(actor=world.district_a_admin, **values, inspectors=[world.station_head_a])
    assert "inspectors" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.plan_create(actor=world.district_a_admin, **{**values, "quarter": 5})
    services.plan_create(actor=world.district_a_admin, **values)
    with pytest.raises(ValidationError) as exc:
        services.plan_create(actor=world.district_a_admin, **values)
    assert "title" in exc.value.message_dict
    assert InspectionPlan.objects.count() == 1


def test_targets_must_be_inside_the_plan_region_and_only_once(world):
    places = stations(world)
    plan = make_plan(DISTRICT_A)
    inspection = services.inspection_add(actor=world.district_a_admin, plan=plan, station=places["a"])
    assert inspection.region_id == places["a"].region_id
    assert audit_actions(inspection) == [AuditEntry.Action.CREATE]
    with pytest.raises(ValidationError):
        services.inspection_add(actor=world.district_a_admin, plan=plan, station=places["a"])
    with pytest.raises(ValidationError):
        services.inspection_add(actor=world.district_a_admin, plan=plan, station=places["b"])
    with pytest.raises(ValidationError):
        services.inspection_add(actor=world.district_a_admin, plan=plan, agency=world.agency_b)
    with pytest.raises(ValidationError):
        services.inspection_add(actor=world.district_a_admin, plan=plan)
    with pytest.raises(PermissionDenied):
        services.inspection_add(actor=world.district_b_admin, plan=plan, agency=world.agency_a)
    services.inspection_add(actor=world.district_a_admin, plan=plan, agency=world.agency_a)
    assert plan.visits.count() == 2


def test_random_sample_draws_operating_stations_not_yet_targeted(world):
    places = stations(world)
    make_station(Station.Kind.ROOM, "440104003107", name="筹建中的社工室", status=Station.Status.PREPARING)
    plan = make_plan(DISTRICT_A, kind=InspectionPlan.Kind.UNANNOUNCED)
    drawn = services.plan_draw_sample(actor=world.district_a_admin, plan=plan, count=5, rng=random.Random(1))
    assert {inspection.station for inspection in drawn} == {places["a"], places["room"]}
    with pytest.raises(ValidationError):
        services.plan_draw_sample(actor=world.district_a_admin, plan=plan, count=1)
    with pytest.raises(ValidationError):
        services.plan_draw_sample(actor=world.district_a_admin, plan=plan, count=0)


# --- Recording and locking -------------------------------------------------------------------------------------------


def test_complete_needs_a_date_and_every_area_then_locks(world):
    places = stations(world)
    plan = make_plan(DISTRICT_A)
    inspection = services.inspection_add(actor=None, plan=plan, station=places["a"])
    actor = world.district_a_admin
    with pytest.raises(ValidationError) as exc:
        services.inspection_complete(actor=actor, inspection=inspection)
    assert len(exc.value.messages) == 2
    services.inspection_record(
        actor=actor, inspection=inspection, visited_on=DAY, results={AREAS[0]: (CONFORM, "良好")}
    )
    with pytest.raises(ValidationError) as exc:
        services.inspection_complete(actor=actor, inspection=inspection)
    assert "标准化建设" in exc.value.messages[0]
    with pytest.raises(ValidationError):
        services.inspection_record(
            actor=actor, inspection=inspection, visited_on=DAY, results={"financial_management": (CONFORM, "")}
        )
    with pytest.raises(ValidationError):
        services.inspection_record(actor=actor, inspection=inspection, visited_on=datetime.date(2999, 1, 1), results={})
    services.inspection_record(
        actor=actor, inspection=inspection, visited_on=DAY, results={area: (CONFORM, "") for area in AREAS}
    )
    finding = services.finding_add(
        actor=actor, inspection=inspection, description="消防器材过期", severity="serious", files=[png()]
    )
    assert finding.files.get().content_type == "image/png"
    services.inspection_complete(actor=actor, inspection=inspection)
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.DONE and inspection.done_by == actor
    # Locked: no more recording, no more findings, not completed twice.
    with pytest.raises(ValidationError):
        services.inspection_record(actor=actor, inspection=inspection, visited_on=DAY, results={})
    with pytest.raises(ValidationError):
        services.finding_add(actor=actor, inspection=inspection, description="又一个问题", severity="minor")
    with pytest.raises(ValidationError):
        services.inspection_complete(actor=actor, inspection=inspection)
    assert AuditEntry.Action.TRANSITION in audit_actions(inspection)


def test_a_correction_needs_a_reason_and_is_kept(world):
    places = stations(world)
    inspection, _finding = done_inspection(make_plan(DISTRICT_A), station=places["a"])
    actor = world.district_a_admin
    with pytest.raises(ValidationError) as exc:
        services.inspection_correct(
            actor=actor, inspection=inspection, area=AREAS[0], result="nonconform", notes="", reason="  "
        )
    assert "reason" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.inspection_correct(
            actor=actor, inspection=inspection, area=AREAS[0], result=CONFORM, notes="", reason="x"
        )
    with pytest.raises(PermissionDenied):
        services.inspection_correct(
            actor=world.district_b_admin,
            inspection=inspection,
            area=AREAS[0],
            result="nonconform",
            notes="",
            reason="x",
        )
    correction = services.inspection_correct(
        actor=actor, inspection=inspection, area=AREAS[0], result="nonconform", notes="复核发现", reason="录入错误"
    )
    assert correction.changes == {
        f"{AREAS[0]}.result": ["conform", "nonconform"],
        f"{AREAS[0]}.notes": ["", "复核发现"],
    }
    assert inspection.results.get(area=AREAS[0]).result == "nonconform"
    entry = AuditEntry.objects.filter(object_type="inspections.inspection", note="录入错误").get()
    assert entry.actor == actor
    # A planned inspection is changed directly, not corrected.
    open_one = services.inspection_add(actor=None, plan=make_plan(DISTRICT_A, quarter=2), station=places["a"])
    with pytest.raises(ValidationError):
        services.inspection_correct(
            actor=actor, inspection=open_one, area=AREAS[0], result="nonconform", notes="", reason="x"
        )
    assert InspectionCorrection.objects.count() == 1


# --- Files -----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("脚本.exe", b"MZ\x90\x00", "类型不受支持"),
        ("伪装.png", b"%PDF-1.4 not a png", "内容与扩展名不符"),
        ("空.pdf", b"", "是空的"),
        ("无扩展名", b"%PDF-1.4", "类型不受支持"),
    ],
)
def test_files_are_checked_by_type_and_content(world, name, content, message):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from shegong.core.uploads import validate_upload

    with pytest.raises(ValidationError) as exc:
        validate_upload(SimpleUploadedFile(name, content))
    assert message in exc.value.messages[0]


def test_files_too_large_or_too_many_are_refused_and_nothing_is_written(world, settings):
    settings.EVIDENCE_MAX_BYTES = 100
    places = stations(world)
    inspection = services.inspection_add(actor=None, plan=make_plan(DISTRICT_A), station=places["a"])
    with pytest.raises(ValidationError) as exc:
        services.finding_add(actor=None, inspection=inspection, description="问题", severity="minor", files=[png()])
    assert "超过" in exc.value.messages[0]
    settings.EVIDENCE_MAX_BYTES = 10_000
    with pytest.raises(ValidationError) as exc:
        services.finding_add(
            actor=None, inspection=inspection, description="问题", severity="minor", files=[pdf()] * 11
        )
    assert "最多" in exc.value.messages[0]
    assert not Finding.objects.exists()


# --- Rectification ---------------------------------------------------------------------------------------------------


def test_item_defaults_to_the_inspected_target_and_checks_its_deadline(world):
    places = stations(world)
    _inspection, finding = done_inspection(make_plan(DISTRICT_A), station=places["a"])
    item = make_item(finding)
    assert item.owner == places["a"] and item.region_id == places["a"].region_id
    assert item.status == Status.OPEN
    with pytest.raises(ValidationError) as exc:
        make_item(finding, deadline=DAY - datetime.timedelta(days=1))
    assert "deadline" in exc.value.message_dict
    with pytest.raises(ValidationError):
        make_item(finding, required_action=" ")
    # The agency operating the station can be made the owner instead.
    by_agency = make_item(finding, owner_agency=world.agency_a)
    assert by_agency.owner == world.agency_a
    with pytest.raises(PermissionDenied):
        services.rectification_create(
            actor=world.district_b_admin, finding=finding, required_action="x", deadline=DAY, today=DAY
        )
    with pytest.raises(ValidationError):
        services.rectification_create(
            actor=world.district_a_admin,
            finding=finding,
            required_action="x",
            deadline=DAY,
            today=DAY,
            owner_agency=world.agency_b,
        )


def test_the_allowed_moves_and_only_those(world):
    data = world_setup(world)
    item = data["item_a"]
    head, admin = world.station_head_a, world.district_a_admin
    # 待整改: the bureau cannot review before evidence.
    with pytest.raises(ValidationError):
        services.rectification_review(actor=admin, item=item, passed=True, today=DAY)
    evidence = services.rectification_submit(actor=head, item=item, text="已清理通道", files=[png(), pdf()])
    assert evidence.files.count() == 2
    item.refresh_from_db()
    assert item.status == Status.SUBMITTED
    # 待审核: not submitted again.
    with pytest.raises(ValidationError):
        services.rectification_submit(actor=head, item=item, text="再交一次")
    # 退回 needs a reason.
    with pytest.raises(ValidationError) as exc:
        services.rectification_review(actor=admin, item=item, passed=False, note="", today=DAY)
    assert "note" in exc.value.message_dict
    services.rectification_review(actor=admin, item=item, passed=False, note="照片不清晰", today=DAY)
    item.refresh_from_db()
    assert (item.status, item.return_reason) == (Status.RETURNED, "照片不清晰")
    assert RectificationEvidence.objects.get(pk=evidence.pk).decision == RectificationEvidence.Decision.RETURNED
    with pytest.raises(ValidationError):
        services.rectification_review(actor=admin, item=item, passed=True, today=DAY)
    services.rectification_submit(actor=head, item=item, text="补充清晰照片")
    services.rectification_review(actor=admin, item=item, passed=True, today=DAY)
    item.refresh_from_db()
    assert (item.status, item.closed_on, item.return_reason) == (Status.CLOSED, DAY, "")
    # 已销号 is final.
    with pytest.raises(ValidationError):
        services.rectification_submit(actor=head, item=item, text="又交")
    with pytest.raises(ValidationError):
        services.rectification_review(actor=admin, item=item, passed=False, note="重开", today=DAY)
    assert audit_actions(item) == [AuditEntry.Action.CREATE] + [AuditEntry.Action.TRANSITION] * 4


def test_only_the_owner_answers_and_only_the_bureau_of_the_region_reviews(world):
    data = world_setup(world)
    with pytest.raises(PermissionDenied):
        services.rectification_submit(actor=world.agency_admin_a, item=data["item_b"], text="不是我的")
    with pytest.raises(PermissionDenied):
        services.rectification_submit(actor=world.station_head_a, item=data["agency_item"], text="机构的事项")
    with pytest.raises(PermissionDenied):
        services.rectification_submit(actor=world.district_a_admin, item=data["item_a"], text="局里代交")
    # The agency operating the station answers the station's item too.
    services.rectification_submit(actor=world.agency_admin_a, item=data["item_a"], text="机构代站点提交")
    with pytest.raises(PermissionDenied):
        services.rectification_review(actor=world.district_b_admin, item=data["item_a"], passed=True)
    with pytest.raises(PermissionDenied):
        services.rectification_review(actor=world.station_head_a, item=data["item_a"], passed=True)
    services.rectification_review(actor=world.city_admin, item=data["item_a"], passed=True)


def test_overdue_on_a_date(world):
    data = world_setup(world)
    item = data["item_a"]  # deadline DAY + 30
    deadline = item.deadline
    visible = selectors.items(world.district_a_admin)

    def overdue_on(day):
        return set(visible.filter(selectors.overdue_q(day)).values_list("pk", flat=True))

    assert item.pk not in overdue_on(deadline)
    assert item.pk in overdue_on(deadline + datetime.timedelta(days=1))
    assert item.is_overdue(deadline + datetime.timedelta(days=1)) and not item.is_overdue(deadline)
    services.rectification_submit(actor=None, item=item, text="已整改")
    assert item.pk in overdue_on(deadline + datetime.timedelta(days=1))  # submitted but not closed: still overdue
    services.rectification_review(actor=None, item=item, passed=True, today=deadline + datetime.timedelta(days=2))
    assert item.pk not in overdue_on(deadline + datetime.timedelta(days=5))
    counts = selectors.item_counts(visible, deadline + datetime.timedelta(days=1))
    assert counts == {"total": 2, "open": 1, "overdue": 1, "submitted": 0}


def test_who_sees_which_items(world):
    data = world_setup(world)

    def seen(user):
        return set(selectors.items(user).values_list("pk", flat=True))

    a, b, agency = data["item_a"].pk, data["item_b"].pk, data["agency_item"].pk
    assert seen(world.city_admin) == {a, b, agency}
    assert seen(world.district_a_admin) == {a, agency}
    assert seen(world.district_b_admin) == {b}
    assert seen(world.station_head_a) == {a}
    assert seen(world.agency_admin_a) == {a, agency}
    assert seen(world.outsider) == seen(world.worker_b) == seen(world.evaluator) == set()
