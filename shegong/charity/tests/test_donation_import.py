"""Excel import of donations: receipt numbers drawn in file order from the point's counter like the form's, every
donation audited; bad rows reported in Chinese; nothing half-written (no receipt number used); the page's scope."""

import pytest
from django.urls import reverse

from shegong.audit.models import AuditEntry
from shegong.charity.models import CharityPoint, Donation
from shegong.charity.tests.factories import STREET_B, give, make_point
from shegong.tabular.models import ImportJob
from shegong.testing.matrix import assert_matrix
from shegong.volunteers.tests.tabular_helpers import reasons_by, run, use_immediate_tasks

pytestmark = pytest.mark.django_db
KIND = "charity-donations"


@pytest.fixture(autouse=True)
def setup(settings, tmp_path):
    use_immediate_tasks(settings, tmp_path)


@pytest.fixture
def points(world):
    world.point_a = make_point()
    world.point_b = make_point(STREET_B)
    give(world.point_a)  # receipt 000001 taken by the form
    return world


def test_the_import_page_is_for_keepers(client, world):
    url = reverse("tabular:import", args=[KIND])
    assert_matrix(client, world, url, {"anonymous": 302, "station_head_a": 200, "agency_admin_a": 200}, default=403)


def money(w, **values) -> dict:
    row = {"station": w.point_a.station.code, "received_on": "2026-03-01", "kind": "善款", "amount": "200"}
    return {**row, "donor_name": "陈善人", "handler": "李经办", **values}


def test_a_good_file_gets_the_next_receipt_numbers_in_order(points, django_capture_on_commit_callbacks):
    w = points
    rows = [
        money(w),
        {**money(w, amount=None, kind="物资", donor_name=None, anonymous="是"), "items": "大米", "quantity": 20},
        money(w, purpose_kind="定向", purpose="长者饭堂", donor_name="某公司", donor_phone="13800138000"),
    ]
    rows[1]["estimated_value"] = "300"
    job = run(KIND, w.station_head_a, django_capture_on_commit_callbacks, rows)
    assert (job.status, job.written_rows, job.error_rows) == ("done", 3, 0), job.message
    code = w.point_a.station.code
    made = list(Donation.objects.filter(point=w.point_a).order_by("sequence"))
    assert [d.receipt_number for d in made] == [f"{code}-{n:06d}" for n in range(1, 5)]
    assert made[2].anonymous and made[2].items == "大米" and made[3].purpose == "长者饭堂"
    assert CharityPoint.objects.get(pk=w.point_a.pk).last_receipt_number == 4
    assert AuditEntry.objects.filter(
        object_type="charity.donation", object_id=str(made[3].pk), action="create"
    ).exists()


def test_bad_rows_are_reported_and_no_receipt_number_is_used(points, django_capture_on_commit_callbacks):
    w = points
    rows = [
        money(w, donor_name="好行"),
        money(w, donor_name="缺金额", amount=None),
        money(w, donor_name="匿名有名", anonymous="是"),
        money(w, donor_name="越界", station=w.point_b.station.code),
        money(w, donor_name="无站点", station="S000"),
        money(w, donor_name="未来", received_on="2099-01-01"),
        money(w, donor_name="定向无用途", purpose_kind="定向"),
        {**money(w, donor_name="物资缺数量", kind="物资", amount=None), "items": "米", "estimated_value": "10"},
        money(w, donor_name="无经办", handler=None),
    ]
    job = run(KIND, w.station_head_a, django_capture_on_commit_callbacks, rows)
    assert (job.status, job.written_rows, job.error_rows) == ("rejected", 0, 8), job.message
    reasons = reasons_by(job, 9)
    assert "大于 0 的金额" in reasons["缺金额"]
    assert "匿名捐赠不登记捐赠人姓名" in reasons["匿名有名"]
    assert "管辖范围" in reasons["越界"]
    assert "没有设立慈善捐赠站点" in reasons["无站点"]
    assert "不能晚于今天" in reasons["未来"]
    assert "定向用途" in reasons["定向无用途"]
    assert "数量" in reasons["物资缺数量"]
    assert "必须填写" in reasons["无经办"]
    point = CharityPoint.objects.get(pk=w.point_a.pk)
    assert point.last_receipt_number == 1 and point.donations.count() == 1
    job = run(KIND, w.station_head_a, django_capture_on_commit_callbacks, rows, ImportJob.Mode.GOOD_ROWS)
    assert (job.status, job.written_rows) == ("done", 1)
    assert Donation.objects.get(donor_name="好行").receipt_number.endswith("-000002")


def test_the_donation_list_links_the_import_for_keepers(client, points):
    client.force_login(points.station_head_a)
    assert "donation-import" in client.get(reverse("charity:donations")).content.decode()
    client.force_login(points.city_admin)
    assert "donation-import" not in client.get(reverse("charity:donations")).content.decode()
