"""Temporary alias of core.page_cache for orders/services.py, which branch s11-orders
is rewriting (it calls `page_cache.invalidate()`). Delete this module at merge once
orders imports `core.page_cache`: no app may import `home`."""

from core.page_cache import invalidate

__all__ = ["invalidate"]
