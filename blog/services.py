"""Business writes of the blog: comments, share mails, scheduled publishing."""

import logging

from django.conf import settings
from django.core.management import call_command

from core.cache_tags import invalidate
from core.degrade import enqueue_on_commit
from core.mail import mail_send

from .models import BlogPage, Comment
from .selectors import live_posts

logger = logging.getLogger(__name__)


def comment_create(*, post: BlogPage, name: str, email: str, body: str) -> Comment:
    """Store a reader's comment; it is shown at once only when premoderation is off."""
    return Comment.objects.create(
        post=post,
        name=name,
        email=email,
        body=body,
        active=not settings.BLOG_COMMENTS_PREMODERATED,
    )


def comments_set_active(*, comment_ids: list[int], active: bool) -> int:
    """Approve or hide comments in bulk; returns how many rows changed."""
    changing = Comment.objects.filter(pk__in=comment_ids).exclude(active=active)
    post_ids = set(changing.values_list("post_id", flat=True))
    changed = changing.update(active=active)
    # update() sends no post_save: the posts showing them and the most-commented
    # widget (core/signals.py maps a single comment's save the same way).
    invalidate(*(f"page:{pk}" for pk in sorted(post_ids)), "comments")
    return changed


def post_share_enqueue(
    *, post: BlogPage, name: str, email: str, to: str, comments: str
) -> None:
    """Have a worker mail the post to `to` once the current transaction commits."""
    from .tasks import share_post  # tasks import this module

    # With the broker down the share is logged and dropped; the reader's page answers.
    enqueue_on_commit(share_post, post.pk, name, email, to, comments)


def post_share_send(
    *, post_id: int, name: str, email: str, to: str, comments: str
) -> bool:
    """Mail a post's title and absolute URL to `to`. Returns False (and sends
    nothing) if the post has since been unpublished or deleted."""
    post = live_posts().filter(pk=post_id).first()
    if post is None:
        logger.info("Share of post %s skipped: no longer published", post_id)
        return False
    context = {
        "post": post,
        "post_url": post.get_full_url(),
        "name": name,
        "email": email,
        "comments": comments,
    }
    mail_send(
        template="blog/emails/share",
        context=context,
        to=[to],
        reply_to=[email],
    )
    return True


def pages_publish_scheduled() -> None:
    """Publish pages whose go_live_at has passed and unpublish expired ones
    (Wagtail's own command, so the admin's scheduling works unchanged)."""
    call_command("publish_scheduled")
