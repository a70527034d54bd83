"""Placing an order, its total, and the status changes that follow."""

import uuid
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from shop.cart import Cart
from shop.services import product_stock_release, product_stock_reserve

from ..exceptions import EmptyCart, InvalidOrderTransition, OutOfStock
from ..models import Order, OrderItem
from . import mail


def order_lines_total(*, items: Iterable[OrderItem]) -> Decimal:
    """The order's sum, computed here only: checkout stores it in `Order.total`,
    and everything else (webhook amount check, invoice, mails, CSV, sales panel,
    admin) reads that column."""
    return sum((item.get_cost() for item in items), Decimal("0.00"))


def order_create_from_cart(
    *, cart: Cart, customer: dict, token: uuid.UUID
) -> tuple[Order, bool]:
    """Place the cart as one order; returns (order, created).

    One transaction: current database prices, stock reserved per line by
    `shop.services.product_stock_reserve` (two shoppers racing for the last unit:
    one wins, the other gets `OutOfStock` and nothing is written). A second submit of
    the same form (same token) returns the first order. Mail is enqueued after commit.
    """
    existing = Order.objects.filter(checkout_token=token).first()
    if existing:
        return existing, False
    lines = cart.lines()
    if not lines:
        raise EmptyCart
    try:
        with transaction.atomic():
            items = [
                OrderItem(
                    product=line.product,
                    product_name=line.product.name,
                    price=line.product.price,
                    quantity=line.quantity,
                )
                for line in sorted(lines, key=lambda line: line.product.id)
            ]
            # The order row first: a double submit stops here on the unique token
            # (and finds the first order) before it can touch stock.
            order = Order.objects.create(
                checkout_token=token,
                currency=settings.STRIPE_CURRENCY.lower(),
                total=order_lines_total(items=items),
                **customer,
            )
            for item in items:
                if not product_stock_reserve(
                    product_id=item.product_id, quantity=item.quantity
                ):
                    raise OutOfStock(item.product_name)
                item.order = order
            OrderItem.objects.bulk_create(items)
            transaction.on_commit(
                lambda: mail.mail_enqueue(kind="confirmation", order_id=order.id)
            )
    except IntegrityError:
        # The same form submitted twice at once: the other request placed it.
        existing = Order.objects.filter(checkout_token=token).first()
        if existing is None:
            raise
        return existing, False
    return order, True


def order_transition(*, order: Order, status: str, **changes) -> Order:
    """The one way to change an order's status: checks `Order.TRANSITIONS` and writes
    with a conditional UPDATE so two concurrent changes cannot both succeed."""
    allowed_from = [
        source for source, targets in Order.TRANSITIONS.items() if status in targets
    ]
    updated = Order.objects.filter(pk=order.pk, status__in=allowed_from).update(
        status=status, updated=timezone.now(), **changes
    )
    if not updated:
        current = list(
            Order.objects.filter(pk=order.pk).values_list("status", flat=True)
        )
        raise InvalidOrderTransition(
            f"Order {order.pk}: cannot go from {current or 'missing'} to {status}."
        )
    order.refresh_from_db()
    return order


def order_cancel_and_release_stock(*, order: Order) -> Order:
    """Payment expired: cancel (once, by the transition) and put the units back."""
    with transaction.atomic():
        order = order_transition(order=order, status=Order.Status.CANCELED)
        for item in order.items.exclude(product=None):
            product_stock_release(product_id=item.product_id, quantity=item.quantity)
    return order
