from django.urls import path

from shegong.recruitment import views

app_name = "recruitment"
urlpatterns = [
    path("openings/", views.opening_list, name="opening_list"),
    path("openings/<int:pk>/", views.opening_detail, name="opening_detail"),
    path("openings/<int:pk>/apply/", views.opening_apply, name="opening_apply"),
    path("mine/", views.mine, name="mine"),
    path("manage/", views.manage_list, name="manage_list"),
    path("manage/export/", views.manage_export, name="manage_export"),
    path("manage/new/", views.opening_create, name="opening_create"),
    path("manage/<int:pk>/edit/", views.opening_edit, name="opening_edit"),
    path("manage/<int:pk>/status/", views.opening_status, name="opening_status"),
    path("applications/", views.application_list, name="application_list"),
    path("applications/export/", views.application_export, name="application_export"),
    path("applications/<int:pk>/transition/", views.application_transition, name="application_transition"),
    path("applications/<int:pk>/hire/", views.application_hire, name="application_hire"),
    path("employments/", views.employment_list, name="employment_list"),
    path("employments/export/", views.employment_export, name="employment_export"),
    path("pay/", views.pay_list, name="pay_list"),
    path("pay/export/", views.pay_export, name="pay_export"),
    path("pay/workers/<int:pk>/", views.pay_worker, name="pay_worker"),
    path("pay/<int:pk>/delete/", views.pay_delete, name="pay_delete"),
]
