from django.urls import path

from shegong.timebank import views

app_name = "timebank"

urlpatterns = [
    path("", views.account_list, name="accounts"),
    path("export/", views.account_export, name="export"),
    path("open/", views.account_open, name="account_open"),
    path("my/", views.my_timebank, name="my"),
    path("my/open/", views.my_open, name="my_open"),
    path("accounts/<int:pk>/", views.account_detail, name="account"),
    path("accounts/<int:pk>/statement.xlsx", views.statement_export, name="statement_export"),
    path("accounts/<int:pk>/donate/", views.donate, name="donate"),
    path("accounts/<int:pk>/family/", views.family, name="family"),
    path("pools/<int:station_pk>/", views.pool_detail, name="pool"),
    path("transfers/<int:pk>/reverse/", views.reverse_transfer, name="reverse"),
    path("offers/", views.offer_board, name="offers"),
    path("offers/new/", views.offer_create, name="offer_create"),
    path("offers/<int:pk>/", views.offer_detail, name="offer"),
    path("offers/<int:pk>/respond/", views.offer_respond, name="offer_respond"),
    path("offers/<int:pk>/confirm/", views.offer_confirm, name="offer_confirm"),
    path("offers/<int:pk>/cancel/", views.offer_cancel, name="offer_cancel"),
]
