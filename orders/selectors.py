"""Reads for staff: sales figures for the dashboard panel."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from .models import Order

ZERO = Decimal("0.00")
# Orders the customer paid for: still paid, refunded in full since, or canceled
# after payment (refunded in full too, hence `paid_at`).
CHARGED = Q(status__in=(*Order.PAID_STATUSES, Order.Status.REFUNDED)) | Q(
    paid_at__isnull=False
)


@dataclass
class SalesDay:
    """One day's orders (placed that day) and their money: `gross` the lines'
    sum of the orders paid for, less the coupons' `discounts` and less what was
    given back (`refunds`, counted on the order's day), is `revenue` (net)."""

    day: date
    orders: int
    revenue: Decimal
    discounts: Decimal = ZERO
    gross: Decimal = ZERO
    refunds: Decimal = ZERO


def sales_last_days(*, days: int = 30) -> list[SalesDay]:
    """Orders and the money of paid ones per day, oldest first, in one aggregate
    query: gross, coupon discounts, refunds and net revenue (gross − discounts −
    refunds, i.e. what was charged and kept)."""
    today = timezone.localdate()
    first = today - timedelta(days=days - 1)
    rows = (
        Order.objects.filter(created__date__gte=first)
        .annotate(day=TruncDate("created"))
        .values("day")
        .annotate(
            orders=Count("id"),
            revenue=Sum(
                F("total") - F("refunded_amount"), filter=CHARGED, default=ZERO
            ),
            discounts=Sum("discount_amount", filter=CHARGED, default=ZERO),
            gross=Sum(F("total") + F("discount_amount"), filter=CHARGED, default=ZERO),
            refunds=Sum("refunded_amount", filter=CHARGED, default=ZERO),
        )
    )
    by_day = {row["day"]: row for row in rows}
    result = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        row = by_day.get(day, {})
        result.append(
            SalesDay(
                day,
                row.get("orders", 0),
                row.get("revenue") or ZERO,
                row.get("discounts") or ZERO,
                row.get("gross") or ZERO,
                row.get("refunds") or ZERO,
            )
        )
    return result


def sales_summary(days: list[SalesDay]) -> list[dict]:
    """Totals for today, the last 7 and the last 30 days from the daily rows."""
    summary = []
    for label, span in (("Today", 1), ("Last 7 days", 7), ("Last 30 days", 30)):
        window = days[-span:]
        summary.append(
            {
                "label": label,
                "orders": sum(d.orders for d in window),
                "revenue": sum((d.revenue for d in window), ZERO),
                "discounts": sum((d.discounts for d in window), ZERO),
                "gross": sum((d.gross for d in window), ZERO),
                "refunds": sum((d.refunds for d in window), ZERO),
            }
        )
    return summary
