from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The site's infrastructure (page cache, sessions, renditions, mail, forms);
    it has no pages and no models."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "core"

    def ready(self):
        from . import signals

        signals.connect()
