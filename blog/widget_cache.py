"""Sidebar widgets are the same on every blog page, so they are cached in Redis.

Every key includes the widgets' generation (core.generations), which any change
readers could see bumps (publish, unpublish, delete, comment saved or moderated), so a
widget is never staler than the change that affects it; the timeout is only a safety
net. When Redis is down the widgets are computed on every render.
"""

import logging

from django.core.cache import cache
from redis.exceptions import RedisError

from core.degrade import outage
from core.generations import generation_bump, generation_current

logger = logging.getLogger(__name__)

GENERATION_KEY = "blog:widgets:generation"
TIMEOUT = 60 * 10


def cached(name: str, compute):
    generation = generation_current(GENERATION_KEY)
    if generation is None:
        return compute()
    key = f"blog:widgets:{generation}:{name}"
    try:
        value = cache.get(key)
    except RedisError:
        outage(
            "blog.widgets", logger, "Blog widget cache unavailable; computing %s", name
        )
        return compute()
    if value is None:
        value = compute()
        try:
            cache.set(key, value, TIMEOUT)
        except RedisError:
            outage("blog.widgets", logger, "Could not store the blog widget %s", name)
    return value


def invalidate(**kwargs) -> None:
    """Signal receiver (takes any arguments): forget every cached widget."""
    generation_bump(GENERATION_KEY)
