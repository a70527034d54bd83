"""The Celery app: broker and result backend from settings (Redis by default)."""

from celery import Celery

# DJANGO_SETTINGS_MODULE comes from the environment (the Makefile sets the dev one):
# a default here would leak into every process that merely imports `mysite`.
app = Celery("mysite")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="mysite.ping")
def ping(value: str = "pong") -> str:
    """A round-trip probe: returns its argument. Used by health checks and tests."""
    return value
