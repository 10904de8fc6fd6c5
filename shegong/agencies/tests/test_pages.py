"""The agency pages: who reaches which page (the permission matrix, out of scope = 404), the list's filters, search
by name, pinyin initials and exact credit code, paging and counting, the forms, and the Excel export (masked unless
the user may see phones, always audited, never wider than the list)."""

import io

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from shegong.agencies import selectors, services
from shegong.agencies.models import Agency, AgencyServiceDomain, AgencyStatus
from shegong.agencies.tests.conftest import code, days_ago
from shegong.audit.models import AuditEntry
from shegong.regions.models import Region
from shegong.testing.matrix import assert_matrix

pytestmark = pytest.mark.django_db

LIST = reverse("agencies:list")
EXPORT = reverse("agencies:export")

# Who holds agencies.view_agency where: the city, district A and agency A; the station head only below agency A's
# district level (so agency A, registered at district level, is outside a street's subtree).
SEES_A = {"city_admin": 200, "district_a_admin": 200, "agency_admin_a": 200}
NO_VIEW = {
    "worker_b": 403,
    "evaluator": 403,
    "system_admin": 403,
    "security_admin": 403,
    "audit_admin": 403,
    "no_role": 403,
}


def names_on(client, user, url=LIST, **params) -> list[str]:
    client.force_login(user)
    response = client.get(url, params)
    assert response.status_code == 200
    return [agency.name for agency in response.context["page"].rows]


def test_list_matrix(client, world):
    assert_matrix(client, world, LIST, {"anonymous": 302, **NO_VIEW}, default=200)


def test_detail_matrix_out_of_scope_is_not_found(client, world):
    url = reverse("agencies:detail", args=[world.agency_a.pk])
    assert_matrix(client, world, url, {"anonymous": 302, **NO_VIEW, **SEES_A}, default=404)


@pytest.mark.parametrize("name", ["edit", "rate", "change_status"])
def test_write_pages_matrix(client, world, name):
    url = reverse(f"agencies:{name}", args=[world.agency_a.pk])
    allowed = {"city_admin": 200, "district_a_admin": 200, "district_b_admin": 404, "outsider": 404}
    if name == "edit":
        allowed["agency_admin_a"] = 200  # agency admins keep their own agency's details
    assert_matrix(client, world, url, {"anonymous": 302, **allowed}, default=403)


def test_create_page_matrix(client, world):
    expected = {"anonymous": 302, "city_admin": 200, "district_a_admin": 200, "district_b_admin": 200, "outsider": 200}
    assert_matrix(client, world, reverse("agencies:create"), expected, default=403)


def test_district_admins_see_their_district_only_and_count_it(client, world):
    assert names_on(client, world.district_a_admin) == ["越秀测试社工中心"]
    assert names_on(client, world.district_b_admin) == ["海珠测试社工中心"]
    assert names_on(client, world.outsider) == []
    assert names_on(client, world.station_head_a) == []
    assert names_on(client, world.agency_admin_a) == ["越秀测试社工中心"]
    client.force_login(world.district_a_admin)
    response = client.get(LIST)
    assert response.context["count"] == 1 and not response.context["count_more"]
    assert "共 1 家" in response.content.decode()


def test_search_by_name_pinyin_initials_and_exact_credit_code(client, world):
    services.agency_create(
        actor=world.city_admin,
        name="广州市越秀区启智社会工作服务中心",
        credit_code=code(1100),
        legal_form=Agency.LegalForm.SOCIAL_SERVICE,
        region=Region.objects.get(pk="440104000000"),
    )
    services.agency_create(
        actor=world.city_admin,
        name="广州YMCA社工服务中心",
        credit_code=code(1101),
        legal_form=Agency.LegalForm.SOCIAL_GROUP,
        region=Region.objects.get(pk="440104000000"),
    )
    user = world.city_admin
    assert names_on(client, user, q="启智") == ["广州市越秀区启智社会工作服务中心"]
    assert names_on(client, user, q="ymca") == names_on(client, user, q="YMCA社工") == ["广州YMCA社工服务中心"]
    assert names_on(client, user, q="qz") == ["广州市越秀区启智社会工作服务中心"]
    assert names_on(client, user, q="QZSH") == ["广州市越秀区启智社会工作服务中心"]
    assert names_on(client, user, q="yxcs") == ["越秀测试社工中心"]  # 越秀测试 → yxcs
    assert names_on(client, user, q=code(1100).lower()) == ["广州市越秀区启智社会工作服务中心"]
    assert names_on(client, user, q=code(1100)[:10]) == []  # a credit code matches whole, never in part
    # Search never widens the scope.
    assert names_on(client, world.district_b_admin, q="qz") == []


