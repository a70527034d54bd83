import io

import factory
from django.contrib.auth import get_user_model
from PIL import Image

PASSWORD = "correct-Horse-battery-9"


class UserFactory(factory.django.DjangoModelFactory):
    """A member with a usable password (PASSWORD); the profile comes from the signal."""

    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"member{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or PASSWORD)
        if create:
            self.save(update_fields=["password"])


def image_bytes(fmt: str = "JPEG", size=(64, 48), exif: bytes | None = None) -> bytes:
    picture = Image.new("RGB", size, (200, 60, 30))
    buffer = io.BytesIO()
    kwargs = {"exif": exif} if exif is not None else {}
    picture.save(buffer, format=fmt, **kwargs)
    return buffer.getvalue()
