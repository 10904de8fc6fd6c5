"""The project's URLs plus views that fail on purpose, so the tests reach each error handler as a visitor would."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import path

from shegong.urls import handler400, handler403, handler404, handler500
from shegong.urls import urlpatterns as project_urlpatterns


def bad_request(request):
    raise SuspiciousOperation("tampered input")


def forbidden(request):
    raise PermissionDenied


def broken(request):
    raise RuntimeError("a bug")


urlpatterns = [
    path("__fail__/400/", bad_request),
    path("__fail__/403/", forbidden),
    path("__fail__/500/", broken),
    *project_urlpatterns,
]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
