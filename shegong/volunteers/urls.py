from django.urls import path

from shegong.volunteers import views

app_name = "volunteers"

urlpatterns = [
    path("", views.volunteer_list, name="list"),
    path("export.xlsx", views.volunteer_export, name="export"),
    path("new/", views.volunteer_create, name="create"),
    path("me/", views.my_record, name="me"),
    path("<int:pk>/", views.volunteer_detail, name="detail"),
    path("<int:pk>/edit/", views.volunteer_edit, name="edit"),
    path("<int:pk>/status/", views.volunteer_status, name="status"),
    path("<int:pk>/account/", views.volunteer_account, name="account"),
    path("<int:pk>/add/<str:kind>/", views.volunteer_add, name="add"),
    path("teams/", views.team_list, name="teams"),
    path("teams/export.xlsx", views.team_export, name="team_export"),
    path("teams/new/", views.team_create, name="team_create"),
    path("teams/<int:pk>/", views.team_detail, name="team_detail"),
    path("teams/<int:pk>/edit/", views.team_edit, name="team_edit"),
    path("records/", views.record_list, name="records"),
    path("records/export/", views.record_export, name="record_export"),
    path("records/new/", views.record_create, name="record_create"),
    path("records/<int:pk>/confirm/", views.record_confirm, name="record_confirm"),
    path("records/<int:pk>/correct/", views.record_correct, name="record_correct"),
    path("records/<int:pk>/void/", views.record_void, name="record_void"),
]

# Volunteer service certificates (志愿服务记录证明, helper V1b: shegong/volunteers/certificates.py).
from shegong.volunteers import certificates  # noqa: E402

urlpatterns += [
    path("certificates/", certificates.certificate_list, name="certificate_list"),
    path("certificates/export/", certificates.certificate_export, name="certificate_export"),
    path("certificates/issue/", certificates.certificate_issue_view, name="certificate_issue"),
    path("certificates/mine/", certificates.my_certificates, name="certificate_mine"),
    path("certificates/<int:pk>/", certificates.certificate_detail, name="certificate_detail"),
    path("certificates/<int:pk>/pdf/", certificates.certificate_pdf, name="certificate_pdf"),
    path("certificates/<int:pk>/revoke/", certificates.certificate_revoke_view, name="certificate_revoke"),
]
