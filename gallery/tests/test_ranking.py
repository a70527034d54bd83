"""View counts and the ranking against the real Redis; a dead Redis degrades."""

import logging

import pytest

from gallery import counters

from .factories import BookmarkFactory

pytestmark = pytest.mark.django_db

DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def test_each_detail_view_counts_in_redis(client):
    bookmark = BookmarkFactory()
    for _ in range(3):
        client.get(bookmark.get_absolute_url())
    redis = counters.get_client()
    assert redis.get(counters.views_key(bookmark.pk)) == "3"
    assert redis.zscore(counters.ranking_key(), str(bookmark.pk)) == 3


def test_ranking_orders_by_views(client, django_assert_num_queries):
    first, second, third = (BookmarkFactory(title=t) for t in ("One", "Two", "Three"))
    for bookmark, views in ((first, 1), (second, 5), (third, 3)):
        for _ in range(views):
            client.get(bookmark.get_absolute_url())
    with django_assert_num_queries(1):
        response = client.get("/gallery/ranking/")
    html = response.content.decode()
    assert html.index("Two") < html.index("Three") < html.index("One")
    assert "5</span> views" in html


def test_ranking_shows_top_ten_and_skips_deleted(client):
    bookmarks = [BookmarkFactory(title=f"Ranked {n:02d}") for n in range(12)]
    for n, bookmark in enumerate(bookmarks):
        counters.views_set(bookmark_id=bookmark.pk, views=n + 1)
    html = client.get("/gallery/ranking/").content.decode()
    assert "Ranked 11" in html and "Ranked 02" in html
    assert "Ranked 01" not in html  # 11th
    gone = str(bookmarks[11].pk)
    bookmarks[11].delete()  # forgotten in Redis by the post_delete receiver
    assert counters.get_client().zscore(counters.ranking_key(), gone) is None
    html = client.get("/gallery/ranking/").content.decode()
    assert "Ranked 11" not in html
    assert "Ranked 01" in html


def test_pages_render_when_redis_is_unreachable(client, settings, caplog):
    bookmark = BookmarkFactory(title="Still here")
    settings.GALLERY_REDIS_URL = DEAD_REDIS
    with caplog.at_level(logging.ERROR, logger="gallery.counters"):
        detail = client.get(bookmark.get_absolute_url())
        ranking = client.get("/gallery/ranking/")
    assert detail.status_code == 200
    assert "Views: unavailable" in detail.content.decode()
    assert ranking.status_code == 200
    assert "unavailable" in ranking.content.decode()
    messages = [r.getMessage() for r in caplog.records]
    assert any("Could not record a view" in m for m in messages)
    assert any("Could not read the bookmark ranking" in m for m in messages)
    # Deleting a bookmark still works with Redis away.
    bookmark.delete()
