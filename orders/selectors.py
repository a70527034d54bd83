"""Reads for staff: sales figures for the dashboard panel."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from .models import Order


@dataclass
class SalesDay:
    day: date
    orders: int
    revenue: Decimal
    discounts: Decimal = Decimal("0.00")


def sales_last_days(*, days: int = 30) -> list[SalesDay]:
    """Orders, paid revenue and the coupon discounts of paid orders per day, oldest
    first, in one aggregate query. Revenue is what was charged (after discounts)."""
    today = timezone.localdate()
    first = today - timedelta(days=days - 1)
    rows = (
        Order.objects.filter(created__date__gte=first)
        .annotate(day=TruncDate("created"))
        .values("day")
        .annotate(
            orders=Count("id"),
            revenue=Sum(
                "total",
                filter=Q(status__in=Order.PAID_STATUSES),
                default=Decimal("0.00"),
            ),
            discounts=Sum(
                "discount_amount",
                filter=Q(status__in=Order.PAID_STATUSES),
                default=Decimal("0.00"),
            ),
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
                row.get("revenue") or Decimal("0.00"),
                row.get("discounts") or Decimal("0.00"),
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
                "revenue": sum((d.revenue for d in window), Decimal("0.00")),
                "discounts": sum((d.discounts for d in window), Decimal("0.00")),
            }
        )
    return summary
