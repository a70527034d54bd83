import factory
import wagtail_factories
from django.contrib.auth import get_user_model

from gallery.models import Bookmark


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"member{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = factory.django.Password("pw-for-tests-123")


class ImageFactory(wagtail_factories.ImageFactory):
    title = factory.Sequence(lambda n: f"Image {n}")
    file = factory.django.ImageField(width=640, height=480, color="teal")


class BookmarkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Bookmark

    owner = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Bookmark number {n}")
    url = factory.Sequence(lambda n: f"https://example.com/{n}.jpg")
    image = factory.SubFactory(ImageFactory)
    description = "A picture found on the web."
