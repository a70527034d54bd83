"""Id-first ranking: the same order as Wagtail's backend, page by page; hidden
objects neither shown nor counted; page numbers read as Paginator reads them; a
query count that does not grow with the number of matches."""

import pytest
from django.core.paginator import Paginator
from wagtail.models import PageViewRestriction
from wagtail.search.backends import get_search_backend

from blog.models import BlogPage
from blog.tests.factories import BlogPageFactory
from gallery.tests.factories import BookmarkFactory, UserFactory
from search.selectors import PER_PAGE, site_search
from search.sources import get_source
from shop.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def md(text):
    return [("markdown", text)]


def posts(outcome):
    assert [g.source.key for g in outcome.groups] == ["posts"]
    return [hit.result for hit in outcome.groups[0].hits]


@pytest.fixture
def varied(blog_index):
    """23 posts mentioning "harbour" in different places and amounts: in titles
    short and long, intros, tags, bodies, once or several times."""
    made = []
    for n in range(23):
        title = ["Harbour", "The harbour at dawn and dusk", "Notes", "Boats"][n % 4]
        made.append(
            BlogPageFactory(
                parent=blog_index,
                title=f"{title} {n}",
                intro="A harbour walk." if n % 3 == 0 else "A walk.",
                tags=["harbour"] if n % 5 == 0 else [],
                body=md("harbour " * (n % 4) + "boats and gulls."),
            )
        )
    return made


def backend_order(query):
    """What `backend.search(...)` returns for the posts source, all of it."""
    public = get_source("posts").queryset()
    results = get_search_backend().search(query, public, operator="and")
    return list(results)


def test_pages_follow_the_backends_own_ranking(client, varied):
    expected = backend_order("harbour")
    assert len(expected) == 23
    shown = []
    for page in (1, 2, 3):
        outcome = site_search("harbour", kind="posts", page_number=str(page))
        assert outcome.groups[0].count == 23
        assert outcome.groups[0].page_obj.number == page
        shown += posts(outcome)
    assert shown == expected


def test_title_beats_intro_and_tags_which_beat_body(blog_index):
    body = BlogPageFactory(parent=blog_index, title="B", body=md("anchor"))
    intro = BlogPageFactory(parent=blog_index, title="C", intro="An anchor here.")
    tag = BlogPageFactory(parent=blog_index, title="D", tags=["anchor"])
    title = BlogPageFactory(parent=blog_index, title="Anchor")
    found = posts(site_search("anchor", kind="posts"))
    assert found[0] == title
    assert set(found[1:3]) == {intro, tag}
    assert found[3] == body


def test_equal_ranks_put_the_newest_first(blog_index):
    older = BlogPageFactory(parent=blog_index, title="Lantern 1")
    newer = BlogPageFactory(parent=blog_index, title="Lantern 2")
    assert posts(site_search("lantern", kind="posts")) == [newer, older]


def test_hidden_posts_are_neither_shown_nor_counted(blog_index):
    for n in range(12):
        BlogPageFactory(parent=blog_index, title=f"Walrus {n}")
    BlogPageFactory(parent=blog_index, title="Walrus walrus draft", live=False)
    private = BlogPageFactory(parent=blog_index, title="Walrus walrus private")
    PageViewRestriction.objects.create(
        page=private, restriction_type=PageViewRestriction.LOGIN
    )
    first = site_search("walrus", kind="posts")
    second = site_search("walrus", kind="posts", page_number="2")
    assert first.total == 12
    assert len(posts(first)) == 10 and len(posts(second)) == 2
    assert "draft" not in str(posts(first) + posts(second))
    assert "private" not in str(posts(first) + posts(second))


@pytest.mark.parametrize(
    ("asked", "shown"),
    [
        (None, 1),
        ("1", 1),
        ("2", 2),
        ("3", 3),
        ("4", 3),  # past the end: the last page
        ("0", 3),  # below 1: the last page, as Paginator.get_page
        ("-5", 3),
        ("abc", 1),  # not a number: the first
        ("2.5", 1),
        ("99999999999999999999999", 3),  # beyond any OFFSET PostgreSQL takes
    ],
)
def test_page_numbers_are_read_as_paginator_reads_them(blog_index, asked, shown):
    for n in range(21):
        BlogPageFactory(parent=blog_index, title=f"Pebble {n}")
    outcome = site_search("pebble", kind="posts", page_number=asked)
    page = outcome.groups[0].page_obj
    assert page.number == shown
    assert len(posts(outcome)) == (1 if shown == 3 else 10)
    reference = Paginator(range(21), PER_PAGE).get_page(asked)
    assert reference.number == shown


def test_page_boundaries_have_no_gap_and_no_repeat(blog_index):
    for n in range(20):
        BlogPageFactory(parent=blog_index, title=f"Comet {n}")
    first = site_search("comet", kind="posts", page_number="1")
    second = site_search("comet", kind="posts", page_number="2")
    third = site_search("comet", kind="posts", page_number="3")
    assert second.groups[0].page_obj.has_next() is False
    assert posts(third) == posts(second)  # 20 is exactly two pages
    both = posts(first) + posts(second)
    assert len(set(both)) == 20
    assert set(both) == set(BlogPage.objects.filter(title__startswith="Comet"))


def test_kind_filter_lists_one_kind_paginated(blog_index):
    for n in range(12):
        ProductFactory(name=f"Kettle model {n}")
    BlogPageFactory(parent=blog_index, title="A kettle story")
    outcome = site_search("kettle", kind="products", page_number="2")
    assert [g.source.key for g in outcome.groups] == ["products"]
    assert outcome.kind == "products"
    assert outcome.groups[0].count == 12
    assert len(outcome.groups[0].hits) == 2
    # An unknown kind is every kind, previewed.
    everything = site_search("kettle", kind="nonsense")
    assert {g.source.key for g in everything.groups} == {"posts", "products"}
    assert len(next(g for g in everything.groups if g.source.key == "products").hits)


def test_only_one_kind_matching_is_listed_in_full(blog_index):
    for n in range(7):
        ProductFactory(name=f"Teapot {n}")
    outcome = site_search("teapot")
    assert [g.source.key for g in outcome.groups] == ["products"]
    assert len(outcome.groups[0].hits) == 7
    assert outcome.groups[0].page_obj is not None


def _search_queries(client, url, django_assert_num_queries, expected):
    client.get(url)  # warm: Wagtail's site root paths, content types
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert response.status_code == 200


@pytest.mark.parametrize("size", [2, 25])
def test_query_count_does_not_grow_with_the_matches(
    client, blog_index, settings, size, django_assert_num_queries
):
    settings.SEARCH_CACHE_SECONDS = 0  # the render's budget
    owner = UserFactory()
    for n in range(size):
        BlogPageFactory(parent=blog_index, title=f"Orchid {n}")
        ProductFactory(name=f"Orchid pot {n}")
        BookmarkFactory(title=f"Orchid photo {n}", owner=owner)
    # promotions, 1 ranking per kind, 1 row fetch per kind (+ renditions of the
    # bookmarks' images), the Site (for the posts' URLs)
    _search_queries(client, "/search/?q=orchid", django_assert_num_queries, 9)
    # one kind: promotions, ranking, rows, the Site
    _search_queries(
        client, "/search/?q=orchid&kind=posts", django_assert_num_queries, 4
    )
    # nothing ranked, so the typo fallback: promotions, 3 rankings, then in a
    # transaction (a savepoint pair here) its settings, ids and rows per kind,
    # renditions; the Site
    _search_queries(client, "/search/?q=orchidd", django_assert_num_queries, 15)
