"""Django's Redis cache, answering like an empty cache while Redis is away.

Everything that uses the default cache — ours (page cache, widgets, search results,
tag versions) and other people's (Wagtail's site root paths, cached_db sessions) —
then keeps working without it: reads miss, writes are dropped, `add` says the key
exists (so nobody takes a lock or a first hit they cannot record). The outage is
logged once per minute (core.degrade), not once per call.

After a connection error or timeout the server is skipped for
DEGRADED_RETRY_SECONDS (core.degrade's circuit), so a Redis that does not answer
costs one socket timeout then, not one per cache call of every request.

`incr`/`decr` still raise `redis.RedisError`: there is no sensible number to
answer, and their callers (rate limits) decide what an outage means.

CACHES["default"]["BACKEND"] = "core.redis_cache.ResilientRedisCache"
"""

from __future__ import annotations

import logging

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from .degrade import circuit_open, circuit_trip, outage

logger = logging.getLogger(__name__)


class ResilientRedisCache(RedisCache):
    @property
    def _circuit(self) -> str:
        return "redis.cache:" + ",".join(self._servers)

    def _try(self, operation: str, fallback, call, *args):
        """`call(*args)`, or `fallback` when Redis fails or is being skipped."""
        if circuit_open(self._circuit):
            logger.debug("Redis cache skipped (%s): it failed just now", operation)
            return fallback
        try:
            return call(*args)
        except RedisError as exc:
            if isinstance(exc, (RedisConnectionError, RedisTimeoutError)):
                circuit_trip(self._circuit)
            outage(
                "redis.cache",
                logger,
                "Redis cache unavailable (%s); answering without it",
                operation,
            )
            return fallback

    def get(self, key, default=None, version=None):
        return self._try("get", default, super().get, key, default, version)

    def get_many(self, keys, version=None):
        return self._try("get_many", {}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._try("has_key", False, super().has_key, key, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._try("add", False, super().add, key, value, timeout, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._try("set", None, super().set, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._try(
            "set_many", list(data), super().set_many, data, timeout, version
        )

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._try("touch", False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._try("delete", False, super().delete, key, version)

    def delete_many(self, keys, version=None):
        self._try("delete_many", None, super().delete_many, keys, version)

    def incr(self, key, delta=1, version=None):
        if circuit_open(self._circuit):
            raise RedisConnectionError("Redis failed just now; not tried again yet")
        try:
            return super().incr(key, delta, version)
        except (RedisConnectionError, RedisTimeoutError):
            circuit_trip(self._circuit)
            raise
