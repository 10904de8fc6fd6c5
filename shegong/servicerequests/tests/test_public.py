"""The resident's side: the entry on the QR page, the form for a community's and a station's code, the tracking code,
double submission (sequential and, on PostgreSQL, two threads at once), the rate limit, the flood checks (too fast,
expired, honeypot), the tracking page and the rating."""

import itertools
import time

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from shegong.servicerequests import abuse
from shegong.servicerequests.models import ServiceRequest, Status
from shegong.servicerequests.tests.factories import COMMUNITY_A2, Network, token
from shegong.testing.baseline import ensure_baseline
from shegong.testing.concurrency import at_once
from shegong.testing.world import COMMUNITY_A, build_world

pytestmark = pytest.mark.django_db
_addresses = (f"10.1.{n // 250}.{n % 250 + 1}" for n in itertools.count())


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def net(world):
    return Network(world)


def form_data(code=COMMUNITY_A, **values):
    data = {
        "community": COMMUNITY_A,
        "domain": "social_assistance",
        "topic": "",
        "description": "家中老人独居，希望有人定期探访",
        "phone": "13800138000",
        "contact_consent": "on",
        "form_token": token(code),
        "website": "",
    }
    data.update(values)
    return data


def post(client, code=COMMUNITY_A, address=None, **values):
    address = address or next(_addresses)
    return client.post(reverse("servicerequests:new", args=[code]), form_data(code, **values), REMOTE_ADDR=address)


def test_the_public_page_leads_to_the_form_and_the_form_needs_no_account(client, net):
    page = client.get(f"/s/{COMMUNITY_A}/").content.decode()
    assert reverse("servicerequests:new", args=[COMMUNITY_A]) in page and "我要求助" in page
    station_page = client.get(f"/s/{net.street.code}/").content.decode()
    assert reverse("servicerequests:new", args=[net.street.code]) in station_page
    response = client.get(reverse("servicerequests:new", args=[COMMUNITY_A]))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="community-fixed"' in body and "流水井社区" in body
    assert "<script" not in body and "Content-Security-Policy" in response.headers
    assert client.get(reverse("servicerequests:new", args=["NOPE"])).status_code == 404


def test_a_station_code_offers_the_communities_of_its_street(client, net):
    response = client.get(reverse("servicerequests:new", args=[net.street.code]))
    choices = [code for code, _label in response.context["form"].fields["community"].choices]
    assert COMMUNITY_A in choices and COMMUNITY_A2 in choices and all(c.startswith("440104003") for c in choices)
    answer = post(client, net.street.code, community=COMMUNITY_A2)
    assert answer.status_code == 200
    created = ServiceRequest.objects.get()
    assert created.community_id == COMMUNITY_A2 and created.source_code == net.street.code
    assert created.station == net.street  # no room in that community: the street's station
    refused = post(client, net.street.code, community="440104001007")  # another street's community
    assert refused.status_code == 400 and ServiceRequest.objects.count() == 1


def test_submit_gives_a_tracking_code_and_keeps_the_phone_encrypted(client, net):
    response = post(client)
    assert response.status_code == 200
    created = ServiceRequest.objects.get()
    body = response.content.decode()
    assert created.tracking_code in body and reverse("servicerequests:track", args=[created.tracking_code]) in body
    assert len(created.tracking_code) == 8 and not set(created.tracking_code) & set("01OI")
    assert created.phone == "13800138000" and created.contact_consent
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone, client_hash FROM servicerequests_servicerequest WHERE id = %s", [created.pk])
        stored, client_hash = cursor.fetchone()
    assert "13800138000" not in stored and "10.1." not in client_hash and len(client_hash) == 64


def test_the_phone_needs_consent_and_the_form_needs_a_domain_or_words(client, net):
    answer = post(client, contact_consent="")
    assert answer.status_code == 400 and "同意社工与您联系" in answer.content.decode()
    answer = post(client, domain="", topic="")
    assert answer.status_code == 400 and "请选择服务领域" in answer.content.decode()
    answer = post(client, domain="", topic="修水管", phone="", contact_consent="")
    assert answer.status_code == 200 and ServiceRequest.objects.get().topic == "修水管"


def test_the_same_form_sent_twice_makes_one_request(client, net):
    data = form_data()
    url = reverse("servicerequests:new", args=[COMMUNITY_A])
    first = client.post(url, data, REMOTE_ADDR="10.9.0.1")
    second = client.post(url, data, REMOTE_ADDR="10.9.0.1")
    assert ServiceRequest.objects.count() == 1
    code = ServiceRequest.objects.get().tracking_code
    assert code in first.content.decode() and code in second.content.decode()


