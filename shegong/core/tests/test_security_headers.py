"""Security headers (等保 2.0 level 3): Content-Security-Policy, clickjacking protection, nosniff on every page, and
HSTS plus secure cookies when served over HTTPS."""

import re
import runpy

import pytest
from django.test import override_settings
from django.urls import reverse

from shegong.testing.world import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")


def pages(client, world):
    """A signed-out page, signed-in pages, an error page: each response to check."""
    yield client.get(LOGIN)
    yield client.get("/no-such-page/")
    client.force_login(world.audit_admin)
    yield client.get(reverse("web:home"))
    yield client.get(reverse("audit:list"))


def test_every_page_has_the_content_security_policy(client, world):
    for response in pages(client, world):
        policy = response.headers.get("Content-Security-Policy", "")
        directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
        assert directives["default-src"] == ["'self'"], response.request["PATH_INFO"]
        assert directives["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval'
        assert directives["style-src"] == ["'self'"]
        assert directives["frame-ancestors"] == ["'none'"]
        assert directives["object-src"] == ["'none'"]


def test_every_page_refuses_framing_and_sniffing(client, world):
    for response in pages(client, world):
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
INLINE_STYLE = re.compile(r"\sstyle\s*=", re.IGNORECASE)


def test_pages_have_nothing_inline_that_the_policy_would_block(client, world):
    for response in pages(client, world):
        html = response.content.decode()
        path = response.request["PATH_INFO"]
        assert not INLINE_SCRIPT.search(html), path
        assert not INLINE_HANDLER.search(html), path
        assert not INLINE_STYLE.search(html), path


def test_plain_http_gets_no_hsts(client):
    assert "Strict-Transport-Security" not in client.get(LOGIN).headers


HTTPS = {
    "SECURE_HSTS_SECONDS": 31536000,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    "SECURE_SSL_REDIRECT": True,
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
}


@override_settings(**HTTPS)
def test_over_https_hsts_is_sent(client):
    response = client.get(LOGIN, secure=True)
    assert response.status_code == 200
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


@override_settings(**HTTPS)
def test_over_https_plain_http_is_redirected(client):
    response = client.get(LOGIN)
    assert response.status_code == 301
    assert response.url.startswith("https://")


@override_settings(**HTTPS)
def test_over_https_the_cookies_are_secure(client, world):
    client.get(LOGIN, secure=True)
    assert client.cookies["csrftoken"]["secure"] is True
    response = client.post(LOGIN, {"username": "city_admin", "password": PASSWORD}, secure=True)
    assert response.status_code == 302
    session = client.cookies["sessionid"]
    assert session["secure"] is True and session["httponly"] is True


@pytest.mark.parametrize(
    ("env", "secure", "hsts"),
    [({}, False, 0), ({"HTTPS": "true"}, True, 31536000), ({"HTTPS": "true", "SECURE_HSTS_SECONDS": "600"}, True, 600)],
)
def test_the_https_switch_turns_on_every_related_setting(monkeypatch, env, secure, hsts):
    import shegong.settings

    for name in ("HTTPS", "SECURE_HSTS_SECONDS", "SECURE_SSL_REDIRECT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    values = runpy.run_path(shegong.settings.__file__)
    assert values["SESSION_COOKIE_SECURE"] is secure
    assert values["CSRF_COOKIE_SECURE"] is secure
    assert values["SECURE_SSL_REDIRECT"] is secure
    assert values["SECURE_HSTS_SECONDS"] == hsts
    assert values["X_FRAME_OPTIONS"] == "DENY"
