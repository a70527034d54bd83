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

# The URLs that exist today. The feature issues add theirs (blog index, post, tag, feed,
# search variants, product list/page, cart, add-to-cart, bookmarks, ranking, dashboard)
# with the targets of issue 8: anonymous pages >= 0.5x, logged-in >= 0.2x,
# add-to-cart >= 0.4x with <= 2 queries.
TARGETS: list[Target] = [
    Target(name="home", path="/", min_ratio=0.5, note="anonymous page view"),
    Target(name="search (common word)", path="/search/?q=home"),
    Target(name="robots.txt", path="/robots.txt"),
    Target(name="admin login", path="/admin/login/"),
]
