app_name = "persontimes"

urlpatterns: list = []
