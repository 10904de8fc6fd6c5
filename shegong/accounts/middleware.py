"""Sends a user who must change their password (a new account, or one an administrator reset) to the change-password
page, whatever page they ask for, until they have chosen their own."""

from urllib.parse import urlencode

from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _

# Pages such a user may still open: the change page itself, signing out, and switching the language.
EXEMPT_VIEWS = {"accounts:password_change", "accounts:logout", "accounts:login", "set_language", "javascript-catalog"}


class PasswordChangeRequiredMiddleware:
    """Goes after AuthenticationMiddleware. API calls made with a token carry no session user and pass untouched; a
    browser session calling the API gets a 403 with the reason instead of a redirect to a page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.must_change_password:
            return self.get_response(request)
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)
        if match.view_name in EXEMPT_VIEWS:
            return self.get_response(request)
        if match.namespace == "api" or match.namespace.startswith("api:"):
            return JsonResponse({"detail": _("请先修改密码。")}, status=403)
        target = reverse("accounts:password_change")
        if request.method == "GET":
            target = f"{target}?{urlencode({'next': request.get_full_path()})}"
        return redirect(target)
