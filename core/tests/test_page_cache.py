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
    assert not Client().get("/shop/?utm_source=x").has_header("X-Page-Cache")


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


def test_entries_carry_the_generation_read_before_rendering(post):
    """The entry keeps the generation read before rendering, so a change in between
    makes it stale at once."""
    from django.core.cache import cache

    from core import page_cache

    Client().get(post.url)
    generation = cache.get(page_cache.GENERATION_KEY)
    cached(post.url)
    entries = [
        cache.get(key.decode().split(":", 2)[2])
        for key in cache._cache.get_client().scan_iter(match="*page_cache:page:*")
    ]
    assert [e["generation"] for e in entries] == [generation]
    comments_set_active(comment_ids=[], active=True)
    assert cache.get(page_cache.GENERATION_KEY) > generation
    fresh(post.url)
