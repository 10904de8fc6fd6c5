"""Password policy (等保 2.0 level 3): at least three character classes, and none of the last five passwords.

The minimum length (8) is Django's MinimumLengthValidator, configured in settings.AUTH_PASSWORD_VALIDATORS.
"""

import string
import unicodedata

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


def _is_symbol(ch: str) -> bool:
    # ASCII punctuation and the space, plus punctuation and symbols from other scripts (full-width ！，。￥ and the
    # like), which Chinese keyboards produce just as easily.
    return ch in string.punctuation or ch == " " or unicodedata.category(ch)[0] in "PS"


CLASSES = {
    "upper": (gettext_lazy("大写字母"), lambda ch: ch.isascii() and ch.isupper()),
    "lower": (gettext_lazy("小写字母"), lambda ch: ch.isascii() and ch.islower()),
    "digit": (gettext_lazy("数字"), lambda ch: ch in string.digits),
    "symbol": (gettext_lazy("符号"), _is_symbol),
}


def character_classes(password: str) -> set[str]:
    """The names of the CLASSES that occur in the password."""
    return {name for name, (_label, test) in CLASSES.items() if any(test(ch) for ch in password)}


class CharacterClassValidator:
    """At least `required_classes` of: upper-case letter, lower-case letter, digit, symbol."""

    def __init__(self, required_classes: int = 3):
        self.required_classes = required_classes

    def validate(self, password, user=None):
        present = character_classes(password)
        if len(present) < self.required_classes:
            missing = "、".join(str(CLASSES[name][0]) for name in CLASSES if name not in present)
            raise ValidationError(
                _("密码须包含大写字母、小写字母、数字、符号中的至少 %(count)d 类（还可以加入：%(missing)s）。"),
                code="password_too_simple",
                params={"count": self.required_classes, "missing": missing},
            )

    def get_help_text(self):
        return _("密码须包含大写字母、小写字母、数字、符号中的至少 %(count)d 类。") % {"count": self.required_classes}


class PasswordHistoryValidator:
    """A new password may not repeat any of the last `remember` passwords (the current one included)."""

    def __init__(self, remember: int = 5):
        self.remember = remember

    def _recent(self, user) -> list[str]:
        if user is None or user.pk is None:
            return []
        hashes = list(user.password_history.values_list("password", flat=True)[: self.remember])
        # Accounts made before the history existed (or by a script) still must not "change" to the same password.
        current = type(user).objects.filter(pk=user.pk).values_list("password", flat=True).first()
        if current and current not in hashes:
            hashes.insert(0, current)
        return hashes[: self.remember]

    def validate(self, password, user=None):
        if any(check_password(password, old) for old in self._recent(user)):
            raise ValidationError(
                _("新密码不能与最近 %(count)d 次使用过的密码相同。"),
                code="password_reused",
                params={"count": self.remember},
            )

    def password_changed(self, password, user=None):
        """Remember the new hash. Django calls this from User.save() after set_password(), and callers may call
        password_validation.password_changed() again for the same change: the second call must not add a row, or
        duplicates would push real older passwords out of the history."""
        from shegong.accounts.models import PasswordHistory

        if user is None or user.pk is None or not user.password:
            return
        newest = user.password_history.values_list("password", flat=True).first()
        if newest == user.password:
            return
        PasswordHistory.objects.create(user=user, password=user.password)
        stale = user.password_history.values_list("id", flat=True)[self.remember :]
        PasswordHistory.objects.filter(id__in=list(stale)).delete()
        user.password_changed_at = timezone.now()
        type(user).objects.filter(pk=user.pk).update(password_changed_at=user.password_changed_at)

    def get_help_text(self):
        return _("新密码不能与最近 %(count)d 次使用过的密码相同。") % {"count": self.remember}
