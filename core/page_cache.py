"""Full-page cache for anonymous visitors, kept in Redis, invisible to editors.

Why: a Wagtail page costs ~12 ms and 4+ queries before any template work (site,
routing, view restrictions); the same HTML goes to every anonymous visitor with an
empty cart. `PageCacheMiddleware` stores that HTML and replays it with zero SQL.

Correctness rules (each has a test in core/tests/test_page_cache.py):

- Only GET/HEAD, only visitors whose session holds nothing but an empty cart (no
  login, no pending messages, no password-protected page passed), only paths outside
  the private areas (PAGE_CACHE_EXCLUDED_PREFIXES); anything else bypasses the cache.
- Query strings (issue 12, poisoning and flooding): `page` only as a positive integer
  up to PAGE_CACHE_MAX_PAGE (`page=1` is the same entry as no `page`), `fragment`
  only as `1`, each at most once; tracking parameters (PAGE_CACHE_IGNORED_PARAMS:
  `utm_*`, `gclid`, …) are left out of the key, so campaign links are served from
  the cache; any other parameter or value bypasses. The key hashes the *encoded*,
  sorted parameters, so `?fragment=1%26page%3D2` can never share the entry of
  `?page=2&fragment=1`. A view that paginates calls `paginated(request, page_obj)`:
  a page number past the end is answered (the last page) but never stored. At most
  PAGE_CACHE_MAX_VARIANTS_PER_PATH entries per path (a Redis set per path, checked
  only when storing).
- `X-Bench-Uncached: 1` bypasses the cache while settings.BENCH_ENDPOINTS is on (the
  contract of bench/targets.py for uncached rows); ignored otherwise.
- Only 200 HTML/XML responses that set no cookie, change no session and queue no
  message are stored.
- Freshness by dependency tags (core.cache_tags): rendering records what the page
  shows (`cache_depends("bookmark:40", "bookmarks")` in views, template tags and
  cached fragments; a Wagtail page adds "page:<id>" through the before_serve_page
  hook; every page depends on "site"). The entry keeps each tag's version; a write
  invalidates only its tags (the mapping from writes to tags is core/signals.py and
  the apps' services), so the next request for a page showing it renders again
  while unrelated pages stay cached. The clock is read before rendering and the
  versions after it: a page whose tag changed mid-render is not stored. The TTL is
  a safety net.
- CSRF: tokens in a stored page are replaced by a sentinel; every hit gets this
  visitor's own token, so forms on cached pages post fine. A hit costs the same with
  or without a form: one `bytes.replace` only when the sentinel is there, and the
  CSRF cookie is set only for a visitor who has none yet (Django's get_token would
  set it again on every response to renew its expiry; the cookie lasts a year).
- Fragments that must be fresh on every view (the bookmark view counter, which also
  counts the view) are rendered through `live_fragment` and re-run on every hit.

One Redis round trip per hit: the entry, the clock and the versions of the tags the
page had when this process last stored or read it (an in-process map) come in one
MGET; only when the entry's tags differ from that map is a second MGET needed.
"""

from __future__ import annotations

import hashlib
import logging
import re
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import _does_token_match, _mask_cipher_secret, get_token
from django.utils.module_loading import import_string
from django.utils.safestring import SafeString, mark_safe
from redis.exceptions import RedisError

from . import cache_tags
from .cache_tags import CLOCK_KEY, SITE, tag_key
from .degrade import outage

logger = logging.getLogger(__name__)

CSRF_SENTINEL = b"__page_cache_csrf_token__"
# A masked CSRF token: 64 characters of [a-zA-Z0-9] (django.middleware.csrf).
_TOKEN_RE = re.compile(rb"(?<![A-Za-z0-9])[A-Za-z0-9]{64}(?![A-Za-z0-9])")
_LIVE_RE = re.compile(rb"<!--live:(\d+)-->.*?<!--/live:\1-->", re.DOTALL)
_CACHEABLE_TYPES = {
    "text/html",
    "application/rss+xml",
    "application/atom+xml",
    "application/xml",
    "text/xml",
}
# Headers the outer middleware adds again on every response (and per visitor).
_NOT_STORED_HEADERS = {"vary", "set-cookie", "content-length", "x-page-cache"}


# The tags of each page key as last seen by this process, so a hit fetches the entry
# and its tags' versions in one MGET. Bounded: emptied when full.
_KNOWN_TAGS: dict[str, tuple[str, ...]] = {}
_KNOWN_TAGS_MAX = 20000


def _remember_tags(key: str, tags) -> tuple[str, ...]:
    if len(_KNOWN_TAGS) >= _KNOWN_TAGS_MAX:
        _KNOWN_TAGS.clear()
    known = _KNOWN_TAGS[key] = tuple(sorted(tags))
    return known


