"""Demo: this year's quarterly inspection rounds (定期抽查) of every 广州 district that has stations, with done
inspections of a few street stations and one agency per district in the quarters already begun, their findings, and
rectification items in every state: open, submitted, returned, closed and overdue. The demo logins see them:
yuexiu_admin (越秀区), station_head (北京街社工站) and agency_admin (the agency that runs it). Idempotent: a
district whose rounds exist is left alone."""

from __future__ import annotations

import datetime
import itertools
import random

from django.db.models import Count, Q
from django.utils import timezone

from shegong.agencies.models import Agency
from shegong.inspections import services
from shegong.inspections.models import ChecklistResult, Finding, InspectionPlan, RectificationItem
from shegong.inspections.selectors import overdue_q
from shegong.regions.models import Region
from shegong.stations.models import Station

CITY = "440100000000"
AREAS = ["safety_management", "standardization", "special_groups_service", "financial_management", "staff_on_duty"]
FINDINGS = [
    (
        "safety_management",
        Finding.Severity.MAJOR,
        "消防通道堆放杂物，灭火器过期未更换",
        "清理消防通道，更换灭火器并建立每月安全巡查台账",
    ),
    (
        "standardization",
        Finding.Severity.MINOR,
        "站点标识不统一，服务清单未上墙公示",
        "按全市统一标识更新门牌，服务清单上墙公示",
    ),
    (
        "special_groups_service",
        Finding.Severity.SERIOUS,
        "独居困难老人探访记录缺失两个月",
        "补齐探访台账，对辖区独居困难老人逐户回访",
    ),
    (
        "financial_management",
        Finding.Severity.MAJOR,
        "项目支出凭证不全，人员经费未单独列支",
        "补齐凭证，人员经费单独建账并报送财务说明",
    ),
    (
        "staff_on_duty",
        Finding.Severity.MINOR,
        "驻点社工每周在社区服务不足3天",
        "调整排班，确保驻点社工每周在社区服务不少于3天",
    ),
]
RESULTS = [ChecklistResult.Result.CONFORM, ChecklistResult.Result.PARTLY, ChecklistResult.Result.NONCONFORM]


def _districts() -> list[Region]:
    """广州's districts that have operating street stations (the stations demo creates them)."""
    codes = (
        Station.objects.filter(
            kind=Station.Kind.STATION, status=Station.Status.OPERATING, region__code__startswith=CITY[:4]
        )
        .values_list("region_id", flat=True)
        .distinct()
    )
    districts = {code[:6].ljust(12, "0") for code in codes}
    return list(Region.objects.filter(code__in=districts).order_by("code"))


def _visit_days(today: datetime.date) -> list[datetime.date]:
    """Visits 75, 40 and 12 days ago: items due 30 days after a visit are overdue for the first two if left open."""
    return [today - datetime.timedelta(days=days) for days in (75, 40, 12)]


def _populate_district(district: Region, today: datetime.date, rng: random.Random, serial) -> dict[str, int]:
    created = {"plans": 0, "inspections": 0, "items": 0}
    plans = services.plan_create_year(
        actor=None,
        region=district,
        year=today.year,
        kind=InspectionPlan.Kind.ROUTINE,
        title=f"{district.name}{today.year}年社工站季度督查",
        checklist=AREAS,
    )
    created["plans"] += len(plans)
    by_quarter = {plan.quarter: plan for plan in plans}
    stations = list(
        Station.objects.filter(
            kind=Station.Kind.STATION,
            status=Station.Status.OPERATING,
            region__code__startswith=district.code[:6],
        ).order_by("region_id")[:3]
    )
    agency = Agency.objects.filter(region__code__startswith=district.code[:6]).order_by("pk").first()
    targets = [{"station": station} for station in stations] + ([{"agency": agency}] if agency else [])
    for target in targets:
        index = next(serial)
        day = _visit_days(today)[(index + 1) % 4 % 3]
        quarter = (day.month - 1) // 3 + 1 if day.year == today.year else (today.month - 1) // 3 + 1
        inspection = services.inspection_add(actor=None, plan=by_quarter[quarter], **target)
        area, severity, problem, action = FINDINGS[(index + rng.randrange(5)) % len(FINDINGS)]
        results = {code: (RESULTS[0], "") for code in AREAS}
        results[area] = (RESULTS[2] if severity != Finding.Severity.MINOR else RESULTS[1], problem)
        services.inspection_record(
            actor=None,
            inspection=inspection,
            visited_on=day,
            results=results,
            summary="总体运行规范，个别问题限期整改。",
        )
        finding = services.finding_add(
            actor=None, inspection=inspection, description=problem, severity=severity, area=area
        )
        services.inspection_complete(actor=None, inspection=inspection)
        created["inspections"] += 1
        item = services.rectification_create(
            actor=None,
            finding=finding,
            required_action=action,
            deadline=day + datetime.timedelta(days=30),
            responsible_person="站长" if "station" in target else "机构负责人",
            today=day,
        )
        created["items"] += 1
        # States in turn across the city: closed, submitted, returned, open (overdue when its visit is old).
        state = index % 4
        if state == 3:
            continue
        if state in (0, 1, 2):
            services.rectification_submit(actor=None, item=item, text="已按要求完成整改，附整改前后照片及台账。")
        if state == 0:
            services.rectification_review(actor=None, item=item, passed=True, today=day + datetime.timedelta(days=20))
        elif state == 2:
            services.rectification_review(
                actor=None, item=item, passed=False, note="台账未覆盖全部独居老人，请补充后再报。", today=today
            )
    return created


def load(context: dict) -> None:
    stdout = context["stdout"]
    today = timezone.localdate()
    rng = random.Random(f"inspections-{today.year}")
    totals = {"plans": 0, "inspections": 0, "items": 0}
    serial = itertools.count()
    existing = set(InspectionPlan.objects.filter(year=today.year).values_list("region_id", flat=True))
    for district in _districts():
        if district.code in existing:
            continue
        for key, value in _populate_district(district, today, rng, serial).items():
            totals[key] += value
    rows = RectificationItem.objects.filter(region__code__startswith=CITY[:4])
    counts = rows.aggregate(
        open=Count("pk", filter=~Q(status=RectificationItem.Status.CLOSED)),
        overdue=Count("pk", filter=overdue_q(today)),
    )
    open_count, overdue = counts["open"], counts["overdue"]
    stdout.write(
        f"督查整改：本次新增督查计划 {totals['plans']} 个、已完成督查 {totals['inspections']} 次、"
        f"整改事项 {totals['items']} 项；"
        f"广州市未销号 {open_count} 项，其中逾期 {overdue} 项"
    )
