"""List thumbnails are rendered ahead of the first list view."""

import time

import pytest
from django.core.management import call_command
from wagtail.images import get_image_model

from core.renditions import picture_specs
from gallery.tests.factories import BookmarkFactory, ImageFactory
from shop.tests.factories import ProductFactory


def _specs(image) -> set[str]:
    return set(image.renditions.values_list("filter_spec", flat=True))


@pytest.mark.django_db
def test_the_command_renders_what_bulk_loads_skipped(capsys):
    image = ImageFactory()
    ProductFactory(image=image)  # in the test transaction: no task enqueued
    assert _specs(image) == set()
    call_command("renditions_pregenerate")
    assert _specs(image) == set(picture_specs("fill-460x306", "max-800x600"))
    call_command("renditions_pregenerate")
    assert "0 images need renditions" in capsys.readouterr().out


@pytest.mark.django_db
def test_a_missing_image_file_is_skipped_not_an_error():
    from core.renditions import renditions_create

    image = ImageFactory()
    image.file.storage.delete(image.file.name)
    assert renditions_create(image_id=image.pk, specs=["fill-400x300"]) == 0
    assert renditions_create(image_id=10**9, specs=["fill-400x300"]) == 0


def test_saving_a_bookmark_renders_its_thumbnails_in_the_worker(celery_worker):
    bookmark = BookmarkFactory()  # committed: the task is enqueued after commit
    image = get_image_model().objects.get(pk=bookmark.image_id)
    deadline = time.monotonic() + 30
    # AVIF and WebP sources and the JPEG fallback of the card and the detail page.
    while _specs(image) != set(picture_specs("fill-400x300", "max-1000x800")):
        assert time.monotonic() < deadline, _specs(image)
        time.sleep(0.2)


def test_renditions_wait_behind_every_other_task():
    """Mails and PDFs (default priority 0) are taken before renditions (9)."""
    from core.tasks import renditions_create
    from orders.tasks import order_confirmation_send

    assert renditions_create._get_exec_options()["priority"] == 9
    assert order_confirmation_send._get_exec_options().get("priority") in (None, 0)


@pytest.mark.django_db
def test_an_image_deleted_meanwhile_is_skipped_not_an_error(monkeypatch):
    from django.db import IntegrityError

    from core.renditions import renditions_create

    image = ImageFactory()

    def deleted_meanwhile(self, *specs):
        raise IntegrityError("violates foreign key constraint")

    monkeypatch.setattr(type(image), "get_renditions", deleted_meanwhile)
    assert renditions_create(image_id=image.pk, specs=["fill-400x300"]) == 0
