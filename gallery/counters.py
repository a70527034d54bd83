"""View counters and the most-viewed ranking, kept in Redis.

A page view must never fail because Redis is away: every function here catches
Redis errors, logs them (once a minute, core.degrade) and answers None / an empty
ranking, and the templates show "unavailable". The client is created once per
process (per URL) with short timeouts.
"""

import logging

import redis
from django.conf import settings

from core.degrade import outage
from core.redis_keys import delete_keys, redis_key

logger = logging.getLogger(__name__)

_client: redis.Redis | None = None
_client_url: str | None = None


def views_key(bookmark_id: int) -> str:
    """`<prefix>:gallery:bookmark:<id>:views` (core.redis_keys)."""
    return redis_key("gallery", "bookmark", bookmark_id, "views")


def ranking_key() -> str:
    """`<prefix>:gallery:bookmark_ranking`, the sorted set of views per bookmark."""
    return redis_key("gallery", "bookmark_ranking")


def get_client() -> redis.Redis:
    """The process-wide client for GALLERY_REDIS_URL (or REDIS_URL)."""
    global _client, _client_url
    url = settings.GALLERY_REDIS_URL or settings.REDIS_URL
    if _client is None or _client_url != url:
        _client = redis.Redis.from_url(
            url,
            socket_connect_timeout=1,
            socket_timeout=1,
            decode_responses=True,
        )
        _client_url = url
    return _client


def view_record(*, bookmark_id: int) -> int | None:
    """Count one view; return the new total, or None when Redis is unreachable."""
    try:
        pipe = get_client().pipeline()
        pipe.incr(views_key(bookmark_id))
        pipe.zincrby(ranking_key(), 1, str(bookmark_id))
        total, _score = pipe.execute()
        return int(total)
    except redis.RedisError:
        outage(
            "gallery.views.record",
            logger,
            "Could not record a view of bookmark %s",
            bookmark_id,
        )
        return None


def views_get(*, bookmark_id: int) -> int | None:
    try:
        value = get_client().get(views_key(bookmark_id))
    except redis.RedisError:
        outage(
            "gallery.views.read",
            logger,
            "Could not read the views of bookmark %s",
            bookmark_id,
        )
        return None
    return int(value or 0)


def ranking_top(*, limit: int = 10) -> list[tuple[int, int]] | None:
    """[(bookmark id, views)] most viewed first, or None when Redis is unreachable."""
    try:
        rows = get_client().zrevrange(ranking_key(), 0, limit - 1, withscores=True)
    except redis.RedisError:
        outage("gallery.ranking", logger, "Could not read the bookmark ranking")
        return None
    return [(int(member), int(score)) for member, score in rows]


def views_forget(*, bookmark_id: int) -> None:
    """Drop a deleted bookmark's counter and ranking entry."""
    try:
        pipe = get_client().pipeline()
        pipe.delete(views_key(bookmark_id))
        pipe.zrem(ranking_key(), str(bookmark_id))
        pipe.execute()
    except redis.RedisError:
        outage(
            "gallery.views.forget",
            logger,
            "Could not forget the views of bookmark %s",
            bookmark_id,
        )


def views_set(*, bookmark_id: int, views: int) -> None:
    """Set a counter outright (demo content)."""
    pipe = get_client().pipeline()
    pipe.set(views_key(bookmark_id), views)
    pipe.zadd(ranking_key(), {str(bookmark_id): views})
    pipe.execute()


def clear() -> int:
    """Delete every counter and the ranking of this site's prefix, nothing else
    (tests and the bench use it); returns how many keys. Raises redis.RedisError."""
    return delete_keys(get_client(), redis_key("gallery", "*"))
