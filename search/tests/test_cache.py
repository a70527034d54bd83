"""Result fragments cached for anonymous visitors: hits, misses, who bypasses the
cache, the key, the TTL, and a Redis outage."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.test import Client
from wagtail.contrib.search_promotions.models import Query, SearchPromotion

from blog.tests.factories import BlogPageFactory, UserFactory
from search.cache import KEY_PREFIX, results_key
from shop.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def teapots(blog_index):
    return [
        BlogPageFactory(parent=blog_index, title=f"Teapot {n}", intro="Brewing.")
        for n in range(12)
    ]


def results_part(response) -> str:
    return response.content.decode().split("<h1>Search</h1>", 1)[1]


def test_a_second_anonymous_request_is_served_from_the_cache(
    client, teapots, django_assert_num_queries
):
    first = client.get("/search/", {"q": "teapot"})
    assert first["X-Search-Cache"] == "miss"
    with django_assert_num_queries(0):
        second = client.get("/search/", {"q": "teapot"})
    assert second["X-Search-Cache"] == "hit"
    assert "outcome" not in second.context
    assert results_part(second) == results_part(first)
    assert "12 results for “teapot”" in results_part(second)


def test_the_key_is_the_query_as_searched(client, teapots):
    client.get("/search/", {"q": "teapot"})
    for same in ("  teapot ", "teapot!", "(teapot)"):
        assert client.get("/search/", {"q": same})["X-Search-Cache"] == "hit", same
    # Garbage page numbers are page 1, as the paginator reads them.
    assert client.get("/search/?q=teapot&page=abc")["X-Search-Cache"] == "hit"
    assert client.get("/search/?q=teapot&page=1")["X-Search-Cache"] == "hit"


@pytest.mark.parametrize(
    "other",
    [
        {"q": "brewing"},
        {"q": "teapot", "page": "2"},
        {"q": "teapot", "kind": "posts"},
        {"q": "Teapot"},  # shown as typed in the heading
    ],
)
def test_another_query_page_or_kind_is_another_entry(client, teapots, other):
    client.get("/search/", {"q": "teapot"})
    response = client.get("/search/", other)
    assert response["X-Search-Cache"] == "miss"
    assert response.context["outcome"].query == other["q"]


def test_an_unknown_kind_shares_the_entry_of_every_kind(client, teapots):
    client.get("/search/", {"q": "teapot"})
    response = client.get("/search/", {"q": "teapot", "kind": "nonsense"})
    assert response["X-Search-Cache"] == "hit"


def test_logged_in_members_neither_read_nor_fill_the_cache(client, teapots):
    member = Client()
    member.force_login(UserFactory())
    client.get("/search/", {"q": "teapot"})  # an anonymous entry exists
    response = member.get("/search/", {"q": "teapot"})
    assert not response.has_header("X-Search-Cache")
    assert response.context["outcome"].total == 12
    member.get("/search/", {"q": "brewing"})
    assert client.get("/search/", {"q": "brewing"})["X-Search-Cache"] == "miss"


def test_a_new_promotion_shows_to_members_at_once_and_anonymously_within_the_ttl(
    client, teapots, settings
):
    client.get("/search/", {"q": "teapot"})
    SearchPromotion.objects.create(
        query=Query.get("teapot"), page=teapots[3], description="Start here"
    )
    member = Client()
    member.force_login(UserFactory())
    assert "Start here" in member.get("/search/", {"q": "teapot"}).content.decode()
    # Anonymous visitors get the stored fragment until it expires.
    stale = client.get("/search/", {"q": "teapot"})
    assert stale["X-Search-Cache"] == "hit"
    assert "Start here" not in stale.content.decode()
    key = results_key(stale.wsgi_request)
    ttl = cache._cache.get_client().ttl(cache.make_and_validate_key(key))
    assert 0 < ttl <= settings.SEARCH_CACHE_SECONDS
    cache.delete(key)  # what expiry does
    assert "Start here" in client.get("/search/", {"q": "teapot"}).content.decode()


def test_keys_are_fixed_length_hashes_whatever_is_typed(rf):
    for query in ["teapot", "x" * 10_000, "tea\x00pot \u202e", "'; DROP TABLE x; --"]:
        request = rf.get("/search/", {"q": query, "page": "7" * 50})
        request.user = AnonymousUser()
        key = results_key(request)
        assert key.startswith(KEY_PREFIX)
        assert len(key) == len(KEY_PREFIX) + 64
        assert set(key[len(KEY_PREFIX) :]) <= set("0123456789abcdef")


def test_nothing_is_cached_when_turned_off(client, teapots, settings):
    settings.SEARCH_CACHE_SECONDS = 0
    client.get("/search/", {"q": "teapot"})
    response = client.get("/search/", {"q": "teapot"})
    assert not response.has_header("X-Search-Cache")
    assert response.context["outcome"].total == 12


def test_a_redis_outage_renders_uncached(settings):
    """Products: their links need no Redis. (A post's link does: Wagtail keeps the
    site root paths in the default cache, so with Redis down any page linking a
    page fails before this cache is reached; that is not the search's to fix.)"""
    for n in range(3):
        ProductFactory(name=f"Teapot {n}")
    settings.CACHES = {
        "default": {
            **settings.CACHES["default"],
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2},
        }
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
    response = Client().get("/search/", {"q": "teapot"})
    assert response.status_code == 200
    assert response["X-Search-Cache"] == "miss"
    assert "3 results for “teapot”" in response.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"q": "teapot", "page": "99999999999999999999999"},
        {"q": "teapot", "page": "-1"},
        {"q": "teapot", "kind": "<script>"},
        {"q": "\x00"},
    ],
)
def test_bad_input_is_a_normal_page_twice(client, teapots, params):
    for _ in range(2):  # rendered, then from the cache
        response = client.get("/search/", params)
        assert response.status_code == 200
        assert "<h1>Search</h1>" in response.content.decode()
        assert "<script>" not in results_part(response)
