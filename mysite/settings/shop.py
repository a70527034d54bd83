"""Settings owned by the shop, coupons and orders apps: the session cart, coupons,
"bought together" recommendations, Stripe, and the limits that keep strangers from
holding the stock. The orders beat tasks are in
services.py's CELERY_BEAT_SCHEDULE."""

from .environment import env, fail

CART_SESSION_ID = "cart"
# The coupon applied to the cart (its id), next to the cart in the session.
CART_COUPON_SESSION_ID = "cart_coupon"

STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_PUBLISHABLE_KEY = env.str("STRIPE_PUBLISHABLE_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="")  # tests point the SDK here
STRIPE_CURRENCY = env.str("STRIPE_CURRENCY", default="eur")

# How long a pending order keeps its units reserved. Once the shopper opens Stripe
# Checkout the hold lasts as long as that session (Stripe: 30 min to 24 h), so it
# is capped at 23 h.
ORDERS_HOLD_MINUTES = env.int("ORDERS_HOLD_MINUTES", default=30)
if not 1 <= ORDERS_HOLD_MINUTES <= 23 * 60:
    fail("ORDERS_HOLD_MINUTES must be between 1 and 1380 (23 hours).")
# Pending orders one client (same session, or same IP address) may hold at once;
# 0 turns the limit off.
ORDERS_MAX_PENDING_PER_CLIENT = env.int("ORDERS_MAX_PENDING_PER_CLIENT", default=3)
# Order confirmation mails to one address per hour (0: no cap); more wait for a
# later hour, and are dropped if the order is canceled by then.
ORDERS_CONFIRMATION_MAILS_PER_ADDRESS = env.int(
    "ORDERS_CONFIRMATION_MAILS_PER_ADDRESS", default=5
)
# Coupon codes tried in the cart per client address and window (guessing codes by
# script is then slow): COUPON_ATTEMPTS per COUPON_ATTEMPTS_WINDOW seconds.
COUPON_ATTEMPTS = env.int("COUPON_ATTEMPTS", default=20)
COUPON_ATTEMPTS_WINDOW = env.int("COUPON_ATTEMPTS_WINDOW", default=600)

# "Bought together" recommendations (shop/recommender.py): Redis sorted sets; empty
# means REDIS_URL. Pages render without recommendations when it is unreachable.
SHOP_RECOMMENDER_REDIS_URL = env.str("SHOP_RECOMMENDER_REDIS_URL", default="")

# The carriers' tracking pages, for the "shipped" mail and the order pages: carrier
# name (matched in any case) → URL, `{number}` replaced by the tracking number. An
# unknown carrier gets the number without a link. Override with a JSON object in the
# environment, e.g. ORDERS_TRACKING_URLS='{"DHL": "https://…?AWB={number}"}'.
_TRACKING_DEFAULT = {
    "DHL": "https://www.dhl.com/global-en/home/tracking.html?tracking-id={number}",
    "UPS": "https://www.ups.com/track?tracknum={number}",
    "FedEx": "https://www.fedex.com/fedextrack/?trknbr={number}",
    "USPS": "https://tools.usps.com/go/TrackConfirmAction?tLabels={number}",
    "Royal Mail": "https://www.royalmail.com/track-your-item#/tracking-results/{number}",
}


def _tracking_urls():
    try:
        return env.json("ORDERS_TRACKING_URLS", default=_TRACKING_DEFAULT)
    except ValueError:  # not JSON: reported below
        return None


ORDERS_TRACKING_URLS = _tracking_urls()
if not isinstance(ORDERS_TRACKING_URLS, dict) or not all(
    isinstance(url, str) and url.startswith("https://") and "{number}" in url
    for url in ORDERS_TRACKING_URLS.values()
):
    fail(
        "ORDERS_TRACKING_URLS must be a JSON object of carrier name to an https:// "
        "URL containing {number}."
    )
