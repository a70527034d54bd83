"""What the order services raise; views turn each into a message for the shopper."""


class EmptyCart(Exception):
    """Checkout was asked to place a cart with no (available) lines."""


class OutOfStock(Exception):
    """A line asks for more units than are left; nothing of the order was written."""

    def __init__(self, product_name: str):
        super().__init__(f"{product_name} is sold out or has fewer units left.")
        self.product_name = product_name


class InvalidOrderTransition(Exception):
    """The order cannot move from its current status to the one asked for."""


class PaymentExpired(Exception):
    """The order's Checkout Session ran out: the order is canceled, stock released."""
