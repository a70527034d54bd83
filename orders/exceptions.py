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


class TooManyPendingOrders(Exception):
    """The client already holds `ORDERS_MAX_PENDING_PER_CLIENT` unpaid orders; the
    new one was not placed and no stock was taken."""

    def __init__(self, pending: int):
        super().__init__(f"{pending} orders are already waiting for payment.")
        self.pending = pending


class PaymentUnderway(Exception):
    """Stripe has taken, or is taking, the payment of the order's Checkout Session:
    it must not be canceled here; the webhook will mark it paid (or failed)."""


class RefundRefused(Exception):
    """A refund request that cannot be made as asked (nothing paid, bad quantities,
    more than is left); nothing was written and nothing sent to Stripe. The message
    is for staff."""


class RefundNotSent(Exception):
    """Stripe could not be reached or refused the refund: the request is marked
    failed and the order is unchanged. The message is for staff."""
