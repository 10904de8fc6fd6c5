app_name = "servicerequests"

urlpatterns: list = []
