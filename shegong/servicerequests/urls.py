from django.urls import path

from shegong.servicerequests import public_views, views

app_name = "servicerequests"
urlpatterns = [
    # The resident's side (no account).
    path("new/<str:code>/", public_views.request_new, name="new"),
    path("track/", public_views.track_lookup, name="track_lookup"),
    path("track/<str:code>/", public_views.track, name="track"),
    # Staff.
    path("", views.request_list, name="list"),
    path("export.xlsx", views.request_export, name="export"),
    path("queue/", views.request_queue, name="queue"),
    path("queue/match/", views.request_match, name="match"),
    path("capacities/", views.capacity_list, name="capacities"),
    path("capacities/<int:worker_id>/", views.capacity_edit, name="capacity_edit"),
    path("mine/", views.my_requests, name="mine"),
    path("<int:pk>/", views.request_detail, name="detail"),
    path("<int:pk>/assign/", views.request_assign, name="assign"),
    path("<int:pk>/dismiss/", views.request_dismiss, name="dismiss"),
    path("<int:pk>/accept/", views.request_accept, name="accept"),
    path("<int:pk>/decline/", views.request_decline, name="decline"),
    path("<int:pk>/close/", views.request_close, name="close"),
    path("<int:pk>/case/", views.request_open_case, name="open_case"),
]
