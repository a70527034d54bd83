"""Fixtures shared by every app's tests: a real Celery worker, a clean Redis cache,
pixel bombs and a guard that Pillow never decodes one."""

import functools
import struct
import zlib

import pytest
from django.core.cache import cache

from core import degrade


def clear_test_cache() -> None:
    """Delete this suite's keys only: those under its own prefix (TEST_CACHE_KEY_PREFIX)
    in its own database (TEST_REDIS_DB). Never FLUSHDB: REDIS_URL may be `make run`'s
    Redis, whose keys and queue must survive the suite."""
    from core.redis_keys import delete_keys, redis_key

    delete_keys(cache._cache.get_client(write=True), redis_key("*"))


@pytest.fixture(autouse=True)
def _clean_cache():
    clear_test_cache()
    degrade.throttle_reset()  # each test sees its own first outage log line
    yield


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test database, marked as throwaway so `load_demo` and
    `seed_bench` may write to it (core/devdb.py)."""
    from core.devdb import mark_development_database

    with django_db_blocker.unblock():
        mark_development_database()


@pytest.fixture(scope="session")
def _celery_worker_session(django_db_setup, django_db_blocker):
    """One real Celery worker (solo pool, in a thread) consuming from the real Redis."""
    from celery.contrib.testing.worker import start_worker

    from mysite.celery import app

    app.control.purge()  # the suite's own queue (TEST_CELERY_QUEUE) only
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


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data)
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


@functools.cache
def real_png(width: int, height: int) -> bytes:
    """A real, complete 1-bit palette PNG of width × height in one colour.

    Tiny on disk (13000 × 13000 is about 20 KB) but every pixel is there: Pillow
    decodes it to one byte per pixel (169 MB at 13000²) and four after an RGBA
    conversion, which is what a pixel limit must prevent.
    """
    header = struct.pack(">IIBBBBB", width, height, 1, 3, 0, 0, 0)
    row = bytes(1 + (width + 7) // 8)  # filter byte + packed bits, all colour 0
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(height))
    data += compressor.flush()
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"PLTE", bytes([200, 80, 40, 255, 255, 255]))
        + _png_chunk(b"IDAT", data)
        + _png_chunk(b"IEND", b"")
    )


@pytest.fixture
def png_of():
    """real_png(width, height) for tests that need other sizes."""
    return real_png


@pytest.fixture
def pixel_bomb() -> bytes:
    """A 13000 × 13000 palette PNG of about 20 KB (169 million pixels, over the
    site's limit yet under Pillow's default refusal); decoding it for a thumbnail
    costs about a gigabyte."""
    return real_png(13000, 13000)


@pytest.fixture
def decoded_sizes(monkeypatch, settings) -> list[tuple[int, int]]:
    """The sizes of the pictures Pillow decodes during the test.

    Wraps Pillow's decoder entry point (ImageFile.load, third-party code) without
    changing it, except that a picture over the site's pixel limit fails the test
    at once instead of being decoded: a missing check then shows as a failure, not
    as a gigabyte of memory.
    """
    from PIL import ImageFile

    original = ImageFile.ImageFile.load
    sizes = []

    def load(image):
        width, height = image.size
        assert width * height <= settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS, (
            f"Pillow was asked to decode a {width} × {height} picture"
        )
        sizes.append((width, height))
        return original(image)

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)
    return sizes
