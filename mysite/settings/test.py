"""Tests: the real PostgreSQL and Redis from the environment, mail captured in memory.

No eager Celery, no locmem cache: the suite runs a real worker against Redis.
"""

from .base import *  # noqa: F403
from .base import REDIS_URL, env
from .services import redis_url_with_db, redis_urls

DEBUG = False
SECRET_KEY = "test-only-key-not-secret-0123456789-abcdefghijklmnopqrstuvwxyz"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Redis isolation, whether or not REDIS_URL is set (it may be `make run`'s Redis): a
# database of its own (TEST_REDIS_DB, default 1), a key prefix of its own and a Celery
# queue of its own. The suite's cleanup deletes only keys under TEST_CACHE_KEY_PREFIX
# (conftest.clear_test_cache) and purges only its queue. CACHE_KEY_PREFIX, the
# variable `make run` and production read, is ignored here on purpose.
REDIS_URL = redis_url_with_db(REDIS_URL, env.int("TEST_REDIS_DB", default=1))
CACHES["default"]["LOCATION"] = redis_urls(REDIS_URL)[0]  # noqa: F405
CACHES["default"]["KEY_PREFIX"] = env.str("TEST_CACHE_KEY_PREFIX", default="test")  # noqa: F405
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=redis_urls(REDIS_URL)[1])
CELERY_RESULT_BACKEND = env.str(
    "CELERY_RESULT_BACKEND", default=redis_urls(REDIS_URL)[2]
)
CELERY_TASK_DEFAULT_QUEUE = env.str("TEST_CELERY_QUEUE", default="test")
GALLERY_REDIS_URL = ""
SHOP_RECOMMENDER_REDIS_URL = ""
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
WAGTAILADMIN_BASE_URL = "http://testserver"
# Close connections after each request/task so the test database can be dropped.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
# Whitenoise serves straight from the app and project static dirs: no collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
