from django.urls import path  # noqa: F401 - routes arrive with the feature

app_name = "orders"

urlpatterns: list = []
