"""The default cache answers as an empty cache while Redis is away, and skips a
server that just failed instead of waiting for it on every call."""

import logging

import pytest
from django.core.cache import cache
from redis.exceptions import RedisError

from core import degrade

DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


class Clock:
    now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(degrade, "_clock", clock)
    return clock


@pytest.fixture
def dead_cache(settings):
    settings.CACHES = {
        **settings.CACHES,
        "default": {**settings.CACHES["default"], "LOCATION": DEAD_REDIS},
    }
    return cache


@pytest.fixture
def connections(monkeypatch):
    """How many times the cache asks redis-py for a client (one per Redis call)."""
    calls = []
    client = cache._cache
    original = client.get_client

    def counted(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(client, "get_client", counted)
    return calls


def test_reads_miss_and_writes_are_dropped_while_redis_is_away(dead_cache, caplog):
    with caplog.at_level(logging.ERROR, logger="core.redis_cache"):
        assert cache.get("k", "default") == "default"
        assert cache.get_many(["a", "b"]) == {}
        assert cache.add("k", 1) is False  # nobody takes a lock it cannot keep
        cache.set("k", 1)
        assert cache.delete("k") is False
        assert "k" not in cache
    assert [r.getMessage() for r in caplog.records] == [
        "Redis cache unavailable (get); answering without it"
    ]
    with pytest.raises(RedisError):
        cache.incr("counter")


def test_a_failed_server_is_skipped_for_a_few_seconds(
    dead_cache, connections, clock, settings
):
    settings.DEGRADED_RETRY_SECONDS = 5
    assert cache.get("k") is None
    assert len(connections) == 1
    for _ in range(3):
        assert cache.get("k") is None
        cache.set("k", 1)
    with pytest.raises(RedisError):
        cache.incr("k")
    assert len(connections) == 1  # not tried again meanwhile
    clock.now += 5
    assert cache.get("k") is None
    assert len(connections) == 2  # tried again, failed again


def test_a_working_server_is_used_again_once_the_pause_is_over(clock, settings):
    settings.DEGRADED_RETRY_SECONDS = 5
    cache.set("kept", "value")
    degrade.circuit_trip(cache._circuit)  # as after a timeout
    assert cache.get("kept") is None
    clock.now += 5
    assert cache.get("kept") == "value"


def test_zero_seconds_tries_redis_on_every_call(
    dead_cache, connections, clock, settings
):
    settings.DEGRADED_RETRY_SECONDS = 0
    for _ in range(3):
        assert cache.get("k") is None
    assert len(connections) == 3
