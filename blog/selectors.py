"""Reads of the blog: which posts readers may see, and what lists of them need.

The one definition of "published posts" for the whole site: the blog's pages and
widgets, share mails and the site search all start from `live_posts()`.
"""

from django.db.models import Exists, F, Lookup, OuterRef, Prefetch
from django.db.models.functions import Length, Substr
from wagtail.images import get_image_model
from wagtail.models import PageViewRestriction

from .models import CARD_RENDITION, BlogPage


class _OutsideViewRestrictions(Lookup):
    """A condition on a page's `path` whose SQL is the subquery given as `rhs`.

    Why a lookup: Wagtail's search backend takes a queryset whose filters are all
    lookups on FilterFields (`path` is one on every page) and refuses a bare
    `Exists`; wrapping `public_only`'s subquery this way lets the search use the
    same one-query definition as the blog's lists.
    """

    lookup_name = "outside_view_restrictions"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        return compiler.compile(self.rhs)


def public_only(queryset):
    """Like Wagtail's `.public()`, but as a subquery: `.public()` first fetches every
    view restriction in a query of its own, which would add a query per list."""
    restricted = PageViewRestriction.objects.filter(
        page__path=Substr(OuterRef("path"), 1, Length("page__path"))
    )
    return queryset.filter(_OutsideViewRestrictions(F("path"), ~Exists(restricted)))


def live_posts():
    """Live posts outside any view restriction: what readers may see."""
    return public_only(BlogPage.objects.live())


def published_posts():
    """Live, public posts with what cards need (author, cover image and its card
    rendition, tags), so a list costs the same queries for 3 posts as for 3,000."""
    renditions = (
        get_image_model()
        .get_rendition_model()
        .objects.filter(filter_spec=CARD_RENDITION)
    )
    return (
        live_posts()
        .select_related("author", "cover_image")
        .prefetch_related(
            "tags", Prefetch("cover_image__renditions", queryset=renditions)
        )
        .order_by("-date", "-first_published_at", "-pk")
    )
