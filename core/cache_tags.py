"""Dependency tags: cached pages and fragments go stale only when what they show
changes.

A *tag* is a short string naming something a page shows: "page:12" (any Wagtail page,
blog posts included), "posts" (every list, feed, widget and home section of posts),
"comments" (the most-commented widget), "product:7", "products" (lists and sections
showing products or their stock state), "category:3", "bookmark:40", "bookmarks"
(lists of bookmarks), "likes" (what is ordered by likes: the home section), "member:5",
"members" (the people list and every username shown), "pages" (the page tree: the
sitemap), and "site", on which everything depends (unknown models invalidate it).
README "Caching" has the full table: tag → writes that invalidate it → what depends
on it.

- Rendering records its tags: `cache_depends("post:12", ...)` adds them to every open
  collector (`collect()`, a contextvar; the page cache opens one per request, a cached
  fragment one per fragment, so a fragment's tags also reach the page around it).
- Each tag has a *version* in Redis. `invalidate(*tags)` sets each to a fresh value
  of one global clock (`INCR`, one Lua call), at once and again after the
  transaction commits (a render in between saw the old rows). When the clock is
  missing (first use, eviction, FLUSHDB) it restarts
  at the time in microseconds, above every value handed out before. A missing tag
  is stale: entries only match versions that exist. It is created (not bumped) with
  the clock's current value: an entry holding that value for it was computed after
  the clock reached it, and any invalidation of the tag since would have moved the
  clock, so only entries that are still right can match.
- An entry stores {tag: version} read *before* it was computed. Where the tags are
  known first (`cached_value`, a fragment) the versions come with the entry in one
  MGET (missing ones are created before computing). Where they are discovered while
  rendering (a page), the clock is read before rendering and the versions after it:
  if any is newer than the clock (invalidated mid-render) the result is not stored
  this time; a tag still missing after the render was not invalidated during it and
  is created then.

Redis errors are left to the callers, which compute uncached (`cached_value` does).
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import time
from collections.abc import Callable, Iterable, Iterator

from django.core.cache import cache
from django.db import connection, transaction
from redis.exceptions import RedisError

from .degrade import outage

logger = logging.getLogger(__name__)

CLOCK_KEY = "cache_tags:clock"
# A tag's version outlives every entry that can record it (entries live at most
# PAGE_CACHE_SECONDS / a fragment's timeout); an expired tag only makes entries stale.
TAG_SECONDS = 60 * 60 * 24
SITE = "site"

_collectors: contextvars.ContextVar[tuple[set, ...]] = contextvars.ContextVar(
    "cache_tags_collectors", default=()
)

# KEYS[1] the clock, KEYS[2..] the tags; ARGV[1] a fresh start, ARGV[2] the tag TTL.
_BUMP = """
if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('SET', KEYS[1], ARGV[1]) end
local v = redis.call('INCR', KEYS[1])
for i = 2, #KEYS do redis.call('SET', KEYS[i], v, 'EX', ARGV[2]) end
return v
"""
# The same keys: create the missing tags at the clock's current value (no INCR);
# returns every tag's version.
_CREATE = """
if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('SET', KEYS[1], ARGV[1]) end
local c = redis.call('GET', KEYS[1])
local out = {}
for i = 2, #KEYS do
  redis.call('SET', KEYS[i], c, 'NX', 'EX', ARGV[2])
  out[i - 1] = redis.call('GET', KEYS[i])
