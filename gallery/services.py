"""Business writes of the gallery: saving a bookmark from a URL, likes."""

import io
import logging

from django.core.files.images import ImageFile
from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.text import slugify
from wagtail.images import get_image_model

from accounts.models import Action
from accounts.services import action_create

from . import fetcher
from .models import Bookmark

logger = logging.getLogger(__name__)


def bookmark_create_from_url(
    *, owner, url: str, title: str, description: str = ""
) -> Bookmark:
    """Fetch the image at `url` (hardened, see fetcher) and save it as a bookmark.

    Raises fetcher.FetchError with a message for the member when the image is
    refused. The download happens before the transaction so no database
    connection is held open while a remote server is slow.
    """
    fetched = fetcher.fetch_image(url)
    name = (slugify(title)[:60] or "bookmark") + f".{fetched.extension}"
    with transaction.atomic():
        image = get_image_model()(
            title=title[:255],
            file=ImageFile(io.BytesIO(fetched.content), name=name),
            uploaded_by_user=owner,
        )
        image._set_image_file_metadata()  # size and hash, as the admin upload does
        image.save()
        bookmark = Bookmark.objects.create(
            owner=owner,
            title=title,
            url=url,
            image=image,
            description=description,
        )
        action_create(user=owner, verb=Action.Verb.BOOKMARKED, target=bookmark)
    logger.info("Bookmark %s saved from %s", bookmark.pk, fetched.source_url)
    return bookmark


def bookmark_likes_recount(*, bookmark_ids) -> None:
    """Set total_likes from the M2M with one UPDATE (no save, no re-index)."""
    through = Bookmark.users_like.through
    count = (
        through.objects.filter(bookmark_id=OuterRef("pk"))
        .order_by()
        .values("bookmark_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    Bookmark.objects.filter(pk__in=list(bookmark_ids)).update(
        total_likes=Coalesce(Subquery(count), 0)
    )


def _total_likes(bookmark_id: int) -> int:
    return Bookmark.objects.filter(pk=bookmark_id).values_list(
        "total_likes", flat=True
    )[0]


def bookmark_like(*, bookmark: Bookmark, user) -> int:
    """Like `bookmark` as `user` (idempotent); return the new like count."""
    with transaction.atomic():
        through = Bookmark.users_like.through
        if not through.objects.filter(bookmark=bookmark, user=user).exists():
            # add() fires m2m_changed, whose receiver recounts total_likes.
            bookmark.users_like.add(user)
            action_create(user=user, verb=Action.Verb.LIKES, target=bookmark)
    return _total_likes(bookmark.pk)


def bookmark_unlike(*, bookmark: Bookmark, user) -> int:
    """Take back a like (idempotent); return the new like count."""
    with transaction.atomic():
        bookmark.users_like.remove(user)
    return _total_likes(bookmark.pk)
