"""Celery tasks of the blog: thin wrappers that call services."""

from smtplib import SMTPException

from celery import shared_task

from . import services


@shared_task(
    autoretry_for=(SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
)
def share_post(post_id: int, name: str, email: str, to: str, comments: str) -> bool:
    return services.post_share_send(
        post_id=post_id, name=name, email=email, to=to, comments=comments
    )


@shared_task
def publish_scheduled() -> None:
    """Run every minute by Celery beat (CELERY_BEAT_SCHEDULE in settings)."""
    services.pages_publish_scheduled()