def test_the_sixth_request_within_the_window_is_refused_and_another_client_is_not(client, net):
    for _index in range(abuse.RATE_LIMIT):
        assert post(client, address="10.8.0.1").status_code == 200
    refused = post(client, address="10.8.0.1")
    assert refused.status_code == 429 and "提交过于频繁" in refused.content.decode()
    assert post(client, address="10.8.0.2").status_code == 200
    assert ServiceRequest.objects.count() == abuse.RATE_LIMIT + 1


REDIS_TEST_URL = "redis://127.0.0.1:6379/15"


def _redis_reachable() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1).ping())
    except redis.exceptions.ConnectionError:
        return False


@pytest.mark.skipif(
    not _redis_reachable(), reason="no Redis at 127.0.0.1:6379 (production's cache when REDIS_URL is set)"
)
def test_the_rate_limit_holds_on_redis_as_in_production(client, net):
    redis_cache = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_TEST_URL,
            "KEY_PREFIX": "shegong-test",
        }
    }
    with override_settings(CACHES=redis_cache):
        cache.clear()
        try:
            for _index in range(abuse.RATE_LIMIT):
                assert post(client, address="10.7.0.1").status_code == 200
            assert post(client, address="10.7.0.1").status_code == 429
            assert post(client, address="10.7.0.2").status_code == 200
        finally:
            cache.clear()
    assert ServiceRequest.objects.count() == abuse.RATE_LIMIT + 1


def test_flood_checks_too_fast_expired_and_honeypot(client, net):
    too_fast = post(client, form_token=abuse.issue_form_token(COMMUNITY_A))
    assert too_fast.status_code == 400 and "提交过快" in too_fast.content.decode()
    expired = post(client, form_token=token(COMMUNITY_A, age=abuse.MAX_FORM_AGE + 60))
    assert expired.status_code == 400 and "表单已过期" in expired.content.decode()
    forged = post(client, form_token=token(COMMUNITY_A) + "x")
    assert forged.status_code == 400
    other_code = post(client, form_token=token(net.street.code))
    assert other_code.status_code == 400
    honeypot = post(client, website="http://spam.example")
    assert honeypot.status_code == 400
    assert ServiceRequest.objects.count() == 0


def test_tracking_shows_plain_words_and_rating_comes_once_after_closing(client, net):
    from shegong.servicerequests import services

    post(client)
    created = ServiceRequest.objects.get()
    url = reverse("servicerequests:track", args=[created.tracking_code])
    page = client.get(url)
    assert page.status_code == 200 and "待派单" in page.content.decode() and page.context["form"] is None
    assert client.post(url, {"rating": 5}).status_code == 400
    head, user = net.world.station_head_a, net.resident_user
    services.request_assign(request=created, worker=net.resident, actor=head)
    services.request_accept(request=created, actor=user)
    services.request_close(request=created, actor=user, note="已办结")
    body = client.get(url).content.decode()
    assert "王驻点" not in body and "138" not in body and "服务已完成" in body and 'data-testid="rating-form"' in body
    assert client.post(url, {"rating": 5, "comment": "谢谢社工"}).status_code == 302
    assert ServiceRequest.objects.get().rating == 5
    again = client.post(url, {"rating": 1})
    assert again.status_code == 400 and ServiceRequest.objects.get().rating == 5
    lookup = client.get(reverse("servicerequests:track_lookup"), {"code": created.tracking_code.lower()})
    assert lookup.status_code == 302 and lookup["Location"] == url
    assert client.get(reverse("servicerequests:track", args=["ZZZZZZZZ"])).status_code == 404


# --- Two submissions of the same form at the same moment (PostgreSQL) ------------------------------------------------


@pytest.fixture
def transactional_net(transactional_db):
    ensure_baseline()
    return Network(build_world())


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="two writers interleave only on PostgreSQL; on SQLite a write locks the whole database",
)
@pytest.mark.django_db(transaction=True)
def test_two_threads_sending_the_same_form_make_one_request(transactional_net):
    from django.test import Client

    from shegong.servicerequests import services

    original = services._create

    def slow_create(*args, **kwargs):
        time.sleep(0.3)  # both threads are past the "already submitted?" check before either writes
        return original(*args, **kwargs)

    services._create = slow_create
    data = form_data()

    def send():
        return Client().post(reverse("servicerequests:new", args=[COMMUNITY_A]), data, REMOTE_ADDR="10.7.0.1")

    try:
        answers = list(at_once({"first": send, "second": send}).values())
    finally:
        services._create = original
    assert [answer.status_code for answer in answers] == [200, 200]
    assert ServiceRequest.objects.count() == 1
    code = ServiceRequest.objects.get().tracking_code
    assert all(code in answer.content.decode() for answer in answers)
    assert ServiceRequest.objects.get().status == Status.PENDING
