from django.urls import path

from shegong.core import views

app_name = "core"
urlpatterns = [
    path("reveal/<str:model_label>/<str:pk>/<str:field_name>/", views.reveal, name="reveal"),
]
