"""`make test` and `make bench` never delete what `make run` (or a live site) keeps in
a shared Redis: keys carry a prefix, tests use their own database and Celery queue."""

import os
import subprocess
import sys
import uuid

import pytest
import redis
from django.conf import settings

from conftest import clear_test_cache
from core.redis_keys import delete_keys, redis_key
from gallery import counters
from mysite.celery import app
from mysite.settings.base import BASE_DIR
from mysite.settings.services import redis_url_with_db
from shop import recommender

DEV_PREFIX = "mysite"  # `make run`'s CACHE_KEY_PREFIX


def test_redis_url_with_db_keeps_the_server_and_changes_the_database():
    assert redis_url_with_db("redis://h:6379/0", 1) == "redis://h:6379/1"
    assert redis_url_with_db("rediss://u:p@h:6380", 3) == "rediss://u:p@h:6380/3"
    assert redis_url_with_db("unix:///tmp/r.sock?db=0", 1) == "unix:///tmp/r.sock?db=1"


def test_test_settings_isolate_themselves_even_with_make_runs_redis_url():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "mysite.settings.test",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "CACHE_KEY_PREFIX": DEV_PREFIX,  # exported for `make run`: ignored here
    }
    env.pop("TEST_REDIS_DB", None)
    env.pop("CELERY_BROKER_URL", None)
    code = (
        "from django.conf import settings as s; from mysite.celery import app; "
        "print(s.CACHES['default']['LOCATION'], s.CACHES['default']['KEY_PREFIX'], "
        "app.conf.broker_url, app.conf.task_default_queue)"
    )
    result = subprocess.run(
        [sys.executable, str(BASE_DIR / "manage.py"), "shell", "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    location, prefix, broker, queue = result.stdout.split()[-4:]
    assert location == "redis://127.0.0.1:6379/1"
    assert broker == "redis://127.0.0.1:6379/1"
    assert prefix == "test"
    assert queue == "test"


def test_every_key_the_gallery_writes_carries_the_prefix():
    assert counters.views_key(7) == "test:gallery:bookmark:7:views"
    assert counters.ranking_key() == "test:gallery:bookmark_ranking"
    assert recommender.key(7).startswith("test:")


def test_deleting_outside_the_prefix_is_refused():
    with pytest.raises(ValueError, match="outside this site's prefix"):
        delete_keys(counters.get_client(), "bookmark:*")


@pytest.fixture
def dev_keys():
    """Keys as `make run` writes them, in `make run`'s database (0) and, for a Redis
    shared without separate databases, in the suite's own database too."""
    probe = uuid.uuid4().hex
    names = [
        f"{DEV_PREFIX}:gallery:bookmark_ranking",
        f"{DEV_PREFIX}:gallery:bookmark:{probe}:views",
        f"{DEV_PREFIX}:ratelimit:comment:{probe}",
        f"{DEV_PREFIX}:shop:bought_together:{probe}",
    ]
    live_queue = "celery"  # `make run`'s queue (CELERY_QUEUE unset)
    clients = [
        redis.Redis.from_url(redis_url_with_db(settings.REDIS_URL, 0)),
        redis.Redis.from_url(settings.REDIS_URL),
    ]
    written = []
    for client in clients:
        for name in names:
            if not client.exists(name):  # never overwrite a real developer's key
                client.set(name, "kept")
                written.append((client, name))
        client.rpush(live_queue, f"probe-{probe}")
    yield clients, names, live_queue, f"probe-{probe}"
    for client, name in written:
        client.delete(name)
    for client in clients:
        client.lrem(live_queue, 0, f"probe-{probe}")


def test_make_run_keys_and_queue_survive_the_suites_cleanup(dev_keys):
    clients, names, live_queue, message = dev_keys
    counters.get_client().set(counters.views_key(1), 5)
    cache_client = counters.get_client()

    # Everything the suite (and bench tests) use to clean up after themselves.
    clear_test_cache()
    counters.clear()
    recommender.clear()
    app.control.purge()

    assert cache_client.get(counters.views_key(1)) is None  # ours: gone
    for client in clients:
        for name in names:
            assert client.exists(name), name
        assert message.encode() in client.lrange(live_queue, 0, -1)
    assert redis_key("x").startswith("test:")


def test_the_bench_has_its_own_prefix_and_queue(tmp_path):
    from bench.server import bench_environment

    env = bench_environment({"PATH": "/bin"}, static_root=tmp_path)
    assert env["CACHE_KEY_PREFIX"] == "bench"
    assert env["CELERY_QUEUE"] == "bench"
