"""Demo orders (paid and unpaid, spread over 30 days) for the admin list, CSV export
and sales panel. Written directly: no stock is reserved and no mail is queued."""

import random
import uuid
from datetime import timedelta

from django.utils import timezone

from shop.models import Product

from .models import Order, OrderItem
from .services.checkout import order_lines_total

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


def load(command) -> None:
    products = list(Product.objects.order_by("id"))
    if not products:
        command.stdout.write("Orders: no products, skipped.")
        return
    rng = random.Random(5)
    now = timezone.now()
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
            status=Order.Status.PAID if paid else Order.Status.PENDING,
            paid_at=placed if paid else None,
            stripe_payment_intent_id=f"pi_demo_{number:04d}" if paid else "",
            confirmation_sent_at=placed,
            invoice_sent_at=placed if paid else None,
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
        # `created` is auto_now_add: backdate with an update.
        Order.objects.filter(pk=order.pk).update(
            created=placed, total=order_lines_total(items=items)
        )
        created += 1
    command.stdout.write(f"Orders: {Order.objects.count()} ({created} new).")
