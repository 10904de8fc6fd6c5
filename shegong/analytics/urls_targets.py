"""The target pages, mounted by analytics/urls.py at targets/ in the analytics namespace."""

from django.urls import path

from shegong.analytics import views_targets

urlpatterns = [
    path("", views_targets.targets, name="targets"),
    path("new/", views_targets.target_create, name="target_create"),
    path("preset/", views_targets.target_preset, name="target_preset"),
    path("<int:pk>/", views_targets.target_edit, name="target_edit"),
    path("<int:pk>/delete/", views_targets.target_delete, name="target_delete"),
]
