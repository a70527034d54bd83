from django.apps import AppConfig
from django.urls import register_converter


class CoreConfig(AppConfig):
    """The site's infrastructure (page cache, sessions, renditions, mail, forms);
    it has no pages and no models."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "core"

    def ready(self):
        from . import signals
        from .converters import Id64Converter

        signals.connect()
        register_converter(Id64Converter, "id64")
