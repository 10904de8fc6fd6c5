from django.urls import path

from shegong.tabular import views

app_name = "tabular"
urlpatterns = [
    path("import/<slug:kind>/", views.import_page, name="import"),
    path("import/<slug:kind>/template.xlsx", views.template_download, name="template"),
    path("jobs/<int:pk>/", views.job_page, name="job"),
    path("jobs/<int:pk>/report.xlsx", views.job_report, name="report"),
]
