"""Demo content: WELCOME10, demo orders that used it, and scores from paid orders."""

from io import StringIO

import pytest
from django.core.management.base import BaseCommand

from coupons import demo as coupons_demo
from coupons.models import Coupon
from orders import demo as orders_demo
from orders.models import Order
from shop import demo as shop_demo
from shop import recommender

pytestmark = pytest.mark.django_db


def test_welcome10_discounted_orders_and_scores_load_idempotently():
    command = BaseCommand(stdout=StringIO())
    for _ in range(2):
        coupons_demo.load(command)
        shop_demo.load(command)
        orders_demo.load(command)
    [welcome] = Coupon.objects.all()
    assert (welcome.code, welcome.discount, welcome.active) == ("WELCOME10", 10, True)
    assert welcome.max_uses is None and welcome.min_order_total == 0
    discounted = Order.objects.filter(coupon=welcome)
    assert discounted.exists() and welcome.uses == discounted.count()
    for order in discounted:
        assert order.discount_percent == 10 and order.is_paid
        assert order.total + order.discount_amount == sum(
            item.get_cost() for item in order.items.all()
        )
    multi = next(
        order
        for order in Order.objects.filter(status=Order.Status.PAID)
        if order.items.count() > 1
    )
    first, second = (item.product_id for item in multi.items.all()[:2])
    client = recommender.get_client()
    assert client.zscore(recommender.key(first), str(second)) >= 1
    assert "Recommendations: built from" in command.stdout.getvalue()
