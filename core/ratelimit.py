"""A fixed-window rate limit on a Redis counter, shared by every web process."""

import hashlib

from django.core.cache import cache


def client_ip(request) -> str:
    """The address the request came from. Behind a proxy, configure it to set
    REMOTE_ADDR (e.g. gunicorn --forwarded-allow-ips); we never trust
    X-Forwarded-For ourselves, since any client can send one."""
    return request.META.get("REMOTE_ADDR") or "unknown"


def rate_limited(scope: str, ident: str, *, limit: int, window: int) -> bool:
    """Count one hit for (scope, ident) and say whether it is over `limit` hits per
    `window` seconds. The first hit creates the key with its expiry; later hits
    INCR it atomically, so concurrent requests can't both slip under the limit."""
    digest = hashlib.sha256(ident.encode()).hexdigest()[:32]
    key = f"ratelimit:{scope}:{digest}"
    if cache.add(key, 1, timeout=window):
        return limit < 1
    try:
        hits = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.add(key, 1, timeout=window)
        hits = 1
    return hits > limit
