"""Reads of the blog: which posts readers may see, and what lists of them need.

The one definition of "published posts" for the whole site: the blog's pages and
widgets, share mails and the site search all start from `live_posts()`.
"""

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Exists, F, Lookup, OuterRef, Prefetch, Q
from django.db.models.functions import JSONObject, Length, Substr
from wagtail.images import get_image_model
from wagtail.models import PageViewRestriction

from .models import CARD_RENDITIONS, BlogPage, BlogPageTag


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


def public_children(queryset, parent):
    """`public_only(queryset.child_of(parent))` in SQL the planner runs once, not once
    per row: a child is restricted exactly when it, `parent` or one of `parent`'s
    ancestors has a view restriction (restrictions below a page do not hide it). So
    the test is "id not in the restricted pages" (a hashed subplan) and "no
    restriction on these known paths" (evaluated once), which at 10,000 posts costs
    a list's COUNT ~1 ms instead of the correlated subquery's ~28 ms.
    """
    step = parent.steplen
    own_paths = [parent.path[:end] for end in range(step, len(parent.path) + 1, step)]
    restricted_ids = PageViewRestriction.objects.values("page_id")
    above = PageViewRestriction.objects.filter(page__path__in=own_paths)
    return queryset.child_of(parent).filter(~Q(pk__in=restricted_ids), ~Exists(above))


def live_posts():
    """Live posts outside any view restriction: what readers may see."""
    return public_only(BlogPage.objects.live())


def _with_cards(queryset):
    """What cards need, in 2 queries for 3 posts as for 3,000: author and cover image
    joined and the tags as `card_tags` ([{"name", "slug"}], an array subquery: no
    tag objects, no prefetch), then the cover's card renditions (AVIF, WebP, JPEG)."""
    renditions = (
        get_image_model()
        .get_rendition_model()
        .objects.filter(filter_spec__in=CARD_RENDITIONS)
    )
    tags = (
        BlogPageTag.objects.filter(content_object_id=OuterRef("pk"))
        .order_by("pk")
        .values(json=JSONObject(name="tag__name", slug="tag__slug"))
    )
    return (
        queryset.select_related("author", "cover_image")
        .annotate(card_tags=ArraySubquery(tags))
        .prefetch_related(Prefetch("cover_image__renditions", queryset=renditions))
        .order_by("-date", "-first_published_at", "-pk")
    )


def published_posts():
    """Live, public posts with what cards need, newest first."""
    return _with_cards(live_posts())


def published_children(parent):
    """`published_posts().child_of(parent)`, its public test cheap enough to COUNT
    (see `public_children`): the blog index's and tag pages' lists."""
    return _with_cards(public_children(BlogPage.objects.live(), parent))
