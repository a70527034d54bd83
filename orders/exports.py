"""CSV export of orders, streamed: rows are fetched in chunks (items prefetched per
chunk) and written as they go, so 100,000 orders never sit in memory."""

import csv
from collections import defaultdict
from collections.abc import Iterable, Iterator
from decimal import Decimal
from itertools import islice

from django.db.models import Case, F, Q, QuerySet, Value, When
from django.http import StreamingHttpResponse
from django.utils import timezone

CHUNK_SIZE = 2000
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

COLUMNS = [
    ("id", "Order"),
    ("created", "Created"),
    ("updated", "Updated"),
    ("status", "Status"),
    ("is_paid", "Paid"),  # derived from status (annotated below)
    ("paid_at", "Paid at"),
    ("first_name", "First name"),
    ("last_name", "Last name"),
    ("email", "E-mail"),
    ("address", "Address"),
    ("postal_code", "Postal code"),
    ("city", "City"),
    ("currency", "Currency"),
    ("subtotal", "Subtotal"),  # derived: total + discount (annotated below)
    ("coupon_code", "Coupon"),
    ("discount_percent", "Discount %"),
    ("discount_amount", "Discount"),
    ("total", "Total"),
    ("refunded_amount", "Refunded"),
    ("net", "Net"),  # derived: total - refunded if paid, else 0 (annotated below)
    ("stripe_payment_intent_id", "Stripe payment"),
    ("confirmation_sent_at", "Confirmation sent"),
    ("invoice_sent_at", "Invoice sent"),
]


def escape_cell(value) -> str:
    """Text a spreadsheet will not run: a leading = + - @ tab or CR gets a quote."""
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


class _Echo:
    def write(self, value):
        return value


def order_rows(orders: QuerySet) -> Iterator[list[str]]:
    """Header, then one row per order. Plain tuples (values_list) and one items query
    per chunk: model instances and prefetch_related cost a queryset clone per order,
    which held the export to ~2,000 rows/s (measured by `make bench`)."""
    from .models import Order, OrderItem
    from .selectors import CHARGED as charged

    names = [name for name, _ in COLUMNS]
    yield [label for _, label in COLUMNS] + ["Items"]
    rows = (
        orders.annotate(
            is_paid=Q(status__in=Order.PAID_STATUSES),
            subtotal=F("total") + F("discount_amount"),
            # What was charged and kept; 0 for orders never paid.
            net=Case(
                When(charged, then=F("total") - F("refunded_amount")),
                default=Value(Decimal("0.00")),
            ),
        )
        .values_list(*names)
        .iterator(chunk_size=CHUNK_SIZE)
    )
    while chunk := list(islice(rows, CHUNK_SIZE)):
        items = defaultdict(list)
        lines = (
            OrderItem.objects.filter(order_id__in=[row[0] for row in chunk])
            .order_by("id")
            .values_list("order_id", "quantity", "product_name", "price")
        )
        for order_id, quantity, product_name, price in lines:
            items[order_id].append(f"{quantity} x {product_name} @ {price}")
        for row in chunk:
            yield [escape_cell(value) for value in row] + [
                escape_cell("; ".join(items[row[0]]))
            ]


def stream_csv(rows: Iterable[list[str]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # BOM: spreadsheet apps then read the file as UTF-8
    for row in rows:
        yield writer.writerow(row)


def orders_csv_response(orders: QuerySet) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        stream_csv(order_rows(orders)), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="orders-{stamp}.csv"'
    return response
