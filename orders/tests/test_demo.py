"""The demo orders: some shipped (carrier, tracking, timeline), one delivered, one
refunded in full, no mail left for the sweep, and loading twice duplicates nothing."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from orders import demo
from orders.models import Order, OrderEvent, Refund
from orders.services.mail import mail_sweep_unsent
from shop import demo as shop_demo
from shop.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def load() -> str:
    command = BaseCommand(stdout=io.StringIO())
    demo.load(command)
    return command.stdout.getvalue()


def test_demo_orders_are_shipped_once_with_their_timeline(monkeypatch):
    admin = get_user_model().objects.create_superuser("admin", "a@example.com", "x")
    for _ in range(6):
        ProductFactory()
    assert "4 newly shipped" in load()
    shipped = Order.objects.filter(
        status__in=(Order.Status.FULFILLED, Order.Status.DELIVERED)
    )
    assert shipped.count() == len(demo.SHIPMENTS)
    assert all(o.carrier and o.tracking_number and o.shipped_at for o in shipped)
    delivered = Order.objects.get(status=Order.Status.DELIVERED)
    assert delivered.delivered_at >= delivered.shipped_at
    kinds = list(delivered.events.values_list("kind", flat=True))
    assert kinds == ["placed", "mail", "paid", "mail", "fulfilled", "mail", "delivered"]
    assert delivered.events.get(kind="fulfilled").actor == admin
    assert Order.objects.filter(status=Order.Status.PAID).exists()
    # Nothing for the sweep to mail to the demo customers.
    queued = []
    monkeypatch.setattr(
        "orders.services.mail.mail_enqueue", lambda **kw: queued.append(kw) or True
    )
    assert mail_sweep_unsent(min_age=timedelta(0)) == 0

    counts = (Order.objects.count(), OrderEvent.objects.count())
    assert "0 new, 0 newly shipped" in load()
    assert (Order.objects.count(), OrderEvent.objects.count()) == counts


def test_the_demo_has_one_refunded_order_and_loads_idempotently():
    command = BaseCommand(stdout=io.StringIO())
    for _ in range(2):
        shop_demo.load(command)
        demo.load(command)
    order = Order.objects.get(status=Order.Status.REFUNDED)
    assert order.refunded_amount == order.total > Decimal("0.00")
    refund = Refund.objects.get()
    assert refund.order == order and refund.status == Refund.Status.SUCCEEDED
    assert refund.amount == order.total and refund.mail_sent_at is not None
    assert [line["quantity"] for line in refund.lines] == [1] * order.items.count()
    kinds = list(order.events.values_list("kind", flat=True))
    assert kinds[:4] == ["placed", "mail", "paid", "mail"]
    assert kinds.count("refund") == 2 and "refunded" in kinds
