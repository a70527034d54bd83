"""Demo content: one order refunded in full, with its refund and history."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management.base import BaseCommand

from orders import demo as orders_demo
from orders.models import Order, Refund
from shop import demo as shop_demo


@pytest.mark.django_db
def test_the_demo_has_one_refunded_order_and_loads_idempotently():
    command = BaseCommand(stdout=StringIO())
    for _ in range(2):
        shop_demo.load(command)
        orders_demo.load(command)
    order = Order.objects.get(status=Order.Status.REFUNDED)
    assert order.refunded_amount == order.total > Decimal("0.00")
    refund = Refund.objects.get()
    assert refund.order == order and refund.status == Refund.Status.SUCCEEDED
    assert refund.amount == order.total and refund.mail_sent_at is not None
    assert [line["quantity"] for line in refund.lines] == [1] * order.items.count()
    kinds = list(order.events.values_list("kind", flat=True))
    assert kinds[:4] == ["placed", "mail", "paid", "mail"]
    assert kinds.count("refund") == 2 and "refunded" in kinds
