from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.accounts.models import User


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": gettext_lazy("用户名或密码错误。连续失败 %(max)d 次将锁定账户 %(minutes)d 分钟。"),
        "inactive": gettext_lazy("该账户已停用。"),
    }

    def clean(self):
        username = self.cleaned_data.get("username")
        user = User.objects.filter(username=username).only("locked_until").first() if username else None
        if user is not None and user.is_locked():
            # Count this attempt too (it is audited), then refuse without checking the password.
            from shegong.accounts.services import login_failed

            login_failed(username=username)
            raise ValidationError(
                _("账户因多次登录失败已被锁定，请于 %(time)s 之后再试，或联系系统管理员解锁。")
                % {"time": user.locked_until.astimezone().strftime("%H:%M")},
                code="locked",
            )
        return super().clean()

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
