"""Settings owned by the gallery app (bookmarks, bookmarklet, likes, rankings)."""

from .cms import WAGTAILIMAGES_MAX_IMAGE_PIXELS
from .environment import env

GALLERY_PAGE_SIZE = 12
# Redis for view counters and the ranking; empty means REDIS_URL.
GALLERY_REDIS_URL = env.str("GALLERY_REDIS_URL", default="")
# The image fetcher behind the bookmarklet (gallery/fetcher.py).
GALLERY_FETCH_MAX_BYTES = env.int("GALLERY_FETCH_MAX_BYTES", default=10 * 1024 * 1024)
GALLERY_FETCH_MAX_PIXELS = WAGTAILIMAGES_MAX_IMAGE_PIXELS
GALLERY_FETCH_MAX_REDIRECTS = 3
GALLERY_FETCH_CONNECT_TIMEOUT = env.float("GALLERY_FETCH_CONNECT_TIMEOUT", default=5.0)
GALLERY_FETCH_READ_TIMEOUT = env.float("GALLERY_FETCH_READ_TIMEOUT", default=10.0)
# Wall-clock cap on one download, so a server trickling bytes cannot hold a worker.
GALLERY_FETCH_TOTAL_TIMEOUT = env.float("GALLERY_FETCH_TOTAL_TIMEOUT", default=30.0)
# Loopback ports the fetcher may connect to. Empty in every real deployment; the
# tests list only their own fixture server's port.
GALLERY_FETCH_ALLOW_LOOPBACK_PORTS: list[int] = []
