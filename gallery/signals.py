"""Keep the denormalised like count and the Redis counters in step with the rows."""

from django.conf import settings
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import receiver

from . import counters, selectors
from .models import Bookmark
from .services import bookmark_likes_recount


@receiver(m2m_changed, sender=Bookmark.users_like.through)
def users_like_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """Recount with an UPDATE whichever side the change came from (admin, shell,
    services), so total_likes never drifts and the row is never re-saved."""
    if action == "pre_clear" and reverse:
        # user.bookmarks_liked.clear(): remember which bookmarks lose a like.
        instance._gallery_cleared = list(
            instance.bookmarks_liked.values_list("pk", flat=True)
        )
        return
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    if not reverse:
        bookmark_likes_recount(bookmark_ids=[instance.pk])
    elif action == "post_clear":
        bookmark_likes_recount(bookmark_ids=getattr(instance, "_gallery_cleared", []))
    elif pk_set:
        bookmark_likes_recount(bookmark_ids=pk_set)


@receiver(post_delete, sender=Bookmark)
def bookmark_deleted(sender, instance, **kwargs):
    counters.views_forget(bookmark_id=instance.pk)
    selectors.bookmark_count_forget()


@receiver(post_save, sender=Bookmark)
def bookmark_saved(sender, instance, created, **kwargs):
    if created:
        selectors.bookmark_count_forget()


@receiver(pre_delete, sender=settings.AUTH_USER_MODEL)
def member_deleting(sender, instance, **kwargs):
    """A member's like rows go by cascade, which sends no m2m_changed: remember
    which bookmarks lose a like while the rows still exist."""
    instance._gallery_liked = list(
        Bookmark.users_like.through.objects.filter(user=instance).values_list(
            "bookmark_id", flat=True
        )
    )


@receiver(post_delete, sender=settings.AUTH_USER_MODEL)
def member_deleted(sender, instance, **kwargs):
    liked = getattr(instance, "_gallery_liked", None)
    if liked:
        bookmark_likes_recount(bookmark_ids=liked)
