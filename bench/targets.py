"""What `make bench` loads with wrk: one `Target` per URL.

To add a page, append a `Target` to TARGETS. Paths that depend on seeded data (a post's
URL, a product id) are callables evaluated after Django is set up; logged-in pages name
a user; a page that needs state in its session (a cart with items) gets a `prepare`
callable that drives the same test Client whose cookies wrk then sends.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

BARE_PATH = "/__bench__/bare/"


@dataclass(frozen=True)
class Target:
    name: str
    path: str | Callable[[], str]
    method: str = "GET"
    # Form body for POSTs, e.g. "quantity=1"; sent as application/x-www-form-urlencoded
    # unless `headers` sets another Content-Type.
    body: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    # Log this user in (by username) and send the session cookie with every request.
    login: str | None = None
    # Send a CSRF cookie and the X-CSRFToken header (unsafe methods need it).
    csrf: bool = False
    # Called with the prepared test Client (after login) to put state in the session.
    prepare: Callable[[Any], None] | None = None
    # Make every URL unique (?__bench=<n>) so a page cache never hits: "uncached".
    cache_bust: bool = False
    # Targets: throughput as a fraction of the adjacent bare runs, query budget.
    min_ratio: float | None = None
    max_queries: int | None = None
    note: str = ""

    def resolve_path(self) -> str:
        return self.path() if callable(self.path) else self.path


BARE = Target(name="bare view", path=BARE_PATH)


# --- seeded objects the paths point at (evaluated after Django is set up) ---------


def _post():
    from blog.bench_seed import SLUG_PREFIX
    from blog.models import BlogPage

    return BlogPage.objects.live().filter(slug__startswith=SLUG_PREFIX).last()


def post_path() -> str:
    return _post().url


def tag_path() -> str:
    post = _post()
    return f"{post.url.rsplit('/', 2)[0]}/tag/{post.tags.order_by('pk').first().slug}/"


def product():
    from shop.bench_seed import bench_products

    return bench_products().order_by("pk").first()


def product_path() -> str:
    return product().get_absolute_url()


def bookmark_path() -> str:
    from gallery.bench_seed import bench_bookmarks

    return bench_bookmarks().order_by("pk").first().get_absolute_url()


def liked_bookmark_path() -> str:
    """A bookmark the logged-in member likes, so the page shows the like state."""
    from django.contrib.auth import get_user_model

    from gallery.bench_seed import bench_bookmarks

    member = get_user_model().objects.get(username=MEMBER)
    liked = bench_bookmarks().filter(users_like=member).order_by("pk").first()
    return (liked or bench_bookmarks().order_by("pk").first()).get_absolute_url()


def cart_with_items(client) -> None:
    """Put two products in the session's cart through the real view."""
    from django.conf import settings
    from django.middleware.csrf import _get_new_csrf_string

    from shop.bench_seed import bench_products

    token = _get_new_csrf_string()
    client.cookies[settings.CSRF_COOKIE_NAME] = token
    for item in bench_products().order_by("pk")[:2]:
        client.post(f"/cart/add/{item.pk}/", {"quantity": 2}, HTTP_X_CSRFTOKEN=token)


MEMBER = "bench-member-1"
ANON = "anonymous page view (issue: >= 0.5x with the page cache)"
UNCACHED = "uncached (cache_bust): >= 0.15x"
LOGGED_IN = "logged in: >= 0.2x"
SEARCH = "search view; the in-process p95 targets are below"


def anonymous(name: str, path, **options) -> list[Target]:
    """A page as anonymous visitors see it, and the same page never served from a
    page cache (a unique query string per request)."""
    return [
        Target(name=name, path=path, min_ratio=0.5, note=ANON, **options),
        Target(
            name=f"{name} (uncached)",
            path=path,
            cache_bust=True,
            min_ratio=0.15,
            note=UNCACHED,
            **options,
        ),
    ]


TARGETS: list[Target] = [
    *anonymous("home", "/"),
    *anonymous("blog index", "/blog/"),
    *anonymous("blog post", post_path),
    *anonymous("tag page", tag_path),
    Target(name="RSS feed", path="/blog/feed/", min_ratio=0.5, note=ANON),
    Target(name="search (common word)", path="/search/?q=django", note=SEARCH),
    Target(name="search (rare word)", path="/search/?q=xylophone", note=SEARCH),
    Target(name="search (misspelling)", path="/search/?q=wagtial", note=SEARCH),
    *anonymous("product list", "/shop/"),
    *anonymous("product page", product_path),
    Target(
        name="cart with items",
        path="/cart/",
        prepare=cart_with_items,
        min_ratio=0.2,
        note="a session with a cart: >= 0.2x",
    ),
    Target(
        name="add to cart",
        path=lambda: f"/cart/add/{product().pk}/",
        method="POST",
        body="quantity=1&override=",
        csrf=True,
        min_ratio=0.4,
        max_queries=2,
        note="POST, answers a redirect",
    ),
    *anonymous("bookmark list", "/gallery/"),
    *anonymous("bookmark detail", bookmark_path),
    Target(
        name="bookmark detail (logged in)",
        path=liked_bookmark_path,
        login=MEMBER,
        min_ratio=0.2,
        note=f"{LOGGED_IN}, with like state",
    ),
    Target(name="ranking", path="/gallery/ranking/", min_ratio=0.5, note=ANON),
    Target(
        name="dashboard", path="/account/", login=MEMBER, min_ratio=0.2, note=LOGGED_IN
    ),
]
