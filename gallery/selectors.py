"""Reads of the gallery that span relations, shaped so query counts stay fixed."""

import logging

from django.db.models import Exists, OuterRef, Prefetch, QuerySet, Value
from wagtail.images import get_image_model

from core.cache_tags import cached_value, invalidate
from core.renditions import picture_specs

from .models import Bookmark

THUMBNAIL_SPEC = "fill-400x300"
DETAIL_SPEC = "max-1000x800"
# What the {% picture %} tags ask for: AVIF, WebP and the JPEG fallback.
THUMBNAIL_SPECS = picture_specs(THUMBNAIL_SPEC)
DETAIL_SPECS = picture_specs(DETAIL_SPEC)

logger = logging.getLogger(__name__)

# The number of bookmarks (the gallery's paginator) is cached under its own tag,
# which a bookmark's creation or deletion invalidates (gallery.signals); a like
# does not.
COUNT_TAG = "bookmarks:count"
COUNT_TIMEOUT = 60 * 10  # a safety net only (bulk loads send no signals)


def bookmark_count() -> int:
    """How many bookmarks there are, from Redis when it knows (a COUNT scans them
    all: ~10 ms at 20,000); counted every time when Redis is down."""
    return cached_value(
        "gallery:count", [COUNT_TAG], Bookmark.objects.count, COUNT_TIMEOUT
    )


def bookmark_count_forget(**kwargs) -> None:
    """Signal receiver (takes any arguments): the count is stale."""
    invalidate(COUNT_TAG)


def _with_images(queryset: QuerySet, specs: list[str]) -> QuerySet:
    """The image joined, its `specs` renditions in one more query."""
    renditions = get_image_model().get_rendition_model().objects
    return queryset.select_related("image").prefetch_related(
        Prefetch(
            "image__renditions",
            queryset=renditions.filter(filter_spec__in=specs),
            to_attr="prefetched_renditions",
        )
    )


def bookmark_list(*, viewer=None) -> QuerySet:
    """Newest first, owner joined, images and their thumbnails prefetched, and
    `is_liked` (does `viewer` like it) computed in the same query."""
    queryset = Bookmark.objects.select_related("owner").order_by("-created", "-pk")
    if viewer is not None and viewer.is_authenticated:
        likes = Bookmark.users_like.through.objects.filter(
            bookmark_id=OuterRef("pk"), user_id=viewer.pk
        )
        queryset = queryset.annotate(is_liked=Exists(likes))
    else:
        queryset = queryset.annotate(is_liked=Value(False))
    return _with_images(queryset, THUMBNAIL_SPECS)


def bookmark_popular(*, limit: int) -> list[Bookmark]:
    return list(
        _with_images(
            Bookmark.objects.select_related("owner").order_by(
                "-total_likes", "-created"
            ),
            THUMBNAIL_SPECS,
        )[:limit]
    )


def bookmark_list_for_owner(*, owner, limit: int) -> list[Bookmark]:
    return list(bookmark_list().filter(owner=owner)[:limit])


def bookmark_detail(*, pk: int) -> Bookmark:
    """One bookmark with owner, image + rendition and likers (raises DoesNotExist)."""
    return (
        _with_images(Bookmark.objects.select_related("owner"), DETAIL_SPECS)
        .prefetch_related("users_like")
        .get(pk=pk)
    )


def bookmark_ranking(ranked: list[tuple[int, int]]) -> list[Bookmark]:
    """The bookmarks of a Redis ranking, in its order, with `views` set: ONE query.

    Ids Redis still remembers but the database no longer has are skipped.
    """
    by_id = Bookmark.objects.select_related("owner").in_bulk(
        [pk for pk, _views in ranked]
    )
    result = []
    for pk, views in ranked:
        bookmark = by_id.get(pk)
        if bookmark is not None:
            bookmark.views = views
            result.append(bookmark)
    return result