# --- Invalidation -------------------------------------------------------------------


def invalidate(**kwargs) -> None:
    """Forget every cached page and fragment (a signal receiver: takes any
    arguments): invalidates "site", on which everything depends."""
    cache_tags.invalidate(SITE)


# --- Fragments that stay live on cached pages --------------------------------------


def live_fragment(request, func: str, **kwargs) -> SafeString:
    """Call `func(**kwargs)` (dotted path, returns HTML) now and on every cache hit.

    For the few parts of a public page that change on every view or must run per
    view (a view counter). kwargs must be picklable.
    """
    html = import_string(func)(**kwargs)
    fragments = request.__dict__.setdefault("_page_cache_live", {})
    number = len(fragments)
    fragments[number] = (func, kwargs)
    return mark_safe(f"<!--live:{number}-->{html}<!--/live:{number}-->")  # noqa: S308


def _render_live(content: bytes, fragments: dict) -> bytes:
    def replace(match):
        number = int(match.group(1))
        func, kwargs = fragments[number]
        html = import_string(func)(**kwargs)
        return f"<!--live:{number}-->{html}<!--/live:{number}-->".encode()

    return _LIVE_RE.sub(replace, content)


# --- Request and response checks ---------------------------------------------------


_PAGE_RE = re.compile(r"[1-9][0-9]{0,8}")


def _ignored_param(name: str) -> bool:
    for pattern in settings.PAGE_CACHE_IGNORED_PARAMS:
        if pattern.endswith("*"):
            if name.startswith(pattern[:-1]):
                return True
        elif name == pattern:
            return True
    return False


def _cache_query(request) -> str | None:
    """The query string the entry is keyed by (encoded, sorted, tracking parameters
    left out, `page=1` as no page), or None when the request must bypass."""
    kept = []
    for name, values in request.GET.lists():
        if _ignored_param(name):
            continue
        if len(values) != 1:
            return None
        value = values[0]
        if name == "page":
            if not _PAGE_RE.fullmatch(value):
                return None
            if int(value) > settings.PAGE_CACHE_MAX_PAGE:
                return None
            if value == "1":
                continue
        elif name == "fragment":
            if value != "1":
                return None
        else:
            return None
        kept.append((name, value))
    return urlencode(sorted(kept))


def paginated(request, page_obj) -> None:
    """For views that paginate: a page past the end (answered with the last page)
    is not stored, so `?page=<anything>` cannot fill the cache."""
    if str(page_obj.number) != (request.GET.get("page") or "1"):
        dont_store(request)


def cache_seconds(request, seconds: int) -> None:
    """Keep this response at most `seconds` (a page showing counters that change
    without a write, such as the view ranking)."""
    request._page_cache_seconds = seconds


def dont_store(request) -> None:
    """Answer this request normally but keep its response out of the cache."""
    request._page_cache_dont_store = True


def _session_is_blank(request) -> bool:
    """Nothing per-visitor in the session: no login, no messages, an empty cart.

    A visitor without a session cookie costs no I/O here (the store is empty without
    loading); with one, cached_db reads it from Redis.
    """
    session = request.session
    for key in session.keys():
        if key == settings.CART_SESSION_ID and not session[key]:
            continue
        return False
    return True


def _request_cacheable(request) -> bool:
    if not settings.PAGE_CACHE_ENABLED or request.method not in {"GET", "HEAD"}:
        return False
    if request.path.startswith(tuple(settings.PAGE_CACHE_EXCLUDED_PREFIXES)):
        return False
    if settings.BENCH_ENDPOINTS and request.headers.get("X-Bench-Uncached") == "1":
        return False
    if request.COOKIES.get("messages"):  # messages waiting in the cookie store
        return False
    return _session_is_blank(request)


def _response_storable(request, response) -> bool:
    if getattr(request, "_page_cache_dont_store", False):
        return False
    if request.method != "GET" or response.status_code != 200 or response.streaming:
        return False
    content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
    if content_type not in _CACHEABLE_TYPES:
        return False
    cache_control = response.get("Cache-Control", "").lower()
    if any(word in cache_control for word in ("private", "no-store", "no-cache")):
        return False
    if response.cookies or request.session.modified:
        return False
    storage = getattr(request, "_messages", None)
    if storage is not None and (storage._queued_messages or storage.added_new):
        return False
    return _session_is_blank(request)


def _path_id(request) -> str:
    raw = f"{request.scheme}://{request.get_host()}{request.path}"
    return hashlib.sha256(raw.encode()).hexdigest()


