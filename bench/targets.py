"""What `make bench` loads with wrk: one `Target` per URL, grouped in scenarios.

To add a page, append a `Target` to TARGETS. Paths that depend on seeded data (a post's
URL, a product id) are callables evaluated after Django is set up; logged-in pages name
a user; a page that needs state in its session (a cart with items) gets a `prepare`
callable that drives the same test Client whose cookies wrk then sends.

Every ratio is to the startproject-sized bare app (bench/bare/, a second gunicorn with
the same flags); the site's own bare view is a reference row.

**Uncached rows** (`cache_bust=True`) must never be answered by a page cache. Each of
their requests carries both

- a query parameter `CACHE_BUST_PARAM` with a value unique to the request (a cache
  keyed on the full URL, as today's, cannot have seen it), and
- the header `CACHE_BUST_HEADER: 1` — the contract for any page cache: while
  `settings.BENCH_ENDPOINTS` is on, a request with this header is neither answered
  from nor stored in the cache. A redesign that normalises or ignores unknown query
  parameters must honour it.

The run counts `X-Page-Cache: hit` responses per row; a hit on an uncached row fails
that row, so a cache that stops honouring either is caught, not silently measured.
(`bench/tests/test_live.py` checks the same against a live server.)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

SITE_BARE_PATH = "/__bench__/bare/"
CACHE_BUST_PARAM = "__bench"
CACHE_BUST_HEADER = "X-Bench-Uncached"

MEMBER = "bench-member-1"  # the logged-in reader
OTHER_MEMBER = "bench-member-2"  # whose member page the reader visits

# Scenarios, in report order: key -> (title, the target for its rows or "").
REFERENCE = "reference"
ANONYMOUS = "anonymous"
UNCACHED = "uncached"
LOGGED_IN = "logged-in"
ACTIONS = "actions"
SEARCH = "search"
WRITES = "writes"
SCENARIOS: dict[str, tuple[str, str]] = {
    REFERENCE: (
        "Reference: the site's own bare view (our middleware, no database, no "
        "template), to show what our middleware adds to Django's floor",
        "",
    ),
    ANONYMOUS: (
        "Anonymous, cache warm, nothing changing",
        "≥ 0.5× with or without forms",
    ),
    UNCACHED: (
        "Uncached renders (a unique query string and the bypass header)",
        "≥ 0.1×",
    ),
    LOGGED_IN: (f"Logged in as the seeded member `{MEMBER}`", "≥ 0.1×"),
    ACTIONS: ("Shop actions", "add to cart ≥ 0.4× with ≤ 2 queries"),
    SEARCH: (
        "Search over HTTP (the search targets are the in-process p95 figures below)",
        "",
    ),
    WRITES: (
        "Anonymous pages while members like, follow, comment and check out "
        "(bench/writer.py)",
        "≥ 0.3×",
    ),
}


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
    # Never served by a page cache: unique CACHE_BUST_PARAM + CACHE_BUST_HEADER.
    cache_bust: bool = False
    # Load it while bench/writer.py writes (likes, follows, comments, checkouts).
    during_writes: bool = False
    # The report section this row belongs to (a key of SCENARIOS).
    scenario: str = ANONYMOUS
    # Targets: throughput as a fraction of the adjacent bare runs, query budget.
    min_ratio: float | None = None
    max_queries: int | None = None
    note: str = ""

    def resolve_path(self) -> str:
        return self.path() if callable(self.path) else self.path


SITE_BARE = Target(
    name="site bare view",
    path=SITE_BARE_PATH,
    scenario=REFERENCE,
    note="full site middleware; not a target, shows what our middleware costs",
)


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


def bookmark():
    from gallery.bench_seed import bench_bookmarks

    return bench_bookmarks().order_by("pk").first()


def bookmark_path() -> str:
    return bookmark().get_absolute_url()


def liked_bookmark_path() -> str:
    """A bookmark the logged-in member likes, so the page shows the like state."""
    from django.contrib.auth import get_user_model

    from gallery.bench_seed import bench_bookmarks

    member = get_user_model().objects.get(username=MEMBER)
    liked = bench_bookmarks().filter(users_like=member).order_by("pk").first()
    return (liked or bookmark()).get_absolute_url()


def member_page_path() -> str:
    return f"/people/{OTHER_MEMBER}/"


def cart_with_items(client) -> None:
    """Put two products in the session's cart through the real view."""
    from django.conf import settings
    from django.middleware.csrf import _get_new_csrf_string

    from shop.bench_seed import bench_products

    token = client.cookies.get(settings.CSRF_COOKIE_NAME)
    token = token.value if token else _get_new_csrf_string()
    client.cookies[settings.CSRF_COOKIE_NAME] = token
    for item in bench_products().order_by("pk")[:2]:
        client.post(f"/cart/add/{item.pk}/", {"quantity": 2}, HTTP_X_CSRFTOKEN=token)


