"""Settings shared by every environment; what differs comes from the environment."""

import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()


def fail(message: str):
    """Stop start-up with one line naming the setting at fault (no traceback)."""
    sys.exit(f"Configuration error: {message}")


def database_from_env() -> dict:
    url = env.str("DATABASE_URL", default="")
    if not url:
        fail(
            "DATABASE_URL is not set. Use `make run` / `make test` (they start a local "
            "PostgreSQL) or export DATABASE_URL=postgres://user:pass@host:5432/dbname."
        )
    if urlsplit(url).scheme not in {"postgres", "postgresql", "pgsql", "postgis"}:
        fail(f"DATABASE_URL must be a postgres:// URL, got {url.split(':', 1)[0]!r}.")
    try:
        config = env.db_url_config(url)
    except Exception as exc:  # noqa: BLE001 - any parse failure is a config error
        fail(f"DATABASE_URL could not be parsed: {exc}")
    if not config.get("NAME"):
        fail("DATABASE_URL has no database name (postgres://…/dbname).")
    config.setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    config["CONN_HEALTH_CHECKS"] = True
    config.setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
    return config


def redis_urls(url: str) -> tuple[str, str, str]:
    """Return (redis-py URL, Celery broker URL, Celery result URL) for REDIS_URL.

    redis-py speaks unix://path?db=N; kombu and Celery spell the same socket
    redis+socket:// with the database as virtual_host.
    """
    parts = urlsplit(url)
    if parts.scheme == "unix":
        db = parse_qs(parts.query).get("db", ["0"])[0]
        celery_url = f"redis+socket://{parts.path}?virtual_host={db}"
        return url, celery_url, celery_url
    if parts.scheme not in {"redis", "rediss"}:
        fail(f"REDIS_URL must be redis://, rediss:// or unix://, got {parts.scheme!r}.")
    return url, url, url


# --- Core ---

SECRET_KEY = env.str("SECRET_KEY", default="")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "home",
    "blog",
    "gallery",
    "accounts",
    "shop",
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
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Turns social sign-in failures (bad state, refused by Google) into a message.
    "social_django.middleware.SocialAuthExceptionMiddleware",
    # Last, so a locked-out login is refused before any view runs.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "mysite.urls"
WSGI_APPLICATION = "mysite.wsgi.application"

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
                "mysite.context_processors.site_features",
            ],
        },
    },
]

# --- Data ---

DATABASES = {"default": database_from_env()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if not REDIS_URL:
    fail(
        "REDIS_URL is not set. Use `make run` / `make test` (they start a local Redis) "
        "or export REDIS_URL=redis://host:6379/0."
    )
_redis, _broker, _result = redis_urls(REDIS_URL)

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": _redis,
        "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="mysite"),
        "TIMEOUT": 300,
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }
}
# Redis in front of the database: a Redis restart loses no cart.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# --- Celery ---

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=_broker)
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=_result)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 60 * 60 * 24
CELERY_TIMEZONE = "UTC"
# One task at a time per process: mails and PDFs are slow and uneven.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 60
CELERY_TASK_TIME_LIMIT = 90
# Late acknowledgement is opted into per task (only idempotent ones); the default
# stays early so a non-idempotent task is never run twice after a worker crash.
CELERY_TASK_ACKS_LATE = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A broker outage must not hang a web request that enqueues a task.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 60 * 60,
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    "max_retries": 1,
}
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BEAT_SCHEDULE: dict = {}

# --- Auth ---

AUTHENTICATION_BACKENDS = [
    # First: refuses locked-out credentials before any backend checks a password.
    "axes.backends.AxesStandaloneBackend",
    # Username or e-mail (case-insensitive); a ModelBackend, so permissions work.
    "accounts.backends.UsernameOrEmailBackend",
    "social_core.backends.google.GoogleOAuth2",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"django.contrib.auth.password_validation.{name}"}
    for name in (
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    )
]
LOGIN_URL = "/account/login/"
LOGIN_REDIRECT_URL = "/account/"
LOGOUT_REDIRECT_URL = "/"

AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Count "Ann", "ann@example.com" and "ANN@example.com" as the same account.
AXES_USERNAME_CALLABLE = "accounts.backends.lockout_username"
AXES_LOCKOUT_TEMPLATE = "accounts/lockout.html"
AXES_HTTP_RESPONSE_CODE = 429

SOCIAL_AUTH_GOOGLE_OAUTH2_KEY = env.str("SOCIAL_AUTH_GOOGLE_OAUTH2_KEY", default="")
SOCIAL_AUTH_GOOGLE_OAUTH2_SECRET = env.str(
    "SOCIAL_AUTH_GOOGLE_OAUTH2_SECRET", default=""
)

# --- Mail ---

# smtp://user:pass@host:587/?tls=True, consolemail://, dummymail:// (django-environ).
_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST") or "localhost"
EMAIL_PORT = _email.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = bool(_email.get("EMAIL_USE_TLS"))
EMAIL_USE_SSL = bool(_email.get("EMAIL_USE_SSL"))
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="My Site <noreply@localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = 10

# --- I18N -----------------------------------------------------------------------------

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
# Let Django serve /media/ itself (single host). Off when media lives on object storage.
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=True)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Wagtail ---

WAGTAIL_SITE_NAME = "My Site"
WAGTAILADMIN_BASE_URL = env.str(
    "WAGTAILADMIN_BASE_URL", default="http://127.0.0.1:8000"
)
SEARCH_LANGUAGE = env.str("SEARCH_LANGUAGE", default="english")
WAGTAILSEARCH_BACKENDS = {
    "default": {
        "BACKEND": "wagtail.search.backends.database",
        "SEARCH_CONFIG": SEARCH_LANGUAGE,
    }
}
WAGTAILDOCS_EXTENSIONS = [
    "csv",
    "docx",
    "odt",
    "pdf",
    "pptx",
    "rtf",
    "txt",
    "xlsx",
    "zip",
]
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 40_000_000
WAGTAIL_ENABLE_UPDATE_CHECK = False
# No Gravatar avatars in the admin: pages load nothing from outside the site.
WAGTAIL_GRAVATAR_PROVIDER_URL = None

# --- Security headers shared by all environments ---

X_FRAME_OPTIONS = "DENY"  # Wagtail marks its preview views SAMEORIGIN itself
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        # The Wagtail admin uses inline styles and a few inline scripts.
        "style-src": ["'self'", "'unsafe-inline'"],
        "script-src": ["'self'", "'unsafe-inline'"],
        "connect-src": ["'self'"],
        "font-src": ["'self'", "data:"],
        "frame-ancestors": ["'self'"],
        "form-action": [
            "'self'",
            "https://checkout.stripe.com",
            "https://accounts.google.com",
        ],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- Project settings ---

STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_PUBLISHABLE_KEY = env.str("STRIPE_PUBLISHABLE_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="")  # tests point the SDK here
STRIPE_CURRENCY = env.str("STRIPE_CURRENCY", default="eur")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Wagtail 8 runs index updates as django-tasks; one INFO line each is noise.
        "django_tasks": {"level": "WARNING"},
    },
}

# --- Blog ---
# Settings owned by the blog app (blog/, search/).

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
# Scheduled publishing: Wagtail's publish_scheduled, run by Celery beat every minute.
CELERY_BEAT_SCHEDULE["blog-publish-scheduled"] = {
    "task": "blog.tasks.publish_scheduled",
    "schedule": 60.0,
    "options": {"expires": 55},
}


# --- Shop and orders ---
# Settings owned by the shop and orders apps.

CART_SESSION_ID = "cart"
# Unsent order mails (broker outage, killed worker) are re-queued by this sweep.
CELERY_BEAT_SCHEDULE["orders-sweep-unsent-mail"] = {
    "task": "orders.sweep_unsent_mail",
    "schedule": env.int("ORDERS_MAIL_SWEEP_SECONDS", default=300),
}


# --- Accounts ---
# Settings owned by the accounts app (members, sign-in, follows, activity stream).

ACCOUNTS_ACTIONS_ON_DASHBOARD = 20
ACCOUNTS_MEMBERS_PER_PAGE = 24
ACCOUNTS_PHOTO_MAX_BYTES = 5 * 1024 * 1024
# Profile photos are re-encoded (EXIF stripped) to at most this many pixels a side.
ACCOUNTS_PHOTO_MAX_SIDE = 512


