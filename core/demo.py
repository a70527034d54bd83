"""Helpers the apps' demo and bench data share: generated images, the site root and
the demo admin's username."""

import colorsys
import io

from django.core.files.images import ImageFile
from PIL import Image as PILImage
from PIL import ImageDraw
from wagtail.images import get_image_model
from wagtail.models import Page, Site

ADMIN_USERNAME = "admin"


def demo_image(title: str, *, seed: int = 0, size: tuple[int, int] = (1200, 800)):
    """Return a Wagtail image called `title`, generating a gradient with Pillow once."""
    Image = get_image_model()
    existing = Image.objects.filter(title=title).first()
    if existing:
        return existing
    width, height = size
    hue = (seed * 0.137) % 1.0
    top = tuple(int(c * 255) for c in colorsys.hsv_to_rgb(hue, 0.55, 0.85))
    bottom = tuple(
        int(c * 255) for c in colorsys.hsv_to_rgb((hue + 0.1) % 1, 0.7, 0.45)
    )
    picture = PILImage.new("RGB", size, top)
    draw = ImageDraw.Draw(picture)
    for y in range(height):
        t = y / max(height - 1, 1)
        colour = tuple(int(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
        draw.line([(0, y), (width, y)], fill=colour)
    for i in range(6):  # a few soft circles so thumbnails are told apart
        r = (seed * 37 + i * 53) % (height // 3) + height // 10
        cx, cy = (seed * 97 + i * 211) % width, (seed * 61 + i * 149) % height
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], outline=(255, 255, 255), width=4)
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", quality=85)
    slug = "".join(ch if ch.isalnum() else "-" for ch in title.lower()).strip("-")
    return Image.objects.create(
        title=title, file=ImageFile(buffer, name=f"demo-{slug[:60]}.jpg")
    )


def site_root_page() -> Page | None:
    """The default site's root page (the home page), or None before one exists.

    Apps hang their index pages under it without importing the home app."""
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    return site.root_page if site else None
