"""The blog's lists count their posts without the per-row view-restriction subquery,
and still hide exactly what `public_only` hides."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page, PageViewRestriction

from blog.models import POSTS_PER_PAGE, BlogPage
from blog.selectors import public_children, public_only

from .factories import BlogPageFactory

pytestmark = pytest.mark.django_db


def _restrict(page) -> None:
    PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.LOGIN
    )


def _agree(blog_index) -> set[int]:
    fast = set(
        public_children(BlogPage.objects.live(), blog_index).values_list(
            "pk", flat=True
        )
    )
    slow = set(
        public_only(BlogPage.objects.live().child_of(blog_index)).values_list(
            "pk", flat=True
        )
    )
    assert fast == slow
    return fast


def test_same_posts_as_public_only_whatever_is_restricted(blog_index, home_page):
    posts = [BlogPageFactory(parent=blog_index) for _ in range(4)]
    draft = BlogPageFactory(parent=blog_index, live=False)
    assert _agree(blog_index) == {p.pk for p in posts}
    assert draft.pk not in _agree(blog_index)

    _restrict(posts[0])  # the post itself
    assert _agree(blog_index) == {p.pk for p in posts[1:]}

    # A restriction elsewhere in the tree hides nothing here.
    other = home_page.add_child(instance=Page(title="Members area", slug="members"))
    _restrict(other)
    assert _agree(blog_index) == {p.pk for p in posts[1:]}

    _restrict(blog_index)  # the parent: every post is restricted
    assert _agree(blog_index) == set()


def test_a_restricted_ancestor_hides_every_post(blog_index, home_page):
    BlogPageFactory(parent=blog_index)
    _restrict(home_page)
    assert _agree(blog_index) == set()


def test_the_index_counts_public_posts_without_the_per_row_subquery(
    client, blog_index, settings
):
    settings.PAGE_CACHE_ENABLED = False
    posts = [BlogPageFactory(parent=blog_index) for _ in range(POSTS_PER_PAGE + 2)]
    _restrict(posts[0])
    client.get("/blog/")  # warm: the sidebar's cached widgets (a count of their own)
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/blog/")
    page = response.context["posts"]
    assert page.paginator.count == POSTS_PER_PAGE + 1
    assert page.paginator.num_pages == 2
    assert posts[0] not in list(page)
    counts = [q["sql"] for q in captured if q["sql"].startswith("SELECT COUNT(*)")]
    assert len(counts) == 1, counts
    assert "SUBSTRING" not in counts[0].upper(), counts[0]  # no correlated subquery

    second = client.get("/blog/?page=2").context["posts"]
    assert len(second) == 1 and posts[0] not in list(second)


def test_tag_pages_hide_restricted_posts_and_404_when_all_are(client, blog_index):
    public = BlogPageFactory(parent=blog_index, tags=["news"])
    private = BlogPageFactory(parent=blog_index, tags=["news", "secret"])
    _restrict(private)
    response = client.get("/blog/tag/news/")
    assert list(response.context["posts"]) == [public]
    assert client.get("/blog/tag/secret/").status_code == 404
