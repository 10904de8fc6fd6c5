from django.urls import path

from shegong.recipients import views

app_name = "recipients"
urlpatterns = [
    path("", views.recipient_list, name="list"),
    path("export.xlsx", views.recipient_export, name="export"),
    path("new/", views.recipient_create, name="create"),
    path("withdrawn/", views.withdrawn_list, name="withdrawn"),
    path("<int:pk>/", views.recipient_detail, name="detail"),
    path("<int:pk>/edit/", views.recipient_edit, name="edit"),
    path("<int:pk>/consent/", views.recipient_consent, name="consent"),
    path("<int:pk>/withdraw/", views.recipient_withdraw, name="withdraw"),
]
