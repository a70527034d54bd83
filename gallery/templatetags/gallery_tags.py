from django import template

from .. import selectors

register = template.Library()


@register.inclusion_tag("gallery/tags/bookmark_cards_small.html")
def popular_bookmarks(count: int = 4):
    """The most liked bookmarks, for the home page (3 queries whatever the count)."""
    return {"bookmarks": selectors.bookmark_popular(limit=count)}


@register.inclusion_tag("gallery/tags/bookmark_cards_small.html")
def member_bookmarks(member, count: int = 8):
    """A member's latest bookmarks, for their member page (3 queries)."""
    return {
        "bookmarks": selectors.bookmark_list_for_owner(owner=member, limit=count),
        "member": member,
    }
