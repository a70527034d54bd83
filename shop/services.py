"""Business writes for the catalog. The only code that changes `Product.stock`:
other apps (checkout, payment expiry) reserve and release units through here."""

from django.db.models import F

from core import page_cache

from .models import Product


def product_stock_reserve(*, product_id: int, quantity: int) -> bool:
    """Take `quantity` units if the product is available and has that many left.

    One conditional `UPDATE`: two shoppers racing for the last unit cannot both get
    it, whatever the isolation level. Returns whether the units were taken. Run it in
    the caller's transaction so a later failure puts the units back.
    """
    if quantity < 1:
        raise ValueError(f"Cannot reserve {quantity} units.")
    reserved = Product.objects.filter(
        id=product_id, available=True, stock__gte=quantity
    ).update(stock=F("stock") - quantity)
    if reserved:
        page_cache.invalidate()  # product pages show stock; UPDATE sends no signal
    return bool(reserved)


def product_stock_release(*, product_id: int, quantity: int) -> None:
    """Put `quantity` units back (an order canceled before payment)."""
    if quantity < 1:
        raise ValueError(f"Cannot release {quantity} units.")
    released = Product.objects.filter(id=product_id).update(stock=F("stock") + quantity)
    if released:
        page_cache.invalidate()