def _key(path_id: str, query: str) -> str:
    digest = hashlib.sha256(f"{path_id}?{query}".encode()).hexdigest()
    return f"page_cache:page:{digest}"


def _variant_allowed(path_id: str, key: str) -> bool:
    """Room for one more entry of this path? A Redis set per path holds the keys
    stored (expiring with them); a key already in it is always allowed."""
    variants = f"page_cache:variants:{path_id}"
    redis_key = cache.make_and_validate_key(variants)
    client = cache._cache.get_client(redis_key, write=True)
    pipe = client.pipeline(transaction=False)
    pipe.sadd(redis_key, key)
    pipe.scard(redis_key)
    pipe.expire(redis_key, settings.PAGE_CACHE_SECONDS)
    added, count, _ = pipe.execute()
    if added and count > settings.PAGE_CACHE_MAX_VARIANTS_PER_PATH:
        client.srem(redis_key, key)
        return False
    return True


def _tokens_to_sentinel(request, content: bytes) -> bytes:
    secret = request.META.get("CSRF_COOKIE")
    if not secret:
        return content

    def replace(match):
        token = match.group(0).decode()
        return CSRF_SENTINEL if _does_token_match(token, secret) else match.group(0)

    return _TOKEN_RE.sub(replace, content)


def _csrf_token(request) -> str:
    """This visitor's CSRF token, setting the cookie only if they have none."""
    secret = request.META.get("CSRF_COOKIE")
    if secret and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return _mask_cipher_secret(secret)
    return get_token(request)


# --- Middleware --------------------------------------------------------------------


class PageCacheMiddleware:
    """Serve and store anonymous pages. Sits last in MIDDLEWARE, so a hit still gets
    every header the other middleware add (CSP, X-Frame-Options, Vary, CSRF cookie)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _request_cacheable(request):
            return self.get_response(request)
        query = _cache_query(request)
        if query is None:
            return self.get_response(request)
        path_id = _path_id(request)
        key = _key(path_id, query)
        known = _KNOWN_TAGS.get(key, (SITE,))
        try:
            found = cache.get_many([CLOCK_KEY, key, *map(tag_key, known)])
            entry = found.get(key)
            if entry is not None and "versions" not in entry:
                entry = None  # stored by an older release (one global generation)
            if entry is not None and tuple(entry["versions"]) != known:
                # Rendered with other tags (by another process, or since): fetch
                # the versions of those.
                known = _remember_tags(key, entry["versions"])
                found.update(cache.get_many(list(map(tag_key, known))))
        except RedisError:
            outage(
                "cache.page",
                logger,
                "Page cache unavailable; rendering uncached",
            )
            return self.get_response(request)
        if entry is not None and cache_tags.versions_match(entry["versions"], found):
            return self._replay(request, entry)

        clock = found.get(CLOCK_KEY)
        if clock is None:  # first use, or evicted: restart it before rendering
            clock = cache_tags.clock_start()
        with cache_tags.collect() as tags:
            response = self.get_response(request)
        if clock is not None and _response_storable(request, response):
            self._store(request, response, path_id, key, tags, clock)
        response["X-Page-Cache"] = "miss"
        return response

    def _store(self, request, response, path_id, key, tags, clock) -> None:
        try:
            versions = cache_tags.versions_after_render(tags, clock)
        except RedisError:
            outage(
                "cache.page-tags",
                logger,
                "Could not read the cache tags' versions",
            )
            return
        if versions is None:
            return  # something it shows changed while rendering
        content = _tokens_to_sentinel(request, response.content)
        entry = {
            "versions": versions,
            "status": response.status_code,
            "headers": [
                (name, value)
                for name, value in response.items()
                if name.lower() not in _NOT_STORED_HEADERS
            ],
            "content": content,
            "csrf": CSRF_SENTINEL in content,
            "live": getattr(request, "_page_cache_live", {}),
        }
        try:
            if not _variant_allowed(path_id, key):
                return
            timeout = getattr(request, "_page_cache_seconds", None)
            cache.set(key, entry, timeout or settings.PAGE_CACHE_SECONDS)
        except RedisError:
            outage(
                "cache.page-store",
                logger,
                "Could not store a page in the page cache",
            )
            return
        _remember_tags(key, versions)

    def _replay(self, request, entry) -> HttpResponse:
        content = entry["content"]
        if entry.get("csrf", True):
            content = content.replace(CSRF_SENTINEL, _csrf_token(request).encode())
        if entry["live"]:
            content = _render_live(content, entry["live"])
        response = HttpResponse(content, status=entry["status"])
        for name, value in entry["headers"]:
            response[name] = value
        response["X-Page-Cache"] = "hit"
        return response
