"""Keep the cached sidebar widgets in step with what readers can see."""

from django.db.models.signals import post_delete, post_save
from wagtail.signals import page_published, page_unpublished

from . import widget_cache
from .models import BlogPage, Comment


def connect() -> None:
    for signal in (page_published, page_unpublished, post_delete):
        signal.connect(
            widget_cache.invalidate, sender=BlogPage, dispatch_uid=f"blog-{signal!r}"
        )
    for signal in (post_save, post_delete):
        signal.connect(
            widget_cache.invalidate, sender=Comment, dispatch_uid=f"comment-{signal!r}"
        )
