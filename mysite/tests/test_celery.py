"""Tasks go through the real Redis broker to a real Celery worker and back."""

from django.conf import settings

from mysite.celery import app, ping


def test_broker_and_result_backend_are_redis():
    assert app.conf.broker_url == settings.CELERY_BROKER_URL
    assert app.conf.broker_url.startswith(("redis://", "redis+socket://", "rediss://"))
    assert not app.conf.task_always_eager


def test_a_task_round_trips_through_the_worker(celery_worker):
    result = ping.delay("hello from the test")
    assert result.get(timeout=20) == "hello from the test"
    assert result.successful()
