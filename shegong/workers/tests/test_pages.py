"""The talent pool pages: the permission matrix on every view (in and out of scope), the forms, search and paging."""

import pytest
from django.urls import reverse

from shegong.audit.models import AuditEntry
from shegong.testing.matrix import assert_matrix
from shegong.workers import services
from shegong.workers.models import SocialWorker
from shegong.workers.tests.conftest import employer_kind, id_number

pytestmark = pytest.mark.django_db

COMMUNITY_A = "440104003104"  # 流水井社区, 北京街道, 越秀区 (district A)
DISTRICT_B = "440105000000"

NO_VIEW = {
    "worker_b": 403,
    "evaluator": 403,
    "system_admin": 403,
    "security_admin": 403,
    "audit_admin": 403,
    "no_role": 403,
}


@pytest.fixture
def people(world, make_worker):
    """A worker in district A (under station_head_a's street), one of agency A, and worker_b's own record."""
    in_a = make_worker(name="张三", region=COMMUNITY_A)
    of_agency = make_worker(name="李四", region=None, agency=world.agency_a)
    own_b = make_worker(name="王五", region=DISTRICT_B)
    services.worker_link_account(actor=None, worker=own_b, account=world.worker_b)
    return {"a": in_a, "agency": of_agency, "b": own_b}


def test_list_matrix_and_rows_by_scope(client, world, people):
    url = reverse("workers:list")
    assert_matrix(client, world, url, {"anonymous": 302, **NO_VIEW}, default=200)
    seen = {}
    for name in ("city_admin", "district_a_admin", "district_b_admin", "station_head_a", "agency_admin_a", "outsider"):
        client.force_login(world.users[name])
        seen[name] = {row.name for row in client.get(url).context["page"].rows}
    assert seen["city_admin"] == {"张三", "李四", "王五"}
    assert seen["district_a_admin"] == {"张三", "李四"}
    assert seen["district_b_admin"] == {"王五"}
    assert seen["station_head_a"] == {"张三"}
    assert seen["agency_admin_a"] == {"李四"}
    assert seen["outsider"] == set()


def test_detail_matrix(client, world, people):
    not_found = {name: 404 for name in world.users}
    assert_matrix(
        client,
        world,
        reverse("workers:detail", args=[people["a"].pk]),
        {**not_found, "anonymous": 302, "city_admin": 200, "district_a_admin": 200, "station_head_a": 200},
    )
    assert_matrix(
        client,
        world,
        reverse("workers:detail", args=[people["agency"].pk]),
        {**not_found, "anonymous": 302, "city_admin": 200, "district_a_admin": 200, "agency_admin_a": 200},
    )
    # A worker reaching their own record is sent to 我的档案.
    assert_matrix(
        client,
        world,
        reverse("workers:detail", args=[people["b"].pk]),
        {**not_found, "anonymous": 302, "city_admin": 200, "district_b_admin": 200, "worker_b": 302},
    )


def test_my_profile_shows_only_my_own_record(client, world, people):
    url = reverse("workers:me")
    assert_matrix(client, world, url, {"anonymous": 302}, default=200)
    client.force_login(world.worker_b)
    page = client.get(url)
    assert page.context["worker"] == people["b"] and page.context["own"]
    content = page.content.decode()
    assert "王五" in content and "张三" not in content
    assert 'data-testid="reveal-button"' not in content  # a worker may not unmask their record here
    assert 'data-testid="worker-edit"' not in content
    client.force_login(world.city_admin)
    assert 'data-testid="no-profile"' in client.get(url).content.decode()


def test_write_pages_matrix(client, world, people):
    worker = people["a"]
    change = {"anonymous": 302, **NO_VIEW, "station_head_a": 403, "city_admin": 200, "district_a_admin": 200}
    assert_matrix(client, world, reverse("workers:edit", args=[worker.pk]), change, default=404)
    assert_matrix(client, world, reverse("workers:certificate_create", args=[worker.pk]), change, default=404)
    credit = {**change, "agency_admin_a": 403}
    assert_matrix(client, world, reverse("workers:credit_create", args=[worker.pk]), credit, default=404)
    assert_matrix(
        client,
        world,
        reverse("workers:create"),
        {"anonymous": 302, **NO_VIEW, "station_head_a": 403},
        default=200,
    )


