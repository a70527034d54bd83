"""Search index upkeep for posts. (Cached widgets and pages follow the dependency
tags that core/signals.py maps every write to.)"""

from wagtail.search import index
from wagtail.signals import page_published

from .models import BlogPage


def reindex_published_post(instance, **kwargs) -> None:
    """Index the post again once publishing has finished. The index update that
    Page.save() triggers runs before modelcluster writes the new tags, so without
    this a post would be found by the tags it had before."""
    index.insert_or_update_object(instance)


def connect() -> None:
    page_published.connect(
        reindex_published_post, sender=BlogPage, dispatch_uid="blog-reindex"
    )
