"""The REST API under /api/v1 (django-ninja): one router per app, each app's `api.py` exposing `router`.

Clients authenticate with a personal access token (`Authorization: Bearer sg_…`) or, from the browser, with the
session cookie (and CSRF token). Every endpoint reads through the same scope helper as the pages.
"""

from importlib import import_module

from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI
from ninja.security import APIKeyCookie, HttpBearer

from shegong.accounts.services import token_authenticate


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        user = token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The signed-in browser session; CSRF is checked for unsafe methods."""

    param_name = "sessionid"

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        return user if user is not None and user.is_authenticated and user.is_active else None


api = NinjaAPI(
    title="Shegong API",
    version="1",
    description=str(_("社会工作信息平台接口。所有数据按调用者的数据权限过滤。")),
    auth=[TokenAuth(), SessionAuth(csrf=True)],
    urls_namespace="api",
)

ROUTED_APPS = [
    "regions",
    "refdata",
    "policies",
    "accounts",
    "agencies",
    "workers",
    "registration",
    "talent",
    "recruitment",
    "stations",
    "projects",
    "evaluations",
    "inspections",
    "recipients",
    "inbox",
    "persontimes",
    "casework",
    "groupwork",
    "referrals",
    "servicerequests",
    "volunteers",
    "volunteering",
    "timebank",
    "charity",
    "analytics",
]

for app in ROUTED_APPS:
    api.add_router(f"/{app}/", import_module(f"shegong.{app}.api").router)
