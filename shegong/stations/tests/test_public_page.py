"""The public page a QR code opens, /s/<code>: a station or a real 广州 community, no sign-in, no one's personal data,
clear status notices, a friendly 404, short public caching, nothing the CSP would block, and a phone-sized check."""

import datetime
import re

import pytest
from django.urls import reverse

from shegong.accounts.models import User
from shegong.refdata.models import Dictionary, DictionaryItem
from shegong.stations import qr, services
from shegong.stations.models import StaffAssignment, Station
from shegong.talent.tests.factories import make_worker
from shegong.testing.world import COMMUNITY_A, STREET_A

pytestmark = pytest.mark.urls("shegong.stations.tests.qr_site_urls")

WORKER_NAME = "王秀兰"
WORKER_PHONE = "13912345678"
AGENCY_CONTACT = "李联系"
AGENCY_PHONE = "13787654321"


def _domain(code: str, name: str) -> str:
    dictionary, _created = Dictionary.objects.get_or_create(code="service_domain", defaults={"name": "服务领域"})
    DictionaryItem.objects.get_or_create(dictionary=dictionary, code=code, defaults={"name": name})
    return DictionaryItem.objects.get(dictionary=dictionary, code=code).name


def _station(kind, region_code, name, agency, **values) -> Station:
    from shegong.regions.models import Region

    return services.station_create(
        actor=None,
        name=name,
        kind=kind,
        region=Region.objects.get(pk=region_code),
        agency=agency,
        opened_on=datetime.date(2024, 3, 1),
        status=Station.Status.OPERATING,
        **values,
    )


@pytest.fixture
def published(world):
    """北京街道's station and 流水井社区's room, both run by agency A, each with a service list; a worker with a name
    and a phone on file in post at the room; the agency's contact person and phone on file."""
    elderly = _domain("elderly_care", "养老服务")
    assistance = _domain("social_assistance", "社会救助")
    street = _station(
        Station.Kind.STATION,
        STREET_A,
        "北京街社工站",
        world.agency_a,
        address="广州市越秀区北京路 100 号",
        phone="020-83331234",
        service_hours="周一至周六 9:00-18:00",
    )
    room = _station(
        Station.Kind.ROOM, COMMUNITY_A, "流水井社区社工室", world.agency_a, service_hours="周二至周四 9:00-17:00"
    )
    services.station_service_add(
        actor=None, station=street, domain="social_assistance", title="困难群众探访", description="每月上门探访。"
    )
    services.station_service_add(actor=None, station=street, domain="elderly_care", title="长者饭堂")
    services.station_service_add(actor=None, station=room, domain="elderly_care", title="独居长者关爱")
    services.station_service_add(actor=None, station=room, domain="elderly_care", title="已停办的项目", is_active=False)
    worker = make_worker(name=WORKER_NAME, region=COMMUNITY_A, phone=WORKER_PHONE)
    StaffAssignment.objects.create(
        station=room, worker=worker, role=StaffAssignment.Role.RESIDENT, start_date=datetime.date(2024, 3, 1)
    )
    world.agency_a.contact_person = AGENCY_CONTACT
    world.agency_a.contact_phone = AGENCY_PHONE
    world.agency_a.save()
    return {"street": street, "room": room, "domains": (elderly, assistance)}


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def assert_public_and_clean(response, max_age: int = 300) -> None:
    page = response.content.decode()
    assert response["Cache-Control"] in (f"public, max-age={max_age}", f"max-age={max_age}, public")
    assert "Content-Security-Policy" in response
    # Nothing for the CSP to refuse: no inline script or style, no style attribute.
    assert "<script" not in page and "<style" not in page and "style=" not in page
    assert re.search(r'<meta name="viewport" content="width=device-width, initial-scale=1">', page)
    # A public page names nobody and reveals no one's phone.
    for private in (WORKER_NAME, WORKER_PHONE, AGENCY_CONTACT, AGENCY_PHONE):
        assert private not in page, private
    # No staff navigation, no sign-in prompt: it is a resident's page.
    assert 'class="navbar' not in page and reverse("accounts:login") not in page


