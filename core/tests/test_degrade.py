"""Outage logging is throttled per kind; a task that cannot be queued is logged."""

import logging

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from core import degrade

logger = logging.getLogger("core.tests.degrade")


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(degrade, "_clock", clock)
    return clock


def fail(kind: str) -> bool:
    try:
        raise RedisConnectionError("Connection refused")
    except RedisConnectionError:
        return degrade.outage(kind, logger, "Redis away for %s", kind)


def errors(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


def test_two_failures_within_a_minute_log_once(clock, caplog):
    with caplog.at_level(logging.DEBUG, logger="core.tests.degrade"):
        assert fail("cache") is True
        clock.now += 59
        assert fail("cache") is False
    assert errors(caplog) == ["Redis away for cache"]
    record = next(r for r in caplog.records if r.levelno >= logging.ERROR)
    assert record.exc_info[0] is RedisConnectionError  # with its traceback
    # The one left out is still there at DEBUG.
    assert [r.levelname for r in caplog.records] == ["ERROR", "DEBUG"]


def test_a_minute_later_it_logs_again_with_the_count_left_out(clock, caplog):
    with caplog.at_level(logging.ERROR, logger="core.tests.degrade"):
        fail("cache")
        for _ in range(4):
            clock.now += 10
            fail("cache")
        clock.now += 20  # 60 s after the first line
        assert fail("cache") is True
    assert errors(caplog) == [
        "Redis away for cache",
        "Redis away for cache (4 more failures of cache since the last report)",
    ]


def test_each_kind_is_throttled_on_its_own(clock, caplog):
    with caplog.at_level(logging.ERROR, logger="core.tests.degrade"):
        fail("cache")
        fail("counters")
        fail("cache")
    assert errors(caplog) == ["Redis away for cache", "Redis away for counters"]


def test_the_interval_is_a_setting(clock, caplog, settings):
    settings.DEGRADED_LOG_INTERVAL = 5
    with caplog.at_level(logging.ERROR, logger="core.tests.degrade"):
        fail("cache")
        clock.now += 5
        fail("cache")
    assert len(errors(caplog)) == 2


class BrokenTask:
    name = "core.tests.broken"

    def delay(self, *args, **kwargs):
        raise OSError("broker unreachable")


def test_a_task_that_cannot_be_queued_is_logged_not_raised(caplog):
    with caplog.at_level(logging.ERROR, logger="core.degrade"):
        assert degrade.enqueue(BrokenTask(), 1, two=2) is False
    assert errors(caplog) == [
        "Could not queue the task core.tests.broken; it is dropped"
    ]
