"""Demo content of the home app: the site root's hero and the admin login."""

import os
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from wagtail.models import Site

from core.demo import ADMIN_USERNAME, demo_image

from .models import HomePage


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
