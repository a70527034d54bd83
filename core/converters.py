"""`<id64:…>` in URL patterns: a positive id that fits a bigint primary key.

Django's `<int:…>` matches any run of digits, so /shop/99999999999999999999/… reached
the view, which had to refuse it before the database did (a DataError, i.e. a 500).
With `id64`, an id that cannot exist does not match: the URL is a 404 at once.
Registered by core.apps.CoreConfig.ready(), so every urls.py may use it.
"""

from __future__ import annotations

ID64_MAX = 2**63 - 1  # PostgreSQL bigint


def id64_or_none(value) -> int | None:
    """`value` (a string of digits or an int) as an id from 1 to 2**63 - 1, else
    None: for ids that arrive in a form or a JSON body rather than in the path."""
    if isinstance(value, str):
        if not value.isascii() or not value.isdigit() or len(value) > 19:
            return None
        value = int(value)
    elif not isinstance(value, int) or isinstance(value, bool):
        return None
    return value if 0 < value <= ID64_MAX else None


class Id64Converter:
    regex = "[0-9]+"

    def to_python(self, value: str) -> int:
        number = id64_or_none(value.lstrip("0") or "0")
        if number is None:
            raise ValueError(value)  # the pattern does not match: 404
        return number

    def to_url(self, value) -> str:
        return str(int(value))
