from django.urls import include, path
from django.views.i18n import JavaScriptCatalog, set_language

from shegong.api import api
from shegong.stations import public_views

urlpatterns = [
    path("", include("shegong.web.urls")),
    path("accounts/", include("shegong.accounts.urls")),
    path("core/", include("shegong.core.urls")),
    path("regions/", include("shegong.regions.urls")),
    path("audit/", include("shegong.audit.urls")),
    path("policies/", include("shegong.policies.urls")),
    path("refdata/", include("shegong.refdata.urls")),
    path("tabular/", include("shegong.tabular.urls")),
    path("agencies/", include("shegong.agencies.urls")),
    path("workers/", include("shegong.workers.urls")),
    path("registration/", include("shegong.registration.urls")),
    path("talent/", include("shegong.talent.urls")),
    path("recruitment/", include("shegong.recruitment.urls")),
    path("stations/", include("shegong.stations.urls")),
    path("projects/", include("shegong.projects.urls")),
    path("evaluations/", include("shegong.evaluations.urls")),
    path("inspections/", include("shegong.inspections.urls")),
    path("recipients/", include("shegong.recipients.urls")),
    path("inbox/", include("shegong.inbox.urls")),
    path("persontimes/", include("shegong.persontimes.urls")),
    path("casework/", include("shegong.casework.urls")),
    path("groupwork/", include("shegong.groupwork.urls")),
    path("referrals/", include("shegong.referrals.urls")),
    path("requests/", include("shegong.servicerequests.urls")),
    path("volunteers/", include("shegong.volunteers.urls")),
    path("volunteering/", include("shegong.volunteering.urls")),
    path("timebank/", include("shegong.timebank.urls")),
    path("charity/", include("shegong.charity.urls")),
    path("analytics/", include("shegong.analytics.urls")),
    # The anonymous satisfaction questionnaire behind a link or QR code (one answer per token).
    path("q/", include("shegong.evaluations.public_urls")),
    # The public check of a volunteer service certificate (志愿服务记录证明) by its number.
    path("v/", include("shegong.volunteers.public_urls")),
    # The short address behind every station's and community's QR code (seed 001 "码上办").
    path("s/<str:code>/", public_views.public_page, name="public_page"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/v1/", api.urls),
]

handler400 = "shegong.web.views.bad_request"
handler403 = "shegong.web.views.permission_denied"
handler404 = "shegong.web.views.page_not_found"
handler500 = "shegong.web.views.server_error"
