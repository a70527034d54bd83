"""Sidebar widgets are the same on every blog page, so they are cached in Redis.

Every key includes a version number that any change readers could see bumps
(publish, unpublish, delete, comment saved or moderated), so a widget is never
staler than the change that affects it; the timeout is only a safety net.
"""

from django.core.cache import cache

VERSION_KEY = "blog:widgets:version"
TIMEOUT = 60 * 10


def _version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, 1, timeout=None)
        version = cache.get(VERSION_KEY, 1)
    return version


def cached(name: str, compute):
    key = f"blog:widgets:{_version()}:{name}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TIMEOUT)
    return value


def invalidate(**kwargs) -> None:
    """Signal receiver (takes any arguments): forget every cached widget."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.add(VERSION_KEY, 1, timeout=None)
