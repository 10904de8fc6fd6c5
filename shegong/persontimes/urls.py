from django.urls import path

from shegong.persontimes import views

app_name = "persontimes"
urlpatterns = [
    path("", views.summary, name="summary"),
    path("export.xlsx", views.export, name="export"),
]
