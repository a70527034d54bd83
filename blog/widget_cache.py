"""Sidebar widgets are the same on every blog page, so they are cached in Redis.

Each widget is cached until one of its dependency tags (core.cache_tags) is
invalidated: "posts" (a post published, unpublished, moved, deleted or retagged) and,
for the most-commented list, "comments" (a comment approved, hidden or deleted; a
pending one changes nothing). The tags are also recorded for the page around the
widget, so a cached page showing it goes stale with it. The timeout is only a safety
net. When Redis is down the widgets are computed on every render.
"""

from core.cache_tags import cached_value

TIMEOUT = 60 * 10


def cached(name: str, compute, tags=("posts",)):
    return cached_value(f"blog:widgets:{name}", tags, compute, TIMEOUT)
