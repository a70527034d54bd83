"""The one naming rule for Redis keys the site writes itself (outside Django's cache,
which adds the same prefix on its own): `<CACHE_KEY_PREFIX>:<part>:<part>…`.

Sites, `make run`, `make test` and `make bench` sharing a Redis each have their own
prefix, so clearing one's keys (`delete_keys`) never touches another's.
"""

from django.conf import settings


def prefix() -> str:
    return settings.CACHES["default"]["KEY_PREFIX"]


def redis_key(*parts) -> str:
    """`redis_key("gallery", "bookmark", 7)` → `mysite:gallery:bookmark:7`."""
    return ":".join([prefix(), *(str(part) for part in parts)])


def delete_keys(client, pattern: str) -> int:
    """Delete the keys matching `pattern` (a SCAN pattern, which must start with this
    site's prefix) in batches; returns how many. Never FLUSHDB."""
    if not pattern.startswith(f"{prefix()}:"):
        raise ValueError(f"{pattern!r} is outside this site's prefix {prefix()!r}")
    deleted = 0
    batch = []
    for name in client.scan_iter(match=pattern, count=1000):
        batch.append(name)
        if len(batch) == 1000:
            deleted += client.delete(*batch)
            batch = []
    if batch:
        deleted += client.delete(*batch)
    return deleted
