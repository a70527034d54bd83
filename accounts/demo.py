"""Demo members who follow each other (`manage.py load_demo`; idempotent, offline).

The gallery's demo looks these usernames up to give them bookmarks and likes.
"""

import colorsys
import io

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from PIL import Image, ImageDraw

from .models import Action, Contact, Profile

# username, first name, last name. Password: "demo-pass-<username>" (see README).
MEMBERS = [
    ("ann", "Ann", "Archer"),
    ("bob", "Bob", "Baker"),
    ("chloe", "Chloe", "Carter"),
    ("dev", "Dev", "Desai"),
    ("eva", "Eva", "Evans"),
]


def demo_password(username: str) -> str:
    return f"demo-pass-{username}"


def _photo_bytes(seed: int, initial: str) -> bytes:
    """A 256 px JPEG: a coloured disc with the member's initial, drawn by Pillow."""
    size = 256
    hue = (seed * 0.21) % 1.0
    background = tuple(int(c * 255) for c in colorsys.hsv_to_rgb(hue, 0.5, 0.9))
    ink = tuple(int(c * 255) for c in colorsys.hsv_to_rgb(hue, 0.8, 0.35))
    picture = Image.new("RGB", (size, size), background)
    draw = ImageDraw.Draw(picture)
    draw.ellipse([40, 40, size - 40, size - 40], fill=ink)
    draw.text(
        (size // 2, size // 2),
        initial,
        fill=(255, 255, 255),
        anchor="mm",
        font_size=110,
    )
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


def _action_once(*, user, verb: Action.Verb, target=None) -> None:
    """Record the action unless it exists at all (reruns after a minute add none)."""
    lookup = {"user": user, "verb": verb}
    if target is not None:
        lookup.update(
            target_ct=ContentType.objects.get_for_model(target), target_id=target.pk
        )
    if not Action.objects.filter(**lookup).exists():
        Action.objects.create(user=user, verb=verb, target=target)


def load(command) -> None:
    User = get_user_model()
    users = []
    for seed, (username, first_name, last_name) in enumerate(MEMBERS):
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "email": f"{username}@example.com",
                "first_name": first_name,
                "last_name": last_name,
            },
        )
        # Only a member created now gets the demo password: an existing account
        # (a real member who happens to be called ann) keeps its own, or none.
        if created:
            user.set_password(demo_password(username))
            user.save(update_fields=["password"])
        if not user.first_name:  # created bare by another app's demo
            user.first_name, user.last_name = first_name, last_name
            user.email = user.email or f"{username}@example.com"
            user.save(update_fields=["first_name", "last_name", "email"])
        profile, _ = Profile.objects.get_or_create(user=user)
        if not profile.photo:
            profile.photo.save(
                f"demo-{username}.jpg",
                ContentFile(_photo_bytes(seed, first_name[0])),
                save=True,
            )
        _action_once(user=user, verb=Action.Verb.ACCOUNT_CREATED)
        users.append(user)

    # Everyone follows the next two members round the circle, so each has
    # two followers and follows two.
    for index, user_from in enumerate(users):
        for step in (1, 2):
            user_to = users[(index + step) % len(users)]
            Contact.objects.get_or_create(user_from=user_from, user_to=user_to)
            _action_once(user=user_from, verb=Action.Verb.FOLLOWING, target=user_to)
    command.stdout.write(
        f"accounts: {len(users)} demo members ({', '.join(u.username for u in users)}),"
        " password demo-pass-<username>"
    )
