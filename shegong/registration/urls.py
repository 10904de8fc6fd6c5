from django.urls import path

from shegong.registration import views

app_name = "registration"
urlpatterns = [
    path("", views.registration_list, name="list"),
    path("export.xlsx", views.registration_export, name="export"),
    path("queue/", views.review_queue, name="queue"),
    path("expiring/", views.expiring_list, name="expiring"),
    path("expiring/export.xlsx", views.expiring_export, name="expiring_export"),
    path("<int:pk>/", views.registration_detail, name="detail"),
    path("<int:pk>/first-review/", views.first_review, name="first_review"),
    path("<int:pk>/final-review/", views.final_review, name="final_review"),
    path("<int:pk>/register/", views.register, name="register"),
    path("<int:pk>/renew/", views.renew, name="renew"),
    path("certificates/<int:pk>/submit/", views.submit, name="submit"),
    path("workers/<int:pk>/", views.worker_page, name="worker"),
    path("workers/<int:pk>/training/new/", views.training_create, name="training_create"),
    path("mine/", views.mine, name="mine"),
    path("training/", views.training_list, name="training_list"),
    path("training/export.xlsx", views.training_export, name="training_export"),
    path("training/<int:pk>/edit/", views.training_edit, name="training_edit"),
    path("training/<int:pk>/verify/", views.training_verify, name="training_verify"),
    path("training/<int:pk>/delete/", views.training_delete, name="training_delete"),
    path("training/<int:pk>/evidence/", views.training_evidence, name="training_evidence"),
]
