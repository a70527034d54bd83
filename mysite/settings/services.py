"""The services the site talks to: PostgreSQL, Redis and the Celery broker."""

from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from .environment import env, fail


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


def redis_url_with_db(url: str, db: int) -> str:
    """REDIS_URL pointing at database `db` of the same server (tests use their own)."""
    parts = urlsplit(url)
    if parts.scheme == "unix":
        query = {k: v for k, v in parse_qs(parts.query).items() if k != "db"}
        query["db"] = [str(db)]
        return f"unix://{parts.path}?{urlencode(query, doseq=True)}"
    return urlunsplit(parts._replace(path=f"/{db}"))


# --- PostgreSQL ---

DATABASES = {"default": database_from_env()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis (the cache and sessions are configured in cache.py) ---

REDIS_URL = env.str("REDIS_URL", default="")
if not REDIS_URL:
    fail(
        "REDIS_URL is not set. Use `make run` / `make test` (they start a local Redis) "
        "or export REDIS_URL=redis://host:6379/0."
    )
_broker, _result = redis_urls(REDIS_URL)[1:]

# --- Celery ---

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=_broker)
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=_result)
# The queue tasks go to and workers consume: `make test` and `make bench` use their
# own, so they never empty (or eat from) the live one on a shared broker.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="celery")
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
ORDERS_HOLD_SWEEP_SECONDS = env.int("ORDERS_HOLD_SWEEP_SECONDS", default=60)
# Every periodic task of the site, run by `celery beat` (make beat / make run).
CELERY_BEAT_SCHEDULE = {
    # Scheduled publishing: Wagtail's publish_scheduled, every minute.
    "blog-publish-scheduled": {
        "task": "blog.tasks.publish_scheduled",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Unsent order mails (broker outage, killed worker) are re-queued by this sweep.
    "orders-sweep-unsent-mail": {
        "task": "orders.sweep_unsent_mail",
        "schedule": env.int("ORDERS_MAIL_SWEEP_SECONDS", default=300),
    },
    # Pending orders past their stock hold are canceled and their units released.
    "orders-expire-holds": {
        "task": "orders.order_holds_expire",
        "schedule": ORDERS_HOLD_SWEEP_SECONDS,
        # A run still queued when the next one is due is dropped, not piled up.
        "options": {"expires": ORDERS_HOLD_SWEEP_SECONDS},
    },
}
