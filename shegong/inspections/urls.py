from django.urls import path

from shegong.inspections import views

app_name = "inspections"
urlpatterns = [
    path("", views.item_list, name="item_list"),
    path("export/", views.item_export, name="item_export"),
    path("items/<int:pk>/", views.item_detail, name="item_detail"),
    path("items/<int:pk>/evidence/", views.item_submit, name="item_submit"),
    path("items/<int:pk>/review/", views.item_review, name="item_review"),
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/new/", views.plan_create, name="plan_create"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/delete/", views.plan_delete, name="plan_delete"),
    path("plans/<int:pk>/targets/", views.plan_add_target, name="plan_add_target"),
    path("plans/<int:pk>/targets/template.xlsx", views.plan_target_template, name="plan_target_template"),
    path("plans/<int:pk>/sample/", views.plan_sample, name="plan_sample"),
    path("visits/", views.inspection_list, name="inspection_list"),
    path("visits/export/", views.inspection_export, name="inspection_export"),
    path("visits/<int:pk>/", views.inspection_detail, name="inspection_detail"),
    path("visits/<int:pk>/remove/", views.inspection_remove, name="inspection_remove"),
    path("visits/<int:pk>/record/", views.inspection_record, name="inspection_record"),
    path("visits/<int:pk>/findings/", views.finding_add, name="finding_add"),
    path("visits/<int:pk>/correct/", views.inspection_correct, name="inspection_correct"),
    path("findings/<int:pk>/rectification/", views.item_create, name="item_create"),
    path("files/<int:pk>/", views.attachment, name="attachment"),
]
