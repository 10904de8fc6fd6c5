"""The Excel exports: the rows as filtered and scoped, audited."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from shegong.audit.models import AuditEntry
from shegong.inspections.tests.factories import world_setup

pytestmark = pytest.mark.django_db


def rows_of(response):
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_item_export_is_scoped_filtered_and_audited(client, world):
    data = world_setup(world)
    client.force_login(world.station_head_a)
    rows = rows_of(client.post(reverse("inspections:item_export")))
    assert rows[0][:2] == ["编号", "责任单位"]
    assert [row[0] for row in rows[1:]] == [data["item_a"].pk]
    client.force_login(world.city_admin)
    rows = rows_of(client.post(reverse("inspections:item_export") + "?q=赤岗"))
    assert [row[1] for row in rows[1:]] == ["赤岗街社工站"]
    assert AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).count() == 2


def test_inspection_export_counts_findings(client, world):
    world_setup(world)
    client.force_login(world.district_a_admin)
    rows = rows_of(client.post(reverse("inspections:inspection_export")))
    assert len(rows) == 3  # header, 北京街社工站 and agency A (district B's is out of scope)
    header = rows[0]
    by_target = {row[header.index("督查对象")]: row for row in rows[1:]}
    assert by_target["北京街社工站"][header.index("发现问题")] == 1
    assert by_target["北京街社工站"][header.index("状态")] == "已完成"
