"""The current request's client facts (IP, user agent), for audit rows written deep inside services."""

from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class ClientInfo:
    ip: str = ""
    user_agent: str = ""


_NO_CLIENT = ClientInfo()
_current: ContextVar[ClientInfo | None] = ContextVar("shegong_client", default=None)


def current_client() -> ClientInfo:
    return _current.get() or _NO_CLIENT


def client_ip(request) -> str:
    """The client's address; with TRUSTED_PROXY_COUNT proxies in front, the address they recorded."""
    hops = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if hops and forwarded:
        addresses = [part.strip() for part in forwarded.split(",") if part.strip()]
        if len(addresses) >= hops:
            return addresses[-hops]
    return request.META.get("REMOTE_ADDR", "")


def bind(request):
    """Bind the request's client facts to the current context; returns a token for `unbind`."""
    info = ClientInfo(ip=client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", "")[:500])
    return _current.set(info)


def unbind(token) -> None:
    _current.reset(token)
