"""Demo content: the site root, the admin login, and the image helper apps share."""

import colorsys
import io
import os
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.images import ImageFile
from PIL import Image as PILImage
from PIL import ImageDraw
from wagtail.images import get_image_model
from wagtail.models import Site

from .models import HomePage

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


def _admin_password_file():
    return settings.BASE_DIR / ".local" / "admin-password"


def ensure_admin(command) -> None:
    User = get_user_model()
    password_file = _admin_password_file()
    password = os.environ.get("ADMIN_PASSWORD")
    user = User.objects.filter(username=ADMIN_USERNAME).first()
    if user is None:
        password = password or secrets.token_urlsafe(12)
        User.objects.create_superuser(ADMIN_USERNAME, "admin@example.com", password)
        password_file.parent.mkdir(parents=True, exist_ok=True)
        password_file.write_text(password)
        password_file.chmod(0o600)
    elif password:
        user.set_password(password)
        user.save(update_fields=["password"])
        password_file.write_text(password)
    elif password_file.exists():
        password = password_file.read_text().strip()
    shown = password or "(unchanged; set ADMIN_PASSWORD to reset it)"
    command.stdout.write(
        command.style.SUCCESS(
            f"Admin login: username {ADMIN_USERNAME!r}, password {shown!r}"
        )
    )


def load(command) -> None:
    ensure_admin(command)
    home = HomePage.objects.first()
    if home is None:
        return
    if not home.hero_title:
        home.hero_title = "Stories, pictures and things we make"
        home.hero_text = (
            "Read the blog, browse the community's image bookmarks, and shop the "
            "catalog — all in one place."
        )
        home.hero_image = demo_image("Home hero", seed=3, size=(1600, 600))
        home.save_revision().publish()
    site = Site.objects.filter(is_default_site=True).first()
    if site and site.site_name != settings.WAGTAIL_SITE_NAME:
        site.site_name = settings.WAGTAIL_SITE_NAME
        site.save(update_fields=["site_name"])
    command.stdout.write("home: site root ready")
