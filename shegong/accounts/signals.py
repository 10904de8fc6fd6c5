"""Login, logout and failed-login events go to the audit log; failures count toward the lockout.

Django sends user_login_failed exactly once per refused authenticate() call, including when RoleBackend refuses a
locked account (it raises PermissionDenied, which authenticate() turns into this signal), so this receiver is the one
place a failure is counted and audited.
"""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from shegong.accounts import services


@receiver(user_logged_in, dispatch_uid="shegong_login")
def on_login(sender, request, user, **kwargs):
    services.login_succeeded(user=user)


@receiver(user_logged_out, dispatch_uid="shegong_logout")
def on_logout(sender, request, user, **kwargs):
    if user is not None and user.is_authenticated:
        services.logout_recorded(user=user)


@receiver(user_login_failed, dispatch_uid="shegong_login_failed")
def on_login_failed(sender, credentials, request=None, **kwargs):
    username = (credentials or {}).get("username") or ""
    services.login_failed(username=str(username))
