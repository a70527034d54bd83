"""The anonymous page cache: hits cost no SQL, and editors never notice it."""

import re
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from accounts.services import contact_follow
from blog.models import Comment
from blog.services import comments_set_active
from blog.tests.factories import BlogIndexPageFactory, BlogPageFactory, CommentFactory
from core.demo import site_root_page
from gallery.services import bookmark_like
from gallery.tests.factories import BookmarkFactory
from orders.tests.factories import CUSTOMER
from shop.tests.factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db


def cached(url) -> str:
    """Fetch `url` as two new anonymous visitors; the second must be a cache hit."""
    assert Client().get(url).status_code == 200
    second = Client().get(url)
    assert second["X-Page-Cache"] == "hit"
    return second.content.decode()


def fresh(url) -> str:
    """What the next anonymous visitor sees (a miss after an invalidation)."""
    response = Client().get(url)
    assert response["X-Page-Cache"] == "miss"
    return response.content.decode()


@pytest.fixture
def blog_index():
    return BlogIndexPageFactory(parent=site_root_page())


@pytest.fixture
def post(blog_index):
    return BlogPageFactory(parent=blog_index, title="Cached post")


# --- Hits and bypasses -------------------------------------------------------------


def test_a_hit_costs_no_sql_and_keeps_the_security_headers(
    django_assert_num_queries,
):
    Client().get("/")  # creates the generation
    cached("/")
    with django_assert_num_queries(0):
        response = Client().get("/")
    assert response["X-Page-Cache"] == "hit"
    assert "Cookie" in response["Vary"]
    assert response["X-Frame-Options"] == "DENY"
    assert "default-src" in response["Content-Security-Policy"]
    assert 'href="/account/login/"' in response.content.decode()


def test_head_is_served_from_the_cache():
    Client().get("/")
    cached("/")
    assert Client().head("/")["X-Page-Cache"] == "hit"


def test_logged_in_members_always_bypass():
    Client().get("/")
    cached("/")
    member = get_user_model().objects.create_user("reader", password="pw-123456!")
    client = Client()
    client.force_login(member)
    for _ in range(2):
        response = client.get("/")
        assert not response.has_header("X-Page-Cache")
        assert "reader" in response.content.decode()


def test_a_visitor_with_items_in_the_cart_bypasses_and_sees_the_count():
    product = ProductFactory()
    Client().get("/shop/")
    cached("/shop/")
    client = Client()
    client.post(f"/cart/add/{product.id}/", {"quantity": 2})
    response = client.get("/shop/")
    assert not response.has_header("X-Page-Cache")
    assert re.search(r"data-cart-count>2<", response.content.decode())
    # Emptying the cart makes the visitor anonymous-with-empty-cart again.
    client.post(f"/cart/remove/{product.id}/")
    assert "removed" in client.get("/shop/").content.decode()  # message: bypass
    assert client.get("/shop/")["X-Page-Cache"] == "hit"


def test_unknown_query_strings_bypass_and_pages_are_keyed_by_page_number():
    for n in range(15):
        ProductFactory(name=f"Listed {n:02d}")
    Client().get("/shop/")
    assert "Listed 14" not in cached("/shop/")
    assert "Listed 14" in cached("/shop/?page=2")
    assert not Client().get("/shop/?sort=price").has_header("X-Page-Cache")


# --- Query strings: no poisoning, no flooding (issue 12 items 2 and 3) ------------


def bypassed(url) -> None:
    """`url` is neither served from nor stored in the cache."""
    for _ in range(2):
        response = Client().get(url)
        assert response.status_code == 200, url
        assert not response.has_header("X-Page-Cache"), url


@pytest.fixture
def fifteen_bookmarks(settings):
    settings.GALLERY_PAGE_SIZE = 6
    return [BookmarkFactory(title=f"Picture {n:02d}") for n in range(15)]


def test_an_encoded_ampersand_cannot_poison_the_fragment_url(fifteen_bookmarks):
    Client().get("/gallery/")
    # The attack: `fragment` decodes to "1&page=2"; the old key joined decoded values
    # with "&", so this page was stored under the infinite-scroll fragment's key.
    bypassed("/gallery/?fragment=1%26page%3D2")
    bypassed("/gallery/?page=2%26fragment%3D1")
    html = cached("/gallery/?page=2&fragment=1")
    assert "<html" not in html and "Picture 08" in html
    # Parameter order does not matter: one entry.
    assert "<html" not in Client().get("/gallery/?fragment=1&page=2").content.decode()
    assert Client().get("/gallery/?fragment=1&page=2")["X-Page-Cache"] == "hit"
    assert "<html" in cached("/gallery/?page=2")