def _member_url(user) -> str:
    from django.urls import reverse  # URLconf is read lazily, after settings load

    return reverse("people:detail", args=[user.get_username()])


# Users have no get_absolute_url of their own: link them to their member page.
ABSOLUTE_URL_OVERRIDES = {"auth.user": _member_url}

# Google sign-in: social-auth's default pipeline, deliberately WITHOUT
# associate_by_email (e-mails typed at registration here are not verified, so matching
# on them could hand one person's account to another). A Google account whose e-mail
# belongs to an existing member is refused with a message rather than creating a
# second account with the same e-mail; the member can log in and connect Google from
# the edit page. The profile comes from the post_save signal like every user's.
SOCIAL_AUTH_PIPELINE = (
    "social_core.pipeline.social_auth.social_details",
    "social_core.pipeline.social_auth.social_names",
    "social_core.pipeline.social_auth.social_uid",
    "social_core.pipeline.social_auth.auth_allowed",
    "social_core.pipeline.social_auth.social_user",
    "accounts.pipeline.refuse_taken_email",
    "social_core.pipeline.user.get_username",
    "social_core.pipeline.user.create_user",
    "social_core.pipeline.social_auth.associate_user",
    "social_core.pipeline.social_auth.load_extra_data",
    "social_core.pipeline.user.user_details",
    "accounts.pipeline.welcome",
)
SOCIAL_AUTH_URL_NAMESPACE = "accounts:social"
SOCIAL_AUTH_LOGIN_REDIRECT_URL = LOGIN_REDIRECT_URL
SOCIAL_AUTH_LOGIN_ERROR_URL = LOGIN_URL
SOCIAL_AUTH_REDIRECT_IS_HTTPS = env.bool("SOCIAL_AUTH_REDIRECT_IS_HTTPS", default=False)
SOCIAL_AUTH_GOOGLE_OAUTH2_USE_UNIQUE_USER_ID = True


# --- Gallery ---
# Settings owned by the gallery app (bookmarks, bookmarklet, likes, rankings).

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


# --- Performance ---
# Settings owned by the performance work (caching).

# The bare baseline view at /__bench__/bare/ that `make bench` compares pages with;
# off unless the benchmark turns it on.
BENCH_ENDPOINTS = env.bool("BENCH_ENDPOINTS", default=False)

# Full-page cache for anonymous visitors (home/page_cache.py, README "Caching"). Last
# in MIDDLEWARE, so a cached page still passes every other middleware's headers.
MIDDLEWARE.append("home.page_cache.PageCacheMiddleware")
PAGE_CACHE_ENABLED = env.bool("PAGE_CACHE_ENABLED", default=True)
# Safety net only: every visible change invalidates at once.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=600)
# The only query parameters a cached URL may carry; any other bypasses the cache.
PAGE_CACHE_QUERY_PARAMS = ["page", "fragment"]
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
# Renditions made by a Celery task when a row is saved (home/services.py), so a list
# page never resizes images synchronously: {"app.Model": (image field, [specs])}.
# Keep in step with the {% image %} tags of each model's cards and detail page.
PRERENDER_RENDITIONS = {
    "blog.BlogPage": ("cover_image", ["fill-600x400"]),
    "gallery.Bookmark": ("image", ["fill-400x300", "max-1000x800"]),
    "shop.Product": ("image", ["fill-460x306", "max-800x600"]),
}
# Wagtail writes every rendition it renders to this cache (one Redis SET per image per
# page, ~36 ms on a 12-card list here), although list pages prefetch renditions from
# the database anyway. An in-process cache makes that write free; a deleted
# rendition lingers in another process for at most RENDITIONS_CACHE_SECONDS.
CACHES["renditions"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "renditions",
    "TIMEOUT": env.int("RENDITIONS_CACHE_SECONDS", default=300),
    "OPTIONS": {"MAX_ENTRIES": 5000},
}
# cached_db sessions (see Data) whose updates skip a needless BEGIN/COMMIT pair: a
# cart change is two statements, the product lookup and the session UPDATE.
SESSION_ENGINE = "home.sessions"
