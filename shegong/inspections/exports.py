"""The Excel exports of the inspection and rectification lists: the rows as filtered, one query each (labels of the
checklist and owners come with the rows)."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from shegong.inspections.models import Finding, RectificationItem


def inspection_rows(rows) -> tuple[list, list[list]]:
    headers = [
        _("督查计划"),
        _("年度"),
        _("季度"),
        _("督查方式"),
        _("督查对象"),
        _("对象类型"),
        _("所在区划"),
        _("区划代码"),
        _("计划日期"),
        _("督查日期"),
        _("状态"),
        _("不符合项"),
        _("发现问题"),
        _("严重问题"),
        _("督查意见"),
    ]
    rows = rows.annotate(
        nonconform=Count("results", filter=Q(results__result="nonconform"), distinct=True),
        finding_count=Count("findings", distinct=True),
        serious=Count("findings", filter=Q(findings__severity=Finding.Severity.SERIOUS), distinct=True),
    )
    data = []
    for inspection in rows:
        data.append(
            [
                inspection.plan.title,
                inspection.plan.year,
                inspection.plan.quarter,
                inspection.plan.get_kind_display(),
                str(inspection.target),
                _("站点") if inspection.station_id else _("机构"),
                inspection.region.name,
                inspection.region_id,
                inspection.scheduled_on,
                inspection.visited_on,
                inspection.get_status_display(),
                inspection.nonconform,
                inspection.finding_count,
                inspection.serious,
                inspection.summary,
            ]
        )
    return headers, data


def item_rows(rows, today: datetime.date) -> tuple[list, list[list]]:
    headers = [
        _("编号"),
        _("责任单位"),
        _("单位类型"),
        _("所在区划"),
        _("区划代码"),
        _("责任人"),
        _("问题描述"),
        _("整改要求"),
        _("整改期限"),
        _("状态"),
        _("逾期"),
        _("逾期天数"),
        _("销号日期"),
        _("退回原因"),
    ]
    data = []
    for item in rows.select_related("finding"):
        overdue = item.is_overdue(today)
        data.append(
            [
                item.pk,
                str(item.owner),
                _("站点") if item.owner_station_id else _("机构"),
                item.region.name,
                item.region_id,
                item.responsible_person,
                item.finding.description,
                item.required_action,
                item.deadline,
                item.get_status_display(),
                _("是") if overdue else _("否"),
                (today - item.deadline).days if overdue else 0,
                item.closed_on,
                item.return_reason,
            ]
        )
    return headers, data


__all__ = ["RectificationItem", "inspection_rows", "item_rows"]
