"""The sidebar widgets' cache: never an old widget after an eviction, stale only when
its tags change, and computed uncached when Redis is down."""

import pytest
from django.core.cache import cache

from blog import widget_cache
from blog.services import comment_create, comments_set_active
from blog.templatetags.blog_tags import get_most_commented_posts, total_posts
from core.cache_tags import tag_key

from .factories import BlogPageFactory

pytestmark = pytest.mark.django_db


def test_an_evicted_tag_never_brings_back_old_widgets():
    assert widget_cache.cached("probe", lambda: "old") == "old"
    assert widget_cache.cached("probe", lambda: "unused") == "old"
    cache.delete(tag_key("posts"))  # evicted; the old entry lives on
    assert widget_cache.cached("probe", lambda: "new") == "new"


def test_a_pending_comment_keeps_the_widgets_and_an_approval_refreshes_them(
    blog_index, settings
):
    settings.BLOG_COMMENTS_PREMODERATED = True
    post = BlogPageFactory(parent=blog_index)
    assert get_most_commented_posts(5) == []
    assert widget_cache.cached("total-probe", lambda: "kept") == "kept"
    pending = comment_create(post=post, name="A", email="a@example.com", body="Hi")
    assert get_most_commented_posts(5) == []
    comments_set_active(comment_ids=[pending.pk], active=True)
    assert [p.pk for p in get_most_commented_posts(5)] == [post.pk]
    # "posts"-only widgets are not touched by comments.
    assert widget_cache.cached("total-probe", lambda: "recomputed") == "kept"


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
    assert "Redis cache unavailable (get_many); answering without it" in caplog.text
