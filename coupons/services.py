"""Coupon writes (the only code that changes `Coupon.uses`) and the discount rule."""

import logging
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import F, Q
from django.utils import timezone

from .exceptions import CouponError
from .models import Coupon
from .selectors import coupon_problem

logger = logging.getLogger(__name__)

CENT = Decimal("0.01")


def discount_amount(*, subtotal: Decimal, percent: int) -> Decimal:
    """`percent` of `subtotal` in cents, half up: the one rounding rule for discounts
    (the cart shows it, checkout stores it, Stripe is sent exactly that)."""
    if not percent:
        return Decimal("0.00")
    return (subtotal * percent / 100).quantize(CENT, rounding=ROUND_HALF_UP)


def coupon_use(*, coupon: Coupon, subtotal: Decimal) -> None:
    """Count one use of `coupon` for an order of `subtotal`, or raise CouponError.

    One conditional UPDATE checks everything at once (active, dates, uses left,
    minimum, and the percent the order was priced with), so of two buyers racing
    for the last use exactly one gets it whatever the isolation level. Run it in
    the checkout's transaction: a later failure there gives the use back.
    """
    now = timezone.now()
    used = (
        Coupon.objects.filter(
            pk=coupon.pk,
            active=True,
            valid_from__lte=now,
            valid_to__gte=now,
            discount=coupon.discount,
            min_order_total__lte=subtotal,
        )
        .filter(Q(max_uses__isnull=True) | Q(uses__lt=F("max_uses")))
        .update(uses=F("uses") + 1)
    )
    if used:
        return
    current = Coupon.objects.filter(pk=coupon.pk).first()
    if current is None:
        raise CouponError("The coupon you applied no longer exists.")
    problem = coupon_problem(coupon=current, subtotal=subtotal, now=now)
    raise CouponError(
        problem or f"The coupon {current.code} has changed; please check your cart."
    )


def coupon_use_release(*, coupon_id: int) -> None:
    """Give back the use of an order that was canceled before it was paid."""
    released = Coupon.objects.filter(pk=coupon_id, uses__gt=0).update(
        uses=F("uses") - 1
    )
    if not released:
        logger.warning("Coupon %s had no use to give back", coupon_id)
