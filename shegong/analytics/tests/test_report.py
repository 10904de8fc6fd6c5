"""统计报表: the Excel workbook (概要, 下级地区, 服务分类, 月度趋势; header, number formats, frozen header), its
audit entry, the print view, and scope (a district's report holds no sibling district's rows; a sibling's report
is 404)."""

import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from shegong.analytics.tests.test_dashboard import STREET_A2, build_figures
from shegong.audit.models import AuditEntry
from shegong.regions.models import Region
from shegong.testing.matrix import assert_matrix
from shegong.testing.world import CITY, DISTRICT_A, DISTRICT_B, STREET_A

pytestmark = pytest.mark.django_db


@pytest.fixture
def figures_world(world):
    return build_figures(world)


def download(client, user, code: str | None, query: str = "?period=2026"):
    client.force_login(user)
    url = reverse("analytics:report_download", args=[code]) if code else reverse("analytics:download")
    response = client.post(url + query)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content))


def rows_of(sheet) -> list[tuple]:
    return [row for row in sheet.iter_rows(values_only=True)]


def table(sheet, first_header: str) -> list[dict]:
    """The sheet's table under its title block, as dicts keyed by header."""
    rows = rows_of(sheet)
    start = next(index for index, row in enumerate(rows) if row[0] == first_header)
    headers = rows[start]
    return [dict(zip(headers, row, strict=False)) for row in rows[start + 1 :] if any(cell is not None for cell in row)]


def test_a_district_report_has_the_four_sheets_with_header_and_formats(client, figures_world):
    book = download(client, figures_world.district_a_admin, DISTRICT_A)
    assert book.sheetnames == ["概要", "下级地区", "服务分类", "月度趋势"]
    summary = book["概要"]
    assert summary["A1"].value == "越秀区 · 概要"
    assert "2026-01-01 至 2026-12-31" in summary["A2"].value
    assert DISTRICT_A in summary["A3"].value and "district_a_admin" in summary["A4"].value
    assert summary.freeze_panes == "B7"
    assert summary.column_dimensions["B"].width >= 20
    rows = {row["指标"]: row for row in table(summary, "分组")}
    person_times = rows["服务人次"]
    assert person_times["数值"] == 92 and person_times["分子"] == 92 and person_times["目标值"] == 200
    assert person_times["完成度"] == pytest.approx(0.46)
    value_cell = next(cell for cell in summary["D"] if cell.value == 92)
    assert value_cell.number_format == "#,##0"


def test_the_children_sheet_holds_only_the_districts_own_streets_and_the_remainder(client, figures_world):
    book = download(client, figures_world.district_a_admin, DISTRICT_A)
    children = table(book["下级地区"], "区划代码")
    codes = [row["区划代码"] for row in children]
    streets = set(Region.objects.filter(parent_id=DISTRICT_A).values_list("code", flat=True))
    assert set(codes[:-1]) == streets and codes[-1] in ("", None)
    assert not any(str(code).startswith("440105") for code in codes)
    by_code = {row["区划代码"]: row for row in children}
    header = next(name for name in children[0] if name and name.startswith("服务人次"))
    assert by_code[STREET_A][header] == 35 and by_code[STREET_A2][header] == 50
    assert children[-1]["地区"] == "未落到下级地区" and children[-1][header] == 7
    every_value = [cell for row in rows_of(book["下级地区"]) for cell in row]
    assert 7771 not in every_value and not any("海珠" in str(cell) for cell in every_value)


def test_breakdown_and_trend_sheets(client, figures_world):
    book = download(client, figures_world.district_a_admin, DISTRICT_A)
    breakdown = [row for row in table(book["服务分类"], "指标") if row["指标"] == "服务人次"]
    kinds = {row["代码"]: row["数值"] for row in breakdown if row["分类维度"] == "服务类型"}
    assert kinds == {"activity": 37, "group_session": 50, "case_session": 5}
    domains = {row["分类"]: row["数值"] for row in breakdown if row["分类维度"] == "服务领域"}
    assert domains["社会福利"] == 50 and domains["慈善事业"] == 30
    trend = table(book["月度趋势"], "月份")
    assert [row["月份"] for row in trend] == [f"2026-{month:02d}" for month in range(1, 13)]
    assert [row["服务人次"] for row in trend][:6] == [0, 0, 30, 5, 50, 7]


def test_the_export_is_audited(client, figures_world):
    before = AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).count()
    download(client, figures_world.district_a_admin, DISTRICT_A, "?period=2026-03")
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).latest("sequence")
    assert AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).count() == before + 1
    assert entry.actor == figures_world.district_a_admin and entry.object_type == "analytics.report"
    assert entry.object_id == DISTRICT_A and entry.changes["period"] == [None, "2026-03-01..2026-03-31"]


def test_the_first_roots_report_and_the_city(client, figures_world):
    book = download(client, figures_world.station_head_a, None)
    assert book["概要"]["A1"].value == "北京街道 · 概要"
    book = download(client, figures_world.city_admin, CITY)
    codes = [row["区划代码"] for row in table(book["下级地区"], "区划代码")]
    assert DISTRICT_A in codes and DISTRICT_B in codes


def test_download_scope_and_method(client, figures_world):
    url = reverse("analytics:report_download", args=[DISTRICT_B]) + "?period=2026"
    assert_matrix(
        client,
        figures_world,
        url,
        {"district_a_admin": 404, "station_head_a": 404, "outsider": 404, "worker_b": 403, "no_role": 403},
        method="post",
    )
    url = reverse("analytics:report_download", args=[DISTRICT_A])
    assert_matrix(client, figures_world, url, {"district_a_admin": 405, "anonymous": 302, "city_admin": 405})
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT, object_id=DISTRICT_B).exists()


def test_the_print_view(client, figures_world):
    client.force_login(figures_world.district_a_admin)
    html = client.get(reverse("analytics:report", args=[DISTRICT_A]) + "?period=2026").content.decode()
    assert "越秀区社会工作统计报表" in html and "analytics/analytics.css" in html and "data-print" in html
    summary = html.split('data-testid="report-summary"')[1].split("</table>")[0]
    row = summary.split('data-indicator="person_times"')[1].split("</tr>")[0]
    assert ">92<" in row and "46.0%" in row
    children = re.findall(r'data-testid="report-child" data-code="(\w+)"', html)
    assert STREET_A in children and children[-1] == "_" and not any(code.startswith("440105") for code in children)
    assert "海珠" not in html and 'data-testid="report-breakdown"' in html
    # The download keeps the period.
    assert f'action="{reverse("analytics:report_download", args=[DISTRICT_A])}?period=2026"' in html
