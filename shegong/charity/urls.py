app_name = "charity"

urlpatterns: list = []
