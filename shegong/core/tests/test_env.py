import pytest
from django.core.exceptions import ImproperlyConfigured

from shegong import env


def test_missing_required_variable_names_itself(monkeypatch):
    monkeypatch.delenv("SHEGONG_TEST_VAR", raising=False)
    with pytest.raises(ImproperlyConfigured, match="SHEGONG_TEST_VAR"):
        env.env_str("SHEGONG_TEST_VAR")


@pytest.mark.parametrize(("raw", "value"), [("true", True), ("0", False), ("YES", True), ("off", False)])
def test_bool_accepts_the_usual_spellings(monkeypatch, raw, value):
    monkeypatch.setenv("SHEGONG_TEST_VAR", raw)
    assert env.env_bool("SHEGONG_TEST_VAR") is value


@pytest.mark.parametrize("raw", ["maybe", "2"])
def test_bool_refuses_anything_else(monkeypatch, raw):
    monkeypatch.setenv("SHEGONG_TEST_VAR", raw)
    with pytest.raises(ImproperlyConfigured, match="true or false"):
        env.env_bool("SHEGONG_TEST_VAR")


def test_int_refuses_text_and_values_below_minimum(monkeypatch):
    monkeypatch.setenv("SHEGONG_TEST_VAR", "abc")
    with pytest.raises(ImproperlyConfigured, match="whole number"):
        env.env_int("SHEGONG_TEST_VAR")
    monkeypatch.setenv("SHEGONG_TEST_VAR", "0")
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env.env_int("SHEGONG_TEST_VAR", minimum=1)


def test_key_must_be_32_bytes_of_base64(monkeypatch):
    monkeypatch.setenv("SHEGONG_TEST_VAR", "c2hvcnQ=")
    with pytest.raises(ImproperlyConfigured, match="32 bytes"):
        env.env_key("SHEGONG_TEST_VAR")
    monkeypatch.setenv("SHEGONG_TEST_VAR", "%%%")
    with pytest.raises(ImproperlyConfigured, match="base64"):
        env.env_key("SHEGONG_TEST_VAR")
