from django.apps import AppConfig
from django.urls import register_converter


class OrdersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "orders"

    def ready(self):
        from . import signals  # noqa: F401 - connects the receivers
        from .converters import OrderNumberConverter

        register_converter(OrderNumberConverter, "order_number")
