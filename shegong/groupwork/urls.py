from django.urls import path

from shegong.groupwork import views

app_name = "groupwork"
urlpatterns = [
    path("groups/", views.group_list, name="group_list"),
    path("groups/export.xlsx", views.group_export, name="group_export"),
    path("groups/new/", views.group_create, name="group_create"),
    path("groups/<int:pk>/", views.group_detail, name="group_detail"),
    path("groups/<int:pk>/edit/", views.group_edit, name="group_edit"),
    path("groups/<int:pk>/move/", views.group_move, name="group_move"),
    path("groups/<int:pk>/members/new/", views.member_add, name="member_add"),
    path("groups/<int:pk>/members/<int:member_pk>/leave/", views.member_leave, name="member_leave"),
    path("groups/<int:pk>/sessions/new/", views.session_create, name="session_create"),
    path("groups/<int:pk>/sessions/<int:session_pk>/", views.session_edit, name="session_edit"),
    path("groups/<int:pk>/sessions/<int:session_pk>/delete/", views.session_delete, name="session_delete"),
    path("activities/", views.activity_list, name="activity_list"),
    path("activities/export.xlsx", views.activity_export, name="activity_export"),
    path("activities/new/", views.activity_create, name="activity_create"),
    path("activities/<int:pk>/", views.activity_detail, name="activity_detail"),
    path("activities/<int:pk>/edit/", views.activity_edit, name="activity_edit"),
]
