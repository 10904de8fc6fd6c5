from django.urls import path

from shegong.projects import views

app_name = "projects"
urlpatterns = [
    path("", views.project_list, name="list"),
    path("export/<slug:what>/", views.project_export, name="export"),
    path("new/", views.project_create, name="create"),
    path("non-compliant/", views.failing, name="failing"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("<int:pk>/edit/", views.project_edit, name="edit"),
    path("<int:pk>/contractor/", views.project_contractor, name="contractor"),
    path("<int:pk>/move/", views.project_move, name="move"),
    path("<int:pk>/spending/", views.spending, name="spending"),
    path("<int:pk>/staff/new/", views.staff_add, name="staff_add"),
    path("<int:pk>/staff/<int:member_pk>/end/", views.staff_end, name="staff_end"),
    path("<int:pk>/staff/<int:member_pk>/remove/", views.staff_remove, name="staff_remove"),
]
