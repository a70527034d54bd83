"""Feeding the shop's "bought together" scores (`shop.recommender`) from paid orders:
one order at a time in the worker when it is paid, or all of them by the rebuild."""

import logging
from collections.abc import Iterator
from datetime import timedelta
from itertools import groupby

from django.utils import timezone

from shop import recommender

from ..models import Order, OrderItem

logger = logging.getLogger(__name__)

REBUILD_BATCH = 500


def recommendations_enqueue(*, order_id: int) -> bool:
    """Queue the order's scores; with the broker down, log it (the rebuild command
    recomputes everything from the paid orders)."""
    from .. import tasks  # the tasks call this package's services

    try:
        tasks.order_recommendations_record.delay(order_id)
    except Exception:  # the broker's errors vary by transport
        logger.exception("Could not queue the recommendations of order %s", order_id)
        return False
    return True


def order_record_bought_together(*, order_id: int) -> bool:
    """Count the pairs of a paid order's products, once per order however often
    this runs (the recommender claims the order in the same Redis script that
    counts). Returns whether they were counted now; raises redis.RedisError."""
    product_ids = list(
        OrderItem.objects.filter(
            order_id=order_id,
            order__status__in=Order.PAID_STATUSES,
            product__isnull=False,
        ).values_list("product_id", flat=True)
    )
    return recommender.products_bought(product_ids=product_ids, order_id=order_id)


def _paid_baskets() -> Iterator[tuple[int, list[int]]]:
    items = (
        OrderItem.objects.filter(
            order__status__in=Order.PAID_STATUSES, product__isnull=False
        )
        .order_by("order_id", "product_id")
        .values_list("order_id", "product_id")
        .iterator(chunk_size=5000)
    )
    for order_id, rows in groupby(items, key=lambda row: row[0]):
        yield order_id, [product_id for _, product_id in rows]


def recommendations_rebuild() -> int:
    """Clear our scores and count every paid order again; returns the orders counted.

    Orders paid lately are claimed as they are counted, so a task of theirs still in
    the queue adds nothing; older ones need no claim. Raises redis.RedisError."""
    recent = set(
        Order.objects.filter(
            status__in=Order.PAID_STATUSES,
            paid_at__gte=timezone.now() - timedelta(seconds=recommender.CLAIM_SECONDS),
        ).values_list("id", flat=True)
    )
    recommender.clear()
    counted = 0
    batch = []
    for order_id, product_ids in _paid_baskets():
        batch.append((order_id if order_id in recent else None, product_ids))
        if len(batch) == REBUILD_BATCH:
            counted += recommender.products_bought_many(baskets=batch)
            batch = []
    if batch:
        counted += recommender.products_bought_many(baskets=batch)
    return counted
