from django.conf import settings

from .cart import Cart


def cart(request):
    """Item count for the header, from the session only (no database query)."""
    count = len(Cart(request)) if hasattr(request, "session") else 0
    return {"cart_count": count, "shop_currency": settings.STRIPE_CURRENCY.upper()}
