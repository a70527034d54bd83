"""The order's history: one `OrderEvent` per thing that happened to it."""

from ..models import Order, OrderEvent


def order_event_record(
    *, order: Order | int, kind: str, actor=None, message: str = "", **data
) -> OrderEvent:
    """Append an event to the order's timeline (`kind` is an `OrderEvent.Kind`;
    `actor` the staff member, None for the customer or the system; `data` is
    JSON-serialisable detail such as the mail kind or a refund amount)."""
    order_id = order if isinstance(order, int) else order.pk
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return OrderEvent.objects.create(
        order_id=order_id, kind=kind, actor=actor, message=message[:500], data=data
    )
