"""The sidebar widgets' cache: never an old widget after an eviction, and computed
uncached when Redis is down."""

import pytest
from django.core.cache import cache

from blog import widget_cache
from blog.templatetags.blog_tags import get_most_commented_posts, total_posts

from .factories import BlogPageFactory

pytestmark = pytest.mark.django_db


def test_an_evicted_generation_never_brings_back_old_widgets():
    assert widget_cache.cached("probe", lambda: "old") == "old"
    assert widget_cache.cached("probe", lambda: "unused") == "old"
    cache.delete(widget_cache.GENERATION_KEY)  # evicted; the old entry lives on
    assert widget_cache.cached("probe", lambda: "new") == "new"


def test_a_change_shows_in_the_widgets_at_once(blog_index):
    assert widget_cache.cached("probe", lambda: "before") == "before"
    BlogPageFactory(parent=blog_index).unpublish()
    assert widget_cache.cached("probe", lambda: "after") == "after"


def test_a_redis_outage_computes_the_widgets_uncached(blog_index, settings, caplog):
    BlogPageFactory.create_batch(2, parent=blog_index)
    settings.CACHES = {
        "default": {
            **settings.CACHES["default"],
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2},
        }
    }
    assert total_posts() == 2
    assert get_most_commented_posts(5) == []
    assert "Redis cache unavailable (get); answering without it" in caplog.text
