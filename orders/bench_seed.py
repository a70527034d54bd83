"""Bench data: 100,000 orders with 1-4 items each over the bench products, created
over the last 90 days, about 70 % paid, every mail marked sent (so the sweep never
mails them). Orders and items go in with COPY, their ids taken from the tables'
sequences. Idempotent by the `@bench.example` e-mail domain."""

import datetime
import uuid
from decimal import Decimal

from django.utils import timezone

from bench.seeding import copy_rows, reserve_ids, rng, scaled
from shop.bench_seed import bench_products

from .models import Order

BASE_ORDERS = 100_000
EMAIL_DOMAIN = "@bench.example"
BATCH = 10_000
SPREAD = datetime.timedelta(days=90)

ORDER_COLUMNS = [
    "id",
    "first_name",
    "last_name",
    "email",
    "address",
    "postal_code",
    "city",
    "created",
    "updated",
    "status",
    "paid_at",
    "currency",
    "total",
    "stripe_payment_intent_id",
    "stripe_session_id",
    "checkout_token",
    "confirmation_claimed_at",
    "confirmation_sent_at",
    "invoice_claimed_at",
    "invoice_sent_at",
]
ITEM_COLUMNS = ["id", "order_id", "product_id", "product_name", "price", "quantity"]


def bench_orders():
    return Order.objects.filter(email__endswith=EMAIL_DOMAIN)


def seed(command, scale):
    products = list(bench_products().order_by("pk").values_list("pk", "name", "price"))
    if not products:
        command.stdout.write("orders: no bench products (seed shop first)")
        return []
    wanted = scaled(BASE_ORDERS, scale)
    have = bench_orders().count()
    now = timezone.now()
    with command.progress("orders", max(wanted - have, 0)) as bar:
        for start in range(have, wanted, BATCH):
            numbers = range(start, min(start + BATCH, wanted))
            r = rng(start)
            order_ids = reserve_ids("orders_order", len(numbers))
            orders, items = [], []
            for order_id, n in zip(order_ids, numbers, strict=True):
                lines = []
                for product_id, name, price in r.sample(products, r.randint(1, 4)):
                    lines.append((product_id, name, price, r.randint(1, 3)))
                total = sum((p * q for _, _, p, q in lines), Decimal("0.00"))
                created = now - SPREAD * (n % 9000) / 9000
                paid = r.random() < 0.7
                paid_at = created + datetime.timedelta(minutes=3) if paid else None
                status = "paid" if paid else r.choice(("pending", "canceled"))
                orders.append(
                    (
                        order_id,
                        "Bench",
                        f"Buyer {n}",
                        f"buyer{n}{EMAIL_DOMAIN}",
                        f"{n} Bench Street",
                        f"{10000 + n % 90000}",
                        "Benchville",
                        created,
                        paid_at or created,
                        status,
                        paid_at,
                        "eur",
                        total,
                        f"pi_bench_{n}" if paid else "",
                        "",
                        uuid.uuid4(),
                        created,
                        created,
                        paid_at,
                        paid_at,
                    )
                )
                items.extend((order_id, *line) for line in lines)
            copy_rows("orders_order", ORDER_COLUMNS, orders)
            item_ids = reserve_ids("orders_orderitem", len(items))
            copy_rows(
                "orders_orderitem",
                ITEM_COLUMNS,
                (
                    (item_id, *item)
                    for item_id, item in zip(item_ids, items, strict=True)
                ),
            )
            bar.advance(len(numbers))
    return []
