from django.urls import path

from shegong.evaluations import views

app_name = "evaluations"
urlpatterns = [
    path("", views.evaluation_list, name="list"),
    path("new/", views.evaluation_create, name="create"),
    path("mine/", views.my_forms, name="mine"),
    path("<int:pk>/", views.evaluation_detail, name="detail"),
    path("<int:pk>/assign/", views.evaluation_assign, name="assign"),
    path("<int:pk>/assign/<int:assignment_id>/remove/", views.evaluation_unassign, name="unassign"),
    path("<int:pk>/move/", views.evaluation_move, name="move"),
    path("<int:pk>/surveys/", views.survey_issue, name="survey_issue"),
    path("<int:pk>/surveys/<int:survey_id>/qr.pdf", views.survey_sheet, name="survey_sheet"),
    path("<int:pk>/report/", views.report, name="report"),
    path("<int:pk>/report.pdf", views.report_pdf, name="report_pdf"),
    path("<int:pk>/report.xlsx", views.report_xlsx, name="report_xlsx"),
    path("forms/<int:assignment_id>/", views.scoring_form, name="form"),
    path("forms/<int:assignment_id>/scores/<int:score_id>/correct/", views.score_correct, name="correct"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence"),
    path("templates/", views.template_list, name="template_list"),
    path("templates/new/", views.template_create, name="template_create"),
    path("templates/<int:pk>/", views.template_detail, name="template_detail"),
    path("templates/<int:pk>/copy/", views.template_copy, name="template_copy"),
    path("templates/<int:pk>/edit/", views.template_edit, name="template_edit"),
    path("templates/<int:pk>/weights/", views.template_weights, name="template_weights"),
    path("templates/<int:pk>/nodes/", views.node_add, name="node_add"),
    path("templates/<int:pk>/nodes/<int:node_id>/remove/", views.node_remove, name="node_remove"),
    path("templates/<int:pk>/groups/", views.group_set, name="group_set"),
]
