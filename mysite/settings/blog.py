"""Settings owned by the blog app (blog/, search/). Its periodic task is in
services.py's CELERY_BEAT_SCHEDULE."""

from .environment import env

BLOG_COMMENTS_PREMODERATED = env.bool("BLOG_COMMENTS_PREMODERATED", default=True)
# (hits, seconds) per client IP: comments posted, share-by-email mails sent.
BLOG_RATE_LIMITS = {
    "comment": (
        env.int("BLOG_COMMENT_RATE_LIMIT", default=5),
        env.int("BLOG_COMMENT_RATE_WINDOW", default=600),
    ),
    "share": (
        env.int("BLOG_SHARE_RATE_LIMIT", default=5),
        env.int("BLOG_SHARE_RATE_WINDOW", default=3600),
    ),
}

# Site search (search/cache.py): seconds a results fragment is kept for anonymous
# visitors; 0 turns the cache off. Changes show to them within this time.
SEARCH_CACHE_SECONDS = env.int("SEARCH_CACHE_SECONDS", default=60)
