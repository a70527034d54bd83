"""Rendered result fragments for anonymous visitors, kept in Redis for a short time.

Why: a search is the one public page the page cache never serves (its query string
is free text), and a popular query costs the same ranking and snippet work for every
visitor. The fragment below the search form — promotions, groups, hits, pagination —
is the same for every anonymous visitor, so it is stored for SEARCH_CACHE_SECONDS
(default 60) and the page around it (header, user menu, CSRF token) is rendered per
request as usual.

Rules:

- Anonymous visitors only. A logged-in member neither reads nor writes an entry (no
  result differs for members today; the rule keeps it so if one ever does).
- The key is a SHA-256 of what decides the fragment, normalised the way the search
  reads it: the cleaned query (`clean_query`), the page as Paginator reads it (a
  non-number is page 1, below 1 the last page), a known kind or none, and the host
  (page links are relative to the site). The raw input is never part of a key, so a
  key has a fixed length whatever is typed.
- Freshness is the TTL alone: a promoted result added or edited, a post published or
  unpublished, a product or bookmark changed shows to anonymous visitors within
  SEARCH_CACHE_SECONDS. Editors and members see it at once (they bypass the cache).
- Redis errors are logged and the page is rendered uncached, never an error page.
"""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from redis.exceptions import RedisError

from .selectors import clean_query, requested_page
from .sources import get_source

logger = logging.getLogger(__name__)

KEY_PREFIX = "search:results:v1:"


def results_key(request) -> str | None:
    """The cache key of this request's result fragment, or None when the fragment
    must not come from (or go into) the cache."""
    seconds = settings.SEARCH_CACHE_SECONDS
    if seconds <= 0 or request.user.is_authenticated:
        return None
    query = clean_query(request.GET.get("q", ""))
    if not query:
        return None  # the "type some words" hint costs nothing
    page = requested_page(request.GET.get("page"))
    kind = request.GET.get("kind", "")
    parts = [
        query,
        "last" if page is None else str(page),
        kind if get_source(kind) else "",
        request.get_host(),
    ]
    digest = hashlib.sha256("\0".join(parts).encode()).hexdigest()
    return KEY_PREFIX + digest


def cached_results(key: str | None) -> str | None:
    if key is None:
        return None
    try:
        return cache.get(key)
    except RedisError:
        logger.warning("search cache unavailable; rendering uncached", exc_info=True)
        return None


def store_results(key: str | None, html: str) -> None:
    if key is None:
        return
    try:
        cache.set(key, str(html), settings.SEARCH_CACHE_SECONDS)
    except RedisError:
        logger.warning("search cache unavailable; result not stored", exc_info=True)
