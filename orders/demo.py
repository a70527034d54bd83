"""Demo orders (paid and unpaid, spread over 30 days) for the admin list, CSV export
and sales panel, and the "bought together" scores they make. Written directly: no
stock is reserved and no mail is queued (their mails are marked sent, so the sweep
sends none either). The unpaid ones are canceled, as their stock holds would have
run out long ago (a pending one would have the beat release stock it never
reserved). A few paid ones are shipped by the admin (carrier, tracking number and
timeline) and one of those delivered: `ship_some` does it once, whenever they are
still only paid."""

import random
import uuid
from datetime import timedelta

import redis
from django.contrib.auth import get_user_model
from django.utils import timezone

from coupons.exceptions import CouponError
from coupons.models import Coupon
from coupons.services import coupon_use, discount_amount
from shop.models import Product

from .demo_members import load_member_orders
from .models import Order, OrderEvent, OrderItem, Refund
from .services.checkout import order_lines_total
from .services.recommendations import recommendations_rebuild

DEMO_NAMESPACE = uuid.UUID("6f1c9a52-1f0e-4a6c-9d0a-0d3b7c1e2a10")
CUSTOMERS = [
    ("Ada", "Lovelace", "London"),
    ("Grace", "Hopper", "New York"),
    ("Alan", "Turing", "Manchester"),
    ("Katherine", "Johnson", "Hampton"),
    ("Edsger", "Dijkstra", "Eindhoven"),
    ("Margaret", "Hamilton", "Boston"),
]
ORDER_COUNT = 24
# Demo order numbers (all paid ones) shipped by staff: carrier, tracking number;
# the first is delivered too.
SHIPMENTS = {
    1: ("DHL", "JD014600006281"),
    4: ("UPS", "1Z999AA10123456784"),
    7: ("DHL", "JD014600006297"),
    10: ("Royal Mail", "RM123456785GB"),
}
DELIVERED = 1


def load(command) -> None:
    products = list(Product.objects.order_by("id"))
    if not products:
        command.stdout.write("Orders: no products, skipped.")
        return
    rng = random.Random(5)
    now = timezone.now()
    # Some paid orders used the demo coupon (coupons/demo.py), when it is there.
    welcome = Coupon.objects.filter(code__iexact="WELCOME10").first()
    created = 0
    for number in range(ORDER_COUNT):
        token = uuid.uuid5(DEMO_NAMESPACE, str(number))
        first, last, city = CUSTOMERS[number % len(CUSTOMERS)]
        paid = number % 3 != 0
        placed = now - timedelta(days=rng.randint(0, 29), hours=rng.randint(0, 12))
        if Order.objects.filter(checkout_token=token).exists():
            continue
        order = Order.objects.create(
            checkout_token=token,
            first_name=first,
            last_name=last,
            email=f"{first.lower()}@example.com",
            address=f"{number + 1} Demo Street",
            postal_code=f"{10000 + number}",
            city=city,
            status=Order.Status.PAID if paid else Order.Status.CANCELED,
            paid_at=placed if paid else None,
            stripe_payment_intent_id=f"pi_demo_{number:04d}" if paid else "",
            confirmation_sent_at=placed,
            invoice_sent_at=placed if paid else None,
            canceled_mail_sent_at=None if paid else placed,
        )
        items = [
            OrderItem(
                order=order,
                product=product,
                product_name=product.name,
                price=product.price,
                quantity=rng.randint(1, 3),
            )
            for product in rng.sample(products, k=min(len(products), rng.randint(1, 4)))
        ]
        OrderItem.objects.bulk_create(items)
        subtotal = order_lines_total(items=items)
        coupon = welcome if paid and number % 4 == 1 else None
        if coupon:
            try:
                coupon_use(coupon=coupon, subtotal=subtotal)
            except CouponError:  # edited by staff since: the order goes without
                coupon = None
        percent = coupon.discount if coupon else 0
        # `created` is auto_now_add: backdate with an update.
        Order.objects.filter(pk=order.pk).update(
            created=placed,
            total=order_lines_total(items=items, discount_percent=percent),
            coupon=coupon,
            coupon_code=coupon.code if coupon else "",
            discount_percent=percent,
            discount_amount=discount_amount(subtotal=subtotal, percent=percent),
        )
        OrderEvent.objects.bulk_create(_history(order=order, placed=placed, paid=paid))
        created += 1
    created += _refunded_order(products=products, now=now)
    shipped = ship_some(now=now)
    load_member_orders(command, products)
    command.stdout.write(
        f"Orders: {Order.objects.count()} ({created} new, {shipped} newly shipped)."
    )
    try:
        counted = recommendations_rebuild()
    except redis.RedisError as exc:
        command.stdout.write(f"Recommendations: skipped, Redis unreachable ({exc}).")
        return
    command.stdout.write(f"Recommendations: built from {counted} paid orders.")


def _history(*, order: Order, placed, paid: bool) -> list[OrderEvent]:
    """The timeline a demo order would have: placed, its mails, paid or canceled."""
    minute = timedelta(minutes=1)
    events = [
        OrderEvent(order=order, kind=OrderEvent.Kind.PLACED, created=placed),
        OrderEvent(
            order=order,
            kind=OrderEvent.Kind.MAIL,
            created=placed + minute,
            message="confirmation mail",
            data={"mail": "confirmation"},
        ),
    ]
    if paid:
        events += [
            OrderEvent(
                order=order, kind=OrderEvent.Kind.PAID, created=placed + 5 * minute
            ),
            OrderEvent(
                order=order,
                kind=OrderEvent.Kind.MAIL,
                created=placed + 6 * minute,
                message="invoice mail",
                data={"mail": "invoice"},
            ),
        ]
    else:
        events.append(
            OrderEvent(
                order=order, kind=OrderEvent.Kind.CANCELED, created=placed + 30 * minute
            )
        )
    return events


