"""With Redis unreachable (cache, sessions, counters, rankings, rate limits and the
Celery broker), the public site keeps answering: widgets and counters degrade,
comments are saved, pages publish, mails that cannot be queued are logged.

Redis is "down" by pointing every Redis URL at a port where nothing listens
(connections are refused at once, so the tests stay fast).
"""

import logging

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client
from wagtail.test.utils.form_data import nested_form_data, streamfield

from blog.models import BlogPage, Comment
from blog.tests.factories import BlogIndexPageFactory, BlogPageFactory
from core import degrade
from core.demo import site_root_page
from gallery.tests.factories import BookmarkFactory, ImageFactory
from mysite.celery import app as celery_app
from shop.tests.factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db

DEAD_REDIS = "redis://127.0.0.1:1/0"


def _reset_celery_connections() -> None:
    """Forget the broker connection and producer pools, so the next send connects
    to whatever broker_url says now (Celery does the same after a fork)."""
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def redis_down(settings):
    """Every Redis the site talks to is unreachable, the broker included."""
    settings.CACHES = {
        **settings.CACHES,
        "default": {**settings.CACHES["default"], "LOCATION": DEAD_REDIS},
    }
    settings.REDIS_URL = DEAD_REDIS
    settings.GALLERY_REDIS_URL = ""
    settings.SHOP_RECOMMENDER_REDIS_URL = ""
    conf = celery_app.conf
    saved = {name: conf[name] for name in ("broker_url", "broker_write_url")}
    conf.broker_url = conf.broker_write_url = DEAD_REDIS
    _reset_celery_connections()
    degrade.throttle_reset()
    with pytest.raises(Exception):  # noqa: B017, PT011 - any Redis error will do
        cache._cache.get_client().ping()
    yield
    conf.update(saved)
    _reset_celery_connections()
    degrade.throttle_reset()


@pytest.fixture
def site_content(db):
    """One of everything the public URLs show, created while Redis is still up."""
    home = site_root_page()
    index = BlogIndexPageFactory(parent=home)
    post = BlogPageFactory(parent=index, slug="first-post", tags=["news"])
    owner = get_user_model().objects.create_user("ann", "ann@example.com", "pw-12345")
    bookmark = BookmarkFactory(owner=owner, image=ImageFactory())
    category = CategoryFactory(slug="tools", name="Tools")
    product = ProductFactory(category=category, slug="hammer", name="Hammer")
    return {
        "home": home,
        "index": index,
        "post": post,
        "owner": owner,
        "bookmark": bookmark,
        "category": category,
        "product": product,
    }


# Every public URL of the README's tables and sections (blog, gallery and members,
# shop, search, accounts), as a visitor without a login sees them.
PUBLIC_URLS = [
    lambda c: "/",
    lambda c: "/blog/",
    lambda c: "/blog/?page=1",
    lambda c: c["post"].url,
    lambda c: "/blog/tag/news/",
    lambda c: "/blog/feed/",
    lambda c: "/blog/feed/atom/",
    lambda c: "/sitemap.xml",
    lambda c: "/robots.txt",
    lambda c: "/search/?q=post",
    lambda c: "/gallery/",
    lambda c: "/gallery/?page=1&fragment=1",
    lambda c: "/gallery/ranking/",
    lambda c: c["bookmark"].get_absolute_url(),
    lambda c: "/people/",
    lambda c: f"/people/{c['owner'].username}/",
    lambda c: "/shop/",
    lambda c: c["category"].get_absolute_url(),
    lambda c: c["product"].get_absolute_url(),
    lambda c: "/cart/",
    lambda c: "/account/login/",
    lambda c: "/account/register/",
    lambda c: "/account/password-reset/",
    lambda c: "/healthz/",
]
PUBLIC_IDS = [
    "home",
    "blog-index",
    "blog-index-page-1",
    "post",
    "tag",
    "rss",
    "atom",
    "sitemap",
    "robots",
    "search",
    "gallery",
    "gallery-fragment",
    "ranking",
    "bookmark",
    "people",
    "member",
    "shop",
    "category",
    "product",
    "cart",
    "login",
    "register",
    "password-reset",
    "healthz",
]


@pytest.mark.parametrize("url", PUBLIC_URLS, ids=PUBLIC_IDS)
def test_public_pages_answer_200_with_redis_down(site_content, redis_down, url):
    client = Client(raise_request_exception=False)
    path = url(site_content)
    first = client.get(path)
    assert first.status_code == 200, (path, first.status_code)
    # A second visit carries the session and CSRF cookies the first one set.
    again = client.get(path)
    assert again.status_code == 200, (path, again.status_code)


def test_a_visitor_with_a_session_keeps_it_while_redis_is_down(site_content, settings):
    """The cart lives in the session: written through to PostgreSQL, read from it
    when Redis is away."""
    client = Client(raise_request_exception=False)
    product = site_content["product"]
    response = client.post(f"/cart/add/{product.pk}/", {"quantity": 2})
    assert response.status_code == 302
    # Redis goes away (and its copy of the session with it).
    settings.CACHES = {
        **settings.CACHES,
        "default": {**settings.CACHES["default"], "LOCATION": DEAD_REDIS},
    }
    cart = client.get("/cart/")
    assert cart.status_code == 200
    assert "Hammer" in cart.content.decode()
    added = client.post(f"/cart/add/{product.pk}/", {"quantity": 1})
    assert added.status_code == 302
    assert client.get("/cart/").status_code == 200


