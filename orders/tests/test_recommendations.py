"""Paid orders feed the bought-together scores: in the real worker after the
payment, once per order however often the task runs, and all over again with
`manage.py recommendations_rebuild`."""

import io
import time

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from redis.exceptions import RedisError

from orders import tasks
from orders.models import Order
from orders.services.recommendations import order_record_bought_together
from orders.tests.conftest import WEBHOOK_SECRET
from orders.tests.factories import OrderFactory, OrderItemFactory
from shop import recommender
from shop.tests.factories import ProductFactory

from .test_webhook import completed, post

DEAD_REDIS = "redis://127.0.0.1:1/0"


def paid_order(*products, status=Order.Status.PAID):
    paid_at = timezone.now() if status == Order.Status.PAID else None
    order = OrderFactory(status=status, paid_at=paid_at)
    for product in products:
        OrderItemFactory(order=order, product=product)
    return order


def score(a, b) -> float | None:
    return recommender.get_client().zscore(recommender.key(a.id), str(b.id))


def wait_for_score(a, b, timeout: float = 30) -> float | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and score(a, b) is None:
        time.sleep(0.1)
    return score(a, b)


def test_a_paid_webhook_makes_the_worker_count_the_pairs(
    client, celery_worker, settings
):
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    pen, ink, pad = ProductFactory(), ProductFactory(), ProductFactory()
    order = paid_order(pen, ink, pad, status=Order.Status.PENDING)
    order.total = 30
    order.save()
    assert post(client, completed(order)).content == b"paid"
    assert wait_for_score(pen, ink) == 1
    assert score(ink, pad) == 1 and score(pad, pen) == 1


def test_the_task_run_twice_by_the_worker_counts_once(celery_worker):
    pen, ink = ProductFactory(), ProductFactory()
    order = paid_order(pen, ink)
    first = tasks.order_recommendations_record.delay(order.id).get(timeout=30)
    second = tasks.order_recommendations_record.delay(order.id).get(timeout=30)
    assert (first, second) == (True, False)
    assert score(pen, ink) == 1 and score(ink, pen) == 1


@pytest.mark.django_db
def test_an_unpaid_order_counts_nothing():
    pen, ink = ProductFactory(), ProductFactory()
    order = paid_order(pen, ink, status=Order.Status.PENDING)
    assert order_record_bought_together(order_id=order.id) is False
    assert score(pen, ink) is None


@pytest.mark.django_db
def test_with_redis_away_the_task_raises_for_a_retry(settings):
    settings.SHOP_RECOMMENDER_REDIS_URL = DEAD_REDIS
    order = paid_order(ProductFactory(), ProductFactory())
    with pytest.raises(RedisError):
        order_record_bought_together(order_id=order.id)
    task = tasks.order_recommendations_record
    assert task.acks_late and RedisError in task.autoretry_for


@pytest.mark.django_db
def test_rebuild_counts_paid_orders_only_again_and_again():
    pen, ink, pad, cup = (ProductFactory() for _ in range(4))
    first = paid_order(pen, ink, pad)
    paid_order(pen, ink)
    paid_order(pen, cup, status=Order.Status.PENDING)
    paid_order(ink, pad, status=Order.Status.CANCELED)
    paid_order(pad)  # one product: no pair
    deleted = ProductFactory()
    paid_order(pen, deleted)
    deleted.delete()  # its lines keep the order, without the product
    recommender.products_bought(product_ids=[cup.id, pad.id])  # stale: cleared
    client = recommender.get_client()
    client.set("not:ours", "1")
    try:
        for _ in range(2):
            out = io.StringIO()
            call_command("recommendations_rebuild", stdout=out)
            assert "Recommendations rebuilt from 2 paid orders." in out.getvalue()
            assert (score(pen, ink), score(ink, pad), score(pen, pad)) == (2, 1, 1)
            assert score(pen, cup) is None and score(cup, pad) is None
        assert client.get("not:ours") == "1"
    finally:
        client.delete("not:ours")
    # Orders paid lately are claimed by the rebuild: their queued task adds nothing.
    assert order_record_bought_together(order_id=first.id) is False
    assert score(pen, ink) == 2


@pytest.mark.django_db
def test_rebuild_with_redis_away_says_so(settings):
    settings.SHOP_RECOMMENDER_REDIS_URL = DEAD_REDIS
    with pytest.raises(CommandError, match="Redis is unreachable"):
        call_command("recommendations_rebuild", stdout=io.StringIO())
