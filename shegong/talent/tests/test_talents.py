"""Leading talents (领军人才) and honours: who records them, duplicates, lists with filters and audited exports."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from shegong.audit.models import AuditEntry
from shegong.talent import services
from shegong.talent.models import Honour, LeadingTalent
from shegong.talent.tests.factories import make_worker
from shegong.testing.world import DISTRICT_B

pytestmark = pytest.mark.django_db


def test_leading_talent_once_per_level_and_not_in_the_future(world):
    worker = make_worker("陈领军")
    services.leading_talent_create(
        worker=worker, level="provincial", selected_year=2021, field="社会救助", actor=world.city_admin
    )
    with pytest.raises(ValidationError) as caught:
        services.leading_talent_create(
            worker=worker, level="provincial", selected_year=2022, field="社会救助", actor=world.city_admin
        )
    assert "level" in caught.value.message_dict
    national = services.leading_talent_create(
        worker=worker,
        level="national",
        selected_year=2023,
        field="社会救助",
        programme="全国社会工作领军人才",
        actor=world.city_admin,
    )
    assert national.get_level_display() == "国家级"
    with pytest.raises(ValidationError):
        services.leading_talent_create(
            worker=worker,
            level="municipal",
            selected_year=timezone.localdate().year + 1,
            field="x",
            actor=world.city_admin,
        )
    assert AuditEntry.objects.filter(object_type="talent.leadingtalent", action="create").count() == 2


def test_honour_duplicates_refused_and_deletion_audited(world):
    worker = make_worker("刘荣誉")
    honour = services.honour_create(
        worker=worker,
        title="广州市优秀社工",
        level="municipal",
        awarded_on=datetime.date(2022, 12, 1),
        awarding_body="广州市民政局",
        actor=world.district_a_admin,
    )
    with pytest.raises(ValidationError):
        services.honour_create(
            worker=worker,
            title="广州市优秀社工",
            level="municipal",
            awarded_on=datetime.date(2022, 12, 1),
            awarding_body="广州市民政局",
            actor=world.district_a_admin,
        )
    with pytest.raises(PermissionDenied):
        services.honour_delete(honour=honour, actor=world.district_b_admin)
    services.honour_delete(honour=honour, actor=world.district_a_admin)
    assert not Honour.objects.exists()
    entry = AuditEntry.objects.filter(object_type="talent.honour", action="delete").get()
    assert entry.changes["title"] == ["广州市优秀社工", None]


def test_lists_filter_by_level_year_region_and_search(client, world):
    a = make_worker("张领军")
    b = make_worker("李领军", region=DISTRICT_B)
    LeadingTalent.objects.create(
        worker=a, level="national", selected_year=2020, field="禁毒", recorded_by=world.city_admin
    )
    LeadingTalent.objects.create(
        worker=b, level="provincial", selected_year=2022, field="养老", recorded_by=world.city_admin
    )
    client.force_login(world.city_admin)
    url = reverse("talent:leading_list")
    assert "张领军" in client.get(url, {"level": "national"}).content.decode()
    assert "张领军" not in client.get(url, {"level": "provincial"}).content.decode()
    assert "李领军" in client.get(url, {"year": "2022"}).content.decode()
    only_b = client.get(url, {"region": "440105"}).content.decode()
    assert "李领军" in only_b and "张领军" not in only_b
    assert "张领军" in client.get(url, {"q": "zlj"}).content.decode()
    assert "张领军" in client.get(url, {"q": a.id_number}).content.decode()
    assert "李领军" not in client.get(url, {"q": a.id_number}).content.decode()
    # District B's admin never sees district A's talents.
    client.force_login(world.district_b_admin)
    page = client.get(url).content.decode()
    assert "李领军" in page and "张领军" not in page


def test_export_is_the_filtered_list_and_is_audited(client, world):
    a = make_worker("张荣誉")
    b = make_worker("王荣誉")
    for worker, level in ((a, "national"), (b, "district")):
        Honour.objects.create(
            worker=worker,
            title="先进个人",
            level=level,
            awarded_on=datetime.date(2023, 5, 1),
            awarding_body="某单位",
            recorded_by=world.city_admin,
        )
    client.force_login(world.district_a_admin)
    response = client.post(reverse("talent:honour_export") + "?level=national")
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True))
    assert [row[0] for row in rows] == ["姓名", "张荣誉"]
    entry = AuditEntry.objects.filter(action="export", object_type="talent.honour").get()
    assert entry.changes["filters"][1] == {"level": "national"} and entry.changes["rows"] == [None, 1]
    assert client.get(reverse("talent:honour_export")).status_code == 405


def test_forms_create_records(client, world):
    worker = make_worker("周新人")
    client.force_login(world.district_a_admin)
    response = client.post(
        reverse("talent:leading_create"),
        {"worker": "周新人", "level": "municipal", "selected_year": "2023", "field": "社区治理"},
    )
    assert response.status_code == 302 and worker.leading_talents.count() == 1
    response = client.post(
        reverse("talent:honour_create"),
        {
            "worker": worker.id_number,
            "title": "越秀区优秀社工",
            "level": "district",
            "awarded_on": "2023-12-01",
            "awarding_body": "越秀区民政局",
        },
    )
    assert response.status_code == 302 and worker.honours.count() == 1
    make_worker("周新人")
    response = client.post(
        reverse("talent:leading_create"),
        {"worker": "周新人", "level": "national", "selected_year": "2023", "field": "社区治理"},
    )
    assert response.status_code == 200 and "请改为输入身份证号" in response.content.decode()


def test_a_long_list_counts_up_to_a_cap(client, world, monkeypatch):
    from shegong.core import listing

    monkeypatch.setattr(listing, "COUNT_LIMIT", 2)
    for index in range(3):
        Honour.objects.create(
            worker=make_worker(f"计数{index}"),
            title="先进个人",
            level="district",
            awarded_on=datetime.date(2023, 5, 1),
            awarding_body="某单位",
            recorded_by=world.city_admin,
        )
    client.force_login(world.city_admin)
    page = client.get(reverse("talent:honour_list")).content.decode()
    assert "共 2 条以上" in page
    monkeypatch.setattr(listing, "COUNT_LIMIT", 10)
    assert "共 3 条" in client.get(reverse("talent:honour_list")).content.decode()
