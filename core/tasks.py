"""Celery tasks of the site's infrastructure: thin wrappers over core's modules."""

from celery import shared_task

from . import renditions

# Lowest priority (Redis serves 0 first, then 3, 6, 9): AVIF renditions take a second
# or more each, and a bulk save must not hold a customer's order mail behind them.
RENDITIONS_PRIORITY = 9


@shared_task(
    ignore_result=True, acks_late=True, max_retries=0, priority=RENDITIONS_PRIORITY
)
def renditions_create(image_id: int, specs: list[str]) -> int:
    """Idempotent (existing renditions are reused), so late acknowledgement is safe."""
    return renditions.renditions_create(image_id=image_id, specs=specs)
