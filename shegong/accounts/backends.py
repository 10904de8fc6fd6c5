from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from shegong.accounts.models import User
from shegong.accounts.selectors import user_permissions


class AccountLocked(PermissionDenied):
    """Raised to stop authentication while an account is locked after too many failures."""


class RoleBackend(ModelBackend):
    """Password check with lockout, and permissions taken from the user's role assignments only."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        locked_until = User._default_manager.filter(username=username).values_list("locked_until", flat=True).first()
        if locked_until is not None and User(locked_until=locked_until).is_locked():
            # Stop here: even the right password must not open a locked account. Django's authenticate() turns this
            # into one user_login_failed signal, which audits the attempt (signals.py); nothing else counts it.
            raise AccountLocked
        return super().authenticate(request, username=username, password=password, **kwargs)

    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        return set()

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        return user_permissions(user_obj)
