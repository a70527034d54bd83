"""Settings shared by every environment; what differs comes from the environment.

This module holds the project's frame: apps, middleware, templates, static files,
logging. Each concern has its own module, and every setting is defined in exactly one
of them:

    environment  BASE_DIR, env, fail()
    services     PostgreSQL, Redis, Celery (and every periodic task)
    cache        caches, sessions, the page cache, rendition pre-generation
    security     headers, CSP, request limits
    mail         outgoing mail
    monitoring   error reporting (optional Sentry)
    cms          Wagtail
    accounts, blog, shop (shop and orders), gallery   each app's own settings

dev.py, test.py and production.py start from `from .base import *` and change only
what differs there.
"""

from pathlib import Path

from .accounts import *  # noqa: F403
from .blog import *  # noqa: F403
from .cache import *  # noqa: F403
from .cms import *  # noqa: F403
from .environment import BASE_DIR, env
from .gallery import *  # noqa: F403
from .mail import *  # noqa: F403
from .monitoring import *  # noqa: F403
from .security import *  # noqa: F403
from .services import *  # noqa: F403
from .shop import *  # noqa: F403

SECRET_KEY = env.str("SECRET_KEY", default="")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])

INSTALLED_APPS = [
    "core",
    "home",
    "blog",
    "gallery",
    "accounts",
    "shop",
    "coupons",
    "orders",
    "search",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.search_promotions",
    "wagtail_modeladmin",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "social_django",
    "axes",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A request id for the logs and the X-Request-ID response header; early, so a
    # page served from the cache gets one too.
    "core.request_id.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.csp.PathCSPMiddleware",  # django-csp, relaxed for /admin/ only
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Turns social sign-in failures (bad state, refused by Google) into a message.
    "social_django.middleware.SocialAuthExceptionMiddleware",
    # Refuses a locked-out login before any view runs.
    "axes.middleware.AxesMiddleware",
    # Last, so a page served from the cache still gets every header the middleware
    # above add (settings in cache.py).
    "core.page_cache.PageCacheMiddleware",
]

ROOT_URLCONF = "mysite.urls"
WSGI_APPLICATION = "mysite.wsgi.application"
# The bare baseline view at /__bench__/bare/ that `make bench` compares pages with;
# off unless the benchmark turns it on.
BENCH_ENDPOINTS = env.bool("BENCH_ENDPOINTS", default=False)

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "shop.context_processors.cart",
                "core.context_processors.site_features",
            ],
        },
    },
]

# --- I18N ---

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static and media ---

STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / ".local" / "static")))
STATIC_URL = "/static/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / ".local" / "media")))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Let Django serve /media/ itself (single host; never documents/, see core/media.py).
# Production turns it off unless SERVE_MEDIA=True; object storage: see README.
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=True)

# --- Logging ---

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Every line names its request and client ("-" outside a request, e.g. Celery).
    "filters": {"request": {"()": "core.request_id.RequestIdFilter"}},
    "formatters": {
        "plain": {
            "format": "%(asctime)s %(levelname)s %(name)s "
            "[%(request_id)s %(client_ip)s]: %(message)s"
        }
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Wagtail 8 runs index updates as django-tasks; one INFO line each is noise.
        "django_tasks": {"level": "WARNING"},
    },
}
