"""Protection of the public request form against abuse (no account stands behind a resident's request).

- Rate limit per client: at most RATE_LIMIT new requests per RATE_WINDOW seconds from one client address (the
  address as shegong.core.request_context.client_ip reads it, so behind TRUSTED_PROXY_COUNT proxies the forwarded
  one), counted in Django's cache (Redis when REDIS_URL is set, the database cache otherwise) under a keyed hash of
  the address: the raw address is never a cache key nor stored with the request (the audit log keeps it, as for
  every write).
- Scripted floods: every form carries a signed token (TimestampSigner) naming the QR code and the time the form was
  issued; a form sent back sooner than MIN_FILL_SECONDS (no person reads and fills it that fast) or later than
  MAX_FORM_AGE is refused, and so is a form whose hidden honeypot field is filled (people never see it).
- Double submission: the token is also the submission key (services.request_submit).
"""

from __future__ import annotations

import secrets
import time

from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from shegong.core.request_context import client_ip

RATE_LIMIT = 5
RATE_WINDOW = 600
MIN_FILL_SECONDS = 3
MAX_FORM_AGE = 2 * 3600
SALT = "shegong.servicerequests.form"
HONEYPOT = "website"


class FormSigner(signing.TimestampSigner):
    """A TimestampSigner whose issue time can be given (tests and the demo backdate a form)."""

    def __init__(self, issued_at: float | None = None):
        super().__init__(salt=SALT)
        self.issued_at = issued_at

    def timestamp(self):
        return signing.b62_encode(int(self.issued_at if self.issued_at is not None else time.time()))


def issue_form_token(code: str, issued_at: float | None = None) -> str:
    return FormSigner(issued_at).sign(f"{code}:{secrets.token_urlsafe(12)}")


def check_form_token(token: str, code: str, now: float | None = None) -> None:
    """ValidationError (code expired / too_fast / invalid) unless the token is ours, for this code, and of an age a
    person filling the form could have."""
    signer = FormSigner()
    try:
        value = signer.unsign(token or "", max_age=MAX_FORM_AGE)
    except signing.SignatureExpired:
        raise ValidationError(_("表单已过期，请重新打开页面填写。"), code="expired") from None
    except signing.BadSignature:
        raise ValidationError(_("表单无效，请重新打开页面填写。"), code="invalid") from None
    if value.split(":", 1)[0] != code:
        raise ValidationError(_("表单无效，请重新打开页面填写。"), code="invalid")
    issued = signing.b62_decode(token.rsplit(signer.sep, 2)[-2])
    if (now if now is not None else time.time()) - issued < MIN_FILL_SECONDS:
        raise ValidationError(_("提交过快，请确认内容后再提交。"), code="too_fast")


def client_fingerprint(request) -> str:
    """A keyed hash of the client address (not reversible without the secret key)."""
    return salted_hmac(SALT, client_ip(request) or "unknown", algorithm="sha256").hexdigest()


def over_rate_limit(fingerprint: str) -> bool:
    """Count one submission of this client; True when it is past RATE_LIMIT in the current window."""
    key = f"servicerequests:rate:{fingerprint}"
    if cache.add(key, 1, RATE_WINDOW):
        return False
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, RATE_WINDOW)
        return False
    return count > RATE_LIMIT
