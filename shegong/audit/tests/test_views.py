"""The audit admin's search page (操作日志): who may see it, filters, keyset paging, detail, audited export."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from shegong.audit import selectors
from shegong.audit.models import AuditEntry
from shegong.audit.services import record
from shegong.core.request_context import ClientInfo, _current
from shegong.testing.matrix import assert_matrix
from shegong.web.navigation import items_for

pytestmark = pytest.mark.django_db

LIST = reverse("audit:list")


def add(count=1, *, ip="", **kwargs) -> list[AuditEntry]:
    token = _current.set(ClientInfo(ip=ip, user_agent="pytest"))
    try:
        with transaction.atomic():
            return [record(actor=None, **kwargs) for _ in range(count)]
    finally:
        _current.reset(token)


def sequences(response) -> list[int]:
    return [entry.sequence for entry in response.context["page"].entries]


def test_only_the_audit_admin_may_read_the_log(client, world):
    entry = add(action=AuditEntry.Action.CREATE, object_repr="x")[0]
    # 三员分立: the system admin and the security admin are refused like everyone else.
    for url in (LIST, reverse("audit:detail", args=[entry.sequence])):
        assert_matrix(client, world, url, {"anonymous": 302, "audit_admin": 200}, default=403)
    assert_matrix(
        client, world, reverse("audit:export"), {"anonymous": 302, "audit_admin": 200}, default=403, method="post"
    )


def test_the_menu_entry_shows_for_the_audit_admin_only(world):
    assert "audit:list" in [item["url_name"] for item in items_for(world.audit_admin)]
    for name in ("system_admin", "security_admin", "city_admin"):
        assert "audit:list" not in [item["url_name"] for item in items_for(world.users[name])]


def test_filters(client, world):
    add(2, action=AuditEntry.Action.CREATE, object_type="agencies.agency", object_id="7", object_repr="越秀社工中心")
    add(action=AuditEntry.Action.UPDATE, object_type="agencies.agency", object_id="8", object_repr="海珠社工中心")
    add(action=AuditEntry.Action.LOGIN_FAILED, actor_username="mallory", ip="198.51.100.23")
    client.force_login(world.audit_admin)

    def found(**params):
        response = client.get(LIST, params)
        assert response.status_code == 200
        return response.context["page"].entries

    assert {e.object_repr for e in found(action="update")} == {"海珠社工中心"}
    assert len(found(object_type="agencies.agency", object_id="7")) == 2
    assert [e.actor_username for e in found(actor="mallory")] == ["mallory"]
    assert [e.ip for e in found(ip="198.51.100.23")] == ["198.51.100.23"]
    assert {e.object_repr for e in found(q="越秀")} == {"越秀社工中心"}
    today = timezone.localdate()
    assert len(found(date_from=today, date_to=today, object_type="agencies.agency")) == 3
    assert found(date_to=today - timedelta(days=1), object_type="agencies.agency") == []


def test_bad_filters_are_explained_in_chinese(client, world):
    client.force_login(world.audit_admin)
    today = timezone.localdate()
    response = client.get(LIST, {"date_from": today, "date_to": today - timedelta(days=3), "ip": "not-an-ip"})
    assert response.status_code == 200
    form = response.context["form"]
    assert "截止日期不能早于起始日期。" in form.errors["date_to"]
    assert "请输入完整的 IP 地址" in form.errors["ip"][0]
    assert response.context["page"] is None


def test_keyset_paging_walks_every_entry_once(client, world, monkeypatch):
    monkeypatch.setattr(selectors, "PAGE_SIZE", 20)
    made = [e.sequence for e in add(45, action=AuditEntry.Action.CREATE, object_type="refdata.dictionary")]
    client.force_login(world.audit_admin)
    seen, params = [], {"object_type": "refdata.dictionary"}
    pages = 0
    while True:
        response = client.get(LIST, params)
        seen += sequences(response)
        pages += 1
        older = response.context["page"].older
        if older is None:
            break
        params = {"object_type": "refdata.dictionary", "before": older}
    assert pages == 3
    assert seen == sorted(made, reverse=True)
    # ...and back again: the newer link of the last page gives the page before it.
    newer = response.context["page"].newer
    back = client.get(LIST, {"object_type": "refdata.dictionary", "after": newer})
    assert sequences(back) == sorted(made, reverse=True)[20:40]
    assert f"after={newer}" in response.content.decode()


def test_count_is_capped_so_it_stays_cheap(client, world, monkeypatch):
    monkeypatch.setattr(selectors, "COUNT_LIMIT", 5)
    add(8, action=AuditEntry.Action.CREATE, object_type="refdata.dictionary")
    client.force_login(world.audit_admin)
    response = client.get(LIST, {"object_type": "refdata.dictionary"})
    assert (response.context["count"], response.context["count_more"]) == (5, True)
    assert "共 5 条以上" in response.content.decode()


def test_detail_shows_the_changes_before_and_after(client, world):
    entry = add(
        action=AuditEntry.Action.UPDATE,
        object_type="accounts.user",
        object_id=str(world.worker_b.pk),
        object_repr="worker_b",
        changes={"display_name": ["旧名字", "新名字"], "phone": ["138****8000", "139****5678"]},
        note="测试说明",
    )[0]
    client.force_login(world.audit_admin)
    response = client.get(reverse("audit:detail", args=[entry.sequence]))
    assert response.status_code == 200
    rows = {row["name"]: row for row in response.context["change_rows"]}
    assert rows["display_name"] == {"label": "姓名", "name": "display_name", "before": "旧名字", "after": "新名字"}
    assert rows["phone"]["label"] == "手机号" and rows["phone"]["after"] == "139****5678"
    html = response.content.decode()
    assert 'data-testid="changes-table"' in html and "旧名字" in html and "测试说明" in html
    assert entry.entry_hash in html
    assert client.get(reverse("audit:detail", args=[entry.sequence + 1000])).status_code == 404


def test_export_is_a_workbook_and_is_itself_audited(client, world):
    add(3, action=AuditEntry.Action.CREATE, object_type="refdata.dictionary", object_repr='=HYPERLINK("x")')
    client.force_login(world.audit_admin)
    response = client.post(f"{reverse('audit:export')}?object_type=refdata.dictionary&action=create")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="audit-log-')
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "序号" and len(rows) == 4
    assert rows[1][6] == '=HYPERLINK("x")'  # stored as text, never as a formula
    assert sheet.cell(row=2, column=7).data_type == "s"
    export = AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).get()
    assert export.actor_username == "audit_admin"
    assert "导出 3 条" in export.note and "对象类型=" in export.note and "操作=新增" in export.note


def test_export_over_the_limit_asks_to_narrow_the_filters(client, world, monkeypatch):
    from shegong.audit import exports

    monkeypatch.setattr(exports, "MAX_ROWS", 2)
    add(3, action=AuditEntry.Action.CREATE, object_type="refdata.dictionary")
    client.force_login(world.audit_admin)
    response = client.post(f"{reverse('audit:export')}?object_type=refdata.dictionary", follow=True)
    assert "请缩小范围" in response.content.decode()
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).exists()


def test_export_needs_post(client, world):
    client.force_login(world.audit_admin)
    assert client.get(reverse("audit:export")).status_code == 405


def test_the_page_speaks_english_when_asked(client, world):
    add(action=AuditEntry.Action.LOGIN_FAILED, actor_username="mallory")
    client.force_login(world.audit_admin)
    html = client.get(LIST, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Audit log" in html and "Failed sign-in" in html and "Older entries" not in html
