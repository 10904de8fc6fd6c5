"""The inbox pages, the bell in the navbar and the API: only the owner sees or marks an alert."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shegong.inbox.models import Notification
from shegong.inbox.services import notify
from shegong.testing.matrix import assert_matrix

pytestmark = pytest.mark.django_db


@pytest.fixture
def alerts(world):
    world.old = notify(users=[world.station_head_a], kind="notice", title="旧通知", url="/referrals/")[0]
    world.old.read_at = world.old.created_at
    world.old.save(update_fields=["read_at"])
    world.crisis = notify(users=[world.station_head_a], kind="crisis", title="危机：陈大文", url="/inbox/?x=1")[0]
    world.referral = notify(users=[world.station_head_a], kind="referral", title="新转介", url="https://evil.test/")[0]
    world.others = notify(users=[world.city_admin], kind="notice", title="别人的通知")[0]
    return world


def test_every_signed_in_user_has_an_inbox(client, alerts):
    assert_matrix(client, alerts, reverse("inbox:list"), {"anonymous": 302}, default=200)
    assert_matrix(client, alerts, "/api/v1/inbox/", {"anonymous": 401}, default=200)


def test_someone_elses_alert_is_404(client, alerts):
    for name in ("inbox:open", "inbox:read"):
        url = reverse(name, args=[alerts.crisis.pk])
        assert_matrix(client, alerts, url, {"anonymous": 302, "station_head_a": 302}, default=404, method="post")
    url = f"/api/v1/inbox/{alerts.others.pk}/read"
    assert_matrix(client, alerts, url, {"anonymous": 401, "city_admin": 200}, default=404, method="post")
    alerts.crisis.refresh_from_db()
    assert alerts.crisis.is_read  # read by its owner in the matrix above, by nobody else


def test_unread_first_and_filters(client, alerts):
    client.force_login(alerts.station_head_a)
    page = client.get(reverse("inbox:list")).context["page"]
    assert [n.title for n in page] == ["新转介", "危机：陈大文", "旧通知"]
    page = client.get(reverse("inbox:list"), {"unread": "on"}).context["page"]
    assert [n.title for n in page] == ["新转介", "危机：陈大文"]
    page = client.get(reverse("inbox:list"), {"kind": "crisis"}).context["page"]
    assert [n.title for n in page] == ["危机：陈大文"]


def test_open_marks_read_and_follows_the_link_on_this_site_only(client, alerts):
    client.force_login(alerts.station_head_a)
    response = client.post(reverse("inbox:open", args=[alerts.crisis.pk]))
    assert response.status_code == 302 and response["Location"] == "/inbox/?x=1"
    response = client.post(reverse("inbox:open", args=[alerts.referral.pk]))
    assert response["Location"] == reverse("inbox:list")  # an outside address is not followed
    assert not Notification.objects.filter(user=alerts.station_head_a, read_at__isnull=True).exists()


def test_mark_one_and_all(client, alerts):
    client.force_login(alerts.station_head_a)
    client.post(reverse("inbox:read", args=[alerts.crisis.pk]))
    assert Notification.objects.filter(user=alerts.station_head_a, read_at__isnull=True).count() == 1
    client.post(reverse("inbox:read_all"))
    assert Notification.objects.filter(user=alerts.station_head_a, read_at__isnull=True).count() == 0
    assert Notification.objects.filter(user=alerts.city_admin, read_at__isnull=True).count() == 1


def test_the_bell_shows_the_unread_count_with_one_query(client, alerts):
    client.force_login(alerts.station_head_a)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("web:home")).content.decode()
    assert 'data-testid="inbox-badge">2<' in page
    assert len([q for q in queries.captured_queries if "inbox_notification" in q["sql"]]) == 1
    client.force_login(alerts.worker_b)
    assert 'data-testid="inbox-badge"' not in client.get(reverse("web:home")).content.decode()


def test_api_lists_mine_and_marks_read(client, alerts):
    client.force_login(alerts.station_head_a)
    answer = client.get("/api/v1/inbox/").json()
    assert [item["title"] for item in answer["items"]] == ["新转介", "危机：陈大文", "旧通知"]
    assert answer["unread"] == 2 and answer["count"] == 3
    assert client.get("/api/v1/inbox/", {"unread": True, "kind": "crisis"}).json()["count"] == 1
    response = client.post(f"/api/v1/inbox/{alerts.crisis.pk}/read")
    assert response.status_code == 200 and response.json()["read_at"]
    assert client.post("/api/v1/inbox/read-all").json() == {"marked": 1}
    assert client.get("/api/v1/inbox/").json()["unread"] == 0
