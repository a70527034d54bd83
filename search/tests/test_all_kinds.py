"""Products and bookmarks join the site search through their registry entries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gallery.tests.factories import BookmarkFactory, UserFactory
from shop.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def groups(response):
    return {
        g.source.key: [hit.result for hit in g.hits]
        for g in response.context["outcome"].groups
    }


def test_products_and_bookmarks_are_found_and_grouped(client, blog_index):
    product = ProductFactory(name="Lantern of brass", description="Warm light.")
    hidden = ProductFactory(name="Lantern prototype", available=False)
    bookmark = BookmarkFactory(title="Paper lantern at night")
    response = client.get("/search/", {"q": "lantern"})
    assert response.status_code == 200
    found = groups(response)
    assert found["products"] == [product]
    assert hidden not in found["products"]
    assert found["bookmarks"] == [bookmark]
    html = response.content.decode()
    assert product.get_absolute_url() in html and bookmark.get_absolute_url() in html
    assert "<mark>Lantern</mark>" in html


def test_misspelt_product_name_is_suggested(client, blog_index):
    ProductFactory(name="Espresso grinder")
    response = client.get("/search/", {"q": "espreso"})
    assert response.status_code == 200
    assert "espresso" in response.content.decode().lower()


def _count(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_search_over_every_kind_costs_the_same_at_3_and_30_rows(
    client, blog_index, settings
):
    settings.SEARCH_CACHE_SECONDS = 0  # the render, not a cache hit
    owner = UserFactory()
    counts = []
    for total in (3, 30):
        for n in range(total - (0 if total == 3 else 3)):
            ProductFactory(name=f"Budget lamp {total}-{n}")
            BookmarkFactory(title=f"Budget lamp photo {total}-{n}", owner=owner)
        counts.append(_count(client, "/search/?q=lamp"))
    assert counts[0] == counts[1], counts
    assert counts[0] <= 12, counts
