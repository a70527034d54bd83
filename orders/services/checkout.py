"""Placing an order, its total, and the status changes that follow."""

import uuid
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from coupons.selectors import coupon_usable
from coupons.services import coupon_use, coupon_use_release, discount_amount
from shop.cart import Cart
from shop.services import product_stock_release, product_stock_reserve

from ..exceptions import EmptyCart, InvalidOrderTransition, OutOfStock
from ..models import Order, OrderItem
from . import mail


def order_lines_total(
    *, items: Iterable[OrderItem], discount_percent: int = 0
) -> Decimal:
    """The order's sum (its lines, less `discount_percent` of them rounded to the
    cent), computed here only: checkout stores it in `Order.total`, and everything
    else (Stripe's amount, webhook amount check, invoice, mails, CSV, sales panel,
    admin) reads that column."""
    subtotal = sum((item.get_cost() for item in items), Decimal("0.00"))
    return subtotal - discount_amount(subtotal=subtotal, percent=discount_percent)


def order_create_from_cart(
    *, cart: Cart, customer: dict, token: uuid.UUID
) -> tuple[Order, bool]:
    """Place the cart as one order; returns (order, created).

    One transaction: current database prices, stock reserved per line by
    `shop.services.product_stock_reserve` (two shoppers racing for the last unit:
    one wins, the other gets `OutOfStock` and nothing is written), and the cart's
    coupon, if any, used once by `coupons.services.coupon_use` (two buyers racing
    for its last use: one gets it, the other `CouponError` and nothing is written).
    A second submit of the same form (same token) returns the first order. Mail is
    enqueued after commit.
    """
    existing = Order.objects.filter(checkout_token=token).first()
    if existing:
        return existing, False
    lines = cart.lines()
    if not lines:
        raise EmptyCart
    coupon_id = cart.coupon_id
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
            subtotal = order_lines_total(items=items)
            coupon = None
            if coupon_id is not None:
                coupon = coupon_usable(coupon_id=coupon_id, subtotal=subtotal)
            percent = coupon.discount if coupon else 0
            # The order row first: a double submit stops here on the unique token
            # (and finds the first order) before it can touch stock.
            order = Order.objects.create(
                checkout_token=token,
                currency=settings.STRIPE_CURRENCY.lower(),
                total=order_lines_total(items=items, discount_percent=percent),
                coupon=coupon,
                coupon_code=coupon.code if coupon else "",
                discount_percent=percent,
                discount_amount=discount_amount(subtotal=subtotal, percent=percent),
                **customer,
            )
            for item in items:
                if not product_stock_reserve(
                    product_id=item.product_id, quantity=item.quantity
                ):
                    raise OutOfStock(item.product_name)
                item.order = order
            OrderItem.objects.bulk_create(items)
            if coupon is not None:
                coupon_use(coupon=coupon, subtotal=subtotal)
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
    """Payment expired: cancel (once, by the transition) and put the units back,
    and the coupon's use: an order never paid did not use it up."""
    with transaction.atomic():
        order = order_transition(order=order, status=Order.Status.CANCELED)
        for item in order.items.exclude(product=None):
            product_stock_release(product_id=item.product_id, quantity=item.quantity)
        if order.coupon_id is not None:
            coupon_use_release(coupon_id=order.coupon_id)
    return order
