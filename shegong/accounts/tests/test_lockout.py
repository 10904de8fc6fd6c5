"""Login lockout (等保 2.0 level 3), tested through the real login page: N failures lock the account for M minutes,
every attempt is audited exactly once, and a success resets the count."""

from datetime import timedelta

import pytest
from django.contrib.auth import authenticate
from django.urls import reverse
from django.utils import timezone

from shegong.accounts.models import User
from shegong.audit.models import AuditEntry
from shegong.testing.world import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
A = AuditEntry.Action


def attempt(client, username, password="Wrong#Pass1"):
    return client.post(LOGIN, {"username": username, "password": password})


def error_of(response) -> str:
    return " ".join(response.context["form"].non_field_errors())


def entries(username, action):
    return AuditEntry.objects.filter(actor_username=username, action=action)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_failures_below_the_limit_are_counted_and_explained(client, world):
    for _ in range(4):
        response = attempt(client, "worker_b")
        assert response.status_code == 200
    assert "用户名或密码错误。连续失败 5 次将锁定账户 15 分钟。" in error_of(response)
    user = User.objects.get(username="worker_b")
    assert user.failed_login_count == 4 and not user.is_locked()
    assert entries("worker_b", A.LOGIN_FAILED).count() == 4


def test_the_fifth_failure_locks_for_fifteen_minutes_and_says_until_when(client, world):
    for _ in range(5):
        response = attempt(client, "worker_b")
    user = User.objects.get(username="worker_b")
    assert user.is_locked()
    expected = timezone.now() + timedelta(minutes=15)
    assert abs((user.locked_until - expected).total_seconds()) < 30
    until = timezone.localtime(user.locked_until).strftime("%H:%M")
    assert f"账户因多次登录失败已被锁定，请于 {until} 之后再试" in error_of(response)
    # Exactly one audit row per attempt (no double counting through the backend and the form), plus the lock.
    assert entries("worker_b", A.LOGIN_FAILED).count() == 5
    locked = entries("worker_b", A.LOCKED).get()
    assert locked.object_id == str(user.pk) and "连续 5 次登录失败，锁定 15 分钟" in locked.note


def test_while_locked_even_the_right_password_is_refused(client, world):
    for _ in range(5):
        attempt(client, "worker_b")
    locked_until = User.objects.get(username="worker_b").locked_until
    response = attempt(client, "worker_b", PASSWORD)
    assert response.status_code == 200 and not signed_in(client)
    assert "已被锁定" in error_of(response)
    assert timezone.localtime(locked_until).strftime("%H:%M") in error_of(response)
    # Audited, but not counted and the lock is not extended.
    refused = entries("worker_b", A.LOGIN_FAILED).first()
    assert refused.note == "账户已锁定"
    assert entries("worker_b", A.LOGIN_FAILED).count() == 6
    user = User.objects.get(username="worker_b")
    assert user.locked_until == locked_until and user.failed_login_count == 0
    assert not entries("worker_b", A.LOGIN).exists()


def test_after_the_lock_runs_out_the_right_password_works(client, world):
    for _ in range(5):
        attempt(client, "worker_b")
    User.objects.filter(username="worker_b").update(locked_until=timezone.now() + timedelta(minutes=1))
    assert not signed_in(client) and attempt(client, "worker_b", PASSWORD).status_code == 200  # one minute left
    User.objects.filter(username="worker_b").update(locked_until=timezone.now() - timedelta(seconds=1))
    response = attempt(client, "worker_b", PASSWORD)
    assert response.status_code == 302 and signed_in(client)
    user = User.objects.get(username="worker_b")
    assert user.locked_until is None and user.failed_login_count == 0
    assert entries("worker_b", A.LOGIN).count() == 1


def test_a_success_resets_the_count(client, world):
    for _ in range(4):
        attempt(client, "worker_b")
    assert attempt(client, "worker_b", PASSWORD).status_code == 302
    assert User.objects.get(username="worker_b").failed_login_count == 0
    client.post(reverse("accounts:logout"))
    for _ in range(4):
        attempt(client, "worker_b")
    user = User.objects.get(username="worker_b")
    assert user.failed_login_count == 4 and not user.is_locked()


def test_an_unknown_username_is_audited_and_nothing_is_created(client, world):
    users = User.objects.count()
    response = attempt(client, "nobody-here")
    assert "用户名或密码错误" in error_of(response)
    entry = entries("nobody-here", A.LOGIN_FAILED).get()
    assert entry.actor_id is None and entry.object_id == "" and entry.note == "账号不存在"
    assert User.objects.count() == users


def test_logout_is_audited(client, world):
    attempt(client, "worker_b", PASSWORD)
    client.post(reverse("accounts:logout"))
    assert not signed_in(client)
    logout = entries("worker_b", A.LOGOUT).get()
    assert logout.actor_id == world.worker_b.pk


def test_the_limits_are_settings(client, world, settings):
    settings.LOGIN_MAX_FAILURES = 3
    settings.LOGIN_LOCKOUT_MINUTES = 2
    for _ in range(3):
        response = attempt(client, "worker_b")
    user = User.objects.get(username="worker_b")
    assert user.is_locked()
    assert abs((user.locked_until - timezone.now() - timedelta(minutes=2)).total_seconds()) < 30
    assert "已被锁定" in error_of(response)
    assert "连续 3 次登录失败，锁定 2 分钟" in entries("worker_b", A.LOCKED).get().note


def test_authenticate_on_a_locked_account_counts_once(world, rf):
    User.objects.filter(pk=world.worker_b.pk).update(locked_until=timezone.now() + timedelta(minutes=5))
    assert authenticate(rf.post(LOGIN), username="worker_b", password=PASSWORD) is None
    assert entries("worker_b", A.LOGIN_FAILED).count() == 1
