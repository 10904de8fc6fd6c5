"""Builders for the inspection tests: plans, targets and items go through the real services as the installation
(actor None), so a test states only what it is about."""

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile

from shegong.inspections import services
from shegong.inspections.models import ChecklistResult, Finding, InspectionPlan
from shegong.regions.models import Region
from shegong.stations.models import Station
from shegong.stations.tests.factories import make_station
from shegong.testing.world import COMMUNITY_A, DISTRICT_A, DISTRICT_B, STREET_A

STREET_B = "440105001000"  # 赤岗街道, 海珠区
AREAS = ["safety_management", "standardization", "staff_on_duty"]
DAY = datetime.date(2026, 3, 10)


def png_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def png(name: str = "现场照片.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def pdf(name: str = "整改报告.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", content_type="application/pdf"
    )


def make_plan(region=DISTRICT_A, *, quarter=1, year=2026, kind=InspectionPlan.Kind.ROUTINE, title="", **values):
    region = region if isinstance(region, Region) else Region.objects.get(pk=region)
    return services.plan_create(
        actor=None,
        region=region,
        year=year,
        quarter=quarter,
        kind=kind,
        title=title or f"{region.name}{year}年第{quarter}季度督查",
        checklist=values.pop("checklist", AREAS),
        **values,
    )


def stations(world):
    """北京街社工站 (district A, run by agency A), its community room, and 赤岗街社工站 (district B, agency B)."""
    return {
        "a": make_station(Station.Kind.STATION, STREET_A, name="北京街社工站", agency=world.agency_a),
        "room": make_station(Station.Kind.ROOM, COMMUNITY_A, name="流水井社区社工室", agency=world.agency_a),
        "b": make_station(Station.Kind.STATION, STREET_B, name="赤岗街社工站", agency=world.agency_b),
    }


def done_inspection(
    plan, *, station=None, agency=None, visited_on=DAY, results=None, finding="消防通道堆放杂物", files=()
):
    inspection = services.inspection_add(actor=None, plan=plan, station=station, agency=agency)
    results = results or {area: (ChecklistResult.Result.CONFORM, "") for area in plan.checklist}
    services.inspection_record(actor=None, inspection=inspection, visited_on=visited_on, results=results)
    found = None
    if finding:
        found = services.finding_add(
            actor=None,
            inspection=inspection,
            description=finding,
            severity=Finding.Severity.MAJOR,
            area=AREAS[0],
            files=list(files),
        )
    services.inspection_complete(actor=None, inspection=inspection)
    inspection.refresh_from_db()
    return inspection, found


def make_item(finding, *, deadline=None, today=DAY, **values):
    return services.rectification_create(
        actor=None,
        finding=finding,
        required_action=values.pop("required_action", "清理消防通道并建立巡查台账"),
        deadline=deadline or today + datetime.timedelta(days=30),
        today=today,
        **values,
    )


def world_setup(world):
    """Plans of both districts with one done inspection each and an open item each (station-owned), plus an item
    owned by agency A."""
    places = stations(world)
    plan_a = make_plan(DISTRICT_A)
    plan_b = make_plan(DISTRICT_B)
    inspection_a, finding_a = done_inspection(plan_a, station=places["a"], files=[png(), pdf()])
    inspection_b, finding_b = done_inspection(plan_b, station=places["b"])
    agency_inspection, agency_finding = done_inspection(plan_a, agency=world.agency_a, finding="财务凭证不全")
    return {
        **places,
        "plan_a": plan_a,
        "plan_b": plan_b,
        "inspection_a": inspection_a,
        "inspection_b": inspection_b,
        "agency_inspection": agency_inspection,
        "finding_a": finding_a,
        "finding_b": finding_b,
        "agency_finding": agency_finding,
        "item_a": make_item(finding_a),
        "item_b": make_item(finding_b),
        "agency_item": make_item(agency_finding),
    }
