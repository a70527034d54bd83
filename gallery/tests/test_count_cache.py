"""The gallery's paginator count comes from Redis, and follows creations and
deletions."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gallery import selectors

from .factories import BookmarkFactory, UserFactory

pytestmark = pytest.mark.django_db


def _counts(captured) -> list[str]:
    return [q["sql"] for q in captured if q["sql"].startswith("SELECT COUNT(*)")]


def test_the_list_counts_once_then_follows_creations_and_deletions(client, settings):
    settings.PAGE_CACHE_ENABLED = False
    settings.GALLERY_PAGE_SIZE = 2
    bookmarks = [BookmarkFactory() for _ in range(3)]
    assert client.get("/gallery/").context["page_obj"].paginator.count == 3

    with CaptureQueriesContext(connection) as captured:
        page = client.get("/gallery/?page=2").context["page_obj"]
    assert _counts(captured) == []
    assert page.paginator.count == 3 and len(page.object_list) == 1

    BookmarkFactory()
    assert client.get("/gallery/").context["page_obj"].paginator.num_pages == 2
    assert client.get("/gallery/").context["page_obj"].paginator.count == 4
    bookmarks[0].delete()
    assert client.get("/gallery/").context["page_obj"].paginator.count == 3
    bookmarks[1].users_like.add(UserFactory())  # a like changes no count
    with CaptureQueriesContext(connection) as captured:
        client.get("/gallery/")
    assert _counts(captured) == []


def test_the_count_is_computed_when_redis_is_down(settings):
    BookmarkFactory()
    settings.CACHES = {
        "default": {
            **settings.CACHES["default"],
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2},
        }
    }
    assert selectors.bookmark_count() == 1
    BookmarkFactory()
    assert selectors.bookmark_count() == 2
