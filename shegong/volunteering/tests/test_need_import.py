"""Excel import of volunteer needs, one row per shift: rows of the same target, title and roles make one need with
several shifts, written by need_post (audited); bad rows reported in Chinese; nothing half-written; the page's scope."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from shegong.audit.models import AuditEntry
from shegong.tabular.models import ImportJob
from shegong.testing.matrix import assert_matrix
from shegong.volunteering.models import NeedShift, VolunteerNeed
from shegong.volunteering.tests.factories import place
from shegong.volunteers.tests.tabular_helpers import reasons_by, run, use_immediate_tasks

pytestmark = pytest.mark.django_db
KIND = "volunteer-needs"


@pytest.fixture(autouse=True)
def setup(settings, tmp_path):
    use_immediate_tasks(settings, tmp_path)


@pytest.fixture
def w(world):
    return place(world)


def day(offset: int = 7) -> str:
    return (timezone.localdate() + datetime.timedelta(days=offset)).isoformat()


def good(w) -> list[dict]:
    shift = {"target_kind": "社区活动", "target_code": w.activity_a.code, "title": "重阳节志愿者", "place": "社区广场"}
    return [
        {**shift, "roles": "引导员", "day": day(), "starts_at": "09:00", "ends_at": "12:00", "needed": 4},
        {**shift, "roles": "引导员", "day": day(8), "starts_at": "14:00", "ends_at": "17:30", "needed": 2},
        {**shift, "roles": "摄影", "day": day(), "starts_at": "09:00", "ends_at": "11:00", "needed": 1},
    ]


def test_the_import_page_is_for_those_who_post_needs(client, w):
    url = reverse("tabular:import", args=[KIND])
    posters = {"station_head_a": 200, "agency_admin_a": 200, "worker_b": 200, "organiser_a": 200}
    assert_matrix(client, w, url, {"anonymous": 302, **posters, "vol_a": 403}, default=403)


def test_a_good_file_makes_one_need_per_target_title_and_roles(w, django_capture_on_commit_callbacks):
    before = VolunteerNeed.objects.count()
    job = run(KIND, w.organiser_user, django_capture_on_commit_callbacks, good(w))
    assert (job.status, job.written_rows, job.error_rows) == ("done", 3, 0), job.message
    needs = VolunteerNeed.objects.filter(title="重阳节志愿者")
    assert needs.count() == 2 and VolunteerNeed.objects.count() == before + 2
    guides = needs.get(roles="引导员")
    assert guides.activity == w.activity_a and guides.organiser == w.organiser and guides.station == w.station_a
    assert [(s.starts_at.isoformat(), s.ends_at.isoformat(), s.needed) for s in guides.shifts.all()] == [
        ("09:00:00", "12:00:00", 4),
        ("14:00:00", "17:30:00", 2),
    ]
    assert AuditEntry.objects.filter(object_type="volunteering.volunteerneed", object_id=str(guides.pk)).exists()


def test_bad_rows_are_reported_and_nothing_is_written(w, django_capture_on_commit_callbacks):
    base = good(w)[0]
    rows = [
        *good(w),
        {**base},  # the same shift again
        {**base, "title": "无此活动", "target_code": "A000"},
        {**base, "title": "外区活动", "target_code": w.activity_b.code},
        {**base, "title": "倒置时间", "starts_at": "12:00", "ends_at": "09:00"},
        {**base, "title": "坏时间", "starts_at": "25:00"},
        {**base, "title": "零人", "needed": 0},
        {**base, "title": "过去", "day": day(-3)},
        {**base, "title": "坏类型", "target_kind": "讲座"},
    ]
    shifts = NeedShift.objects.count()
    job = run(KIND, w.organiser_user, django_capture_on_commit_callbacks, rows)
    assert (job.status, job.written_rows, job.error_rows) == ("rejected", 0, 8), job.message
    reasons = reasons_by(job, 3)
    assert "重复" in reasons["重阳节志愿者"]
    assert "没有这个编号" in reasons["无此活动"] and "没有这个编号" in reasons["外区活动"]
    assert "结束时间须晚于开始时间" in reasons["倒置时间"]
    assert "不是有效时间" in reasons["坏时间"]
    assert "不能小于 1" in reasons["零人"]
    assert "不能早于今天" in reasons["过去"]
    assert "不在可选范围内" in reasons["坏类型"]
    assert NeedShift.objects.count() == shifts
    job = run(KIND, w.organiser_user, django_capture_on_commit_callbacks, rows, ImportJob.Mode.GOOD_ROWS)
    assert (job.status, job.written_rows) == ("done", 3) and NeedShift.objects.count() == shifts + 3
