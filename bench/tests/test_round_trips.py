"""Redis round trips a list page makes: renditions stay in process."""

from io import StringIO

import pytest
import redis.connection
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.management import call_command
from wagtail.images import get_image_model

from gallery import counters


@pytest.fixture
def redis_commands(monkeypatch):
    """Every command sent to Redis, by anything (cache, sessions, counters)."""
    sent: list[str] = []
    original = redis.connection.AbstractConnection.send_command

    def send_command(self, *args, **kwargs):
        sent.append(" ".join(str(a) for a in args[:2]))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(
        redis.connection.AbstractConnection, "send_command", send_command
    )
    return sent


@pytest.mark.django_db
def test_list_pages_do_not_write_renditions_to_redis(client, redis_commands):
    call_command("seed_bench", "--scale", "0.01", stdout=StringIO())
    try:
        for path in ("/shop/", "/blog/", "/gallery/"):
            client.get(path)
            redis_commands.clear()
            response = client.get(path)

            assert response.status_code == 200
            assert b"<img" in response.content
            assert not [c for c in redis_commands if "rendition" in c], path
    finally:
        counters.clear()
    rendition_model = get_image_model().get_rendition_model()
    assert isinstance(rendition_model.cache_backend, LocMemCache)
    assert rendition_model.cache_backend is caches["renditions"]
