"""Blog widgets for any template: counts, latest and most-commented posts, and the
`markdown` filter."""

from django import template
from django.db.models import Count, Q

from core.cache_tags import cache_depends

from .. import widget_cache
from ..selectors import live_posts, published_posts
from ..text import render_markdown

register = template.Library()


@register.simple_tag
def total_posts() -> int:
    return widget_cache.cached("total", lambda: live_posts().count())


@register.inclusion_tag("blog/tags/latest_posts.html", takes_context=True)
def show_latest_posts(context, count: int = 5, layout: str = "list"):
    """`list`: titles and dates (one query), for sidebars; `cards`: with cover
    images and tags, for the home page."""
    if layout == "cards":
        cache_depends("posts")
        posts = published_posts()[:count]
    else:
        posts = widget_cache.cached(
            f"latest:{count}",
            lambda: list(
                live_posts()
                .order_by("-date", "-first_published_at", "-pk")
                .only("id", "title", "url_path", "date")[:count]
            ),
        )
    return {"latest_posts": posts, "layout": layout, "request": context.get("request")}


@register.simple_tag
def get_most_commented_posts(count: int = 5):
    """Posts with the most approved comments (hidden ones don't count)."""
    return widget_cache.cached(
        f"most-commented:{count}",
        tags=("posts", "comments"),
        compute=lambda: list(
            live_posts()
            .annotate(total_comments=Count("comments", filter=Q(comments__active=True)))
            .filter(total_comments__gt=0)
            .order_by("-total_comments", "-date")
            .only("id", "title", "url_path")[:count]
        ),
    )


@register.filter(name="markdown")
def markdown_filter(value):
    return render_markdown(value)
