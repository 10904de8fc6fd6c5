from django.urls import path

from shegong.policies import views

app_name = "policies"
urlpatterns = [
    path("", views.profile_list, name="profile_list"),
    path("new/", views.profile_create, name="profile_create"),
    path("lookup/", views.lookup, name="lookup"),
    path("<int:pk>/", views.profile_detail, name="profile_detail"),
    path("<int:pk>/edit/", views.profile_edit, name="profile_edit"),
    path("<int:pk>/delete/", views.profile_delete, name="profile_delete"),
    path("<int:pk>/clone/", views.profile_clone, name="profile_clone"),
    path("<int:pk>/rules/add/", views.rule_add, name="rule_add"),
    path("rules/<int:pk>/edit/", views.rule_edit, name="rule_edit"),
    path("rules/<int:pk>/remove/", views.rule_remove, name="rule_remove"),
]
