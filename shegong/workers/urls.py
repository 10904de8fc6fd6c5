from django.urls import path

from shegong.workers import views

app_name = "workers"
urlpatterns = [
    path("", views.worker_list, name="list"),
    path("export.xlsx", views.worker_export, name="export"),
    path("new/", views.worker_create, name="create"),
    path("me/", views.my_profile, name="me"),
    path("<int:pk>/", views.worker_detail, name="detail"),
    path("<int:pk>/edit/", views.worker_edit, name="edit"),
    path("<int:pk>/certificates/new/", views.certificate_create, name="certificate_create"),
    path("<int:pk>/certificates/<int:certificate_pk>/delete/", views.certificate_delete, name="certificate_delete"),
    path("<int:pk>/credit/new/", views.credit_create, name="credit_create"),
    path("credit/<int:pk>/close/", views.credit_close, name="credit_close"),
    path("credit/<int:pk>/evidence/", views.credit_evidence, name="credit_evidence"),
]
