"""Password policy (等保 2.0 level 3): at least three character classes, and none of the last five passwords."""

import string

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

CLASSES = {
    "upper": lambda ch: ch.isascii() and ch.isupper(),
    "lower": lambda ch: ch.isascii() and ch.islower(),
    "digit": lambda ch: ch.isdigit(),
    "symbol": lambda ch: ch in string.punctuation or ch == " ",
}


class CharacterClassValidator:
    def __init__(self, required_classes: int = 3):
        self.required_classes = required_classes

    def validate(self, password, user=None):
        present = sum(1 for test in CLASSES.values() if any(test(ch) for ch in password))
        if present < self.required_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self):
        return _("密码须包含大写字母、小写字母、数字、符号中的至少 %(count)d 类。") % {"count": self.required_classes}


class PasswordHistoryValidator:
    def __init__(self, remember: int = 5):
        self.remember = remember

    def _recent(self, user):
        if user is None or user.pk is None:
            return []
        hashes = list(user.password_history.values_list("password", flat=True)[: self.remember])
        return hashes

    def validate(self, password, user=None):
        if any(check_password(password, old) for old in self._recent(user)):
            raise ValidationError(self.get_help_text(), code="password_reused")

    def password_changed(self, password, user=None):
        # Django calls this after a successful change; `user.password` holds the new hash by then.
        from django.utils import timezone

        from shegong.accounts.models import PasswordHistory

        if user is None or user.pk is None:
            return
        PasswordHistory.objects.create(user=user, password=user.password)
        stale = user.password_history.values_list("id", flat=True)[self.remember :]
        PasswordHistory.objects.filter(id__in=list(stale)).delete()
        type(user).objects.filter(pk=user.pk).update(password_changed_at=timezone.now())

    def get_help_text(self):
        return ngettext(
            "新密码不能与最近 %(count)d 次使用过的密码相同。",
            "新密码不能与最近 %(count)d 次使用过的密码相同。",
            self.remember,
        ) % {"count": self.remember}
