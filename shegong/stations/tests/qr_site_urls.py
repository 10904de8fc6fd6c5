"""The site's URLs as they are once the QR routes are wired in (shegong/urls.py routes the short /s/<code>/ at the
root; shegong/stations/urls.py appends qr_urls): the tests use this configuration so they run before and after that
wiring alike. Where the real configuration already has a route, it is the one used."""

from django.urls import NoReverseMatch, include, path, reverse

from shegong import urls as site
from shegong.stations import public_views, qr_urls
from shegong.stations import urls as stations_urls


def _routed(name: str, *args) -> bool:
    try:
        reverse(name, args=args, urlconf=site)
    except NoReverseMatch:
        return False
    return True


_stations = list(stations_urls.urlpatterns)
if not _routed("stations:qr", "x", "png"):
    _stations += qr_urls.urlpatterns

urlpatterns = [
    pattern
    for pattern in site.urlpatterns
    if getattr(pattern, "app_name", None) != "stations" and getattr(pattern, "namespace", None) != "stations"
]
urlpatterns.append(path("stations/", include((_stations, "stations"))))
if not _routed("public_page", "x"):
    urlpatterns.insert(0, path("s/<str:code>/", public_views.public_page, name="public_page"))

handler400 = site.handler400
handler403 = site.handler403
handler404 = site.handler404
handler500 = site.handler500
