"""`<order_number:…>` in URL patterns: an order's number (its id, zero-padded to six
digits as `Order.number` shows it). Anything else — letters, zero, an id beyond a
bigint — does not match, so the URL is a 404 before any view or query runs.
Registered by `OrdersConfig.ready()`."""

from core.converters import id64_or_none


class OrderNumberConverter:
    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = id64_or_none(value.lstrip("0") or "0")
        if number is None:
            raise ValueError(value)  # no match: 404
        return number

    def to_url(self, value) -> str:
        return f"{int(value):06d}"
