"""Celery tasks of the home app: thin wrappers that call services."""

from celery import shared_task

from . import services


@shared_task(ignore_result=True, acks_late=True, max_retries=0)
def renditions_create(image_id: int, specs: list[str]) -> int:
    """Idempotent (existing renditions are reused), so late acknowledgement is safe."""
    return services.renditions_create(image_id=image_id, specs=specs)
