"""Excel import of time-bank accounts: members named by volunteer number, by name and phone, or by station code;
opened by account_open (audited); bad rows reported in Chinese; nothing half-written; the import page's scope."""

import pytest
from django.urls import reverse

from shegong.audit.models import AuditEntry
from shegong.recipients.tests.factories import make_recipient
from shegong.tabular.models import ImportJob
from shegong.testing.matrix import assert_matrix
from shegong.timebank.models import Account
from shegong.timebank.tests.factories import COMMUNITY_A, COMMUNITY_B, station_a, volunteer_account
from shegong.volunteers.tests.factories import id_number, make_volunteer
from shegong.volunteers.tests.tabular_helpers import reasons_by, run, use_immediate_tasks

pytestmark = pytest.mark.django_db
KIND = "timebank-accounts"


@pytest.fixture(autouse=True)
def setup(settings, tmp_path):
    use_immediate_tasks(settings, tmp_path)


def test_the_import_page_is_for_keepers(client, world):
    url = reverse("tabular:import", args=[KIND])
    assert_matrix(client, world, url, {"anonymous": 302, "station_head_a": 200, "agency_admin_a": 200}, default=403)


def test_a_good_file_opens_every_account(world, django_capture_on_commit_callbacks):
    chen = make_volunteer("陈越秀", COMMUNITY_A)
    lin = make_volunteer("林越秀", COMMUNITY_A, phone="13900139000", id_number=id_number(sequence=61))
    resident = make_recipient("张居民", COMMUNITY_A, phone="13700137000")
    rows = [
        {"kind": "志愿者", "volunteer_number": chen.number},
        {"kind": "志愿者", "name": "林越秀", "phone": "139-0013-9000", "opened_on": "2026-02-01"},
        {"kind": "居民", "name": "张居民", "phone": "13700137000"},
        {"kind": "站点互助池", "station_code": station_a().code},
    ]
    job = run(KIND, world.station_head_a, django_capture_on_commit_callbacks, rows)
    assert (job.status, job.written_rows, job.error_rows) == ("done", 4, 0), job.message
    assert Account.objects.get(volunteer=chen).kind == "volunteer"
    assert Account.objects.get(volunteer=lin).opened_on.isoformat() == "2026-02-01"
    assert Account.objects.filter(recipient=resident).exists()
    pool = Account.objects.get(station=station_a(), kind="pool")
    assert AuditEntry.objects.filter(object_type="timebank.account", object_id=str(pool.pk), action="create").exists()


def test_bad_rows_are_reported_and_nothing_is_written(world, django_capture_on_commit_callbacks):
    chen = make_volunteer("陈越秀", COMMUNITY_A)
    far = make_volunteer("黄海珠", COMMUNITY_B)
    opened = volunteer_account("已开户", COMMUNITY_A)
    rows = [
        {"kind": "志愿者", "volunteer_number": chen.number, "name": "好行"},
        {"kind": "志愿者", "volunteer_number": chen.number, "name": "重复行"},
        {"kind": "志愿者", "volunteer_number": far.number, "name": "越界"},
        {"kind": "志愿者", "volunteer_number": opened.volunteer.number, "name": "已开"},
        {"kind": "志愿者", "volunteer_number": "V000", "name": "无编号"},
        {"kind": "居民", "name": "无此人", "phone": "13000000000"},
        {"kind": "站点", "station_code": "S000", "name": "无站点"},
        {"kind": "机构", "name": "坏类型"},
        {"kind": "志愿者", "name": "坏电话", "phone": "12345"},
        {"kind": "志愿者", "name": "缺电话"},
    ]
    count = Account.objects.count()
    job = run(KIND, world.station_head_a, django_capture_on_commit_callbacks, rows)
    assert (job.status, job.written_rows, job.error_rows) == ("rejected", 0, 9), job.message
    reasons = reasons_by(job, 3)
    assert "同一成员" in reasons["重复行"]
    assert "管辖范围" in reasons["越界"]
    assert "已开立" in reasons["已开"]
    assert "没有这个志愿者编号" in reasons["无编号"]
    assert "没有姓名和联系电话都相符" in reasons["无此人"]
    assert "没有这个站点编码" in reasons["无站点"]
    assert "不在可选范围内" in reasons["坏类型"]
    assert "格式不正确" in reasons["坏电话"]
    assert "请填写志愿者编号，或填写姓名和联系电话" in reasons["缺电话"]
    assert Account.objects.count() == count
    job = run(KIND, world.station_head_a, django_capture_on_commit_callbacks, rows, ImportJob.Mode.GOOD_ROWS)
    assert (job.status, job.written_rows) == ("done", 1) and Account.objects.filter(volunteer=chen).exists()
