"""Generation counters: invalidate a whole family of cache entries with one INCR.

An entry records the generation it was computed in (in its value or its key); a change
readers could see bumps the generation, so every older entry stops matching at once and
nothing has to be deleted. Used by the page cache (core.page_cache) and the blog's
sidebar widgets (blog.widget_cache).

Two rules keep a stale entry from ever matching again:

- A missing counter (first use, eviction under maxmemory, FLUSHDB) restarts above any
  value used before (the clock in microseconds), never at 1: an entry written under an
  old generation 1, 2, 3 … could otherwise match the restarted counter.
- A bump inside a transaction is repeated after commit: an entry computed in between
  saw the old rows but carries the new generation.

Redis errors are logged (once a minute, core.degrade), never raised: callers render
uncached when Redis is down.
"""

from __future__ import annotations

import logging
import time

from django.core.cache import cache
from django.db import connection, transaction
from redis.exceptions import RedisError

from .degrade import outage

logger = logging.getLogger(__name__)


def _fresh_start() -> int:
    return time.time_ns() // 1000


def _incr(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:  # missing: start above every value used before
        if not cache.add(key, _fresh_start(), timeout=None):
            cache.incr(key)  # another process created it meanwhile
    except RedisError:
        outage("generations.bump", logger, "Could not bump the generation %s", key)


def generation_bump(key: str) -> None:
    """Make every entry of generation `key` stale, now and again after commit.

    Takes no other arguments; wrap it (or use a lambda) to use it as a receiver.
    """
    _incr(key)
    if connection.in_atomic_block:
        transaction.on_commit(lambda: _incr(key))


def generation_current(key: str) -> int | None:
    """The current generation of `key`, created when missing; None when Redis is down
    (the caller then computes without caching)."""
    try:
        generation = cache.get(key)
        if generation is None:
            cache.add(key, _fresh_start(), timeout=None)
            generation = cache.get(key)
    except RedisError:
        outage("generations.read", logger, "Could not read the generation %s", key)
        return None
    return generation
