app_name = "groupwork"

urlpatterns: list = []
