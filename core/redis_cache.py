"""Django's Redis cache, answering like an empty cache while Redis is away.

Everything that uses the default cache — ours (page cache, widgets, search results,
generations) and other people's (Wagtail's site root paths, cached_db sessions) —
then keeps working without it: reads miss, writes are dropped, `add` says the key
exists (so nobody takes a lock or a first hit they cannot record). The outage is
logged once per minute (core.degrade), not once per call.

`incr`/`decr` still raise `redis.RedisError`: there is no sensible number to
answer, and their callers (generations, rate limits) decide what an outage means.

CACHES["default"]["BACKEND"] = "core.redis_cache.ResilientRedisCache"
"""

from __future__ import annotations

import logging

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

from .degrade import outage

logger = logging.getLogger(__name__)


def _down(operation: str) -> None:
    outage(
        "redis.cache",
        logger,
        "Redis cache unavailable (%s); answering without it",
        operation,
    )


class ResilientRedisCache(RedisCache):
    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except RedisError:
            _down("get")
            return default

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except RedisError:
            _down("get_many")
            return {}

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version)
        except RedisError:
            _down("has_key")
            return False

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().add(key, value, timeout, version)
        except RedisError:
            _down("add")
            return False

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            super().set(key, value, timeout, version)
        except RedisError:
            _down("set")

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().set_many(data, timeout, version)
        except RedisError:
            _down("set_many")
            return list(data)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().touch(key, timeout, version)
        except RedisError:
            _down("touch")
            return False

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except RedisError:
            _down("delete")
            return False

    def delete_many(self, keys, version=None):
        try:
            super().delete_many(keys, version)
        except RedisError:
            _down("delete_many")