def test_create_edit_and_certificate_pages(client, world, domains):
    client.force_login(world.district_a_admin)
    number = id_number(birth="19920202", sequence=17)
    response = client.post(
        reverse("workers:create"),
        {
            "name": "陈一",
            "id_number": number,
            "phone": "13900000001",
            "employer_kind": employer_kind(),
            "employer_name": "仓边路社区",
            "region": COMMUNITY_A,
            "service_domains": [domains[0].pk],
            "is_frontline": "on",
            "status": "active",
        },
    )
    worker = SocialWorker.objects.get(name="陈一")
    assert response.status_code == 302 and response["Location"] == reverse("workers:detail", args=[worker.pk])
    assert worker.sex == "M" and worker.name_initials == "cy"
    assert "已登记 陈一" in client.get(response["Location"]).content.decode()
    # The same number again: refused on the field, nothing personal of the other record shown.
    again = client.post(
        reverse("workers:create"),
        {
            "name": "别人",
            "id_number": number,
            "employer_kind": employer_kind(),
            "employer_name": "x",
            "region": COMMUNITY_A,
            "status": "active",
        },
    )
    assert again.status_code == 200 and "已在人才库中登记" in again.content.decode()
    assert "陈一" not in again.content.decode()
    # Grade without certificate refused on the edit page, then allowed once the certificate is on record.
    edit = reverse("workers:edit", args=[worker.pk])
    form = client.get(edit).context["form"]
    data = {key: value for key, value in form.initial.items() if value not in (None, False)}
    data.update(
        {"region": COMMUNITY_A, "job_grade": "assistant_2", "service_domains": [domains[0].pk], "is_frontline": "on"}
    )
    refused = client.post(edit, data)
    assert refused.status_code == 200 and "助理社会工作师" in refused.context["form"].errors["job_grade"][0]
    client.post(
        reverse("workers:certificate_create", args=[worker.pk]),
        {"level": "assistant", "number": "ZL-2020-001", "year_passed": 2020, "authority": "人社部"},
    )
    assert client.post(edit, data).status_code == 302
    worker.refresh_from_db()
    assert worker.job_grade == "assistant_2" and worker.highest_certificate == "assistant"
    assert worker.id_number == number  # an empty ID field on the edit page keeps the number
    certificate = worker.certificates.get()
    refused = client.post(reverse("workers:certificate_delete", args=[worker.pk, certificate.pk]), follow=True)
    assert "不能删除" in refused.content.decode()
    assert worker.certificates.exists()


def test_detail_masks_identity_and_offers_reveal_to_those_allowed(client, world, people):
    worker = people["a"]
    client.force_login(world.district_a_admin)
    content = client.get(reverse("workers:detail", args=[worker.pk])).content.decode()
    assert worker.id_number not in content
    assert worker.id_number[:6] + "********" + worker.id_number[-4:] in content
    assert 'data-testid="reveal-button"' in content
    reveal = reverse("core:reveal", args=["workers.socialworker", worker.pk, "id_number"])
    assert worker.id_number in client.post(reveal).content.decode()
    assert AuditEntry.objects.filter(action="reveal", object_id=str(worker.pk)).exists()
    client.force_login(world.district_b_admin)
    assert client.post(reveal).status_code == 404


def test_credit_pages_and_blacklist_badge(client, world, people, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    from django.core.files.uploadedfile import SimpleUploadedFile

    worker = people["a"]
    client.force_login(world.district_a_admin)
    response = client.post(
        reverse("workers:credit_create", args=[worker.pk]),
        {
            "kind": "violation",
            "severity": "blacklist",
            "title": "骗取服务经费",
            "source_document": "越民〔2025〕3号",
            "occurred_on": "2025-01-10",
            "evidence": SimpleUploadedFile("决定书.pdf", b"%PDF-1.4"),
        },
    )
    assert response.status_code == 302
    event = worker.credit_events.get()
    detail = client.get(reverse("workers:detail", args=[worker.pk])).content.decode()
    assert 'data-testid="blacklist-alert"' in detail
    listing = client.get(reverse("workers:list"), {"blacklisted": "yes"})
    assert [row.name for row in listing.context["page"].rows] == ["张三"]
    assert 'data-testid="worker-blacklisted"' in listing.content.decode()
    evidence = reverse("workers:credit_evidence", args=[event.pk])
    assert_matrix(
        client,
        world,
        evidence,
        {"anonymous": 302, "city_admin": 200, "district_a_admin": 200, "station_head_a": 200},
        default=404,
    )
    close = reverse("workers:credit_close", args=[event.pk])
    client.force_login(world.district_a_admin)
    assert client.post(close, {"closed_on": "2025-06-01", "note": "经复核撤销"}).status_code == 302
    assert not client.get(reverse("workers:list"), {"blacklisted": "yes"}).context["page"].rows


def test_certificate_delete_and_credit_close_matrix(client, world, people):
    worker = people["a"]
    certificate = services.certificate_add(
        actor=None, worker=worker, level="assistant", number="MX-1", year_passed=2019
    )
    services.worker_set_grade(actor=None, worker=worker, job_grade="assistant_2")  # so no delete goes through
    delete = reverse("workers:certificate_delete", args=[worker.pk, certificate.pk])
    assert_matrix(
        client,
        world,
        delete,
        {"anonymous": 302, **NO_VIEW, "station_head_a": 403, "city_admin": 302, "district_a_admin": 302},
        default=404,
        method="post",
    )
    assert worker.certificates.filter(pk=certificate.pk).exists()
    event = services.credit_event_record(
        actor=None,
        worker=worker,
        kind="violation",
        severity="minor",
        title="台账逾期",
        occurred_on=__import__("datetime").date(2025, 2, 1),
    )
    assert_matrix(
        client,
        world,
        reverse("workers:credit_close", args=[event.pk]),
        {
            "anonymous": 302,
            **NO_VIEW,
            "station_head_a": 403,
            "agency_admin_a": 403,
            "city_admin": 200,
            "district_a_admin": 200,
        },
        default=404,
    )


def test_pages_render_in_english(client, world, people):
    client.force_login(world.district_a_admin)
    client.cookies["django_language"] = "en"
    listing = client.get(reverse("workers:list"), HTTP_ACCEPT_LANGUAGE="en")
    assert "Talent pool" in listing.content.decode()
    detail = client.get(reverse("workers:detail", args=[people["a"].pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Basic information" in detail and "Certificates" in detail
