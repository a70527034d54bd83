"""Placing an order, its total, and the status changes that follow."""

import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac

from coupons.selectors import coupon_usable
from coupons.services import coupon_use, coupon_use_release, discount_amount
from shop.cart import Cart
from shop.services import product_stock_release, product_stock_reserve

from ..exceptions import (
    EmptyCart,
    InvalidOrderTransition,
    OutOfStock,
    TooManyPendingOrders,
)
from ..models import Order, OrderEvent, OrderItem
from . import mail
from .history import order_event_record

# First key of the PostgreSQL advisory locks that serialise one client's checkouts
# (the second is taken from the client's hash).
CLIENT_LOCK_SPACE = 7411


def order_lines_total(
    *, items: Iterable[OrderItem], discount_percent: int = 0
) -> Decimal:
    """The order's sum (its lines, less `discount_percent` of them rounded to the
    cent), computed here only: checkout stores it in `Order.total`, and everything
    else (Stripe's amount, webhook amount check, invoice, mails, CSV, sales panel,
    admin) reads that column."""
    subtotal = sum((item.get_cost() for item in items), Decimal("0.00"))
    return subtotal - discount_amount(subtotal=subtotal, percent=discount_percent)


def client_hash(*, kind: str, value: str) -> str:
    """A keyed hash of a client's IP address or session key ("" for no value): equal
    values compare equal, and the database never holds the value itself."""
    if not value:
        return ""
    return salted_hmac(f"orders.client.{kind}", value).hexdigest()[:32]


def order_hold_deadline() -> datetime:
    return timezone.now() + timedelta(minutes=settings.ORDERS_HOLD_MINUTES)


def _client_lock_and_count(*, ip_hash: str, session_hash: str) -> int:
    """Lock this client's checkouts until commit and count its live holds.

    Counting and then inserting is a race (two tabs, or a script, could both see
    "2 of 3"); a transaction-scoped advisory lock per hash makes the count and the
    insert one step for the client. Hashes are locked in sorted order, so two
    checkouts sharing one of them cannot deadlock.
    """
    hashes = sorted({ip_hash, session_hash} - {""})
    with connection.cursor() as cursor:
        for value in hashes:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)",
                [CLIENT_LOCK_SPACE, int(value[:8], 16) - 2**31],
            )
    same_client = Q()
    if ip_hash:
        same_client |= Q(client_ip_hash=ip_hash)
    if session_hash:
        same_client |= Q(client_session_hash=session_hash)
    if not same_client:
        return 0
    return (
        Order.objects.filter(
            status=Order.Status.PENDING, hold_expires_at__gt=timezone.now()
        )
        .filter(same_client)
        .count()
    )


def order_create_from_cart(
    *,
    cart: Cart,
    customer: dict,
    token: uuid.UUID,
    client_ip: str,
    session_key: str,
    user=None,
) -> tuple[Order, bool]:
    """Place the cart as one order; returns (order, created).

    One transaction: current database prices, stock reserved per line by
    `shop.services.product_stock_reserve` (two shoppers racing for the last unit:
    one wins, the other gets `OutOfStock` and nothing is written), and the cart's
    coupon, if any, used once by `coupons.services.coupon_use` (two buyers racing
    for its last use: one gets it, the other `CouponError` and nothing is written).
    The order holds that stock for `ORDERS_HOLD_MINUTES`. A client (same IP address
    or same session) already holding `ORDERS_MAX_PENDING_PER_CLIENT` unpaid orders
    gets `TooManyPendingOrders` and nothing is written. A second submit of the same
    form (same token) returns the first order. Mail is enqueued after commit.
    `user`, a logged-in member, becomes the order's owner (None: a guest order).
    """
    existing = Order.objects.filter(checkout_token=token).first()
    if existing:
        return existing, False
    lines = cart.lines()
    if not lines:
        raise EmptyCart
    ip_hash = client_hash(kind="ip", value=client_ip)
    session_hash = client_hash(kind="session", value=session_key)
    limit = settings.ORDERS_MAX_PENDING_PER_CLIENT
    coupon_id = cart.coupon_id
    try:
        with transaction.atomic():
            pending = _client_lock_and_count(ip_hash=ip_hash, session_hash=session_hash)
            # A double submit that waited for the lock finds the first order here.
            existing = Order.objects.filter(checkout_token=token).first()
            if existing:
                return existing, False
            if limit and pending >= limit:
                raise TooManyPendingOrders(pending)
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
                hold_expires_at=order_hold_deadline(),
                client_ip_hash=ip_hash,
                client_session_hash=session_hash,
                total=order_lines_total(items=items, discount_percent=percent),
                coupon=coupon,
                coupon_code=coupon.code if coupon else "",
                discount_percent=percent,
                discount_amount=discount_amount(subtotal=subtotal, percent=percent),
                user=user if getattr(user, "is_authenticated", False) else None,
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
            order_event_record(order=order, kind=OrderEvent.Kind.PLACED)
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


def order_transition(
    *,
    order: Order,
    status: str,
    only_if: dict | None = None,
    by=None,
    message: str = "",
    **changes,
) -> Order:
    """The one way to change an order's status: checks `Order.TRANSITIONS` and writes
    with a conditional UPDATE so two concurrent changes cannot both succeed, then
    records the change in the order's history (`by`: the staff member, if any).
    Shipping and canceling queue the customer's mail after commit
    (`mail.MAIL_ON_STATUS`; it is sent once, and only when `mail.MAIL_WHEN` allows).

    `only_if` adds conditions the row must still meet (e.g. the Stripe session the
    caller expired is still the order's), checked in the same UPDATE.
    """
    allowed_from = [
        source for source, targets in Order.TRANSITIONS.items() if status in targets
    ]
    updated = (
        Order.objects.filter(pk=order.pk, status__in=allowed_from)
        .filter(**(only_if or {}))
        .update(status=status, updated=timezone.now(), **changes)
    )
    if not updated:
        current = list(
            Order.objects.filter(pk=order.pk).values_list("status", flat=True)
        )
        raise InvalidOrderTransition(
            f"Order {order.pk}: cannot go from {current or 'missing'} to {status}"
            + (" (it changed meanwhile)." if only_if and current else ".")
        )
    order_event_record(order=order, kind=status, actor=by, message=message)
    if status in mail.MAIL_ON_STATUS:
        kind = mail.MAIL_ON_STATUS[status]
        transaction.on_commit(lambda: mail.mail_enqueue(kind=kind, order_id=order.pk))
    order.refresh_from_db()
    return order


def order_cancel_and_release_stock(
    *, order: Order, only_if: dict | None = None, by=None
) -> Order:
    """Cancel an unpaid order and put its units back, and the coupon's use (an
    order never paid did not use it up), once: of two concurrent cancellations
    (beat, webhook, staff) only one passes the transition's conditional UPDATE, and
    only that one releases."""
    with transaction.atomic():
        order = order_transition(
            order=order, status=Order.Status.CANCELED, only_if=only_if, by=by
        )
        for item in order.items.exclude(product=None):
            product_stock_release(product_id=item.product_id, quantity=item.quantity)
        if order.coupon_id is not None:
            coupon_use_release(coupon_id=order.coupon_id)
    return order
