from django.urls import path

from shegong.referrals import views

app_name = "referrals"
urlpatterns = [
    path("", views.referral_list, name="list"),
    path("export.xlsx", views.referral_export, name="export"),
    path("incoming/", views.incoming_list, name="incoming"),
    path("incoming/export.xlsx", views.incoming_export, name="incoming_export"),
    path("new/", views.referral_create, name="create"),
    path("<int:pk>/", views.referral_detail, name="detail"),
    path("<int:pk>/<slug:to_state>/", views.referral_move, name="move"),
]
