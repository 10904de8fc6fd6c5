"""Password policy (等保 2.0 level 3): at least 8 characters, three of four character classes, none of the last five
passwords; every refusal explained in Chinese."""

import pytest
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils import translation

from shegong.accounts.models import PasswordHistory, User
from shegong.accounts.passwords import character_classes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


def refusal(password, user=None) -> list[str]:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        return exc.messages
    return []


def change(user: User, password: str) -> None:
    """What the password services do: validate, set, save (Django records the change from save())."""
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.save()
    # The services also call this explicitly; a second call for the same change must not count twice.
    password_validation.password_changed(password, user)


def test_shorter_than_eight_is_refused():
    assert refusal("Ab1!xyz") == ["密码太短，至少需要 8 个字符。"]
    assert refusal("Ab1!xyzw") == []


@pytest.mark.parametrize("password", ["zhqpwmxvtrkb", "zhqpwmxv2026", "ZHQPWM!@#$%^", "zhqpwm!@#xvt", "482916!@#$%^"])
def test_only_two_classes_are_refused(password):
    messages = refusal(password)
    assert len(messages) == 1
    assert messages[0].startswith("密码须包含大写字母、小写字母、数字、符号中的至少 3 类")


@pytest.mark.parametrize("password", ["Qazwsxed9", "qazwsx#9edc", "QAZWSX#9EDC", "Qazwsx#edc", "Qa9#wsxedc"])
def test_three_or_four_classes_are_accepted(password):
    assert refusal(password) == []


def test_the_refusal_says_which_classes_could_be_added():
    message = refusal("zhqpwmxvtrkb")[0]
    assert "大写字母" in message.split("还可以加入")[1] and "数字" in message.split("还可以加入")[1]


def test_full_width_punctuation_counts_as_a_symbol():
    assert character_classes("社工平台！2026") == {"symbol", "digit"}
    assert refusal("qazwsx！2026") == []


def test_none_of_the_last_five_may_be_reused_but_the_sixth_oldest_may():
    user = User.objects.create(username="rotating")
    passwords = [f"Rotate#{n}xyz" for n in range(1, 7)]
    for password in passwords:
        change(user, password)
    assert PasswordHistory.objects.filter(user=user).count() == 5
    for recent in passwords[1:]:
        assert refusal(recent, user) == ["新密码不能与最近 5 次使用过的密码相同。"], recent
    assert refusal(passwords[0], user) == []


def test_the_current_password_counts_even_without_history():
    user = User.objects.create(username="legacy")
    User.objects.filter(pk=user.pk).update(password=_hash("Legacy#2020x"))
    PasswordHistory.objects.filter(user=user).delete()
    user.refresh_from_db()
    assert refusal("Legacy#2020x", user) == ["新密码不能与最近 5 次使用过的密码相同。"]


def test_changing_through_the_service_keeps_five_distinct_passwords():
    from shegong.accounts.services import user_set_password

    user = User.objects.create(username="zhang.wei")
    passwords = [f"Harbour#{n}kite" for n in range(1, 7)]
    for password in passwords:
        user_set_password(actor=user, user=user, password=password)
    history = list(PasswordHistory.objects.filter(user=user).values_list("password", flat=True))
    assert len(history) == len(set(history)) == 5
    with pytest.raises(ValidationError):
        user_set_password(actor=user, user=user, password=passwords[1])
    user_set_password(actor=user, user=user, password=passwords[0])


def test_the_password_change_time_is_recorded():
    user = User.objects.create(username="timed")
    change(user, "Timed#2026abc")
    user.refresh_from_db()
    assert user.password_changed_at is not None


def _hash(password: str) -> str:
    from django.contrib.auth.hashers import make_password

    return make_password(password)
