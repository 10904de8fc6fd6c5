from django.urls import path, register_converter

from shegong.stations import qr_urls, views


class StationCodeConverter:
    """A station code (services.KIND_LETTERS: a capital letter, the region's digits, maybe "-2"); upper case, so
    it never takes the lower-case words of the fixed paths (network/, new/ …)."""

    regex = "[A-Z0-9][A-Z0-9-]{0,15}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(StationCodeConverter, "station")

app_name = "stations"
urlpatterns = [
    path("", views.station_list, name="list"),
    path("export/", views.station_export, name="export"),
    path("export/<slug:what>/", views.station_related_export, name="export_related"),
    path("new/", views.station_create, name="create"),
    path("network/", views.network, name="network"),
    path("non-compliant/", views.noncompliant, name="noncompliant"),
    path("presence/worker/<int:worker_id>/", views.worker_presence, name="worker_presence"),
    path("<station:code>/", views.station_detail, name="detail"),
    path("<station:code>/edit/", views.station_edit, name="edit"),
    path("<station:code>/status/", views.station_status, name="status"),
    path("<station:code>/services/new/", views.service_add, name="service_add"),
    path("<station:code>/services/<int:pk>/edit/", views.service_edit, name="service_edit"),
    path("<station:code>/services/<int:pk>/remove/", views.service_remove, name="service_remove"),
    path("<station:code>/services/<int:pk>/move/", views.service_move, name="service_move"),
    path("<station:code>/staff/new/", views.assign, name="assign"),
    path("<station:code>/staff/<int:pk>/edit/", views.assignment_edit, name="assignment_edit"),
    path("<station:code>/staff/<int:pk>/end/", views.assignment_end, name="assignment_end"),
    path("<station:code>/presence/new/", views.check_in, name="check_in"),
]
# The QR codes, posters and the public page (shegong/stations/qr_urls.py).
urlpatterns += qr_urls.urlpatterns
