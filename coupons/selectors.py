"""Coupon reads: find a code and say whether it can be used, in the shopper's words."""

from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format

from .exceptions import CouponError
from .models import Coupon


def coupon_problem(
    *, coupon: Coupon, subtotal: Decimal, now: datetime | None = None
) -> str | None:
    """Why `coupon` cannot be used for an order of `subtotal`, or None if it can.

    The same rules as the conditional UPDATE in `coupons.services.coupon_use`,
    which has the last word at checkout; this one only finds the words."""
    now = now or timezone.now()
    if not coupon.active:
        return f"The coupon {coupon.code} is not active."
    if now < coupon.valid_from:
        return f"The coupon {coupon.code} is valid from {_day(coupon.valid_from)}."
    if now > coupon.valid_to:
        return f"The coupon {coupon.code} expired on {_day(coupon.valid_to)}."
    if coupon.max_uses is not None and coupon.uses >= coupon.max_uses:
        return f"The coupon {coupon.code} has been used up."
    if subtotal < coupon.min_order_total:
        currency = settings.STRIPE_CURRENCY.upper()
        return (
            f"The coupon {coupon.code} needs an order of at least "
            f"{coupon.min_order_total} {currency} (yours: {subtotal} {currency})."
        )
    return None


def coupon_usable(
    *, subtotal: Decimal, code: str | None = None, coupon_id: int | None = None
) -> Coupon:
    """The coupon with this code (any case) or id, if it can be used for an order of
    `subtotal`; raises CouponError with the reason otherwise."""
    coupons = Coupon.objects.all()
    if code is not None:
        coupon = coupons.filter(code__iexact=code.strip()).first()
    else:
        coupon = coupons.filter(pk=coupon_id).first()
    if coupon is None:
        if code is not None:
            raise CouponError(f"There is no coupon {code.strip().upper()}.")
        raise CouponError("The coupon you applied no longer exists.")
    problem = coupon_problem(coupon=coupon, subtotal=subtotal)
    if problem:
        raise CouponError(problem)
    return coupon


def _day(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), "j F Y")
