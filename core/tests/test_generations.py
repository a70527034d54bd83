"""Generation counters: never back to an old value, bumped again after commit, and
Redis outages tolerated."""

import pytest
from django.core.cache import cache

from core.generations import generation_bump, generation_current

KEY = "tests:generation"


def test_a_missing_counter_restarts_above_every_value_used_before():
    first = generation_current(KEY)
    generation_bump(KEY)
    bumped = generation_current(KEY)
    assert bumped == first + 1
    cache.delete(KEY)  # evicted under memory pressure, or a FLUSHDB
    assert generation_current(KEY) > bumped
    cache.delete(KEY)
    generation_bump(KEY)
    assert cache.get(KEY) > bumped


@pytest.mark.django_db
def test_a_bump_inside_a_transaction_is_repeated_after_commit(
    django_capture_on_commit_callbacks,
):
    start = generation_current(KEY)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        generation_bump(KEY)
        assert cache.get(KEY) == start + 1
    assert len(callbacks) == 1
    assert cache.get(KEY) == start + 2


def test_a_redis_outage_is_logged_not_raised(settings, caplog):
    settings.CACHES = {
        "default": {
            **settings.CACHES["default"],
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2},
        }
    }
    generation_bump(KEY)
    assert generation_current(KEY) is None
    assert "Could not bump the generation" in caplog.text
    # The read is answered as a miss by the cache itself (core.redis_cache).
