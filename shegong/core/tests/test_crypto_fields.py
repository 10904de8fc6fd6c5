import pytest
from django.db import connection

from shegong.accounts.models import User
from shegong.core import crypto
from shegong.core.fields import matching
from shegong.core.masking import mask_id_number, mask_phone

pytestmark = pytest.mark.django_db


def test_raw_column_is_not_the_plaintext_and_lookup_by_value_still_works():
    user = User.objects.create(username="p1", phone="138 0013 8000")
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone, phone_index FROM accounts_user WHERE id = %s", [user.pk])
        raw, index = cursor.fetchone()
    assert "13800138000" not in raw
    assert raw.startswith(crypto.TOKEN_PREFIX)
    assert len(index) == 64
    assert User.objects.get(pk=user.pk).phone == "13800138000"
    assert list(matching(User.objects.all(), "phone", "13800138000")) == [user]
    assert not matching(User.objects.all(), "phone", "13800138001").exists()


def test_same_value_encrypts_differently_each_time_but_indexes_the_same():
    a = User.objects.create(username="a", phone="13800138000")
    b = User.objects.create(username="b", phone="13800138000")
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM accounts_user WHERE id IN (%s, %s)", [a.pk, b.pk])
        tokens = {row[0] for row in cursor.fetchall()}
    assert len(tokens) == 2
    assert a.phone_index == b.phone_index


def test_an_altered_ciphertext_fails_loudly():
    user = User.objects.create(username="t", phone="13800138000")
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM accounts_user WHERE id = %s", [user.pk])
        token = cursor.fetchone()[0]
    tampered = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE accounts_user SET phone = %s WHERE id = %s", [tampered, user.pk])
    with pytest.raises(crypto.DecryptionError):
        User.objects.get(pk=user.pk)


def test_a_value_cannot_be_moved_to_another_column():
    token = crypto.seal("13800138000", context="accounts.user.phone")
    with pytest.raises(crypto.DecryptionError):
        crypto.unseal(token, context="people.recipient.phone")


def test_plain_equality_lookup_on_an_encrypted_field_is_refused():
    from django.core.exceptions import FieldError

    with pytest.raises(FieldError):
        list(User.objects.filter(phone="13800138000"))


def test_empty_value_has_no_index_so_many_people_may_have_no_phone():
    User.objects.create(username="n1")
    User.objects.create(username="n2")
    assert User.objects.filter(phone_index__isnull=True).count() >= 2


@pytest.mark.parametrize(
    ("value", "masked"),
    [("11010519491231002X", "110105********002X"), ("440104199001011234", "440104********1234"), ("", "")],
)
def test_mask_id_number_keeps_first_six_and_last_four(value, masked):
    assert mask_id_number(value) == masked


@pytest.mark.parametrize(("value", "masked"), [("13800138000", "138****8000"), ("1234", "****")])
def test_mask_phone_keeps_first_three_and_last_four(value, masked):
    assert mask_phone(value) == masked
