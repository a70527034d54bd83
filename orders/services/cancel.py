"""Ending an unpaid order: by staff ("Cancel order" in the admin), and by the beat
when its stock hold runs out (`order_holds_expire`).

Both go through `order_cancel`: the order's open Stripe Checkout Session is expired
first (after that nobody can pay it), then the order is canceled and its stock put
back by one conditional UPDATE, so of two cancellations racing (two beat runs, the
beat and the `checkout.session.expired` webhook, staff and the beat) exactly one
releases the units.
"""

import logging
from collections import Counter
from datetime import timedelta

import stripe
from django.utils import timezone

from ..exceptions import InvalidOrderTransition, PaymentUnderway
from ..models import Order
from .checkout import order_cancel_and_release_stock
from .payment import payment_session_expire

logger = logging.getLogger(__name__)

HOLDS_PER_RUN = 200
# An order Stripe reports as paid or paying keeps its stock; it is looked at again
# after this (the webhook normally settles it long before).
PAYMENT_UNDERWAY_RECHECK = timedelta(hours=1)


def order_cancel(*, order: Order, only_if: dict | None = None, by=None) -> Order:
    """Cancel a pending order and put its units back.

    Raises `PaymentUnderway` when Stripe says its session was paid (or a delayed
    payment is under way): the webhook decides then, not us. Raises
    `stripe.StripeError` when Stripe cannot be reached (nothing changed), and
    `InvalidOrderTransition` when the order is no longer pending or changed
    meanwhile (`only_if`, e.g. its hold was extended).
    """
    if order.status != Order.Status.PENDING:
        raise InvalidOrderTransition(f"Order {order.pk} is {order.status}.")
    conditions = {**(only_if or {}), "stripe_session_id": order.stripe_session_id}
    if order.stripe_session_id:
        status = payment_session_expire(session_id=order.stripe_session_id)
        if status != "expired":
            raise PaymentUnderway(
                f"Stripe reports the payment page of order {order.pk} as {status}."
            )
    order = order_cancel_and_release_stock(order=order, only_if=conditions, by=by)
    logger.info("Order %s canceled by %s", order.pk, by or "the hold expiry")
    return order


def order_holds_expire(*, limit: int = HOLDS_PER_RUN) -> dict[str, int]:
    """Cancel pending orders whose hold has run out (the beat runs this every
    `ORDERS_HOLD_SWEEP_SECONDS`); returns how many ended which way.

    An order whose payment Stripe reports as done or under way keeps its stock and
    is looked at again in an hour (the webhook settles it). When Stripe cannot be
    reached, orders with a session wait for the next run, and the others are still
    canceled. The oldest holds go first; `limit` bounds one run.
    """
    now = timezone.now()
    expired = Order.objects.filter(
        status=Order.Status.PENDING, hold_expires_at__lte=now
    ).order_by("hold_expires_at", "id")[:limit]
    outcomes = Counter()
    stripe_down = False
    for order in expired:
        if stripe_down and order.stripe_session_id:
            outcomes["stripe-unreachable"] += 1
            continue
        try:
            order_cancel(order=order, only_if={"hold_expires_at__lte": now})
        except InvalidOrderTransition:
            outcome = "changed-meanwhile"  # paid, canceled or hold extended
        except PaymentUnderway:
            logger.info("Order %s: paid at Stripe, left for the webhook", order.pk)
            Order.objects.filter(pk=order.pk, status=Order.Status.PENDING).update(
                hold_expires_at=now + PAYMENT_UNDERWAY_RECHECK
            )
            outcome = "payment-underway"
        except stripe.StripeError:
            logger.warning(
                "Order %s: Stripe could not expire its session; retried next run",
                order.pk,
                exc_info=True,
            )
            stripe_down = True
            outcome = "stripe-unreachable"
        else:
            outcome = "canceled"
        outcomes[outcome] += 1
    return dict(outcomes)
