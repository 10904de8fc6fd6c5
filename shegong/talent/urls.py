from django.urls import path

from shegong.talent import views

app_name = "talent"
urlpatterns = [
    path("supervisors/", views.supervisor_list, name="supervisor_list"),
    path("supervisors/export/", views.supervisor_export, name="supervisor_export"),
    path("supervisors/new/", views.supervisor_create, name="supervisor_create"),
    path("supervisors/<int:pk>/", views.supervisor_detail, name="supervisor_detail"),
    path("supervisors/<int:pk>/grade/", views.supervisor_change_grade, name="supervisor_change_grade"),
    path("supervisors/<int:pk>/sessions/new/", views.session_create, name="session_create"),
    path("sessions/", views.session_list, name="session_list"),
    path("sessions/export/", views.session_export, name="session_export"),
    path("sessions/<int:pk>/delete/", views.session_delete, name="session_delete"),
    path("leading-talents/", views.leading_list, name="leading_list"),
    path("leading-talents/export/", views.leading_export, name="leading_export"),
    path("leading-talents/new/", views.leading_create, name="leading_create"),
    path("leading-talents/<int:pk>/delete/", views.leading_delete, name="leading_delete"),
    path("honours/", views.honour_list, name="honour_list"),
    path("honours/export/", views.honour_export, name="honour_export"),
    path("honours/new/", views.honour_create, name="honour_create"),
    path("honours/<int:pk>/delete/", views.honour_delete, name="honour_delete"),
]
