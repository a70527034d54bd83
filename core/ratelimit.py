"""A fixed-window rate limit on a Redis counter, shared by every web process, and the
client address every limit, django-axes and the request logs use."""

import functools
import hashlib
import ipaddress
import logging

from django.conf import settings
from django.core.cache import cache
from ipware import get_client_ip
from redis.exceptions import RedisError

from .degrade import outage

logger = logging.getLogger(__name__)


@functools.cache
def _trusted_networks(entries: tuple[str, ...]):
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def is_trusted_proxy(address: str) -> bool:
    """Whether `address` (a REMOTE_ADDR) is one of TRUSTED_PROXIES (IPs or CIDRs)."""
    networks = _trusted_networks(tuple(settings.TRUSTED_PROXIES))
    if not networks or not address:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_ip(request) -> str:
    """The address the request came from ("unknown" when there is none)."""
    return client_ip_or_none(request) or "unknown"


def client_ip_or_none(request) -> str | None:
    """The address the request came from, or None (django-axes stores it as an IP).

    REMOTE_ADDR, unless it is a proxy listed in TRUSTED_PROXIES: then the address
    that proxy saw, which it appended last to X-Forwarded-For (nginx's
    `$proxy_add_x_forwarded_for`), read by django-ipware. Anything a client put in
    the header itself comes before that and is ignored, and so is the header when
    the request did not come through a trusted proxy.
    """
    remote = request.META.get("REMOTE_ADDR") or ""
    if is_trusted_proxy(remote):
        forwarded, _routable = get_client_ip(
            request,
            proxy_count=0,  # the client is the last hop in the header
            request_header_order=["HTTP_X_FORWARDED_FOR"],
            strict=False,
        )
        if forwarded:
            return forwarded
    return remote or None


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
