"""Settings owned by the shop, coupons and orders apps: the session cart, coupons,
"bought together" recommendations and Stripe. The orders mail sweep is in
services.py's CELERY_BEAT_SCHEDULE."""

from .environment import env

CART_SESSION_ID = "cart"
# The coupon applied to the cart (its id), next to the cart in the session.
CART_COUPON_SESSION_ID = "cart_coupon"

STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_PUBLISHABLE_KEY = env.str("STRIPE_PUBLISHABLE_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="")  # tests point the SDK here
STRIPE_CURRENCY = env.str("STRIPE_CURRENCY", default="eur")

# Coupon codes tried in the cart per client address and window (guessing codes by
# script is then slow): COUPON_ATTEMPTS per COUPON_ATTEMPTS_WINDOW seconds.
COUPON_ATTEMPTS = env.int("COUPON_ATTEMPTS", default=20)
COUPON_ATTEMPTS_WINDOW = env.int("COUPON_ATTEMPTS_WINDOW", default=600)

# "Bought together" recommendations (shop/recommender.py): Redis sorted sets; empty
# means REDIS_URL. Pages render without recommendations when it is unreachable.
SHOP_RECOMMENDER_REDIS_URL = env.str("SHOP_RECOMMENDER_REDIS_URL", default="")
