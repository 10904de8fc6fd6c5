"""Strict readers of environment variables: a missing or malformed setting stops the process with a clear message.

Settings come from the environment only (Healthchecks habit). Every reader names the variable in its error so that an
operator knows what to fix.
"""

import base64
import binascii
import os

from django.core.exceptions import ImproperlyConfigured

_REQUIRED = object()
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _raw(name: str, default):
    value = os.environ.get(name)
    if value is None:
        if default is _REQUIRED:
            raise ImproperlyConfigured(f"Environment variable {name} is required but not set.")
        return None
    return value.strip()


def env_str(name: str, default=_REQUIRED) -> str:
    value = _raw(name, default)
    return default if value is None else value


def env_bool(name: str, default: bool | object = _REQUIRED) -> bool:
    value = _raw(name, default)
    if value is None:
        return bool(default)
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"Environment variable {name} must be true or false, not {value!r}.")


def env_int(name: str, default: int | object = _REQUIRED, *, minimum: int | None = None) -> int:
    value = _raw(name, default)
    if value is None:
        return int(default)
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"Environment variable {name} must be a whole number, not {value!r}.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"Environment variable {name} must be at least {minimum}, not {number}.")
    return number


def env_list(name: str, default: list[str] | object = _REQUIRED) -> list[str]:
    value = _raw(name, default)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_key(name: str, default=_REQUIRED, *, length: int = 32) -> bytes | None:
    """A binary key given as (URL-safe or standard) base64 of exactly `length` bytes."""
    value = _raw(name, default)
    if value is None:
        return None
    try:
        standard = value.replace("-", "+").replace("_", "/")
        key = base64.b64decode(standard + "=" * (-len(standard) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise ImproperlyConfigured(f"Environment variable {name} must be base64.") from None
    if len(key) != length:
        raise ImproperlyConfigured(f"Environment variable {name} must decode to {length} bytes, not {len(key)}.")
    return key
