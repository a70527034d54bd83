"""POST handlers of the post page (comment and share forms); GETs are Wagtail's."""

from functools import partial

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import HttpResponseRedirect

from core.ratelimit import client_ip, rate_limited

from . import services
from .forms import CommentForm, SharePostForm
from .tasks import share_post


def handle_post_form(request, post):
    """Return a redirect after a handled POST, or the bound forms to show again
    with their errors."""
    if request.POST.get("form") == "share":
        return _share(request, post)
    return _comment(request, post)


def _limited(request, scope: str) -> bool:
    limit, window = settings.BLOG_RATE_LIMITS[scope]
    return rate_limited(scope, client_ip(request), limit=limit, window=window)


def _comment(request, post):
    form = CommentForm(request.POST, prefix="comment")
    if form.is_spam():
        # Look like success to the bot; store nothing.
        messages.success(request, "Thank you, your comment is awaiting moderation.")
        return HttpResponseRedirect(post.url + "#comments")
    if not form.is_valid():
        return {"comment_form": form}
    if _limited(request, "comment"):
        form.add_error(None, "You have posted several comments just now. "
                       "Please wait a few minutes and try again.")  # fmt: skip
        return {"comment_form": form}
    comment = services.comment_create(post=post, **form.cleaned_data_for_comment())
    if comment.active:
        messages.success(request, "Thank you, your comment is published.")
    else:
        messages.success(request, "Thank you, your comment is awaiting moderation.")
    return HttpResponseRedirect(post.url + "#comments")


def _share(request, post):
    form = SharePostForm(request.POST, prefix="share")
    if not form.is_valid():
        return {"share_form": form}
    if _limited(request, "share"):
        form.add_error(None, "You have shared several posts just now. "
                       "Please wait a while and try again.")  # fmt: skip
        return {"share_form": form}
    data = form.cleaned_data
    transaction.on_commit(
        partial(
            share_post.delay,
            post.pk,
            data["name"],
            data["email"],
            data["to"],
            data["comments"],
        )
    )
    messages.success(request, f"The post is on its way to {data['to']}.")
    return HttpResponseRedirect(post.url + "#share")
