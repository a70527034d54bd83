"""Degraded mode: what the site does when Redis (cache, sessions, counters, the
Celery broker) is away.

Pages keep answering without it (README "Security"): caches miss, counters show
"unavailable", rate limits let requests through, tasks that cannot be queued are
logged. An outage fails on every request, so its log line would too: `outage()`
logs each *kind* of failure at most once per `DEGRADED_LOG_INTERVAL` seconds per
process (with how many were left out since), the rest at DEBUG.

    try:
        client.incr(key)
    except RedisError:
        outage("gallery.counters", logger, "Could not count a view of %s", pk)

A server that does not answer at all (a dropped network, not a refused connection)
costs a socket timeout per call; `circuit_trip(name)` after such a failure makes
`circuit_open(name)` true for `DEGRADED_RETRY_SECONDS`, during which callers skip
the server instead of waiting for it again.

`enqueue_on_commit(task, *args)` queues a Celery task once the transaction commits and,
with the broker down, logs (throttled) instead of failing the request that asked.
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)

_lock = threading.Lock()
# kind -> (monotonic time of the last line logged, failures left out since)
_last: dict[str, tuple[float, int]] = {}
# circuit name -> monotonic time until which the server is not tried again
_open_until: dict[str, float] = {}
_clock = time.monotonic  # tests may replace it


def _interval() -> float:
    return float(settings.DEGRADED_LOG_INTERVAL)


def outage(kind: str, log: logging.Logger, message: str, *args) -> bool:
    """Log `message` (with the exception being handled) as an ERROR the first time
    `kind` fails in an interval, at DEBUG otherwise. Returns whether it was logged
    as an ERROR."""
    now = _clock()
    with _lock:
        last, skipped = _last.get(kind, (None, 0))
        due = last is None or now - last >= _interval()
        _last[kind] = (now, 0) if due else (last, skipped + 1)
    if not due:
        log.debug(message, *args, exc_info=True)
        return False
    if skipped:
        message += " (%d more failures of %s since the last report)"
        args = (*args, skipped, kind)
    log.error(message, *args, exc_info=True)
    return True


def circuit_trip(name: str) -> None:
    """`name` (a server) just failed to connect or answer: skip it for a while."""
    seconds = settings.DEGRADED_RETRY_SECONDS
    if seconds > 0:
        with _lock:
            _open_until[name] = _clock() + seconds


def circuit_open(name: str) -> bool:
    """Whether `name` failed less than DEGRADED_RETRY_SECONDS ago."""
    until = _open_until.get(name)
    return until is not None and _clock() < until


def throttle_reset() -> None:
    """Forget when each kind was last logged and every tripped circuit (tests)."""
    with _lock:
        _last.clear()
        _open_until.clear()


def enqueue(task, *args, **kwargs) -> bool:
    """`task.delay(*args, **kwargs)`; with the broker unreachable, log it (throttled)
    and return False instead of raising."""
    try:
        task.delay(*args, **kwargs)
    except Exception:  # noqa: BLE001 - the broker's errors vary by transport
        outage(
            "celery.broker",
            logger,
            "Could not queue the task %s; it is dropped",
            task.name,
        )
        return False
    return True


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Queue `task` once the current transaction commits (at once outside one);
    a broker outage is logged, never raised into the request."""
    transaction.on_commit(lambda: enqueue(task, *args, **kwargs))