def test_a_comment_is_saved_with_redis_down(site_content, redis_down, settings):
    settings.BLOG_COMMENTS_PREMODERATED = False
    client = Client(raise_request_exception=False)
    post = site_content["post"]
    response = client.post(
        post.url,
        {
            "form": "comment",
            "comment-name": "Ada",
            "comment-email": "ada@example.com",
            "comment-body": "Still here while Redis is not.",
            "comment-website": "",
        },
    )
    assert response.status_code == 302, response.status_code
    comment = Comment.objects.get()
    assert (comment.post_id, comment.body, comment.active) == (
        post.pk,
        "Still here while Redis is not.",
        True,
    )
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Still here while Redis is not." in page.content.decode()


def test_sharing_a_post_with_the_broker_down_answers_and_logs(
    site_content, redis_down, caplog, django_capture_on_commit_callbacks
):
    client = Client(raise_request_exception=False)
    post = site_content["post"]
    with (
        caplog.at_level(logging.WARNING),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        response = client.post(
            post.url,
            {
                "form": "share",
                "share-name": "Ada",
                "share-email": "ada@example.com",
                "share-to": "bob@example.com",
                "share-comments": "",
            },
        )
    assert response.status_code == 302, response.status_code
    assert len(callbacks) == 1  # the share was handed to the queue after commit
    assert any(
        "Could not queue the task blog.tasks.share_post" in r.getMessage()
        for r in caplog.records
    )


def test_publishing_a_page_works_with_redis_down(
    site_content, redis_down, django_capture_on_commit_callbacks
):
    index = site_content["index"]
    draft = BlogPageFactory(parent=index, slug="draft", live=False)
    draft.title = "Published while Redis was down"
    draft.cover_image = ImageFactory()  # its thumbnails are queued after commit
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        draft.save_revision().publish()
    assert callbacks  # the thumbnail task was sent (and failed) after commit

    page = BlogPage.objects.get(pk=draft.pk)
    assert page.live
    assert page.title == "Published while Redis was down"
    client = Client(raise_request_exception=False)
    response = client.get(page.url)
    assert response.status_code == 200
    assert "Published while Redis was down" in response.content.decode()


def test_an_editor_publishes_from_the_admin_with_redis_down(
    site_content, redis_down, django_capture_on_commit_callbacks
):
    editor = get_user_model().objects.create_superuser(
        "editor", "editor@example.com", "pw-editor-123"
    )
    client = Client(raise_request_exception=False)
    client.force_login(editor)
    post = site_content["post"]
    edit_url = f"/admin/pages/{post.pk}/edit/"
    assert client.get(edit_url).status_code == 200
    data = nested_form_data(
        {
            "title": "Edited with Redis down",
            "slug": post.slug,
            "intro": post.intro,
            "date": post.date.isoformat(),
            "author": post.author_id,
            "body": streamfield([]),
            "tags": "news",
        }
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(edit_url, {**data, "action-publish": "Publish"})
    assert response.status_code == 302, response.content.decode()[:2000]
    post.refresh_from_db()
    assert post.title == "Edited with Redis down"
    assert post.live and not post.has_unpublished_changes


def test_a_password_reset_answers_with_the_broker_down(
    site_content, redis_down, django_capture_on_commit_callbacks, caplog
):
    client = Client(raise_request_exception=False)
    with (
        caplog.at_level(logging.ERROR),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(
            "/account/password-reset/", {"email": site_content["owner"].email}
        )
    assert response.status_code == 302, response.status_code
    assert any(
        "Could not queue the task accounts.tasks.password_reset_mail" in r.getMessage()
        for r in caplog.records
    )


def test_an_outage_is_logged_once_a_minute_not_per_request(
    site_content, redis_down, caplog
):
    client = Client(raise_request_exception=False)
    post = site_content["post"]
    with caplog.at_level(logging.DEBUG):
        for _ in range(3):
            assert client.get("/blog/").status_code == 200
            assert client.get(post.url).status_code == 200
    errors = [
        r.getMessage()
        for r in caplog.records
        if r.levelno >= logging.ERROR and r.name.startswith(("core", "blog"))
    ]
    cache_errors = [m for m in errors if m.startswith("Redis cache unavailable")]
    assert len(cache_errors) == 1, errors
    # The calls after the first skip Redis (core.redis_cache), said at DEBUG.
    assert any(
        r.levelno == logging.DEBUG and r.getMessage().startswith("Redis cache skipped")
        for r in caplog.records
    )


def test_a_member_logs_in_and_out_with_redis_down(site_content, redis_down):
    """django-axes keeps its attempts in PostgreSQL; the new session goes there too."""
    client = Client(raise_request_exception=False)
    response = client.post(
        "/account/login/", {"username": "ann", "password": "pw-12345"}
    )
    assert response.status_code == 302, response.status_code
    dashboard = client.get("/account/")
    assert dashboard.status_code == 200
    assert client.post("/account/logout/").status_code == 302
    assert client.get("/account/").status_code == 302  # logged out: to the login


def test_a_shopper_checks_out_with_redis_down(
    site_content, redis_down, django_capture_on_commit_callbacks
):
    """The cart (session, in PostgreSQL) and the order survive; the confirmation
    mail that cannot be queued is left to the sweep (orders.services.mail)."""
    import uuid

    from orders.models import Order

    client = Client(raise_request_exception=False)
    product = site_content["product"]
    assert client.post(f"/cart/add/{product.pk}/", {"quantity": 2}).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/orders/create/",
            {
                "first_name": "Ada",
                "last_name": "Lovelace",
                "email": "ada@example.com",
                "address": "1 Analytical Row",
                "postal_code": "12345",
                "city": "London",
                "token": str(uuid.uuid4()),
            },
        )
    assert response.status_code == 302, response.status_code
    order = Order.objects.get()
    assert [(i.product_id, i.quantity) for i in order.items.all()] == [(product.pk, 2)]
    product.refresh_from_db()
    assert product.stock == 8