@pytest.mark.parametrize(
    "query",
    [
        "page=0",
        "page=-1",
        "page=abc",
        "page=1.5",
        "page=%202",
        "page=02",
        "page=",
        "page=99999999999",
        "page=2&page=3",
        "fragment=0",
        "fragment=yes",
        "fragment=1&fragment=1",
    ],
)
def test_only_positive_page_numbers_and_fragment_1_are_cached(query, settings):
    settings.PAGE_CACHE_MAX_PAGE = 1000
    for n in range(15):
        ProductFactory(name=f"Listed {n:02d}")
    Client().get("/shop/")
    bypassed(f"/shop/?{query}")
    cached("/shop/?page=2")  # the valid form of the same parameter is cached


def test_page_1_shares_the_entry_of_no_page():
    Client().get("/shop/")
    cached("/shop/")
    assert Client().get("/shop/?page=1")["X-Page-Cache"] == "hit"


@pytest.mark.parametrize(
    "url", ["/shop/?page=999", "/gallery/?page=50", "/people/?page=9", "/blog/?page=3"]
)
def test_a_page_past_the_end_is_answered_but_never_stored(
    url, fifteen_bookmarks, blog_index
):
    ProductFactory()
    Client().get("/")
    for _ in range(3):
        response = Client().get(url)
        assert response.status_code == 200
        assert response["X-Page-Cache"] == "miss"


def test_a_fragment_past_the_end_is_empty_and_never_stored(fifteen_bookmarks):
    Client().get("/")
    for _ in range(2):
        response = Client().get("/gallery/?page=50&fragment=1")
        assert response["X-Page-Cache"] == "miss"
        assert "Picture" not in response.content.decode()


def test_tracking_parameters_are_served_from_the_cache(settings):
    ProductFactory(name="Campaign teapot")
    Client().get("/shop/")
    cached("/shop/")
    for query in (
        "utm_source=news&utm_medium=mail&utm_campaign=x",
        "gclid=abc",
        "fbclid=abc&mc_cid=1&mc_eid=2",
        "page=1&utm_content=%26page%3D2",
    ):
        response = Client().get(f"/shop/?{query}")
        assert response["X-Page-Cache"] == "hit", query
        assert "Campaign teapot" in response.content.decode()
    settings.PAGE_CACHE_IGNORED_PARAMS = ["ref"]
    assert Client().get("/shop/?ref=x")["X-Page-Cache"] == "hit"
    bypassed("/shop/?utm_source=x")


def test_a_path_keeps_a_bounded_number_of_entries(settings):
    settings.PAGE_CACHE_MAX_VARIANTS_PER_PATH = 2
    for n in range(30):
        ProductFactory(name=f"Listed {n:02d}")
    Client().get("/")
    cached("/shop/")
    cached("/shop/?page=2")
    for _ in range(2):  # a third variant is answered but not stored
        assert Client().get("/shop/?page=3")["X-Page-Cache"] == "miss"
    # The stored ones stay served; other paths have their own budget.
    assert Client().get("/shop/")["X-Page-Cache"] == "hit"
    assert Client().get("/shop/?page=2")["X-Page-Cache"] == "hit"
    cached("/")


def test_the_bench_bypass_header_only_counts_with_bench_endpoints(settings):
    Client().get("/")
    cached("/")
    settings.BENCH_ENDPOINTS = False
    assert Client().get("/", HTTP_X_BENCH_UNCACHED="1")["X-Page-Cache"] == "hit"
    settings.BENCH_ENDPOINTS = True
    for _ in range(2):
        response = Client().get("/", HTTP_X_BENCH_UNCACHED="1")
        assert response.status_code == 200
        assert not response.has_header("X-Page-Cache")


def test_error_pages_and_private_areas_are_not_stored():
    Client().get("/")
    for url in ("/no-such-page/", "/account/login/", "/cart/"):
        Client().get(url)
        assert Client().get(url).get("X-Page-Cache") != "hit", url


def test_messages_set_before_a_redirect_are_never_cached(post, settings):
    settings.BLOG_COMMENTS_PREMODERATED = True
    Client().get(post.url)
    cached(post.url)
    commenter = Client()
    data = {
        "form": "comment",
        "comment-name": "Ada",
        "comment-email": "ada@example.com",
        "comment-body": "Hello",
        "comment-website": "",
    }
    shown = commenter.post(post.url, data, follow=True).content.decode()
    assert "awaiting moderation" in shown
    for _ in range(2):
        assert "awaiting moderation" not in Client().get(post.url).content.decode()


