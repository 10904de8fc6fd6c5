from django import forms
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy

from shegong.accounts.models import User


class LoginForm(AuthenticationForm):
    """Django's sign-in form with the lockout message.

    Counting and auditing happen in one place only: `authenticate()` sends `user_login_failed` once per refused
    attempt (also when RoleBackend refuses a locked account), and the receiver in signals.py calls
    services.login_failed. This form only reads the outcome, so an attempt is never counted twice.
    """

    error_messages = {
        "invalid_login": gettext_lazy("用户名或密码错误。连续失败 %(max)d 次将锁定账户 %(minutes)d 分钟。"),
        "inactive": gettext_lazy("该账户已停用。"),
        "locked": gettext_lazy("账户因多次登录失败已被锁定，请于 %(time)s 之后再试，或联系系统管理员解锁。"),
    }

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            self.user_cache = authenticate(self.request, username=username, password=password)
            if self.user_cache is None:
                locked_until = self._locked_until(username)
                if locked_until is not None:
                    raise self.get_locked_error(locked_until)
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data

    @staticmethod
    def _locked_until(username: str):
        # Read after authenticate(): the attempt just refused may be the one that locked the account.
        locked_until = User.objects.filter(username=username).values_list("locked_until", flat=True).first()
        return locked_until if locked_until is not None and locked_until > timezone.now() else None

    def get_locked_error(self, locked_until):
        local = timezone.localtime(locked_until)
        same_day = local.date() == timezone.localdate()
        when = formats.date_format(local, "H:i" if same_day else "Y-m-d H:i")
        return ValidationError(self.error_messages["locked"] % {"time": when}, code="locked")

    def get_invalid_login_error(self):
        return ValidationError(
            self.error_messages["invalid_login"]
            % {"max": settings.LOGIN_MAX_FAILURES, "minutes": settings.LOGIN_LOCKOUT_MINUTES},
            code="invalid_login",
        )


class ChangePasswordForm(PasswordChangeForm):
    """Django's form (old password, new twice, validators); the change itself goes through the service."""

    def save(self, commit=True):
        from shegong.accounts.services import user_set_password

        user_set_password(actor=self.user, user=self.user, password=self.cleaned_data["new_password1"])
        return self.user


class TokenCreateForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("用途"), max_length=100)
    days = forms.IntegerField(label=gettext_lazy("有效天数"), min_value=1, initial=90)
