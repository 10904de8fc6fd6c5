from django.urls import path

from shegong.charity import views

app_name = "charity"
urlpatterns = [
    path("", views.point_list, name="points"),
    path("export.xlsx", views.point_export, name="point_export"),
    path("new/", views.point_create, name="point_create"),
    path("points/<int:pk>/", views.point_ledger, name="ledger"),
    path("points/<int:pk>/status/", views.point_status, name="point_status"),
    path("points/<int:pk>/ledger.xlsx", views.ledger_export, name="ledger_export"),
    path("points/<int:pk>/donate/", views.donation_create, name="donation_create"),
    path("points/<int:pk>/allocate/", views.allocation_create, name="allocation_create"),
    path("donations/", views.donation_list, name="donations"),
    path("donations/export.xlsx", views.donation_export, name="donation_export"),
    path("donations/<int:pk>/receipt/", views.receipt, name="receipt"),
    path("allocations/", views.allocation_list, name="allocations"),
    path("allocations/export.xlsx", views.allocation_export, name="allocation_export"),
    path("public/<str:code>/", views.public_page, name="public"),
]