end
return out
"""


def tag_key(tag: str) -> str:
    return f"cache_tags:v:{tag}"


# --- Recording what a render depends on ---------------------------------------------


def cache_depends(*tags: str) -> None:
    """Record that what is being rendered shows `tags` (no-op outside a collector)."""
    for collector in _collectors.get():
        collector.update(tags)


@contextlib.contextmanager
def collect() -> Iterator[set]:
    """Collect the tags recorded inside the block (always including "site")."""
    collector = {SITE}
    token = _collectors.set((*_collectors.get(), collector))
    try:
        yield collector
    finally:
        _collectors.reset(token)


# --- Invalidation -------------------------------------------------------------------


def _fresh_start() -> int:
    return time.time_ns() // 1000


def _bump(tags: Iterable[str]) -> int | None:
    keys = [cache.make_and_validate_key(CLOCK_KEY)]
    keys += [cache.make_and_validate_key(tag_key(t)) for t in tags]
    try:
        client = cache._cache.get_client(keys[0], write=True)
        return client.eval(_BUMP, len(keys), *keys, _fresh_start(), TAG_SECONDS)
    except RedisError:
        outage(
            "cache.invalidate",
            logger,
            "Could not invalidate the cache tags %s",
            list(tags),
        )
        return None


def _create(tags: list[str]) -> dict[str, int]:
    """Give the missing `tags` a version (see the module docstring); raises
    RedisError."""
    keys = [cache.make_and_validate_key(CLOCK_KEY)]
    keys += [cache.make_and_validate_key(tag_key(t)) for t in tags]
    client = cache._cache.get_client(keys[0], write=True)
    values = client.eval(_CREATE, len(keys), *keys, _fresh_start(), TAG_SECONDS)
    return {tag: int(value) for tag, value in zip(tags, values, strict=True)}


def invalidate(*tags: str) -> None:
    """Make every entry depending on any of `tags` stale, now and after commit."""
    tags = tuple(dict.fromkeys(tags))
    if not tags:
        return
    _bump(tags)
    if connection.in_atomic_block:
        transaction.on_commit(lambda: _bump(tags))


def clock_start() -> int | None:
    """Create the clock if it is missing (no tag changes); its new value."""
    return _bump(())


# --- Checking and storing -----------------------------------------------------------


def versions_match(stored: dict, found: dict) -> bool:
    """Every stored version is still current (a missing tag never matches)."""
    return all(
        found.get(tag_key(tag)) == version and version is not None
        for tag, version in stored.items()
    )


def versions_after_render(tags: Iterable[str], clock: int) -> dict | None:
    """The versions of `tags` for an entry rendered after the clock read `clock`,
    or None when the entry must not be stored: a tag changed while rendering (its
    version is newer than the clock) or has no version yet (created now)."""
    tags = sorted(tags)
    values = cache.get_many([tag_key(t) for t in tags])
    versions = {t: values.get(tag_key(t)) for t in tags}
    if any(v is not None and v > clock for v in versions.values()):
        return None
    missing = [t for t, v in versions.items() if v is None]
    if missing:  # not invalidated while rendering (it would exist): create it
        versions.update(_create(missing))
    return versions


def cached_value(key: str, tags: Iterable[str], compute: Callable, timeout: int):
    """`compute()`, cached under `key` until one of `tags` is invalidated.

    One MGET (entry and tag versions); the tags are recorded in the open
    collectors, so a page showing this value depends on them too. Redis down:
    computed every time.
    """
    tags = sorted({SITE, *tags})
    cache_depends(*tags)
    keys = [tag_key(t) for t in tags]
    try:
        found = cache.get_many([key, *keys])
    except RedisError:
        outage(
            "cache.value",
            logger,
            "Cache unavailable; computing %s",
            key,
        )
        return compute()
    entry = found.get(key)
    if entry is not None and versions_match(entry["versions"], found):
        return entry["value"]
    versions = {t: found.get(tag_key(t)) for t in tags}
    missing = [t for t, v in versions.items() if v is None]
    if missing:  # created before computing: a later change makes the entry stale
        try:
            versions.update(_create(missing))
        except RedisError:
            outage(
                "cache.value",
                logger,
                "Cache unavailable; computing %s",
                key,
            )
            return compute()
    value = compute()
    try:
        cache.set(key, {"versions": versions, "value": value}, timeout)
    except RedisError:
        outage("cache.value-store", logger, "Could not store %s", key)
    return value
