"""Personal access tokens: stored hashed, shown once, revocable, expiring; `Authorization: Bearer` on the API."""

import hashlib
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shegong.accounts import services
from shegong.accounts.models import ApiToken, User
from shegong.audit.models import AuditEntry
from shegong.testing.matrix import assert_matrix

pytestmark = pytest.mark.django_db

ME = "/api/v1/accounts/me"


def bearer(secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def create_on_profile(client, user, name="报表脚本", days="30"):
    client.force_login(user)
    return client.post(reverse("accounts:profile"), {"token-name": name, "token-days": days})


def test_the_secret_is_shown_once_and_stored_only_as_a_hash(client, world):
    response = create_on_profile(client, world.worker_b)
    page = response.content.decode()
    secret = re.search(r"<code[^>]*>(sg_[A-Za-z0-9_\-]+)</code>", page).group(1)
    assert response["Cache-Control"] == "no-store"

    token = ApiToken.objects.get(user=world.worker_b)
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert token.prefix == secret[:10] and token.name == "报表脚本"
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_apitoken")
        assert secret not in repr(cursor.fetchall())
    assert not AuditEntry.objects.filter(changes__icontains=secret[10:]).exists()

    again = client.get(reverse("accounts:profile")).content.decode()
    assert secret not in again and token.prefix in again


def test_a_token_authenticates_the_api(world):
    _token, secret = services.token_create(actor=world.worker_b, name="脚本", days=30)
    response = Client().get(ME, **bearer(secret))
    assert response.status_code == 200 and response.json()["username"] == "worker_b"
    assert ApiToken.objects.get().last_used_at is not None


@pytest.mark.parametrize("state", ["revoked", "expired", "inactive_user", "unknown", "not_a_token"])
def test_unusable_tokens_answer_401(world, state):
    token, secret = services.token_create(actor=world.worker_b, name="脚本", days=30)
    if state == "revoked":
        services.token_revoke(actor=world.worker_b, token=token)
    elif state == "expired":
        ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    elif state == "inactive_user":
        User.objects.filter(pk=world.worker_b.pk).update(is_active=False)
    elif state == "unknown":
        secret = secret[:-4] + "AAAA"
    else:
        secret = "not-a-token"
    assert Client().get(ME, **bearer(secret)).status_code == 401


def test_revoking_from_the_profile_page(client, world):
    token, secret = services.token_create(actor=world.worker_b, name="脚本", days=30)
    client.force_login(world.worker_b)
    assert client.post(reverse("accounts:token_revoke", args=[token.pk])).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEntry.objects.filter(object_type="accounts.apitoken", object_id=str(token.pk), action="update").exists()
    assert Client().get(ME, **bearer(secret)).status_code == 401


def test_someone_elses_token_is_not_found(client, world):
    token, _secret = services.token_create(actor=world.worker_b, name="脚本", days=30)
    url = reverse("accounts:token_revoke", args=[token.pk])
    # Only the owner reaches it; everyone else, the city's system admin included, gets 404 (never 403).
    assert_matrix(client, world, url, {"anonymous": 302, "worker_b": 302}, default=404, method="post")


def test_the_system_admin_may_revoke_a_leaked_token_of_an_account_they_manage(world):
    token, _secret = services.token_create(actor=world.worker_b, name="脚本", days=30)
    services.token_revoke(actor=world.system_admin, token=token)
    token.refresh_from_db()
    assert token.revoked_at is not None


@pytest.mark.parametrize(("name", "days", "message"), [("", "30", "必填"), ("脚本", "0", "1"), ("脚本", "366", "365")])
def test_bad_token_requests_are_explained(client, world, settings, name, days, message):
    settings.API_TOKEN_MAX_DAYS = 365
    response = create_on_profile(client, world.worker_b, name=name, days=days)
    assert response.status_code == 200 and message in str(response.context["token_form"].errors)
    assert not ApiToken.objects.exists()


def test_expiry_is_set_from_the_days_asked(world):
    token, _secret = services.token_create(actor=world.worker_b, name="脚本", days=7)
    assert timedelta(days=6, hours=23) < token.expires_at - timezone.now() <= timedelta(days=7)
