"""Caching and sessions: Redis caches, the anonymous page cache, rendition
pre-generation (README "Caching")."""

from .environment import env
from .services import REDIS_URL, redis_urls

CACHES = {
    "default": {
        # Django's RedisCache that answers as an empty cache while Redis is away
        # (core/redis_cache.py): pages, sessions and Wagtail's site lookup go on.
        "BACKEND": "core.redis_cache.ResilientRedisCache",
        "LOCATION": redis_urls(REDIS_URL)[0],
        "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="mysite"),
        "TIMEOUT": 300,
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    },
    # Wagtail writes every rendition it renders to this cache (one Redis SET per
    # image per page, ~36 ms on a 12-card list here), although list pages prefetch
    # renditions from the database anyway. An in-process cache makes that write
    # free; a deleted rendition lingers in another process for at most
    # RENDITIONS_CACHE_SECONDS.
    "renditions": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "renditions",
        "TIMEOUT": env.int("RENDITIONS_CACHE_SECONDS", default=300),
        "OPTIONS": {"MAX_ENTRIES": 5000},
    },
}

# cached_db sessions (Redis in front of the database: a Redis restart loses no cart)
# whose updates skip a needless BEGIN/COMMIT pair: a cart change is two statements,
# the product lookup and the session UPDATE.
SESSION_ENGINE = "core.sessions"

# Full-page cache for anonymous visitors (core/page_cache.py; its middleware is last
# in MIDDLEWARE, so a cached page still passes every other middleware's headers).
PAGE_CACHE_ENABLED = env.bool("PAGE_CACHE_ENABLED", default=True)
# Safety net only: every visible change invalidates at once.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=600)
# Query strings (core/page_cache.py): `page` (a positive integer up to
# PAGE_CACHE_MAX_PAGE) and `fragment=1` are part of the key; these tracking
# parameters are left out of it (a trailing * matches a prefix); any other bypasses.
PAGE_CACHE_IGNORED_PARAMS = env.list(
    "PAGE_CACHE_IGNORED_PARAMS",
    default=["utm_*", "gclid", "fbclid", "mc_cid", "mc_eid"],
)
PAGE_CACHE_MAX_PAGE = env.int("PAGE_CACHE_MAX_PAGE", default=10000)
# Entries kept per path (page numbers × fragment); more are rendered uncached.
PAGE_CACHE_MAX_VARIANTS_PER_PATH = env.int(
    "PAGE_CACHE_MAX_VARIANTS_PER_PATH", default=50
)
# The bookmark view ranking changes on every view without a write: kept this long.
PAGE_CACHE_RANKING_SECONDS = env.int("PAGE_CACHE_RANKING_SECONDS", default=30)
# Per-visitor or private areas: never cached.
PAGE_CACHE_EXCLUDED_PREFIXES = [
    "/admin/",
    "/account/",
    "/cart/",
    "/orders/",
    "/payment/",
    "/search/",
    "/documents/",
    "/media/",
    "/healthz/",
    "/__bench__/",
    "/_util/",
]

# Renditions made by a Celery task when a row is saved (core/renditions.py), so a
# list page never resizes images synchronously: {"app.Model": (image field, [specs])}.
# Keep in step with the {% picture %} tags of each model's cards and detail page:
# each size in AVIF and WebP (<source>s) and JPEG (the <img> fallback), the specs of
# core.renditions.picture_specs(size) (a test checks they agree).
_PICTURE = ("format-avif", "format-webp", "format-jpeg")


def _picture(*sizes: str) -> list[str]:
    return [f"{size}|{fmt}" for size in sizes for fmt in _PICTURE]


PRERENDER_RENDITIONS = {
    "blog.BlogPage": ("cover_image", _picture("fill-600x400")),
    "gallery.Bookmark": ("image", _picture("fill-400x300", "max-1000x800")),
    "home.HomePage": ("hero_image", _picture("fill-1600x500")),
    "shop.Product": ("image", _picture("fill-460x306", "max-800x600")),
}

# With Redis (or the broker) away the site answers without it and logs each kind of
# failure once per this many seconds, not once per request (core/degrade.py).
DEGRADED_LOG_INTERVAL = env.int("DEGRADED_LOG_INTERVAL", default=60)
# After a connection error or timeout the cache skips Redis for this many seconds
# (0: try on every call), so an unanswering server costs one timeout, not one per
# cache call of every request.
DEGRADED_RETRY_SECONDS = env.int("DEGRADED_RETRY_SECONDS", default=5)