def test_filters_region_subtree_rating_status_form_and_domain(client, world, domains):
    street_agency = services.agency_create(
        actor=world.city_admin,
        name="北京街长者服务中心",
        credit_code=code(1101),
        legal_form=Agency.LegalForm.SOCIAL_GROUP,
        region=Region.objects.get(pk="440104003000"),
        service_domains=[domains[1]],
    )
    services.agency_rate(
        actor=world.city_admin, agency=street_agency, level=5, score=930, rated_on=days_ago(5), source_document="甲"
    )
    services.agency_change_status(
        actor=world.city_admin,
        agency=world.agency_b,
        status=AgencyStatus.BLACKLIST,
        reason="违法",
        source_document="乙",
        valid_from=days_ago(3),
    )
    user = world.city_admin
    assert set(names_on(client, user, region="440104")) == {"北京街长者服务中心", "越秀测试社工中心"}
    assert names_on(client, user, region="440104003") == ["北京街长者服务中心"]
    assert names_on(client, user, rating="5") == ["北京街长者服务中心"]
    assert set(names_on(client, user, rating="none")) == {"越秀测试社工中心", "海珠测试社工中心"}
    assert names_on(client, user, status="blacklist") == ["海珠测试社工中心"]
    assert names_on(client, user, legal_form="social_group") == ["北京街长者服务中心"]
    assert names_on(client, user, domain=domains[1].code) == ["北京街长者服务中心"]
    assert names_on(client, user, sort="-name") == sorted(names_on(client, user), reverse=True)
    # The station head of 北京街道 now sees the street's agency, and only it.
    assert names_on(client, world.station_head_a) == ["北京街长者服务中心"]


def test_the_blacklisted_agency_is_marked_in_the_list_and_on_its_page(client, world):
    services.agency_change_status(
        actor=world.city_admin,
        agency=world.agency_a,
        status=AgencyStatus.BLACKLIST,
        reason="违法",
        source_document="乙",
        valid_from=days_ago(3),
    )
    client.force_login(world.district_a_admin)
    listing = client.get(LIST).content.decode()
    assert 'data-testid="agency-status-blacklist"' in listing
    detail = client.get(reverse("agencies:detail", args=[world.agency_a.pk])).content.decode()
    assert 'data-testid="agency-status-blacklist"' in detail and "违法" in detail


def test_paging_fetches_one_page_with_a_fixed_number_of_queries(client, world, domains):
    region = Region.objects.get(pk="440104000000")
    created = Agency.objects.bulk_create(
        Agency(name=f"批量机构{index:03d}", credit_code=code(2000 + index), region=region, legal_form="social_service")
        for index in range(120)
    )
    AgencyServiceDomain.objects.bulk_create(AgencyServiceDomain(agency=agency, domain=domains[0]) for agency in created)
    client.force_login(world.city_admin)
    client.get(LIST)  # warm the session
    with CaptureQueriesContext(connection) as full:
        response = client.get(LIST, {"page": 2})
    page = response.context["page"]
    assert len(page.rows) == selectors.PAGE_SIZE and page.has_previous and page.has_next
    assert response.context["count"] == 122
    with CaptureQueriesContext(connection) as short:
        last = client.get(LIST, {"page": 3}).context["page"]
    assert len(last.rows) == 22 and not last.has_next
    # 50 rows or 22, with their domains and regions: the same queries (no query per row).
    assert len(full.captured_queries) == len(short.captured_queries) <= 16


def test_count_is_capped(world):
    region = Region.objects.get(pk="440104000000")
    Agency.objects.bulk_create(
        Agency(name=f"机构{index}", credit_code=code(3000 + index), region=region, legal_form="social_service")
        for index in range(12)
    )
    rows = selectors.agency_search(actor=world.city_admin)
    assert selectors.count_capped(rows, limit=10) == (10, True)
    assert selectors.count_capped(rows, limit=100) == (14, False)


def test_create_form_registers_and_shows_errors_in_chinese(client, world, domains):
    client.force_login(world.district_a_admin)
    url = reverse("agencies:create")
    data = {
        "name": "广州市越秀区新社工中心",
        "credit_code": code(1200),
        "legal_form": "social_service",
        "registration_authority": "广州市越秀区民政局",
        "region": "440104003000",
        "founded_on": "2020-01-02",
        "service_domains": [domains[0].pk],
        "contact_person": "陈一",
        "contact_phone": "020-83000000",
        "address": "越秀区某路 1 号",
    }
    response = client.post(url, data)
    agency = Agency.objects.get(credit_code=code(1200))
    assert response.status_code == 302 and response["Location"] == reverse("agencies:detail", args=[agency.pk])
    assert agency.contact_phone == "02083000000" and agency.region_id == "440104003000"
    again = client.post(url, {**data, "name": "重复"})
    assert "已登记" in again.content.decode()
    outside = client.post(url, {**data, "credit_code": code(1201), "region": "440105000000"})
    assert "不在您的管辖范围内" in outside.content.decode()
    typo = client.post(url, {**data, "credit_code": code(1202)[:-1] + "0", "contact_phone": "12345"})
    body = typo.content.decode()
    assert "校验位" in body and "联系电话格式不正确" in body


