"""Pages cost a fixed number of queries whatever the amount of data."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.demo import demo_image

from .factories import BlogPageFactory, CommentFactory

pytestmark = pytest.mark.django_db

BUDGETS = {"index": 9, "post": 13, "tag": 9, "search": 12}


def seed(blog_index, count):
    posts = []
    for n in range(count):
        post = BlogPageFactory(
            parent=blog_index,
            title=f"Budget post {n}",
            tags=["common", f"tag{n % 4}"],
            cover_image=demo_image(f"budget {n % 3}", seed=n % 3, size=(60, 40)),
            body=[
                ("markdown", "Some *text*"),
                ("image", {"image": demo_image("budget 0", seed=0, size=(60, 40)),
                           "alt_text": "", "caption": "c"}),
            ],
        )  # fmt: skip
        CommentFactory(post=post, active=True)
        posts.append(post)
    return posts


def measure(client, url):
    # Warm up once, as a running site is: renditions exist, Wagtail's site-root
    # cache and the blog's sidebar widgets are in Redis. (Cold, a page costs at
    # most 3 more queries, for the sidebar.)
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.parametrize("size", [3, 30])
def test_query_counts_are_flat_and_within_budget(
    client, blog_index, size, record_property, settings
):
    settings.PAGE_CACHE_ENABLED = False  # the render's budget; a cache hit costs 0
    settings.SEARCH_CACHE_SECONDS = 0  # likewise for the search results fragment
    posts = seed(blog_index, size)
    pages = {
        "index": "/blog/",
        "post": posts[0].url,
        "tag": "/blog/tag/common/",
        "search": "/search/?q=budget",
    }
    counts = {name: measure(client, url) for name, url in pages.items()}
    record_property("query_counts", counts)
    print(f"size={size} queries: {counts}")  # noqa: T201 - report aid
    for name, count in counts.items():
        assert count <= BUDGETS[name], (name, count)
    if size == 3:
        test_query_counts_are_flat_and_within_budget.small = counts
    else:
        assert counts == test_query_counts_are_flat_and_within_budget.small