# --- the targets ------------------------------------------------------------------


def anonymous(name: str, path, **options) -> Target:
    """A page as anonymous visitors see it, cache warm, nothing changing."""
    return Target(name=name, path=path, scenario=ANONYMOUS, min_ratio=0.5, **options)


def uncached(name: str, path, **options) -> Target:
    """The same page never served from a page cache (see the module docstring)."""
    return Target(
        name=f"{name} (uncached)",
        path=path,
        cache_bust=True,
        scenario=UNCACHED,
        min_ratio=0.1,
        **options,
    )


def logged_in(name: str, path, **options) -> Target:
    return Target(
        name=f"{name} (logged in)",
        path=path,
        login=MEMBER,
        scenario=LOGGED_IN,
        min_ratio=0.1,
        **options,
    )


def during_writes(name: str, path, **options) -> Target:
    """An anonymous page loaded while bench/writer.py likes, follows, comments and
    checks out through the same gunicorn (5 writes/s and 1 checkout/s by default)."""
    return Target(
        name=f"{name} (during writes)",
        path=path,
        during_writes=True,
        scenario=WRITES,
        min_ratio=0.3,
        **options,
    )


TARGETS: list[Target] = [
    SITE_BARE,
    anonymous("home", "/"),
    anonymous("blog index", "/blog/"),
    anonymous("blog post", post_path, note="comment and share forms"),
    anonymous("tag page", tag_path),
    anonymous("RSS feed", "/blog/feed/"),
    anonymous("product list", "/shop/"),
    anonymous("product page", product_path, note="add-to-cart form"),
    anonymous("bookmark list", "/gallery/"),
    anonymous("bookmark detail", bookmark_path, note="live view counter"),
    anonymous("ranking", "/gallery/ranking/"),
    anonymous("member page", member_page_path),
    uncached("home", "/"),
    uncached("blog index", "/blog/"),
    uncached("blog post", post_path),
    uncached("tag page", tag_path),
    uncached("product list", "/shop/"),
    uncached("product page", product_path),
    uncached("bookmark list", "/gallery/"),
    uncached("bookmark detail", bookmark_path),
    logged_in("dashboard", "/account/", note="activity stream of followed members"),
    logged_in("home", "/"),
    logged_in("blog post", post_path),
    logged_in("product page", product_path),
    logged_in("cart with items", "/cart/", prepare=cart_with_items),
    logged_in("bookmark list", "/gallery/"),
    logged_in("bookmark detail", liked_bookmark_path, note="with like state"),
    logged_in("member page", member_page_path, note="with follow state"),
    Target(
        name="add to cart",
        path=lambda: f"/cart/add/{product().pk}/",
        method="POST",
        body="quantity=1&override=",
        csrf=True,
        scenario=ACTIONS,
        min_ratio=0.4,
        max_queries=2,
        note="POST, answers a redirect",
    ),
    Target(name="search (common word)", path="/search/?q=django", scenario=SEARCH),
    Target(name="search (rare word)", path="/search/?q=xylophone", scenario=SEARCH),
    Target(name="search (misspelling)", path="/search/?q=wagtial", scenario=SEARCH),
    during_writes("home", "/"),
    during_writes("blog index", "/blog/"),
    during_writes("blog post", post_path),
    during_writes("product list", "/shop/"),
    during_writes("product page", product_path),
    during_writes("bookmark list", "/gallery/"),
    during_writes("bookmark detail", bookmark_path),
]
