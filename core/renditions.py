"""Rendition pre-generation: list pages never resize images while a visitor waits.

Which renditions each model's pages use is declared in settings.PRERENDER_RENDITIONS
({"app_label.Model": (image field, [filter specs])}). A save of such a model enqueues
`core.tasks.renditions_create` after commit; `manage.py renditions_pregenerate`
fills in what bulk loads (seeders, imports) skipped.

Pages show images as `<picture>` (AVIF, then WebP, with a JPEG `<img>` fallback):
`{% picture image fill-600x400 format-{avif,webp,jpeg} %}` asks for the three specs
`picture_specs("fill-600x400")` returns, and those are what PRERENDER_RENDITIONS
lists and list pages prefetch.
"""

import logging

from django.apps import apps
from django.conf import settings
from django.db import IntegrityError
from wagtail.images import get_image_model

logger = logging.getLogger(__name__)

# In the order of Wagtail's <source> elements; the last is the <img> fallback.
PICTURE_FORMATS = ("avif", "webp", "jpeg")


def picture_specs(*sizes: str) -> list[str]:
    """The filter specs of `{% picture image SIZE format-{avif,webp,jpeg} %}`."""
    return [f"{size}|format-{fmt}" for size in sizes for fmt in PICTURE_FORMATS]


def renditions_create(*, image_id: int, specs: list[str]) -> int:
    """Create the missing renditions of one image; returns how many specs it has now
    (0 when the image is gone or its file cannot be read)."""
    image = get_image_model().objects.filter(pk=image_id).first()
    if image is None:
        return 0
    try:
        return len(image.get_renditions(*specs))
    except (OSError, ValueError):  # missing or corrupt file: the page shows alt text
        logger.warning("Could not render image %s as %s", image_id, specs)
        return 0
    except IntegrityError:  # the image was deleted while its renditions were made
        logger.warning("Image %s was deleted while rendering %s", image_id, specs)
        return 0


def renditions_missing() -> dict[int, set[str]]:
    """{image id: specs} still to render for every model in PRERENDER_RENDITIONS."""
    Rendition = get_image_model().get_rendition_model()  # noqa: N806
    wanted: dict[int, set[str]] = {}
    for label, (field, specs) in settings.PRERENDER_RENDITIONS.items():
        model = apps.get_model(label)
        image_ids = (
            model._default_manager.exclude(**{f"{field}__isnull": True})
            .values_list(f"{field}_id", flat=True)
            .distinct()
        )
        for image_id in image_ids.iterator(chunk_size=2000):
            wanted.setdefault(image_id, set()).update(specs)
    if not wanted:
        return {}
    existing = Rendition.objects.filter(image_id__in=list(wanted)).values_list(
        "image_id", "filter_spec"
    )
    for image_id, spec in existing.iterator(chunk_size=2000):
        wanted[image_id].discard(spec)
    return {image_id: specs for image_id, specs in wanted.items() if specs}
