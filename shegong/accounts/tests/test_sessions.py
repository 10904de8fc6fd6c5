"""Session idle timeout (等保 2.0 level 3): a session unused for SESSION_IDLE_TIMEOUT_MINUTES is signed out, and every
request renews it."""

import runpy
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from shegong.testing.world import PASSWORD

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        django_settings.SESSION_ENGINE != "django.contrib.sessions.backends.db",
        reason="these tests move the expiry of database sessions (REDIS_URL is set: sessions live in the cache)",
    ),
]

HOME = reverse("web:home")


def settings_with(monkeypatch, **env) -> dict:
    """The settings module evaluated afresh under the given environment."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    import shegong.settings

    return runpy.run_path(shegong.settings.__file__)


def test_the_cookie_age_follows_the_idle_timeout_setting(monkeypatch):
    monkeypatch.delenv("SESSION_IDLE_TIMEOUT_MINUTES", raising=False)
    assert settings_with(monkeypatch)["SESSION_COOKIE_AGE"] == 30 * 60
    configured = settings_with(monkeypatch, SESSION_IDLE_TIMEOUT_MINUTES="45")
    assert configured["SESSION_COOKIE_AGE"] == 45 * 60
    assert configured["SESSION_SAVE_EVERY_REQUEST"] is True


def sign_in(client, world):
    response = client.post(reverse("accounts:login"), {"username": "city_admin", "password": PASSWORD})
    assert response.status_code == 302
    return Session.objects.get(session_key=client.session.session_key)


def test_a_session_idle_longer_than_the_timeout_is_signed_out(client, world):
    session = sign_in(client, world)
    assert client.get(HOME).status_code == 200
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(HOME)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_activity_renews_the_session(client, world, settings):
    settings.SESSION_COOKIE_AGE = 30 * 60
    session = sign_in(client, world)
    # 25 minutes of silence: five minutes left...
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() + timedelta(minutes=5))
    assert client.get(HOME).status_code == 200
    # ...and the request gave it the full 30 minutes again.
    renewed = Session.objects.get(pk=session.pk).expire_date
    assert abs((renewed - timezone.now() - timedelta(minutes=30)).total_seconds()) < 30


def test_the_timeout_in_force_is_the_setting(client, world, settings):
    settings.SESSION_COOKIE_AGE = 10 * 60
    session = sign_in(client, world)
    left = Session.objects.get(pk=session.pk).expire_date - timezone.now()
    assert timedelta(minutes=9) < left <= timedelta(minutes=10)


def test_the_session_cookie_ends_with_the_browser_and_is_not_readable_by_scripts(client, world):
    sign_in(client, world)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == "" and cookie["expires"] == ""
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
