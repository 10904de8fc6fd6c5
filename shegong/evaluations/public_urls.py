from django.urls import path

from shegong.evaluations import public_views

app_name = "survey"
urlpatterns = [path("<str:token>/", public_views.answer, name="answer")]
