from django.urls import path

from shegong.regions import views

app_name = "regions"
urlpatterns = [
    path("", views.browser, name="browser"),
    path("picker/options/", views.picker_options, name="picker_options"),
    path("<str:code>/", views.detail, name="detail"),
]
