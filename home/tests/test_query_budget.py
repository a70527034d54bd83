"""An uncached home page costs a fixed number of queries whatever the data."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from blog.tests.factories import BlogIndexPageFactory, BlogPageFactory
from core.cache_tags import SITE, invalidate
from core.demo import site_root_page
from core.renditions import renditions_create
from gallery.tests.factories import BookmarkFactory, ImageFactory
from shop.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db

# site, home page, its ancestors, their view restrictions (Wagtail's serve);
# latest posts (author, cover joined, tags as an array), their renditions;
# products (category, image joined), renditions; bookmarks (owner, image), renditions
HOME_QUERIES = 10
# With its sections' fragments cached (core.cache_tags): Wagtail's serve only.
HOME_QUERIES_FRAGMENTS_WARM = 4


def _grow(total: int, index, image) -> None:
    from blog.models import BlogPage
    from gallery.models import Bookmark
    from shop.models import Product

    while BlogPage.objects.count() < total:
        BlogPageFactory(parent=index, cover_image=image, tags=["a", "b"])
    while Product.objects.count() < total:
        ProductFactory(image=image)
    while Bookmark.objects.count() < total:
        BookmarkFactory(image=image)


def _count(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/")
    assert response.status_code == 200
    return len(captured)


def test_home_page_queries_are_flat_and_within_budget(client, settings):
    settings.PAGE_CACHE_ENABLED = False  # the render's budget; a cache hit costs 0
    index = BlogIndexPageFactory(parent=site_root_page())
    image = ImageFactory()
    for _label, (_field, specs) in settings.PRERENDER_RENDITIONS.items():
        renditions_create(image_id=image.pk, specs=specs)  # as the worker does
    measured, warm = {}, {}
    for total in (3, 30):
        _grow(total, index, image)
        client.get("/")  # warm: Wagtail's site root paths, the fragments
        warm[total] = _count(client)
        invalidate(SITE)  # every fragment stale: the whole render
        measured[total] = _count(client)
    assert measured[3] == measured[30] == HOME_QUERIES, measured
    assert warm[3] == warm[30] == HOME_QUERIES_FRAGMENTS_WARM, warm
