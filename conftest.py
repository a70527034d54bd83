"""Fixtures shared by every app's tests: a real Celery worker, a clean Redis cache."""

import pytest
from django.conf import settings
from django.core.cache import cache


def clear_test_cache() -> None:
    """Delete this suite's cache keys only (FLUSHDB would also drop Celery's queue)."""
    client = cache._cache.get_client(write=True)
    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
    if keys:
        client.delete(*keys)


@pytest.fixture(autouse=True)
def _clean_cache():
    clear_test_cache()
    yield


@pytest.fixture(scope="session")
def _celery_worker_session(django_db_setup, django_db_blocker):
    """One real Celery worker (solo pool, in a thread) consuming from the real Redis."""
    from celery.contrib.testing.worker import start_worker

    from mysite.celery import app

    app.control.purge()  # messages left by an earlier, interrupted run
    with start_worker(
        app,
        pool="solo",
        perform_ping_check=False,
        shutdown_timeout=10,
        loglevel="WARNING",
    ) as worker:
        yield worker


@pytest.fixture
def celery_worker(
    _celery_worker_session, django_db_serialized_rollback, transactional_db
):
    """A running worker. Tasks see committed data only, so the test is transactional;
    serialized rollback puts back the rows migrations created (the Wagtail site tree)
    that a transactional test's flush would otherwise remove for the tests after it."""
    return _celery_worker_session
