"""Routes of the QR codes, posters and the public page; shegong/stations/urls.py appends these to its own.

The public page is also routed at the site root as the short `/s/<code>/` (shegong/urls.py) for the QR codes.
"""

from django.urls import path

from shegong.stations import posters, public_views

urlpatterns = [
    path("s/<str:code>/", public_views.public_page, name="public_page"),
    path("qr/<str:code>.<str:fmt>", posters.qr_image, name="qr"),
    path("posters/streets/<str:code>.pdf", posters.street_posters_pdf, name="street_posters"),
    path("posters/streets/<str:code>/", posters.street_posters_print, name="street_posters_print"),
    path("posters/<str:code>.pdf", posters.poster_pdf, name="poster"),
    path("posters/<str:code>/", posters.poster_print, name="poster_print"),
]
