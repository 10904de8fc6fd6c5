from django.urls import path

from shegong.casework import views

app_name = "casework"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("mine/", views.case_mine, name="mine"),
    path("export.xlsx", views.case_export, name="export"),
    path("new/", views.case_open, name="open"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/intake/", views.intake_edit, name="intake"),
    path("<int:pk>/assessment/", views.assessment_edit, name="assessment"),
    path("<int:pk>/plan/", views.plan_edit, name="plan"),
    path("<int:pk>/goals/new/", views.goal_add, name="goal_add"),
    path("<int:pk>/goals/<int:goal_pk>/", views.goal_edit, name="goal_edit"),
    path("<int:pk>/goals/<int:goal_pk>/delete/", views.goal_delete, name="goal_delete"),
    path("<int:pk>/sessions/new/", views.session_add, name="session_add"),
    path("<int:pk>/sessions/<int:session_pk>/", views.session_edit, name="session_edit"),
    path("<int:pk>/sessions/<int:session_pk>/delete/", views.session_delete, name="session_delete"),
    path("<int:pk>/evaluation/", views.evaluation_edit, name="evaluation"),
    path("<int:pk>/move/", views.case_move, name="move"),
    path("<int:pk>/crisis/", views.crisis_raise, name="crisis"),
    path("<int:pk>/crisis/clear/", views.crisis_clear, name="crisis_clear"),
    path("<int:pk>/review/", views.review_add, name="review"),
]
