"""A keeper opens members' accounts on a page (by volunteer number, by name and phone, by station code), and an offer
is withdrawn by its poster or a keeper with a reason: the scope matrix, Chinese messages for bad input, audit rows."""

from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from shegong.audit.models import AuditEntry
from shegong.recipients.tests.factories import make_recipient
from shegong.testing.matrix import assert_matrix
from shegong.timebank import services
from shegong.timebank.models import Account, Offer
from shegong.timebank.tests.factories import (
    COMMUNITY_A,
    COMMUNITY_B,
    funded,
    make_user,
    station_a,
    volunteer_account,
)
from shegong.volunteers.tests.factories import id_number, make_volunteer

pytestmark = pytest.mark.django_db

KEEPERS = {"station_head_a": 200, "agency_admin_a": 200}


def test_open_page_matrix(client, world):
    url = reverse("timebank:account_open")
    assert_matrix(client, world, url, {"anonymous": 302, **KEEPERS}, default=403)
    assert_matrix(client, world, url, {"anonymous": 302, **KEEPERS}, default=403, method="post", data={})


def opened(client, data):
    return client.post(reverse("timebank:account_open"), data)


def test_a_keeper_opens_accounts_by_number_by_name_and_phone_and_by_station_code(client, world):
    client.force_login(world.station_head_a)
    volunteer = make_volunteer("陈越秀", COMMUNITY_A, phone="13800138000")
    response = opened(client, {"kind": "volunteer", "volunteer_number": volunteer.number.lower()})
    account = Account.objects.get(volunteer=volunteer)
    assert response.status_code == 302 and response.url == reverse("timebank:account", args=[account.pk])
    assert AuditEntry.objects.filter(
        object_type="timebank.account", object_id=str(account.pk), action="create"
    ).exists()
    response = opened(client, {"kind": "volunteer", "volunteer_number": volunteer.number})
    assert response.status_code == 200 and "已开立此类时间银行账户" in response.content.decode()
    other = make_volunteer(
        "林越秀", COMMUNITY_A, phone="13900139000", id_number=id_number(birth="19920202", sequence=26)
    )
    assert opened(client, {"kind": "volunteer", "name": "林越秀", "phone": "13900139000"}).status_code == 302
    assert Account.objects.filter(volunteer=other).exists()
    resident = make_recipient("张居民", COMMUNITY_A, phone="13700137000")
    assert opened(client, {"kind": "resident", "name": "张居民", "phone": "13700137000"}).status_code == 302
    assert Account.objects.filter(recipient=resident, kind="resident").exists()
    assert opened(client, {"kind": "pool", "station_code": station_a().code}).status_code == 302
    assert Account.objects.filter(station=station_a(), kind="pool").exists()


def test_bad_input_and_out_of_scope_are_refused_in_chinese(client, world):
    client.force_login(world.station_head_a)
    far = make_volunteer("黄海珠", COMMUNITY_B)
    count = Account.objects.count()
    cases = [
        ({"kind": "volunteer", "volunteer_number": far.number}, "不在您的管辖范围内"),
        ({"kind": "volunteer", "volunteer_number": "V000"}, "没有这个志愿者编号"),
        ({"kind": "volunteer"}, "请填写志愿者编号，或填写姓名和联系电话"),
        ({"kind": "resident", "name": "无此人", "phone": "13000000000"}, "没有姓名和联系电话都相符的登记"),
        ({"kind": "station", "station_code": "S000"}, "没有这个站点编码"),
        ({"kind": "agency"}, "选择一个有效的选项"),
    ]
    for data, message in cases:
        response = opened(client, data)
        assert response.status_code == 200 and message in response.content.decode(), data
    assert Account.objects.count() == count


@pytest.fixture
def offers(world):
    vol = make_user("tb_vol", "volunteer", region=COMMUNITY_A)
    account = volunteer_account("志愿甲", COMMUNITY_A, user=vol)
    other = volunteer_account("志愿乙", COMMUNITY_A)

    def post(title):
        return services.offer_post(account=account, kind="offer", category="repair", title=title, hours=1, actor=vol)

    return SimpleNamespace(world=world, vol=vol, account=account, other=other, post=post)


def test_cancel_matrix(client, offers):
    offer = offers.post("修水龙头")
    url = reverse("timebank:offer_cancel", args=[offer.pk])
    expected = {
        "anonymous": 302,
        "vol": 302,  # the poster
        "station_head_a": 302,  # a keeper of the poster's account
        "city_admin": 403,  # sees the offer, does not act for the poster
        "district_a_admin": 403,
        "district_b_admin": 404,
        "worker_b": 404,
        "outsider": 404,
        "agency_admin_a": 404,
    }
    assert_matrix(
        client,
        offers.world,
        url,
        expected,
        default=403,
        method="post",
        data={"reason": "不需要了"},
        users={"vol": offers.vol},
    )


def test_the_poster_cancels_with_a_reason_and_a_keeper_too(client, offers):
    offer = offers.post("修水龙头")
    client.force_login(offers.vol)
    url = reverse("timebank:offer_cancel", args=[offer.pk])
    response = client.post(url, {"reason": " "}, follow=True)
    assert "取消必须说明原因" in response.content.decode()
    offer.refresh_from_db()
    assert offer.status == Offer.Status.OPEN
    response = client.post(url, {"reason": "已自行解决"}, follow=True)
    offer.refresh_from_db()
    assert (offer.status, offer.cancel_reason, offer.cancelled_by) == ("cancelled", "已自行解决", offers.vol)
    assert "已自行解决" in response.content.decode()
    entry = AuditEntry.objects.get(object_type="timebank.offer", object_id=str(offer.pk), action="transition")
    assert entry.changes["status"] == ["open", "cancelled"]
    response = client.post(url, {"reason": "再取消"}, follow=True)
    assert "已完成或已取消的供需不能取消" in response.content.decode()
    matched = offers.post("陪同买菜")
    services.offer_respond(offer=matched, account=offers.other, actor=None)
    client.force_login(offers.world.station_head_a)
    client.post(reverse("timebank:offer_cancel", args=[matched.pk]), {"reason": "志愿者临时有事"})
    matched.refresh_from_db()
    assert matched.status == "cancelled" and matched.cancelled_by == offers.world.station_head_a


def test_a_done_offer_cannot_be_cancelled(offers):
    offer = offers.post("修水龙头")
    funded(offers.other, 2)
    services.offer_respond(offer=offer, account=offers.other, actor=None)
    services.offer_confirm(offer=offer, actor=None)
    offer.refresh_from_db()
    assert offer.status == "done"
    with pytest.raises(ValidationError) as error:
        services.offer_cancel(offer=offer, reason="后悔", actor=offers.vol)
    assert error.value.code == "not_cancellable"
