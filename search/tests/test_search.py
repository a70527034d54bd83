"""Site-wide search: ranking, grouping, paging, highlighting, promotions, typo
tolerance, language and hostile input."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.contrib.search_promotions.models import Query, SearchPromotion
from wagtail.models import PageViewRestriction

from blog.tests.factories import BlogPageFactory
from search import sources
from search.highlight import make_snippet
from search.sources import SearchSource

pytestmark = pytest.mark.django_db


def md(text):
    return [("markdown", text)]


def results(response, kind="posts"):
    groups = {g.source.key: g for g in response.context["outcome"].groups}
    return [hit.result for hit in groups[kind].hits] if kind in groups else []


def test_title_match_ranks_above_body_match(client, blog_index):
    body_match = BlogPageFactory(
        parent=blog_index, title="Weekly notes", body=md("We tried the teapot.")
    )
    title_match = BlogPageFactory(
        parent=blog_index, title="The teapot", body=md("Nothing else here.")
    )
    response = client.get("/search/", {"q": "teapot"})
    assert response.status_code == 200
    assert results(response) == [title_match, body_match]


def test_intro_and_tags_rank_above_body(client, blog_index):
    in_body = BlogPageFactory(parent=blog_index, title="A", body=md("kettle"))
    in_tag = BlogPageFactory(parent=blog_index, title="B", tags=["kettle"])
    response = client.get("/search/", {"q": "kettle"})
    assert results(response) == [in_tag, in_body]


def test_results_are_grouped_highlighted_and_escaped(client, blog_index):
    BlogPageFactory(
        parent=blog_index,
        title="Gardening",
        intro="Growing <b>tomatoes</b> at home",
        body=md("Tomatoes need sun."),
    )
    html = client.get("/search/", {"q": "tomatoes"}).content.decode()
    assert 'id="group-posts">Blog posts' in html
    assert "Growing &lt;b&gt;<mark>tomatoes</mark>&lt;/b&gt; at home" in html
    assert "<mark>Tomatoes</mark> need sun" in html


def test_snippet_marks_inflected_forms_and_never_injects_html():
    snippet = make_snippet('Posting <script>x</script> & "posts"', "posts <script>")
    assert "<script>" not in snippet
    assert "<mark>Posting</mark>" in snippet and "<mark>posts</mark>" in snippet
    assert "&amp;" in snippet and "<mark>amp" not in make_snippet("a & b", "amp")


def test_results_are_paginated(client, blog_index, settings):
    settings.SEARCH_CACHE_SECONDS = 0  # "abc" is page 1 again: it would be a hit
    for n in range(23):
        BlogPageFactory(parent=blog_index, title=f"Pancake recipe {n}")
    first = client.get("/search/", {"q": "pancake"})
    assert len(results(first)) == 10
    assert first.context["outcome"].total == 23
    assert 'href="?q=pancake&amp;page=2"' in first.content.decode()
    last = client.get("/search/", {"q": "pancake", "page": "3"})
    assert len(results(last)) == 3
    for bad_page in ("999", "abc", "-5"):
        response = client.get("/search/", {"q": "pancake", "page": bad_page})
        assert response.status_code == 200
        assert len(results(response)) in (3, 10)


def test_drafts_and_private_posts_are_not_found(client, blog_index):
    BlogPageFactory(parent=blog_index, title="Zebra public")
    BlogPageFactory(parent=blog_index, title="Zebra draft", live=False)
    private = BlogPageFactory(parent=blog_index, title="Zebra private")
    PageViewRestriction.objects.create(
        page=private, restriction_type=PageViewRestriction.LOGIN
    )
    response = client.get("/search/", {"q": "zebra"})
    assert [p.title for p in results(response)] == ["Zebra public"]


@pytest.mark.parametrize(
    ("query", "queries"),
    [
        # promotions, ranked ids with the count, the posts, the site (their URLs)
        ({"q": "zebra", "kind": "posts"}, 4),
        # ...plus products and bookmarks ranked (nothing): the posts in full
        ({"q": "zebra"}, 6),
        # nothing ranked: three rankings, then the typo-tolerant fallback in a
        # transaction (a savepoint pair here): its settings, ids per kind, the
        # posts found
        ({"q": "zebar"}, 12),
    ],
)
def test_view_restrictions_cost_no_query_of_their_own(
    client, blog_index, query, queries, settings
):
    """Search uses the blog's selector of published posts, which checks view
    restrictions in a subquery; Wagtail's `.public()` costs one more query each
    time the posts are searched."""
    settings.SEARCH_CACHE_SECONDS = 0  # the search's own queries, not a cache hit
    public = BlogPageFactory(parent=blog_index, title="Zebra public")
    private = BlogPageFactory(parent=blog_index, title="Zebra private")
    PageViewRestriction.objects.create(
        page=private, restriction_type=PageViewRestriction.LOGIN
    )
    client.get("/search/", query)  # warm up Wagtail's site cache, as a live site is
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/search/", query)
    assert results(response) == [public]
    sql = [q["sql"] for q in ctx.captured_queries]
    assert not [s for s in sql if s.startswith('SELECT "wagtailcore_pageviewrest')]
    assert len(sql) == queries, sql


def test_posts_under_a_restricted_section_are_not_found(client, blog_index):
    BlogPageFactory(parent=blog_index, title="Zebra for members")
    PageViewRestriction.objects.create(
        page=blog_index, restriction_type=PageViewRestriction.PASSWORD, password="pw"
    )
    assert results(client.get("/search/", {"q": "zebra"})) == []
    assert results(client.get("/search/", {"q": "zebar"})) == []  # nor by typo


def test_editors_promoted_results_come_first(client, blog_index):
    BlogPageFactory(parent=blog_index, title="Coffee basics")
    promoted = BlogPageFactory(parent=blog_index, title="Our coffee guide")
    SearchPromotion.objects.create(
        query=Query.get("Coffee"), page=promoted, description="Start here"
    )
    html = client.get("/search/", {"q": "coffee"}).content.decode()
    assert html.index("Recommended") < html.index("Start here")
    assert html.index("Start here") < html.index('id="group-posts"')
    assert f'href="{promoted.url}"' in html.split('id="group-posts"')[0]


def test_misspelt_query_finds_the_post_through_the_fuzzy_fallback(client, blog_index):
    post = BlogPageFactory(parent=blog_index, title="Wagtail tutorial")
    response = client.get("/search/", {"q": "wagtial"})
    outcome = response.context["outcome"]
    assert outcome.fuzzy is True
    assert results(response) == [post]
    assert outcome.suggestion == "wagtail"
    html = response.content.decode()
    assert 'Did you mean <a href="/search/?q=wagtail"' in html
    # Following the suggestion gives ranked results.
    assert results(client.get("/search/", {"q": "wagtail"})) == [post]


def test_nothing_similar_says_so(client, blog_index):
    BlogPageFactory(parent=blog_index, title="Wagtail tutorial")
    html = client.get("/search/", {"q": "xylophone"}).content.decode()
    assert "Nothing found for “xylophone”" in html
    assert "Did you mean" not in html


def test_search_language_is_configurable_spanish_stemming(client, blog_index, settings):
    settings.WAGTAILSEARCH_BACKENDS = {
        "default": {
            "BACKEND": "wagtail.search.backends.database",
            "SEARCH_CONFIG": "spanish",
        }
    }
    post = BlogPageFactory(
        parent=blog_index, title="Mañanas", body=md("Salimos corriendo por la playa.")
    )
    # Spanish stems "corriendo" and "correr" alike; English would not.
    response = client.get("/search/", {"q": "correr"})
    assert response.context["outcome"].fuzzy is False
    assert results(response) == [post]


def test_english_is_the_default_and_does_not_stem_spanish(client, blog_index):
    BlogPageFactory(parent=blog_index, title="Mañanas", body=md("Salimos corriendo."))
    response = client.get("/search/", {"q": "correr"})
    assert response.context["outcome"].fuzzy is True
    assert results(response) == []


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "x" * 10_000,
        "teapot " * 2000,
        "' & | ! : * ( )",
        "teapot' & !(tea | pot):*",
        "'; DROP TABLE wagtailcore_page; --",
        "tea\x00pot",
        "<script>alert(1)</script>",
        "\u202e\ufeff teapot",
    ],
)
def test_hostile_queries_give_a_normal_page(client, blog_index, query):
    BlogPageFactory(parent=blog_index, title="The teapot")
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert" not in html
    assert len(response.context["search_query"]) <= 200


@pytest.mark.parametrize("raw", ["q=%ff%fe%fd", "q=caf%e9", "q=%00", "q=%c3%28teapot"])
def test_non_utf8_query_strings_give_a_normal_page(client, blog_index, raw):
    BlogPageFactory(parent=blog_index, title="The teapot")
    response = client.get(f"/search/?{raw}")
    assert response.status_code == 200
    assert "<h1>Search</h1>" in response.content.decode()


def test_operators_inside_words_still_find_the_post(client, blog_index, settings):
    settings.SEARCH_CACHE_SECONDS = 0  # both clean to "teapot": one cache key
    post = BlogPageFactory(parent=blog_index, title="The teapot")
    assert results(client.get("/search/", {"q": "teapot!"})) == [post]
    assert results(client.get("/search/", {"q": "(teapot)"})) == [post]


def test_a_new_kind_joins_with_one_registry_entry(client, blog_index, monkeypatch):
    """What shop.Product / gallery.Bookmark will do: one SearchSource entry."""
    for n in range(7):
        BlogPageFactory(parent=blog_index, title=f"Lighthouse story {n}")
    home = blog_index.get_parent().specific
    home.body = "<p>Our lighthouse</p>"
    home.save_revision().publish()
    extra = SearchSource(
        key="pages",
        label="Other pages",
        model="home.HomePage",
        public=lambda m: m.objects.live().public(),
        template="search/results/page.html",
        text_fields=("title",),
    )
    monkeypatch.setattr(sources, "SOURCES", [*sources.SOURCES, extra])
    monkeypatch.setattr("search.selectors.SOURCES", sources.SOURCES)
    response = client.get("/search/", {"q": "lighthouse"})
    html = response.content.decode()
    assert 'id="group-posts">Blog posts' in html
    assert 'id="group-pages">Other pages' in html
    assert len(results(response, "posts")) == 5  # a preview of each kind...
    assert 'href="/search/?q=lighthouse&amp;kind=posts">See all 7' in html
    only_posts = client.get("/search/", {"q": "lighthouse", "kind": "posts"})
    assert len(results(only_posts, "posts")) == 7  # ...and all of one kind
    assert results(only_posts, "pages") == []


def test_fuzzy_results_prefer_whole_word_matches(client, blog_index):
    services = BlogPageFactory(parent=blog_index, title="Testing real services")
    search = BlogPageFactory(parent=blog_index, title="Full-text search")
    response = client.get("/search/", {"q": "serch"})
    assert results(response)[:2] == [search, services]
    assert response.context["outcome"].suggestion == "search"


def test_snippets_show_markdown_as_plain_text(client, blog_index):
    BlogPageFactory(
        parent=blog_index, title="Lists", body=md("## Heading\n\n**Walrus** facts")
    )
    html = client.get("/search/", {"q": "walrus"}).content.decode()
    assert "Heading <mark>Walrus</mark> facts" in html
    assert "**" not in html.split('id="group-posts"')[1]
