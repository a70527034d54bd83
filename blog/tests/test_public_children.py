"""The blog's lists count their posts without the per-row view-restriction subquery,
and still hide exactly what `public_only` hides."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page, PageViewRestriction

from blog.models import POSTS_PER_PAGE, BlogPage
from blog.selectors import public_children, public_only, published_children

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


def test_the_count_has_no_per_row_subquery(blog_index):
    BlogPageFactory(parent=blog_index)
    with CaptureQueriesContext(connection) as captured:
        assert published_children(blog_index).count() == 1
    (sql,) = [q["sql"] for q in captured]
    assert "SUBSTRING" not in sql.upper(), sql  # no correlated subquery


def _counts(captured) -> list[str]:
    return [q["sql"] for q in captured if q["sql"].startswith("SELECT COUNT(*)")]


def test_the_index_count_is_cached_and_follows_restrictions_and_publishing(
    client, blog_index, settings
):
    settings.PAGE_CACHE_ENABLED = False
    posts = [BlogPageFactory(parent=blog_index) for _ in range(POSTS_PER_PAGE + 2)]
    _restrict(posts[0])
    page = client.get("/blog/").context["posts"]
    assert page.paginator.count == POSTS_PER_PAGE + 1
    assert page.paginator.num_pages == 2
    assert posts[0] not in list(page)

    with CaptureQueriesContext(connection) as captured:
        second = client.get("/blog/?page=2").context["posts"]
    assert _counts(captured) == []  # counted once, kept with the widgets
    assert len(second) == 1 and posts[0] not in list(second)

    PageViewRestriction.objects.filter(page=posts[0]).delete()
    assert client.get("/blog/").context["posts"].paginator.count == POSTS_PER_PAGE + 2
    _restrict(posts[1])
    assert client.get("/blog/").context["posts"].paginator.count == POSTS_PER_PAGE + 1
    BlogPageFactory(parent=blog_index, live=False).save_revision().publish()
    assert client.get("/blog/").context["posts"].paginator.count == POSTS_PER_PAGE + 2
    posts[2].unpublish()
    assert client.get("/blog/").context["posts"].paginator.count == POSTS_PER_PAGE + 1


def test_tag_pages_hide_restricted_posts_and_404_when_all_are(client, blog_index):
    public = BlogPageFactory(parent=blog_index, tags=["news"])
    private = BlogPageFactory(parent=blog_index, tags=["news", "secret"])
    _restrict(private)
    response = client.get("/blog/tag/news/")
    assert list(response.context["posts"]) == [public]
    assert client.get("/blog/tag/secret/").status_code == 404