def test_edit_keeps_the_phone_unless_a_new_one_is_typed_and_never_shows_it(client, world):
    services.agency_update(actor=world.city_admin, agency=world.agency_a, contact_phone="13800138000")
    client.force_login(world.agency_admin_a)
    url = reverse("agencies:edit", args=[world.agency_a.pk])
    page = client.get(url).content.decode()
    assert "13800138000" not in page
    form = client.get(url).context["form"]
    data = {name: value for name, value in form.initial.items() if name not in ("region", "service_domains")}
    data.update(contact_person="新联系人", founded_on="", registration_authority="广州市越秀区民政局")
    response = client.post(url, data)
    assert response.status_code == 302
    world.agency_a.refresh_from_db()
    assert world.agency_a.contact_person == "新联系人"
    assert world.agency_a.contact_phone == "13800138000"
    assert world.agency_a.region_id == "440104000000"


def test_rate_and_status_forms(client, world):
    client.force_login(world.district_a_admin)
    rate = reverse("agencies:rate", args=[world.agency_a.pk])
    wrong = client.post(rate, {"level": 5, "score": "850", "rated_on": days_ago(3), "source_document": "公告"})
    assert "与等级 5A 不符" in wrong.content.decode()
    right = client.post(rate, {"level": 4, "score": "850", "rated_on": days_ago(3), "source_document": "公告"})
    assert right.status_code == 302
    status = reverse("agencies:change_status", args=[world.agency_a.pk])
    response = client.post(
        status, {"status": "abnormal", "valid_from": days_ago(1), "reason": "年报未报", "source_document": "公告"}
    )
    assert response.status_code == 302
    detail = client.get(reverse("agencies:detail", args=[world.agency_a.pk])).content.decode()
    assert "4A" in detail and "年报未报" in detail and 'data-testid="agency-status-abnormal"' in detail


# --- Export ----------------------------------------------------------------------------------------------------------


def export_rows(client, user, **params):
    client.force_login(user)
    query = "&".join(f"{key}={value}" for key, value in params.items())
    response = client.post(f"{EXPORT}?{query}" if query else EXPORT)
    assert response.status_code == 200, response.status_code
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    return list(sheet.iter_rows(values_only=True))


def test_export_matrix(client, world):
    assert_matrix(client, world, EXPORT, {"anonymous": 302, **NO_VIEW}, default=200, method="post")


def test_export_is_scoped_filtered_masked_and_audited(client, world):
    services.agency_update(actor=world.city_admin, agency=world.agency_a, contact_phone="13800138000")
    services.agency_update(actor=world.city_admin, agency=world.agency_b, contact_phone="13900139000")
    rows = export_rows(client, world.district_a_admin)
    assert rows[0][0] == "机构名称" and rows[0][12] == "联系电话"
    assert [row[0] for row in rows[1:]] == ["越秀测试社工中心"]
    assert rows[1][12] == "13800138000"  # the district admin may see phones of their district
    entry = AuditEntry.objects.filter(action="export", object_type="agencies.agency").latest("sequence")
    assert entry.actor_id == world.district_a_admin.pk
    assert entry.changes["rows"] == [None, 1] and entry.changes["filters"][1]["完整联系电话"] == "1 条"

    rows = export_rows(client, world.city_admin, q="海珠")
    assert [row[0] for row in rows[1:]] == ["海珠测试社工中心"]
    entry = AuditEntry.objects.filter(action="export", object_type="agencies.agency").latest("sequence")
    assert entry.changes["filters"][1]["搜索"] == "海珠"


def test_export_masks_phones_for_users_without_the_reveal_permission(client, world):
    from shegong.accounts.models import Role

    services.agency_update(actor=world.city_admin, agency=world.agency_a, contact_phone="13800138000")
    role = Role.objects.get(code="station_head")
    role.permissions.remove(*role.permissions.filter(codename="reveal_personal_data"))
    street_agency = services.agency_create(
        actor=world.city_admin,
        name="北京街社工站",
        credit_code=code(1300),
        legal_form="social_service",
        region=Region.objects.get(pk="440104003000"),
        contact_phone="13700137000",
    )
    rows = export_rows(client, world.station_head_a)
    assert [row[0] for row in rows[1:]] == [street_agency.name]
    assert rows[1][12] == "137****7000"
    entry = AuditEntry.objects.filter(action="export", object_type="agencies.agency").latest("sequence")
    assert entry.changes["filters"][1]["完整联系电话"] == "无（已遮蔽）"


def test_export_of_nothing_is_still_audited_and_never_shows_others_agencies(client, world):
    rows = export_rows(client, world.outsider)
    assert rows == [rows[0]]
    assert AuditEntry.objects.filter(action="export", actor=world.outsider).count() == 1


def test_the_pages_speak_english(client, world):
    client.force_login(world.city_admin)
    client.cookies["django_language"] = "en"
    try:
        listing = client.get(LIST).content.decode()
        detail = client.get(reverse("agencies:detail", args=[world.agency_a.pk])).content.decode()
    finally:
        translation.activate(settings.LANGUAGE_CODE)  # the middleware leaves the request's language active
    assert "Social work service agencies" in listing and "Export to Excel" in listing
    assert "Rating history" in detail and "Supervision history" in detail
