from django import template

from core.cache_tags import cache_depends

from .. import selectors

register = template.Library()


@register.inclusion_tag("gallery/tags/bookmark_cards_small.html")
def popular_bookmarks(count: int = 4):
    """The most liked bookmarks, for the home page (3 queries whatever the count)."""
    bookmarks = list(selectors.bookmark_popular(limit=count))
    cache_depends("bookmarks", "likes", "members")
    return {"bookmarks": bookmarks}


@register.inclusion_tag("gallery/tags/bookmark_cards_small.html")
def member_bookmarks(member, count: int = 8):
    """A member's latest bookmarks, for their member page (3 queries)."""
    bookmarks = list(selectors.bookmark_list_for_owner(owner=member, limit=count))
    # The list is the member's (a new bookmark invalidates "member:<id>"); each
    # card shows its like count.
    cache_depends(f"member:{member.pk}", *(f"bookmark:{b.pk}" for b in bookmarks))
    return {"bookmarks": bookmarks, "member": member}
