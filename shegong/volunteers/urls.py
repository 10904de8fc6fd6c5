from django.urls import path

app_name = "volunteers"

urlpatterns: list = []

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
