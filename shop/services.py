"""Business writes for the catalog. The only code that changes `Product.stock`:
other apps (checkout, payment expiry) reserve and release units through here, and
staff edits in the admin are applied as a change by `product_stock_adjust`."""

from django.db import connection

from core.cache_tags import invalidate

from .models import Product


def _stock_changed(*, product_id: int, before: int, after: int) -> None:
    """The product's own page shows its stock; lists show only whether it is in
    stock, so they are invalidated only when that flips (an UPDATE sends no signal)."""
    flipped = (before > 0) != (after > 0)
    invalidate(f"product:{product_id}", *(["products"] if flipped else []))


def _stock_update(sql: str, params: list) -> int | None:
    """Run one `UPDATE … RETURNING stock` on the product table; the new stock, or
    None when no row matched."""
    table = connection.ops.quote_name(Product._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(sql.format(table=table), params)
        row = cursor.fetchone()
    return None if row is None else row[0]


def product_stock_reserve(*, product_id: int, quantity: int) -> bool:
    """Take `quantity` units if the product is available and has that many left.

    One conditional `UPDATE`: two shoppers racing for the last unit cannot both get
    it, whatever the isolation level. Returns whether the units were taken. Run it in
    the caller's transaction so a later failure puts the units back.
    """
    if quantity < 1:
        raise ValueError(f"Cannot reserve {quantity} units.")
    stock = _stock_update(
        "UPDATE {table} SET stock = stock - %s"
        " WHERE id = %s AND available AND stock >= %s RETURNING stock",
        [quantity, product_id, quantity],
    )
    if stock is None:
        return False
    _stock_changed(product_id=product_id, before=stock + quantity, after=stock)
    return True


def product_stock_release(*, product_id: int, quantity: int) -> None:
    """Put `quantity` units back (an order canceled before payment)."""
    if quantity < 1:
        raise ValueError(f"Cannot release {quantity} units.")
    stock = _stock_update(
        "UPDATE {table} SET stock = stock + %s WHERE id = %s RETURNING stock",
        [quantity, product_id],
    )
    if stock is not None:
        _stock_changed(product_id=product_id, before=stock - quantity, after=stock)


def product_stock_adjust(*, product_id: int, change: int) -> int | None:
    """Add `change` units (negative: take away) to the stock as it is now; returns
    the new stock, or None (nothing changed) if it would drop below zero.

    For staff editing a product: the form was loaded with some stock, checkouts and
    cancellations moved it since, and writing the typed number back would undo
    them (selling units that are gone). Applying the difference keeps both.
    """
    stock = _stock_update(
        "UPDATE {table} SET stock = stock + %s WHERE id = %s AND stock >= %s"
        " RETURNING stock",
        [change, product_id, max(-change, 0)],
    )
    if stock is None:
        return None
    _stock_changed(product_id=product_id, before=stock - change, after=stock)
    return stock
