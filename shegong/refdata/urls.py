from django.urls import path

from shegong.refdata import views

app_name = "refdata"
urlpatterns = [
    path("", views.dictionary_list, name="dictionary_list"),
    path("<slug:code>/", views.dictionary_detail, name="dictionary_detail"),
    path("<slug:code>/edit/", views.dictionary_edit, name="dictionary_edit"),
    path("<slug:code>/items/new/", views.item_create, name="item_create"),
    path("<slug:code>/items/<slug:item_code>/edit/", views.item_edit, name="item_edit"),
    path("<slug:code>/items/<slug:item_code>/toggle/", views.item_toggle, name="item_toggle"),
    path("<slug:code>/items/<slug:item_code>/move/", views.item_move, name="item_move"),
]
