"""Id-first ranking: rank index rows, LIMIT, and only then fetch the model rows.

Why: Wagtail's database backend joins every match's full model row (a post with its
StreamField body, its author) before ordering by rank and paginating, so a common
word at 100,000 posts sorted ~5,000 wide rows for every page of ten (1.5 s). Here
one query ranks the matching `wagtailsearch_indexentry` rows alone — found through
the GIN index on `(title || body)` (search/migrations/0002), kept to what the
source's public queryset allows by a semi-join on the indexed `pk::varchar` (0003)
— and returns ten ids with the total (`count(*) OVER ()`); a second query fetches
those ten rows with the source's select_related/prefetch_related.

The ranking is the backend's own: modelsearch's query compiler builds the tsquery
and the rank expression (its weights A-D from the models' `search_fields` boosts,
`title_norm` for short titles), and the order is rank, then newest pk first, as in
`backend.search(...)`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchVectorField
from django.db import connection
from django.db.models import (
    BigIntegerField,
    CharField,
    Count,
    F,
    QuerySet,
    Window,
)
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Cast
from modelsearch.utils import get_descendants_content_types_pks
from wagtail.search.backends import get_search_backend
from wagtail.search.models import IndexEntry

INTEGER_TYPES = {"integer", "bigint", "smallint"}


@dataclass
class Ranked:
    """One page of a source's ranked matches: object ids, best first, and the total
    number of matches (0: nothing matched)."""

    ids: list = field(default_factory=list)
    total: int = 0


def matching_entries(public: QuerySet, query: str) -> tuple[QuerySet, object]:
    """Index rows of `public`'s model that match `query` and whose object `public`
    contains, and the backend's rank expression for them."""
    backend = get_search_backend()
    compiler = backend.query_compiler_class(public, query, operator="and")
    config = compiler.get_config(backend)
    tsquery = compiler.build_tsquery(compiler.query, config=config)
    if tsquery is None:
        return IndexEntry.objects.none(), None

    def rank_of(vector):
        return compiler.build_tsrank(vector, compiler.query, config=config)

    # As the backend's rank: the title's, boosted for short titles, plus the body's.
    rank = rank_of(F("title")) * F("title_norm") + rank_of(F("body"))
    entries = (
        IndexEntry.objects.filter(
            content_type_id__in=get_descendants_content_types_pks(public.model)
        )
        # The very expression of the GIN index search_indexentry_title_body_gin.
        .alias(
            _vector=CombinedExpression(
                F("title"), "||", F("body"), output_field=SearchVectorField()
            )
        )
        .filter(_vector=tsquery)
    )
    return visible_only(entries, public), rank


def visible_only(entries: QuerySet, public: QuerySet) -> QuerySet:
    """Entries whose object is in `public`, with `_object_pk` to order ties by.

    An integer key is compared as an integer: PostgreSQL then probes or hashes the
    primary key itself instead of casting every visible row to text (at 100k posts:
    100 ms against 180 ms for a common word)."""
    public = public.order_by()
    if public.model._meta.pk.db_type(connection) in INTEGER_TYPES:
        entries = entries.alias(_object_pk=Cast("object_id", BigIntegerField()))
        return entries.filter(_object_pk__in=public.values("pk"))
    entries = entries.alias(_object_pk=F("object_id"))
    text_pk = public.annotate(_text_pk=Cast("pk", CharField(max_length=50)))
    return entries.filter(object_id__in=text_pk.values("_text_pk"))


def rank_ids(public: QuerySet, query: str, *, offset: int, limit: int) -> Ranked:
    """Ids of matches offset..offset+limit in rank order, with the total: ONE query.
    An offset past the end gives no ids and total 0; use `count_matches` then."""
    entries, rank = matching_entries(public, query)
    if rank is None:
        return Ranked()
    rows = list(
        entries.annotate(_rank=rank, _total=Window(Count("*")))
        # Ties: newest (highest pk) first, as the backend orders them.
        .order_by(F("_rank").desc(), F("_object_pk").desc())
        .values_list("object_id", "_total")[offset : offset + limit]
    )
    to_python = public.model._meta.pk.to_python
    return Ranked(
        ids=[to_python(object_id) for object_id, _ in rows],
        total=rows[0][1] if rows else 0,
    )


def count_matches(public: QuerySet, query: str) -> int:
    entries, rank = matching_entries(public, query)
    return entries.count() if rank is not None else 0


def fetch_in_order(public: QuerySet, ids: list) -> list:
    """The rows for `ids`, in that order, with `public`'s select/prefetch_related."""
    if not ids:
        return []
    rows = {obj.pk: obj for obj in public.filter(pk__in=ids)}
    return [rows[pk] for pk in ids if pk in rows]
