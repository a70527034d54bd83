"""Keep the cached sidebar widgets in step with what readers can see."""

from django.db.models.signals import post_delete, post_save
from wagtail.models import PageViewRestriction
from wagtail.search import index
from wagtail.signals import (
    page_published,
    page_slug_changed,
    page_unpublished,
    post_page_move,
)

from . import widget_cache
from .models import BlogPage, Comment


def reindex_published_post(instance, **kwargs) -> None:
    """Index the post again once publishing has finished. The index update that
    Page.save() triggers runs before modelcluster writes the new tags, so without
    this a post would be found by the tags it had before."""
    index.insert_or_update_object(instance)


def connect() -> None:
    page_published.connect(
        reindex_published_post, sender=BlogPage, dispatch_uid="blog-reindex"
    )
    # A moved or renamed post changes the URLs the widgets link to.
    for signal in (
        page_published,
        page_unpublished,
        post_delete,
        post_page_move,
        page_slug_changed,
    ):
        signal.connect(
            widget_cache.invalidate, sender=BlogPage, dispatch_uid=f"blog-{signal!r}"
        )
    for signal in (post_save, post_delete):
        signal.connect(
            widget_cache.invalidate, sender=Comment, dispatch_uid=f"comment-{signal!r}"
        )
        # A view restriction hides or shows posts: counts and lists change.
        signal.connect(
            widget_cache.invalidate,
            sender=PageViewRestriction,
            dispatch_uid=f"restriction-{signal!r}",
        )
