"""A demo member's order history (`manage.py load_demo`, called from
`orders.demo.load`): the demo member `ann` (accounts/demo.py) gets a few orders in
different states — delivered, shipped with tracking, paid and partly refunded,
canceled — each with its timeline. Idempotent (fixed checkout tokens); skipped when
`ann` or the products are missing."""

import uuid
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from .models import Order, OrderEvent, OrderItem
from .services.checkout import order_lines_total
from .services.history import order_event_record

MEMBER = "ann"
MEMBER_NAMESPACE = uuid.UUID("0b9f5d2e-7a41-4c3b-8e57-3f1a2c6d9e84")
ADDRESS = {"address": "5 Archer Lane", "postal_code": "BS1 4DJ", "city": "Bristol"}
# (days ago, status, product indexes, extra fields, timeline: (kind, hours after, data))
HISTORY = [
    (
        24,
        Order.Status.DELIVERED,
        (0, 1),
        {"carrier": "DHL", "tracking_number": "JD014600006281"},
        [
            ("placed", 0, {}),
            ("paid", 0.1, {}),
            ("mail", 0.2, {"mail": "confirmation"}),
            ("mail", 0.3, {"mail": "invoice"}),
            ("fulfilled", 20, {}),
            ("delivered", 70, {}),
        ],
    ),
    (
        12,
        Order.Status.CANCELED,
        (2,),
        {},
        [("placed", 0, {}), ("canceled", 0.5, {})],
    ),
    (
        6,
        Order.Status.PAID,
        (1, 3),
        {"refunded_amount": "first_line"},
        [
            ("placed", 0, {}),
            ("paid", 0.1, {}),
            ("mail", 0.2, {"mail": "confirmation"}),
            ("mail", 0.3, {"mail": "invoice"}),
            ("refund", 30, {}),
        ],
    ),
    (
        2,
        Order.Status.FULFILLED,
        (4,),
        {"carrier": "UPS", "tracking_number": "1Z999AA10123456784"},
        [
            ("placed", 0, {}),
            ("paid", 0.1, {}),
            ("mail", 0.2, {"mail": "confirmation"}),
            ("fulfilled", 18, {}),
        ],
    ),
]


def load_member_orders(command, products) -> None:
    member = get_user_model().objects.filter(username=MEMBER).first()
    if member is None or not products:
        command.stdout.write(f"Orders of {MEMBER}: no such member or no products.")
        return
    now = timezone.now()
    created = 0
    for number, (days_ago, status, indexes, extra, timeline) in enumerate(HISTORY):
        token = uuid.uuid5(MEMBER_NAMESPACE, str(number))
        if Order.objects.filter(checkout_token=token).exists():
            continue
        placed = now - timedelta(days=days_ago)
        lines = [products[i % len(products)] for i in indexes]
        paid = status != Order.Status.CANCELED
        order = Order.objects.create(
            checkout_token=token,
            user=member,
            first_name=member.first_name or "Ann",
            last_name=member.last_name or "Archer",
            email=member.email or f"{MEMBER}@example.com",
            status=status,
            paid_at=placed if paid else None,
            stripe_payment_intent_id=f"pi_demo_{MEMBER}_{number}" if paid else "",
            confirmation_sent_at=placed,
            invoice_sent_at=placed if paid else None,
            carrier=extra.get("carrier", ""),
            tracking_number=extra.get("tracking_number", ""),
            **ADDRESS,
        )
        items = OrderItem.objects.bulk_create(
            OrderItem(
                order=order,
                product=product,
                product_name=product.name,
                price=product.price,
                quantity=1 + position,
            )
            for position, product in enumerate(lines)
        )
        refunded = (
            items[0].get_cost() if extra.get("refunded_amount") else Decimal("0.00")
        )
        times = {"created": placed, "total": order_lines_total(items=items)}
        at = {kind: placed + timedelta(hours=hours) for kind, hours, _ in timeline}
        times["shipped_at"] = at.get(OrderEvent.Kind.FULFILLED)
        times["delivered_at"] = at.get(OrderEvent.Kind.DELIVERED)
        # Its mails count as sent, like the rest of the demo: the sweep sends none.
        times["shipped_mail_sent_at"] = times["shipped_at"]
        if status == Order.Status.CANCELED:
            times["canceled_mail_sent_at"] = placed
        # `created` is auto_now_add: backdate with an update.
        Order.objects.filter(pk=order.pk).update(refunded_amount=refunded, **times)
        for kind, hours, data in timeline:
            if kind == OrderEvent.Kind.REFUND:
                data = {"amount": str(refunded)}
            event = order_event_record(order=order, kind=kind, **data)
            OrderEvent.objects.filter(pk=event.pk).update(
                created=placed + timedelta(hours=hours)
            )
        created += 1
    command.stdout.write(
        f"Orders of {MEMBER}: {Order.objects.filter(user=member).count()} "
        f"({created} new)."
    )
