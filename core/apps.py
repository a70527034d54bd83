import warnings

from django.apps import AppConfig
from django.conf import settings
from django.urls import register_converter
from PIL import Image


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
        limit_image_pixels()


def limit_image_pixels() -> None:
    """Pillow's own pixel guard, for every Image.open in web and worker processes.

    Wagtail's upload check decodes the image before counting its pixels (Willow
    loads it) and its avatar form resizes uploads: only Pillow's guard, which refuses
    at Image.open time, stops a small file declaring huge dimensions there. Pillow
    raises above twice MAX_IMAGE_PIXELS, so half the site limit puts the refusal
    exactly at WAGTAILIMAGES_MAX_IMAGE_PIXELS. Its warning (from half the limit) says
    nothing the upload paths don't check themselves: silenced.
    """
    Image.MAX_IMAGE_PIXELS = settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS // 2
    warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)
