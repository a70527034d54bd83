"""Production: everything from the environment; refuses to start on unsafe settings."""

from .base import *  # noqa: F403
from .base import MIDDLEWARE, SECRET_KEY, env
from .environment import fail

DEBUG = env.bool("DEBUG", default=False)
if DEBUG:
    fail("DEBUG must be off in production (unset DEBUG or set DEBUG=False).")
if not SECRET_KEY or len(SECRET_KEY) < 50:
    fail("SECRET_KEY is not set (or shorter than 50 characters).")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
if not ALLOWED_HOSTS:
    fail(
        "ALLOWED_HOSTS is not set (comma-separated host names, e.g. shop.example.com)."
    )
if "*" in ALLOWED_HOSTS:
    fail("ALLOWED_HOSTS must name the site's hosts, not '*'.")

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
# The health check of a load balancer comes in over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]

# /media/ is served by Django only when asked (one host, no object storage): nginx or
# object storage serve images; documents always go through Wagtail's view.
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=False)

STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
}
# Sanity: the whitenoise middleware must stay right after SecurityMiddleware.
assert MIDDLEWARE[1] == "whitenoise.middleware.WhiteNoiseMiddleware"  # noqa: S101

# Production Celery: tasks that declare acks_late rely on this.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True

LOGGING["root"]["level"] = env.str("LOG_LEVEL", default="WARNING")  # noqa: F405
ADMINS = [("Admin", a) for a in env.list("ADMINS", default=[])]
