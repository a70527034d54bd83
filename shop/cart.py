"""The session cart: product id → quantity (and the price seen, as a string).

The stored price is informational only: every total is computed from the current
database price, so a tampered session cannot change what is charged.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from .models import Product

MAX_QUANTITY = 20


@dataclass
class CartLine:
    product: Product
    quantity: int

    @property
    def price(self) -> Decimal:
        return self.product.price

    @property
    def total_price(self) -> Decimal:
        return self.product.price * self.quantity


class Cart:
    def __init__(self, request):
        self.session = request.session
        cart = self.session.get(settings.CART_SESSION_ID)
        # Not written back until something changes: browsing makes no session.
        self.cart = cart if isinstance(cart, dict) else {}
        self._lines: list[CartLine] | None = None
        self.dropped: list[str] = []

    @staticmethod
    def _quantity(line) -> int:
        """A quantity from the session, clamped; garbage counts as nothing."""
        try:
            quantity = int(line.get("quantity", 0))
        except (AttributeError, TypeError, ValueError):
            return 0
        return max(0, min(quantity, MAX_QUANTITY))

    def add(self, product: Product, quantity: int = 1, override: bool = False) -> int:
        """Add (or with `override` set) a quantity; returns the quantity now held."""
        key = str(product.id)
        current = 0 if override else self._quantity(self.cart.get(key, {}))
        new = max(1, min(current + quantity, MAX_QUANTITY))
        self.cart[key] = {"quantity": new, "price": str(product.price)}
        self.save()
        return new

    def remove(self, product_id: int) -> bool:
        removed = self.cart.pop(str(product_id), None) is not None
        if removed:
            self.save()
        return removed

    def save(self) -> None:
        self._lines = None
        self.session[settings.CART_SESSION_ID] = self.cart
        self.session.modified = True

    def clear(self) -> None:
        self.cart = {}
        self.save()

    def lines(self) -> list[CartLine]:
        """Current lines from one query; products gone or unavailable leave the cart
        (their names are kept in `dropped` for a message)."""
        if self._lines is not None:
            return self._lines
        wanted = {}
        for key, line in list(self.cart.items()):
            quantity = self._quantity(line)
            if key.isdigit() and quantity > 0:
                wanted[int(key)] = quantity
            else:
                del self.cart[key]
                self.session.modified = True
        if not wanted:
            self._lines = []
            return self._lines
        products = Product.objects.filter(id__in=wanted).select_related("category")
        found = {product.id: product for product in products}
        lines = []
        for product_id, quantity in wanted.items():
            product = found.get(product_id)
            if product is None or not product.available:
                self.dropped.append(product.name if product else "A product")
                del self.cart[str(product_id)]
                self.session.modified = True
                continue
            if self.cart[str(product_id)].get("price") != str(product.price):
                self.cart[str(product_id)]["price"] = str(product.price)
                self.session.modified = True
            lines.append(CartLine(product=product, quantity=quantity))
        lines.sort(key=lambda line: line.product.name)
        self._lines = lines
        return lines

    def __len__(self) -> int:
        """Number of units, from the session alone (no query: shown on every page)."""
        return sum(self._quantity(line) for line in self.cart.values())

    def get_total_price(self) -> Decimal:
        return sum((line.total_price for line in self.lines()), Decimal("0.00"))