@pytest.mark.django_db
def test_a_real_community_shows_its_room_its_street_station_and_their_services(client, published):
    response = client.get(f"/s/{COMMUNITY_A}/")
    assert response.status_code == 200
    assert_public_and_clean(response)
    text = text_of(response)
    assert "流水井社区" in text and "居委会" not in text
    assert "广州市 · 越秀区 · 北京街道" in text
    assert "本社区社工室" in text and "流水井社区社工室" in text and "周二至周四 9:00-17:00" in text
    assert "所属镇街社工站" in text and "北京街社工站" in text and "广州市越秀区北京路 100 号" in text
    assert "独居长者关爱" in text and "困难群众探访" in text and "长者饭堂" in text and "每月上门探访。" in text
    assert "养老服务" in text and "社会救助" in text
    assert "已停办的项目" not in text
    assert "越秀测试社工中心" in text  # the operating agency
    # 服务需求: whom to call, no form yet.
    assert "服务需求" in text and "如需帮助请致电" in text
    assert 'href="tel:02083331234"' in response.content.decode()
    assert "<form" not in response.content.decode() and "<input" not in response.content.decode()


@pytest.mark.django_db
def test_a_community_without_a_room_is_served_by_its_street_station(client, published):
    response = client.get("/s/440104003107/")
    text = text_of(response)
    assert response.status_code == 200 and "龙藏社区" in text
    assert "本社区社工室" not in text
    assert "为本社区服务的镇街社工站" in text and "北京街社工站" in text and "长者饭堂" in text


@pytest.mark.django_db
def test_a_community_without_any_station_says_so(client, world):
    response = client.get(f"/s/{_any_b_community()}/")
    assert response.status_code == 200
    assert "本社区暂未设立社工站点" in text_of(response)
    assert "如需帮助，请联系所在街道（乡镇）或村（社区）居民委员会" in text_of(response)


def _any_b_community() -> str:
    from shegong.regions.models import Region

    return Region.objects.filter(code__startswith="440105", level=5).order_by("code").first().code


@pytest.mark.django_db
def test_a_station_page(client, published):
    street = published["street"]
    assert street.code == "S440104003"  # the stations service's code, not a 12-digit number
    response = client.get(f"/s/{street.code}/")
    assert response.status_code == 200
    assert_public_and_clean(response)
    text = text_of(response)
    for expected in (
        "镇街社工站",
        "北京街社工站",
        "广州市 · 越秀区 · 北京街道",
        "周一至周六 9:00-18:00",
        "广州市越秀区北京路 100 号",
        "020-83331234",
        "服务清单",
        "困难群众探访",
        "长者饭堂",
        "越秀测试社工中心",
    ):
        assert expected in text, expected
    assert 'data-testid="station-status"' not in response.content.decode()


@pytest.mark.django_db
def test_the_page_answers_under_the_stations_app_too(client, published):
    code = published["room"].code
    short, long = client.get(f"/s/{code}/"), client.get(reverse("stations:public_page", args=[code]))
    assert short.status_code == long.status_code == 200
    assert short.content == long.content


@pytest.mark.django_db
def test_suspended_and_revoked_stations_say_so(client, published):
    street, room = published["street"], published["room"]
    Station.objects.filter(pk=street.pk).update(status=Station.Status.SUSPENDED)
    response = client.get(f"/s/{street.code}/")
    assert "本站点暂停服务" in text_of(response) and "长者饭堂" in text_of(response)
    # A suspended station is nobody to call for help.
    assert 'data-testid="call"' not in response.content.decode()

    Station.objects.filter(pk=room.pk).update(status=Station.Status.REVOKED)
    response = client.get(f"/s/{room.code}/")
    text = text_of(response)
    assert response.status_code == 200
    assert "本站点已撤销，不再提供服务。" in text
    assert "独居长者关爱" not in text and "服务清单" not in text
    # It points to its community's page, which no longer lists it.
    assert f'href="{qr.public_path(COMMUNITY_A)}"' in response.content.decode()
    community = text_of(client.get(f"/s/{COMMUNITY_A}/"))
    assert "流水井社区社工室" not in community and "北京街社工站" in community