def test_a_new_visitor_can_post_a_form_from_a_cached_page(post, settings):
    settings.BLOG_COMMENTS_PREMODERATED = False
    Client().get(post.url)
    cached(post.url)
    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get(post.url)
    assert page["X-Page-Cache"] == "hit"
    html = page.content.decode()
    assert "__page_cache_csrf_token__" not in html
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"', html)
    assert len(tokens) == 2 and "csrftoken" in page.cookies
    response = visitor.post(
        post.url,
        {
            "csrfmiddlewaretoken": tokens[0],
            "form": "comment",
            "comment-name": "Ada",
            "comment-email": "ada@example.com",
            "comment-body": "Posted from a cached page",
            "comment-website": "",
        },
    )
    assert response.status_code == 302
    assert Comment.objects.get().body == "Posted from a cached page"
    # And the new comment shows to the next anonymous visitor.
    assert "Posted from a cached page" in fresh(post.url)


def test_the_bookmark_view_counter_counts_cached_views():
    bookmark = BookmarkFactory()
    url = bookmark.get_absolute_url()
    views = []
    for _ in range(3):
        response = Client().get(url)
        views.append(re.search(r'class="num">(\d+)<', response.content.decode())[1])
    assert response["X-Page-Cache"] == "hit"
    first = int(views[0])
    assert views == [str(first), str(first + 1), str(first + 2)]


def test_a_redis_outage_renders_uncached(settings):
    settings.CACHES = {
        "default": {
            **settings.CACHES["default"],
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2},
        }
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
    response = Client().get("/")
    assert response.status_code == 200
    # The cache answers as an empty one (core.redis_cache): a miss, nothing stored.
    assert response.get("X-Page-Cache", "miss") == "miss"


# --- Every visible change shows on the next request -------------------------------


def test_publishing_an_edit_shows_at_once(post):
    cached(post.url)
    post.title = "Edited title"
    post.save_revision().publish()
    assert "Edited title" in fresh(post.url)


def test_unpublishing_and_deleting_a_page_show_at_once(blog_index):
    BlogPageFactory(parent=blog_index, title="Kept")
    gone = BlogPageFactory(parent=blog_index, title="Unpublished soon")
    deleted = BlogPageFactory(parent=blog_index, title="Deleted soon")
    html = cached(blog_index.url)
    assert "Unpublished soon" in html and "Deleted soon" in html
    post_url = gone.url
    cached(post_url)
    gone.unpublish()
    assert Client().get(post_url).status_code == 404
    deleted.delete()
    html = fresh(blog_index.url)
    assert "Kept" in html
    assert "Unpublished soon" not in html and "Deleted soon" not in html


def test_moving_a_page_shows_at_once(blog_index):
    other = BlogIndexPageFactory(parent=site_root_page(), slug="news")
    moved = BlogPageFactory(parent=blog_index, title="Moving post", slug="moving")
    assert 'href="/blog/moving/"' in cached(blog_index.url)
    moved.move(other, pos="last-child")
    html = fresh(blog_index.url)
    assert 'href="/blog/moving/"' not in html and 'href="/news/moving/"' in html


def test_product_and_category_changes_show_at_once():
    product = ProductFactory(name="Old name")
    url = product.get_absolute_url()
    cached(url)
    product.name = "New name"
    product.save()
    assert "New name" in fresh(url)
    category = CategoryFactory(name="Teapots", slug="teapots")
    assert "Kettles" not in cached("/shop/")
    category.name = "Kettles"
    category.save()
    assert "Kettles" in fresh("/shop/")
    cached(url)
    product.delete()
    assert Client().get(url).status_code == 404


def test_stock_sold_at_checkout_shows_at_once():
    product = ProductFactory(stock=1)
    url = product.get_absolute_url()
    assert "In stock" in cached(url)
    shopper = Client()
    shopper.post(f"/cart/add/{product.id}/", {"quantity": 1})
    placed = shopper.post("/orders/create/", {**CUSTOMER, "token": str(uuid.uuid4())})
    assert placed.status_code == 302
    assert "Out of stock" in fresh(url)


def test_comments_saved_and_approved_in_bulk_show_at_once(post):
    cached(post.url)
    CommentFactory(post=post, body="Saved comment", active=True)
    assert "Saved comment" in fresh(post.url)
    pending = CommentFactory(post=post, body="Bulk approved", active=False)
    assert "Bulk approved" not in cached(post.url)
    comments_set_active(comment_ids=[pending.pk], active=True)
    assert "Bulk approved" in fresh(post.url)


def test_bookmark_changes_and_likes_show_at_once():
    bookmark = BookmarkFactory(title="First title")
    assert "First title" in cached("/gallery/")
    bookmark.title = "Second title"
    bookmark.save()
    assert "Second title" in fresh("/gallery/")
    url = bookmark.get_absolute_url()
    assert f'data-like-count="{bookmark.pk}">0<' in cached(url)
    fan = get_user_model().objects.create_user("fan")
    bookmark_like(bookmark=bookmark, user=fan)
    assert f'data-like-count="{bookmark.pk}">1<' in fresh(url)
    cached("/gallery/")
    bookmark.delete()
    assert "Second title" not in fresh("/gallery/")


