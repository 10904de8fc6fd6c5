app_name = "recipients"
urlpatterns: list = []
