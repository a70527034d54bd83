"""Celery tasks of the site's infrastructure: thin wrappers over core's modules."""

from celery import shared_task

from . import renditions


@shared_task(ignore_result=True, acks_late=True, max_retries=0)
def renditions_create(image_id: int, specs: list[str]) -> int:
    """Idempotent (existing renditions are reused), so late acknowledgement is safe."""
    return renditions.renditions_create(image_id=image_id, specs=specs)
