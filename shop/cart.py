"""The session cart: product id → quantity (and the price seen, as a string), and the
id of the coupon applied to it (under its own session key).

The stored price is informational only: every total is computed from the current
database price, so a tampered session cannot change what is charged. The coupon is
read and checked again on every view and at checkout, never trusted from the session.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from coupons.exceptions import CouponError
from coupons.models import Coupon
from coupons.selectors import coupon_usable
from coupons.services import discount_amount

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
        self._coupon: Coupon | None = None
        self._coupon_checked = False
        # Why the applied coupon was dropped (expired, used up …), for a message.
        self.coupon_problem: str | None = None

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
            if not self.cart:
                self.coupon_remove()
            self.save()
        return removed

    def save(self) -> None:
        self._lines = None
        self.session[settings.CART_SESSION_ID] = self.cart
        self.session.modified = True

    def clear(self) -> None:
        self.cart = {}
        self.coupon_remove()
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

    # --- The coupon -----------------------------------------------------------------

    @property
    def coupon_id(self) -> int | None:
        value = self.session.get(settings.CART_COUPON_SESSION_ID)
        return value if type(value) is int else None

    def coupon_apply(self, coupon: Coupon) -> None:
        self.session[settings.CART_COUPON_SESSION_ID] = coupon.id
        self.session.modified = True
        self._coupon, self._coupon_checked = coupon, True

    def coupon_remove(self) -> bool:
        """Forget the coupon; the key goes, so an empty cart leaves a blank session
        (which the page cache serves)."""
        removed = self.session.pop(settings.CART_COUPON_SESSION_ID, None) is not None
        self._coupon, self._coupon_checked = None, True
        return removed

    @property
    def coupon(self) -> Coupon | None:
        """The applied coupon if it can still be used for this cart (one query, once
        per request); one that cannot any more leaves the cart, its reason kept in
        `coupon_problem` for a message."""
        if not self._coupon_checked:
            self._coupon_checked = True
            if self.coupon_id is not None:
                try:
                    self._coupon = coupon_usable(
                        coupon_id=self.coupon_id, subtotal=self.get_total_price()
                    )
                except CouponError as exc:
                    self.coupon_problem = str(exc)
                    self.coupon_remove()
        return self._coupon

    def get_discount(self) -> Decimal:
        coupon = self.coupon
        if coupon is None:
            return Decimal("0.00")
        return discount_amount(subtotal=self.get_total_price(), percent=coupon.discount)

    def get_total_price_after_discount(self) -> Decimal:
        return self.get_total_price() - self.get_discount()
