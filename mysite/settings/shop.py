"""Settings owned by the shop and orders apps: the session cart and Stripe. The
orders mail sweep is in services.py's CELERY_BEAT_SCHEDULE."""

from .environment import env

CART_SESSION_ID = "cart"

STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_PUBLISHABLE_KEY = env.str("STRIPE_PUBLISHABLE_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="")  # tests point the SDK here
STRIPE_CURRENCY = env.str("STRIPE_CURRENCY", default="eur")