def ship_some(*, now) -> int:
    """Ship the `SHIPMENTS` demo orders that are still only paid (by the demo admin,
    a day after payment at most), deliver `DELIVERED`; returns how many were
    shipped now. Running it again changes nothing."""
    staff = get_user_model().objects.filter(username="admin").first()
    shipped = 0
    for number, (carrier, tracking_number) in SHIPMENTS.items():
        token = uuid.uuid5(DEMO_NAMESPACE, str(number))
        order = Order.objects.filter(
            checkout_token=token, status=Order.Status.PAID
        ).first()
        if order is None:
            continue
        shipped_at = min((order.paid_at or order.created) + timedelta(days=1), now)
        delivered = number == DELIVERED
        delivered_at = min(shipped_at + timedelta(days=2), now)
        changed = Order.objects.filter(pk=order.pk, status=Order.Status.PAID).update(
            status=Order.Status.DELIVERED if delivered else Order.Status.FULFILLED,
            carrier=carrier,
            tracking_number=tracking_number,
            shipped_at=shipped_at,
            shipped_mail_sent_at=shipped_at,
            delivered_at=delivered_at if delivered else None,
        )
        if not changed:
            continue
        events = [
            OrderEvent(
                order=order,
                kind=OrderEvent.Kind.FULFILLED,
                created=shipped_at,
                actor=staff,
                message=f"{carrier}, tracking number {tracking_number}",
            ),
            OrderEvent(
                order=order,
                kind=OrderEvent.Kind.MAIL,
                created=shipped_at + timedelta(minutes=1),
                message="shipped mail",
                data={"mail": "shipped"},
            ),
        ]
        if delivered:
            events.append(
                OrderEvent(
                    order=order,
                    kind=OrderEvent.Kind.DELIVERED,
                    created=delivered_at,
                    actor=staff,
                )
            )
        OrderEvent.objects.bulk_create(events)
        shipped += 1
    return shipped


def _refunded_order(*, products, now) -> int:
    """One order paid, then refunded in full (as Stripe would have confirmed it):
    its `Refund` (one unit of each line, restocked), its history and mails marked
    sent, so the sweep mails nobody. Returns 1 if created now, 0 if already there."""
    token = uuid.uuid5(DEMO_NAMESPACE, "refunded")
    if Order.objects.filter(checkout_token=token).exists():
        return 0
    placed = now - timedelta(days=6)
    paid, refunded = placed + timedelta(minutes=3), placed + timedelta(days=2)
    order = Order.objects.create(
        checkout_token=token,
        first_name="Barbara",
        last_name="Liskov",
        email="barbara@example.com",
        address="7 Substitution Road",
        postal_code="02139",
        city="Cambridge",
        status=Order.Status.REFUNDED,
        paid_at=paid,
        stripe_payment_intent_id="pi_demo_refunded",
        confirmation_sent_at=placed,
        invoice_sent_at=paid,
    )
    items = OrderItem.objects.bulk_create(
        OrderItem(
            order=order,
            product=product,
            product_name=product.name,
            price=product.price,
            quantity=1,
        )
        for product in products[:2]
    )
    total = order_lines_total(items=items)
    Order.objects.filter(pk=order.pk).update(
        created=placed, total=total, refunded_amount=total
    )
    refund = Refund.objects.create(
        order=order,
        amount=total,
        currency=order.currency,
        lines=[
            {
                "item": item.id,
                "product": item.product_id,
                "name": item.product_name,
                "price": str(item.price),
                "quantity": 1,
            }
            for item in items
        ],
        restock=True,
        restocked_at=refunded,
        status=Refund.Status.SUCCEEDED,
        stripe_refund_id="re_demo_refunded",
        reason="Arrived damaged",
        confirmed_at=refunded,
        mail_sent_at=refunded,
    )
    kind = OrderEvent.Kind
    amount = f"{total} {order.currency.upper()}"
    OrderEvent.objects.bulk_create(
        OrderEvent(order=order, created=created, kind=k, message=message, data=data)
        for created, k, message, data in [
            (placed, kind.PLACED, "", {}),
            (placed, kind.MAIL, "confirmation mail", {"mail": "confirmation"}),
            (paid, kind.PAID, "", {}),
            (paid, kind.MAIL, "invoice mail", {"mail": "invoice"}),
            (
                refunded - timedelta(minutes=1),
                kind.REFUND,
                f"Refund of {amount} requested",
                {"refund": refund.pk, "amount": str(total), "state": "requested"},
            ),
            (
                refunded,
                kind.REFUND,
                f"Refund of {amount} confirmed by Stripe",
                {"refund": refund.pk, "amount": str(total), "state": "succeeded"},
            ),
            (refunded, kind.REFUNDED, f"Refunded in full ({amount})", {}),
            (refunded, kind.MAIL, "refund mail", {"mail": "refund"}),
        ]
    )
    return 1
