from django.urls import include, path

from shegong.analytics import views

app_name = "analytics"
urlpatterns = [
    path("", views.home, name="home"),
    path("region/<str:code>/", views.dashboard, name="dashboard"),
    path("region/<str:code>/indicator/<str:indicator>/", views.indicator, name="indicator"),
    path("indicator/<str:indicator>/", views.country_indicator, name="country_indicator"),
    path("report/", views.report_home, name="report_home"),
    path("report.xlsx", views.download, name="download"),
    path("region/<str:code>/report/", views.report_page, name="report"),
    path("region/<str:code>/report.xlsx", views.report_download, name="report_download"),
    # The targets' pages (目标), in this namespace.
    path("targets/", include("shegong.analytics.urls_targets")),
]
