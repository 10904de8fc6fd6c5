from django.urls import path

from shegong.volunteers import public_views

app_name = "certificate_verify"
urlpatterns = [
    path("", public_views.lookup, name="lookup"),
    path("<str:number>/", public_views.verify, name="verify"),
]
