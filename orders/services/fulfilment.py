"""Shipping and delivery, by staff from the order admin: both are transitions of
the state machine (`order_transition`), so they are refused unless the order is
in a status that allows them, and recorded in the order's history with who did
it. Marking an order shipped queues the customer's "shipped" mail after commit."""

from django.db import transaction
from django.utils import timezone

from ..models import Order
from .checkout import order_transition


def order_mark_shipped(
    *, order: Order, carrier: str, tracking_number: str, by=None
) -> Order:
    """Paid → shipped, with the carrier and tracking number (already validated,
    see `orders.forms.ShipmentForm`). Raises `InvalidOrderTransition` when the
    order is not paid (any more)."""
    with transaction.atomic():
        return order_transition(
            order=order,
            status=Order.Status.FULFILLED,
            by=by,
            message=f"{carrier}, tracking number {tracking_number}",
            carrier=carrier,
            tracking_number=tracking_number,
            shipped_at=timezone.now(),
        )


def order_mark_delivered(*, order: Order, by=None) -> Order:
    """Shipped → delivered. Raises `InvalidOrderTransition` otherwise."""
    return order_transition(
        order=order,
        status=Order.Status.DELIVERED,
        by=by,
        delivered_at=timezone.now(),
    )