def test_follows_show_at_once():
    users = get_user_model().objects
    star, fan = users.create_user("star"), users.create_user("fan")
    url = "/people/star/"
    assert "data-followers-count>0<" in cached(url)
    contact_follow(user_from=fan, user_to=star)
    assert "data-followers-count>1<" in fresh(url)


def test_entries_keep_the_tag_versions_read_before_rendering(post):
    """An entry keeps each tag's version, none newer than the clock read before
    rendering; a change in between makes it stale at once."""
    from django.core.cache import cache

    from core import cache_tags

    Client().get(post.url)
    clock = cache.get(cache_tags.CLOCK_KEY)
    cached(post.url)
    entries = [
        cache.get(key.decode().split(":", 2)[2])
        for key in cache._cache.get_client().scan_iter(match="*page_cache:page:*")
    ]
    assert len(entries) == 1
    versions = entries[0]["versions"]
    assert {f"page:{post.pk}", "posts", "comments", "site"} <= set(versions)
    assert all(version <= clock for version in versions.values())
    comments_set_active(comment_ids=[], active=True)  # invalidates "comments"
    assert cache.get(cache_tags.tag_key("comments")) > clock
    fresh(post.url)


def test_a_change_while_rendering_is_not_stored():
    from core import cache_tags

    clock = cache_tags.clock_start()
    assert cache_tags.versions_after_render({"probe", "site"}, clock) is not None
    cache_tags.invalidate("probe")  # a write committed while the page rendered
    assert cache_tags.versions_after_render({"probe", "site"}, clock) is None


# --- What a hit costs (issue 13 part 4) ----------------------------------------------


@pytest.fixture
def redis_round_trips(monkeypatch):
    """Counts what is sent to Redis: one call per round trip (a pipeline is one)."""
    from redis.connection import AbstractConnection

    sent = []
    original = AbstractConnection.send_packed_command

    def counting(self, command, check_health=True):
        sent.append(command)
        return original(self, command, check_health)

    monkeypatch.setattr(AbstractConnection, "send_packed_command", counting)
    return sent


def test_a_hit_costs_the_same_with_or_without_a_form(
    post, settings, redis_round_trips, django_assert_num_queries
):
    settings.BLOG_COMMENTS_PREMODERATED = False
    cached("/")
    cached(post.url)
    visitor = Client(enforce_csrf_checks=True)
    first = visitor.get(post.url)
    assert first["X-Page-Cache"] == "hit" and "csrftoken" in first.cookies
    for url in ("/", post.url):
        redis_round_trips.clear()
        with django_assert_num_queries(0):
            response = visitor.get(url)
        assert response["X-Page-Cache"] == "hit"
        assert len(redis_round_trips) == 1, url  # the entry and its tags: one MGET
        # The visitor has the cookie: not set again on every hit.
        assert "csrftoken" not in response.cookies, url
    tokens = re.findall(
        r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"', response.content.decode()
    )
    assert (
        len(tokens) == 2
        and "__page_cache_csrf_token__" not in response.content.decode()
    )
    posted = visitor.post(
        post.url,
        {
            "csrfmiddlewaretoken": tokens[0],
            "form": "comment",
            "comment-name": "Ada",
            "comment-email": "ada@example.com",
            "comment-body": "Posted with the cached token",
            "comment-website": "",
        },
    )
    assert posted.status_code == 302
    assert Comment.objects.get().body == "Posted with the cached token"


def test_a_hit_with_a_live_view_counter_adds_one_round_trip(
    redis_round_trips, django_assert_num_queries
):
    bookmark = BookmarkFactory()
    url = bookmark.get_absolute_url()
    cached(url)
    redis_round_trips.clear()
    with django_assert_num_queries(0):
        response = Client().get(url)
    assert response["X-Page-Cache"] == "hit"
    # The page (one MGET) and the view counter (one pipeline: INCR and ZINCRBY).
    assert len(redis_round_trips) == 2


def test_an_entry_stored_by_the_previous_release_is_ignored(rf):
    """Entries of the one-generation design (no tag versions) never match."""
    from django.core.cache import cache

    from core import page_cache

    request = rf.get("/")
    key = page_cache._key(page_cache._path_id(request), "")
    cache.set(key, {"generation": 1, "content": b"old", "status": 200})
    response = Client().get("/")
    assert response["X-Page-Cache"] == "miss" and b"old" != response.content
    assert Client().get("/")["X-Page-Cache"] == "hit"
