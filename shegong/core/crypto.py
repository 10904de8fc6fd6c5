"""Encryption at rest for personal identifiers (个人信息保护法, 等保 2.0 level 3).

Values are sealed with AES-256-GCM (authenticated: a changed byte fails to decrypt) under a key derived from
FIELD_ENCRYPTION_KEY; exact-match lookups and uniqueness use a keyed hash (HMAC-SHA256) under a second derived key, so
the database never holds the plaintext and a stolen dump cannot be searched by guessing without the key.
"""

import base64
import hashlib
import hmac
import os
from functools import cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

TOKEN_PREFIX = "v1:"


class DecryptionError(Exception):
    """The stored value was not sealed with the configured key, or it was altered."""


@cache
def _derived_key(purpose: bytes) -> bytes:
    master = settings.FIELD_ENCRYPTION_KEY
    if not master:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY is required to store personal identifiers.")
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"shegong", info=purpose).derive(master)


def clear_key_cache() -> None:
    _derived_key.cache_clear()


def seal(plaintext: str, *, context: str = "") -> str:
    """Encrypt text; `context` (e.g. the column name) is bound as associated data so a value cannot be moved."""
    nonce = os.urandom(12)
    sealed = AESGCM(_derived_key(b"field-encryption")).encrypt(nonce, plaintext.encode(), context.encode())
    return TOKEN_PREFIX + base64.b64encode(nonce + sealed).decode()


def unseal(token: str, *, context: str = "") -> str:
    if not token.startswith(TOKEN_PREFIX):
        raise DecryptionError("unknown token format")
    raw = base64.b64decode(token[len(TOKEN_PREFIX) :])
    try:
        return AESGCM(_derived_key(b"field-encryption")).decrypt(raw[:12], raw[12:], context.encode()).decode()
    except InvalidTag:
        raise DecryptionError("value does not decrypt with the configured key") from None


def blind_index(value: str, *, purpose: str) -> str:
    """Keyed hash for exact-match lookups; `purpose` keeps the hash of one kind of value apart from another."""
    key = _derived_key(b"blind-index:" + purpose.encode())
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()
