"""ID numbers: validated (python-stdnum's check character), children accepted, encrypted at rest, one record per
number (the refusal names the existing record only to someone who may see it)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from shegong.recipients import services
from shegong.recipients.identity import parse_recipient_id
from shegong.recipients.models import Recipient
from shegong.recipients.tests.factories import COMMUNITY_A, COMMUNITY_B, id_number, make_recipient
from shegong.talent.tests.factories import make_user
from shegong.testing.world import DISTRICT_B
from shegong.workers.identity import id_number_from_body

pytestmark = pytest.mark.django_db


def test_a_child_number_is_accepted_with_its_facts():
    facts = parse_recipient_id(id_number_from_body("44010420180304002"))
    assert facts.birth_date == datetime.date(2018, 3, 4) and facts.sex == "F"


@pytest.mark.parametrize(
    "value, code",
    [
        ("4401041950010100", "id_length"),
        ("4401041950A1010012", "id_format"),
        (id_number_from_body("44010419500230001"), "id_birth_date"),
    ],
)
def test_bad_numbers_are_refused(value, code):
    with pytest.raises(ValidationError) as caught:
        parse_recipient_id(value)
    assert caught.value.code == code


@given(
    birth=st.dates(min_value=datetime.date(1920, 1, 1), max_value=datetime.date(2025, 12, 31)),
    sequence=st.integers(min_value=0, max_value=999),
    position=st.integers(min_value=0, max_value=16),
    delta=st.integers(min_value=1, max_value=9),
)
def test_parsing_reads_the_facts_and_any_single_wrong_digit_is_caught(birth, sequence, position, delta):
    number = id_number_from_body(f"440104{birth:%Y%m%d}{sequence:03d}")
    facts = parse_recipient_id(number, today=datetime.date(2026, 1, 1))
    assert facts.birth_date == birth and facts.sex == ("M" if sequence % 2 else "F")
    wrong = number[:position] + str((int(number[position]) + delta) % 10) + number[position + 1 :]
    with pytest.raises(ValidationError):
        parse_recipient_id(wrong, today=datetime.date(2026, 1, 1))


def test_birth_date_and_sex_come_from_the_number():
    recipient = make_recipient(id_number=id_number(birth="19400202", sequence=11))
    assert recipient.birth_date == datetime.date(1940, 2, 2) and recipient.sex == "M"


def test_the_number_and_phones_are_encrypted_at_rest():
    number = id_number()
    recipient = make_recipient(
        id_number=number, phone="13800138000", contact_name="陈小明", contact_phone="13900139000"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id_number, phone, contact_phone, id_number_index FROM recipients_recipient WHERE id = %s",
            [recipient.pk],
        )
        raw_id, raw_phone, raw_contact, index = cursor.fetchone()
    assert number not in raw_id and "13800138000" not in raw_phone and "13900139000" not in raw_contact
    assert index and number not in index
    assert Recipient.objects.get(pk=recipient.pk).id_number == number


def test_without_a_number_a_reason_birth_date_and_sex_are_required():
    with pytest.raises(ValidationError) as caught:
        make_recipient(id_number="", no_id_reason="", birth_date=None, sex="")
    assert {"no_id_reason", "birth_date", "sex"} <= set(caught.value.message_dict)
    child = make_recipient(id_number="", no_id_reason=Recipient.NoIdReason.MINOR_UNREGISTERED)
    assert child.id_number == "" and child.id_number_index is None
    make_recipient("另一人", id_number="")  # people without a number never collide with one another


def test_a_second_record_of_the_same_number_is_refused(world):
    number = id_number()
    make_recipient("陈大文", COMMUNITY_A, id_number=number)
    with pytest.raises(ValidationError) as caught:
        make_recipient("陈大文", COMMUNITY_A, id_number=number.lower(), actor=world.station_head_a)
    message = caught.value.message_dict["id_number"][0]
    assert "流水井" in message and "陈大文" in message  # the actor may see the existing record
    with pytest.raises(ValidationError) as caught:
        make_recipient(
            "陈大文", COMMUNITY_B, id_number=number, actor=make_user("head_b", "station_head", region=DISTRICT_B)
        )
    message = caught.value.message_dict["id_number"][0]
    assert "流水井" not in message and "陈大文" not in message  # neutral: outside the actor's scope
    assert Recipient.all_records.count() == 1


def test_a_withdrawn_person_still_holds_their_number(world):
    number = id_number()
    recipient = make_recipient(id_number=number)
    services.recipient_withdraw_consent(
        actor=None, recipient=recipient, on=datetime.date(2026, 2, 1), reason="本人要求"
    )
    with pytest.raises(ValidationError) as caught:
        make_recipient(id_number=number, actor=world.station_head_a)
    assert "流水井" not in caught.value.message_dict["id_number"][0]  # hidden now: the neutral message
