"""What the coupon reads and writes raise; views turn it into a message."""


class CouponError(Exception):
    """The coupon cannot be used (unknown, inactive, not yet or no longer valid,
    used up, or the order is too small). The text is meant for the shopper."""
