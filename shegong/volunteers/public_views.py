"""The public verification of a volunteer service certificate (no account): /v/ asks for a number, /v/<number>/
answers whether it is valid, revoked or unknown, with the volunteer's name partly masked, the total hours, the issuer
and the date, and nothing else.

Lookups are rate-limited per client (a keyed hash of its address, as servicerequests/abuse.py does for the request
form, never the raw address): numbers are sequential, so without a limit the page would list every certificate.
"""

from django.core.cache import cache
from django.shortcuts import redirect, render
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from shegong.core.request_context import client_ip
from shegong.volunteers.certificates import public_summary

RATE_LIMIT = 30
RATE_WINDOW = 600
SALT = "shegong.volunteers.verify"


def client_fingerprint(request) -> str:
    return salted_hmac(SALT, client_ip(request) or "unknown", algorithm="sha256").hexdigest()


def over_rate_limit(request) -> bool:
    """Count one lookup of this client; True once it is past RATE_LIMIT in the current window."""
    key = f"volunteers:verify:{client_fingerprint(request)}"
    if cache.add(key, 1, RATE_WINDOW):
        return False
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, RATE_WINDOW)
        return False
    return count > RATE_LIMIT


def _limited(request):
    return render(
        request,
        "volunteers/public/verify_limited.html",
        {"message": _("查询过于频繁，请稍后再试。")},
        status=429,
    )


@require_GET
def lookup(request):
    number = (request.GET.get("number") or "").strip()
    if number:
        return redirect("certificate_verify:verify", number[:40])
    return render(request, "volunteers/public/verify_lookup.html", {})


@require_GET
def verify(request, number: str):
    if over_rate_limit(request):
        return _limited(request)
    summary = public_summary(number[:40])
    return render(
        request, "volunteers/public/verify.html", {"summary": summary}, status=200 if summary["found"] else 404
    )
