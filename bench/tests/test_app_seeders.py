"""The app seeders at a small scale: counts, idempotence, the search index, and the
pages rendering with the seeded data."""

import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from taggit.models import Tag
from wagtail.models import Page
from wagtail.search.models import IndexEntry

from accounts.bench_seed import bench_members
from accounts.models import Contact
from blog.bench_seed import SLUG_PREFIX, path_step, step_number
from blog.models import BlogIndexPage, BlogPage, Comment
from gallery import counters
from gallery.bench_seed import bench_bookmarks
from orders.bench_seed import bench_orders
from orders.models import OrderItem
from shop.bench_seed import bench_products
from shop.models import Category, Product

SCALE = "0.01"


@pytest.fixture
def clean_ranking():
    yield
    counters.clear()


def seed(scale=SCALE) -> str:
    out = StringIO()
    call_command("seed_bench", "--scale", scale, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        "members": bench_members().count(),
        "follows": Contact.objects.filter(user_from__in=bench_members()).count(),
        "posts": BlogPage.objects.filter(slug__startswith=SLUG_PREFIX).count(),
        "comments": Comment.objects.filter(email__endswith="@bench.example").count(),
        "products": bench_products().count(),
        "categories": Category.objects.filter(slug__startswith="bench-").count(),
        "orders": bench_orders().count(),
        "items": OrderItem.objects.filter(order__in=bench_orders()).count(),
        "bookmarks": bench_bookmarks().count(),
        "index": IndexEntry.objects.count(),
    }


def test_treebeard_steps_are_base36_with_four_characters():
    assert path_step(1) == "0001"
    assert path_step(36) == "0010"
    assert path_step(36**4 - 1) == "ZZZZ"
    assert step_number(path_step(12345)) == 12345


@pytest.mark.django_db
def test_seeding_at_a_small_scale_is_idempotent_and_pages_render(
    client, django_assert_max_num_queries, clean_ranking
):
    output = seed()
    first = counts()
    seed()

    assert counts() == first
    assert first["members"] == 10
    assert first["follows"] == 10 * 9  # everyone follows the 9 others
    assert first["posts"] == 100
    assert first["comments"] == 500
    assert first["products"] == 50
    assert first["categories"] == 1
    assert first["orders"] == 1000
    assert 1000 <= first["items"] <= 4000
    assert first["bookmarks"] == 200
    assert "Bench data is ready." in output

    # The tree is consistent: treebeard finds the posts under the index.
    index = BlogIndexPage.objects.get()
    assert index.get_children().count() == 100
    assert Page.objects.get(pk=index.pk).numchild == 100
    post = BlogPage.objects.live().filter(slug__startswith=SLUG_PREFIX).last()
    assert post.tags.count() in (2, 3)
    # Every seeded row was indexed, and site search finds posts, products, bookmarks.
    assert len(BlogPage.objects.live().search(post.title)) >= 1
    product = bench_products().first()
    assert product in list(Product.objects.search(product.name))

    pages = [
        "/blog/",
        post.url,
        f"/blog/tag/{post.tags.first().slug}/",
        "/blog/feed/",
        "/shop/",
        product.get_absolute_url(),
        "/gallery/",
        bench_bookmarks().first().get_absolute_url(),
        "/gallery/ranking/",
        "/search/?q=django",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url

    member = get_user_model().objects.get(username="bench-member-1")
    client.force_login(member)
    response = client.get("/account/")
    assert response.status_code == 200
    assert b"bookmarked" in response.content


@pytest.mark.django_db
def test_a_larger_post_scale_adds_only_posts(monkeypatch, clean_ranking):
    seed()
    before = counts()
    monkeypatch.setenv("BENCH_POST_SCALE", "0.02")

    seed()

    after = counts()
    assert after["posts"] == 200
    assert {k: v for k, v in after.items() if k not in ("posts", "index")} == {
        k: v for k, v in before.items() if k not in ("posts", "index")
    }
    assert after["index"] == before["index"] + 100
    assert Tag.objects.filter(name="alpha").exists()


def entry(obj) -> tuple:
    """An object's index entry, tsvectors as PostgreSQL prints them."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT title::text, autocomplete::text, body::text, title_text, "
            "body_text FROM wagtailsearch_indexentry "
            "WHERE content_type_id = %s AND object_id = %s",
            [ContentType.objects.get_for_model(obj).pk, str(obj.pk)],
        )
        return cursor.fetchone()


@pytest.mark.django_db
def test_set_based_index_fill_matches_the_backends_own_indexing(clean_ranking):
    """The INSERT … SELECT of the seeders writes, for each model, exactly the entry
    modelsearch's add_items (update_index) writes: same vectors, weights, positions
    and plain texts, hence the same ranking."""
    from modelsearch.backends import get_search_backend

    seed()
    post = BlogPage.objects.filter(slug__startswith=SLUG_PREFIX).first()
    post = BlogPage.objects.get(pk=post.pk)
    assert post.tags.count() >= 2  # the tags' order matters for positions
    objects = [post, bench_products().first(), bench_bookmarks().first()]
    index = get_search_backend().get_index_for_model(BlogPage)

    for obj in objects:
        set_based = entry(obj)
        assert set_based is not None and all(part is not None for part in set_based)
        index.add_items(type(obj), [obj])
        by_backend = entry(obj)
        assert set_based == by_backend, type(obj).__name__
    # And the weights really differ by field (title A, intro/tags C, body D).
    title, _, body, _, _ = entry(post)
    assert re.fullmatch(r"('[^']+':[0-9A,]+A ?)+", title)
    assert re.search(r":\d+C", body) and re.search(r":\d+(,|\s|$)", body)
