"""'Bought together' scores in Redis sorted sets, as in "Django 5 By Example".

For each product, a sorted set of the products bought in the same orders, scored by
how often: `key(<product id>)` → {other product id: count}. Orders feed it when they
are paid (a Celery task in `orders`), and `manage.py recommendations_rebuild`
recomputes it from the paid orders.

Every key this module writes is built by `key()`, under the site's prefix, so the
rebuild can clear ours and nothing else. Reads never raise: with Redis unreachable
the pages render without recommendations. Writes raise `redis.RedisError`, so the
task that calls them retries.
"""

import logging
import uuid
from collections.abc import Iterable

import redis
from django.conf import settings

from core.degrade import outage

logger = logging.getLogger(__name__)

NAMESPACE = "shop:bought_together"
# How long an order's "already counted" mark is kept: far longer than any retry or
# redelivery of its task (the broker's visibility timeout is an hour), short enough
# that the marks of a busy shop take little memory.
CLAIM_SECONDS = 2 * 24 * 3600
# Ids read from Redis per suggestion, so unavailable or deleted products can be
# skipped and still leave enough to show.
CANDIDATES = 20

_client: redis.Redis | None = None
_client_url: str | None = None

# Count an order once: the claim (SET NX) and the increments run as one script, so a
# task run twice counts once and a failure counts nothing, never half an order.
# KEYS: the claim key (or "" for none), then one key per product; ARGV: the claim's
# lifetime, then the product ids in the same order.
_RECORD = """
if KEYS[1] ~= '' and not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then
  return 0
end
for i = 2, #KEYS do
  for j = 2, #KEYS do
    if i ~= j then redis.call('ZINCRBY', KEYS[i], 1, ARGV[j]) end
  end
end
return 1
"""


def key(*parts) -> str:
    """The one place our Redis keys are named: `<prefix>:shop:bought_together:…`.

    The prefix is the cache's KEY_PREFIX for now, so two sites (or the test suite)
    sharing a Redis keep apart."""
    prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
    return ":".join([prefix, NAMESPACE, *(str(part) for part in parts)])


def get_client() -> redis.Redis:
    """The process-wide client for SHOP_RECOMMENDER_REDIS_URL (or REDIS_URL), with
    short timeouts: a page waits at most about a second for a Redis that is away."""
    global _client, _client_url
    url = settings.SHOP_RECOMMENDER_REDIS_URL or settings.REDIS_URL
    if _client is None or _client_url != url:
        _client = redis.Redis.from_url(
            url, socket_connect_timeout=1, socket_timeout=1, decode_responses=True
        )
        _client_url = url
    return _client


def products_bought(*, product_ids: Iterable[int], order_id: int | None = None) -> bool:
    """Count each pair of `product_ids` as bought together once more.

    With `order_id`, at most once per order. Returns whether anything was counted
    now (False: the order was counted before, or has fewer than two products).
    Raises redis.RedisError."""
    return bool(products_bought_many(baskets=[(order_id, product_ids)]))


def products_bought_many(*, baskets: Iterable[tuple[int | None, Iterable[int]]]) -> int:
    """`products_bought` for many (order id or None, product ids) in one round trip;
    returns how many baskets were counted now. Raises redis.RedisError."""
    client = get_client()
    script = client.register_script(_RECORD)
    pipe = client.pipeline(transaction=False)
    queued = 0
    for order_id, product_ids in baskets:
        ids = sorted({int(product_id) for product_id in product_ids})
        if len(ids) < 2:
            continue
        claim = key("order", order_id) if order_id is not None else ""
        script(
            keys=[claim, *(key(pid) for pid in ids)],
            args=[CLAIM_SECONDS, *ids],
            client=pipe,
        )
        queued += 1
    if not queued:
        return 0
    return sum(int(result) for result in pipe.execute())


def suggested_ids(*, product_ids: Iterable[int], limit: int = CANDIDATES) -> list[int]:
    """Ids of the products most often bought with `product_ids` (excluding those),
    best first; [] when Redis is unreachable. One round trip."""
    ids = sorted({int(product_id) for product_id in product_ids})
    if not ids:
        return []
    try:
        if len(ids) == 1:
            found = get_client().zrevrange(key(ids[0]), 0, limit - 1)
        else:
            # Sum the products' sets into a scratch key, drop the products themselves,
            # read, delete: one MULTI, so no scratch key outlives the call.
            scratch = key("scratch", uuid.uuid4().hex)
            pipe = get_client().pipeline(transaction=True)
            pipe.zunionstore(scratch, [key(pid) for pid in ids])
            pipe.zrem(scratch, *ids)
            pipe.zrevrange(scratch, 0, limit - 1)
            pipe.delete(scratch)
            found = pipe.execute()[2]
    except redis.RedisError:
        outage("shop.recommender", logger, "Recommendations unavailable (Redis)")
        return []
    return [int(member) for member in found]


def clear() -> int:
    """Delete every key of ours (scores and order marks), nothing else; returns how
    many. Raises redis.RedisError."""
    client = get_client()
    deleted = 0
    batch = []
    for name in client.scan_iter(match=key("*"), count=1000):
        batch.append(name)
        if len(batch) == 1000:
            deleted += client.delete(*batch)
            batch = []
    if batch:
        deleted += client.delete(*batch)
    return deleted
