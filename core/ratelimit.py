"""A fixed-window rate limit on a Redis counter, shared by every web process."""

import hashlib
import logging

from django.core.cache import cache
from redis.exceptions import RedisError

from .degrade import outage

logger = logging.getLogger(__name__)


def client_ip(request) -> str:
    """The address the request came from. Behind a proxy, configure it to set
    REMOTE_ADDR (e.g. gunicorn --forwarded-allow-ips); we never trust
    X-Forwarded-For ourselves, since any client can send one."""
    return request.META.get("REMOTE_ADDR") or "unknown"


def rate_limited(scope: str, ident: str, *, limit: int, window: int) -> bool:
    """Count one hit for (scope, ident) and say whether it is over `limit` hits per
    `window` seconds. The first hit creates the key with its expiry; later hits
    INCR it atomically, so concurrent requests can't both slip under the limit.

    With Redis away nothing can be counted and the request is let through (a form
    post must not fail because of a counter); the outage is logged once a minute."""
    digest = hashlib.sha256(ident.encode()).hexdigest()[:32]
    key = f"ratelimit:{scope}:{digest}"
    try:
        if cache.add(key, 1, timeout=window):
            return limit < 1
        try:
            hits = cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.add(key, 1, timeout=window)
            hits = 1
    except RedisError:
        outage("ratelimit", logger, "Rate limit %s not counted (Redis away)", scope)
        return False
    return hits > limit
