from django.urls import path

from shegong.volunteering import views

app_name = "volunteering"

urlpatterns = [
    path("", views.need_list, name="need_list"),
    path("export/", views.need_export, name="need_export"),
    path("new/<str:kind>/<int:target_pk>/", views.need_create, name="need_create"),
    path("<int:pk>/", views.need_detail, name="need_detail"),
    path("<int:pk>/edit/", views.need_edit, name="need_edit"),
    path("<int:pk>/status/", views.need_status, name="need_status"),
    path("<int:pk>/shifts/", views.shift_add, name="shift_add"),
    path("<int:pk>/signups/<int:signup_pk>/decide/", views.signup_decide, name="signup_decide"),
    path("<int:pk>/signups/<int:signup_pk>/hours/", views.hours_confirm, name="hours_confirm"),
    path("linkage/", views.linkage_list, name="linkage_list"),
    path("linkage/<int:station_pk>/", views.linkage_station, name="linkage_station"),
    path("linkage/<int:station_pk>/export/", views.linkage_export, name="linkage_export"),
    path("near/", views.near_list, name="near_list"),
    path("near/<int:pk>/", views.near_detail, name="near_detail"),
    path("near/<int:pk>/shifts/<int:shift_pk>/signup/", views.signup_create, name="signup_create"),
    path("mine/", views.my_signups, name="my_signups"),
    path("mine/<int:signup_pk>/withdraw/", views.signup_withdraw, name="signup_withdraw"),
    path("c/<str:code>/", views.checkin, name="checkin"),
]