@pytest.mark.django_db
def test_a_station_in_preparation_says_it_is_not_open_yet(client, published):
    Station.objects.filter(pk=published["street"].pk).update(status=Station.Status.PREPARING)
    assert "本站点正在筹建，尚未正式对外服务。" in text_of(client.get(f"/s/{published['street'].code}/"))


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["NOPE", "440104003000", "440104003999", "S4401040039999", "%E4%B8%AD"])
def test_unknown_codes_get_a_friendly_chinese_404(client, world, code):
    response = client.get(f"/s/{code}/")
    assert response.status_code == 404
    text = text_of(response)
    assert "未找到该站点" in text and "请重新扫描站点张贴的二维码" in text
    assert_public_and_clean(response, max_age=60)


@pytest.mark.django_db
def test_no_sign_in_needed_and_signed_in_visitors_get_a_private_answer(client, world, published):
    code = published["street"].code
    anonymous = client.get(f"/s/{code}/")
    assert anonymous.status_code == 200 and not anonymous.cookies
    client.force_login(User.objects.get(pk=world.station_head_a.pk))
    signed_in = client.get(f"/s/{code}/")
    assert signed_in.status_code == 200
    assert "private" in signed_in["Cache-Control"] and "public" not in signed_in["Cache-Control"]
    # The same page for everyone: nothing about the visitor on it.
    assert text_of(signed_in) == text_of(anonymous)


@pytest.mark.django_db
def test_only_reads_are_answered(client, published):
    assert client.post(f"/s/{published['street'].code}/").status_code in (403, 405)
    assert client.head(f"/s/{published['street'].code}/").status_code == 200


@pytest.mark.django_db
def test_queries_stay_few_however_long_the_service_lists(client, published, django_assert_max_num_queries):
    for number in range(20):
        services.station_service_add(
            actor=None, station=published["room"], domain="elderly_care", title=f"服务项目{number}"
        )
    with django_assert_max_num_queries(6):
        response = client.get(f"/s/{COMMUNITY_A}/")
    assert text_of(response).count("服务项目1") >= 11


@pytest.mark.django_db
def test_a_shared_cache_keeps_one_copy_per_language(client, published):
    response = client.get(f"/s/{published['street'].code}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "Accept-Language" in response.get("Vary", "")


def test_dial_keeps_the_first_number_only():
    from shegong.stations.public_views import dial

    assert dial("020-8333 1234") == "02083331234"
    assert dial("020-83331234/13800000000") == "02083331234"
    assert dial("020-83331234转808") == "02083331234"
    assert dial("+86 20 8333 1234") == "+862083331234"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_on_a_phone_the_services_show_without_sideways_scrolling(live_server, phone_page, published):
    phone_page.goto(f"{live_server.url}/s/{COMMUNITY_A}/")
    items = phone_page.get_by_test_id("service-item")
    assert items.count() == 3
    for index in range(3):
        assert items.nth(index).is_visible()
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    # Large tap targets: the call button is at least 44 px high and spans the card.
    box = phone_page.get_by_test_id("call").bounding_box()
    assert box["height"] >= 44 and box["width"] >= 300
    # The stylesheet applied (no CSP refusal): the header has its colour.
    colour = phone_page.evaluate("getComputedStyle(document.querySelector('.public-header')).backgroundColor")
    assert colour == "rgb(11, 92, 173)"
    assert not phone_page.js_errors, phone_page.js_errors
    phone_page.goto(f"{live_server.url}/s/NOPE/")
    assert phone_page.get_by_test_id("public-not-found").is_visible()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
