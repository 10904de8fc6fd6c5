from django.contrib.auth.decorators import login_required
from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.utils import timezone

from shegong.analytics.report import home_panel
from shegong.web.selectors import home_scope


@login_required
def home(request):
    # Dashboard users (统计看板) also see their key indicators, this year to date.
    context = {"scope": home_scope(request.user), "dashboard": home_panel(request.user, timezone.localdate())}
    return render(request, "web/home.html", context)


# Error pages (shegong/urls.py names them as handler400 … handler500), in the visitor's language.


def bad_request(request, exception=None):
    return render(request, "400.html", status=400)


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # Rendered without the request: the failure may be the database itself, and the context processors (menu, user)
    # would need it. The page then shows no menu and no language switch, only the message and a way home.
    return HttpResponseServerError(loader.get_template("500.html").render())
