"""The ID number (GB 11643, checked by python-stdnum) and what is read from it; pinyin initials of names."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from shegong.workers.identity import age_on, id_number_from_body, name_initials, parse_id_number


def test_a_valid_number_gives_birth_date_and_sex():
    facts = parse_id_number(id_number_from_body("44010419900315001"))  # 17th digit 1: odd, a man
    assert facts.birth_date == datetime.date(1990, 3, 15)
    assert facts.sex == "M"
    assert parse_id_number(id_number_from_body("44010419851231002")).sex == "F"


def test_lower_case_x_and_spaces_are_normalised():
    body = next(f"4401041990010100{n}" for n in range(10) if id_number_from_body(f"4401041990010100{n}")[-1] == "X")
    number = id_number_from_body(body)
    assert parse_id_number(f" {number[:6]} {number[6:].lower()} ").id_number == number


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("44010419900101001", "id_length"),
        ("4401041990010100X1", "id_format"),
    ],
)
def test_malformed_numbers_are_refused_with_their_reason(number, code):
    with pytest.raises(ValidationError) as caught:
        parse_id_number(number)
    assert caught.value.code in {code, "id_checksum"}


def test_a_wrong_check_character_is_refused_without_repeating_the_number():
    good = id_number_from_body("44010419900101001")
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    with pytest.raises(ValidationError) as caught:
        parse_id_number(bad)
    assert caught.value.code == "id_checksum"
    assert "校验位" in caught.value.messages[0]
    assert bad not in caught.value.messages[0]


def test_future_and_underage_birth_dates_are_refused():
    today = datetime.date(2026, 6, 1)
    with pytest.raises(ValidationError) as caught:
        parse_id_number(id_number_from_body("44010420300101001"), today=today)
    assert caught.value.code == "id_future"
    with pytest.raises(ValidationError) as caught:
        parse_id_number(id_number_from_body("44010420150101001"), today=today)
    assert caught.value.code == "id_underage"
    assert parse_id_number(id_number_from_body("44010420100601001"), today=today).birth_date.year == 2010


def test_impossible_birth_dates_and_unknown_provinces_are_refused():
    with pytest.raises(ValidationError) as caught:
        parse_id_number(id_number_from_body("44010419900230001"))  # 30 February
    assert caught.value.code == "id_birth_date"
    with pytest.raises(ValidationError) as caught:
        parse_id_number(id_number_from_body("99999919900101001"))
    assert caught.value.code == "id_province"


def test_an_address_code_younger_than_its_holder_is_accepted():
    # 越秀区's code 440104 dates from 1983; people born there earlier got numbers with it when first issued one.
    assert parse_id_number(id_number_from_body("44010419650101001")).birth_date == datetime.date(1965, 1, 1)


@given(
    st.dates(min_value=datetime.date(1940, 1, 1), max_value=datetime.date(2000, 12, 31)),
    st.integers(min_value=0, max_value=999),
)
def test_any_generated_number_round_trips(birth, sequence):
    number = id_number_from_body(f"440104{birth:%Y%m%d}{sequence:03d}")
    facts = parse_id_number(number)
    assert facts.birth_date == birth
    assert facts.sex == ("M" if sequence % 2 else "F")


def test_age_counts_whole_years():
    assert age_on(datetime.date(1990, 3, 15), datetime.date(2020, 3, 14)) == 29
    assert age_on(datetime.date(1990, 3, 15), datetime.date(2020, 3, 15)) == 30


@pytest.mark.parametrize(
    ("name", "initials"),
    [
        ("张三", "zs"),
        ("李小龙", "lxl"),
        ("曾志伟", "zzw"),  # 曾 as a surname is zēng
        ("单田芳", "stf"),  # 单 as a surname is shàn
        ("长孙无忌", "zswj"),  # compound surname read by pypinyin's phrases
        ("买买提·艾力", "mmtal"),
        ("Tom李", "toml"),
        ("", ""),
    ],
)
def test_pinyin_initials(name, initials):
    assert name_initials(name) == initials
