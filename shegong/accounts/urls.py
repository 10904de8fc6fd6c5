from django.urls import path

from shegong.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("profile/", views.profile, name="profile"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
]
