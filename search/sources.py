"""What /search/ searches: ONE entry per kind of thing, in SOURCES below.

To add a kind (e.g. shop products or gallery bookmarks), append one SearchSource:

    SearchSource(
        key="products",                      # ?kind=products; unique, URL-safe
        label="Products",                    # group heading on the results page
        model="shop.Product",                # an index.Indexed model with search_fields
        public=lambda m: m.objects.filter(available=True),  # only what anyone may see
        template="search/results/product.html",  # renders one result (see below)
        title_field="name",                  # column for the typo-tolerant fallback
        text_fields=("name", "description"), # attributes the highlighted snippet uses
    ),

The result template gets `result` (the object) and `snippet` (safe HTML with the
matched words in <mark>); copy search/results/page.html and change the link. The
model must be indexed (`search_fields`; run `manage.py update_index` once for rows
that existed before), and its `title_field` column wants a trigram index like those
in search/migrations/0004 (the fallback works without one, by reading every row).
Ranking, grouping, paging, highlighting, caching and the fuzzy fallback need
nothing else.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.db.models import Model, QuerySet

from blog.selectors import live_posts


@dataclass(frozen=True)
class SearchSource:
    key: str
    label: str
    model: str
    public: Callable[[type[Model]], QuerySet]
    template: str
    title_field: str = "title"
    text_fields: tuple[str, ...] = ("title",)

    def get_model(self) -> type[Model]:
        return apps.get_model(self.model)

    def queryset(self) -> QuerySet:
        return self.public(self.get_model())


SOURCES: list[SearchSource] = [
    SearchSource(
        key="posts",
        label="Blog posts",
        model="blog.BlogPage",
        # The blog's definition of a published post: one query, where
        # `.public()` would first fetch the view restrictions in one of its own.
        public=lambda m: live_posts().select_related("author"),
        template="search/results/page.html",
        text_fields=("intro", "body_text"),
    ),
    SearchSource(
        key="products",
        label="Products",
        model="shop.Product",
        public=lambda m: m.objects.filter(available=True).select_related("category"),
        template="shop/includes/search_result.html",
        title_field="name",
        text_fields=("name", "description"),
    ),
    SearchSource(
        key="bookmarks",
        label="Bookmarks",
        model="gallery.Bookmark",
        public=lambda m: m.objects.select_related("owner", "image").prefetch_related(
            "image__renditions"
        ),
        template="gallery/includes/search_result.html",
        text_fields=("title", "description"),
    ),
]


def get_source(key: str) -> SearchSource | None:
    return next((source for source in SOURCES if source.key == key), None)
