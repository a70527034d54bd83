"""The search itself: ranked full-text search per source, editors' promotions,
and a trigram fallback with a "did you mean" suggestion when nothing matches."""

import difflib
import logging
import re
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.contrib.postgres.search import (
    TrigramStrictWordSimilarity,
    TrigramWordSimilarity,
)
from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.db import connection, transaction
from django.db.models import Q
from wagtail.contrib.search_promotions.models import SearchPromotion
from wagtail.search.utils import normalise_query_string

from .highlight import make_snippet
from .ranking import Ranked, count_matches, fetch_in_order, rank_ids
from .sources import SOURCES, SearchSource

logger = logging.getLogger(__name__)

MAX_QUERY_LENGTH = 200
PER_PAGE = 10
PER_GROUP_PREVIEW = 5
# Deeper pages are read as out of range (the last page), as Paginator would.
MAX_PAGE = 100_000
FUZZY_THRESHOLD = 0.3
FUZZY_LIMIT = 10
# Everything but letters, digits and spaces is dropped before the query reaches
# PostgreSQL: tsquery operators, quotes, NUL and other control characters.
UNSAFE_RE = re.compile(r"[^\w\s]|_", re.UNICODE)


def clean_query(raw: str) -> str:
    """The query as we search it: at most 200 characters, no NUL or control
    characters, no tsquery syntax, single spaces."""
    text = (raw or "")[: MAX_QUERY_LENGTH * 2]
    text = UNSAFE_RE.sub(" ", text)
    return " ".join(text.split())[:MAX_QUERY_LENGTH].strip()


@dataclass
class Hit:
    result: object
    snippet: str


@dataclass
class Group:
    source: SearchSource
    count: int
    hits: list[Hit]
    page_obj: PaginatorPage | None = None


@dataclass
class SearchOutcome:
    query: str
    groups: list[Group] = field(default_factory=list)
    promotions: list = field(default_factory=list)
    fuzzy: bool = False
    suggestion: str = ""
    kind: str = ""

    @property
    def total(self) -> int:
        return sum(group.count for group in self.groups)


def _snippet(source: SearchSource, obj, query: str) -> str:
    text = " ".join(str(getattr(obj, name, "") or "") for name in source.text_fields)
    return make_snippet(text, query)


def promotions_for(query: str) -> list:
    """Editors' picks for this exact query (Wagtail's normalised form)."""
    return list(
        SearchPromotion.objects.filter(
            query__query_string=normalise_query_string(query)
        )
        .filter(Q(page__isnull=True) | Q(page__live=True))
        .select_related("page")
        .order_by("sort_order")
    )


def requested_page(page_number) -> int | None:
    """The page asked for, read as Paginator.get_page reads it: not a number → 1;
    below 1 (or absurdly far) → None, meaning the last page."""
    try:
        number = int(page_number)
    except (TypeError, ValueError):
        return 1
    return number if 1 <= number <= MAX_PAGE else None


def _rank_page(public, query: str, number: int) -> Ranked:
    return rank_ids(public, query, offset=(number - 1) * PER_PAGE, limit=PER_PAGE)


def paginate(
    public, query: str, page_number, *, first: Ranked | None = None
) -> tuple[Ranked, PaginatorPage]:
    """The ranked ids of one page and its Page object (for the pagination links).
    `first`: page 1, when it is ranked already. An out-of-range page gives the last
    page, as Paginator.get_page does: one COUNT and one more ranking, only then."""
    number = requested_page(page_number)
    ranked = None
    if number == 1 and first is not None:
        ranked = first
    elif number is not None:
        ranked = _rank_page(public, query, number)
    if ranked is None or (number > 1 and not ranked.ids):
        number = Paginator(range(count_matches(public, query)), PER_PAGE).num_pages
        ranked = _rank_page(public, query, number)
    paginator = Paginator(range(ranked.total), PER_PAGE)
    return ranked, PaginatorPage(ranked.ids, number, paginator)


def ranked_group(
    source: SearchSource, public, query: str, ranked: Ranked, **extra
) -> Group:
    """The rows behind `ranked.ids` (one query, plus the source's prefetches), in
    rank order, with their highlighted snippets."""
    objects = fetch_in_order(public, ranked.ids)
    return Group(
        source=source,
        count=ranked.total,
        hits=[Hit(obj, _snippet(source, obj, query)) for obj in objects],
        **extra,
    )


def fuzzy_group(source: SearchSource, public, query: str) -> Group:
    """Titles that look like the query (pg_trgm word similarity), best first.
    Ordering by strict word similarity (whole words) puts "search" before
    "services" for "serch". Run inside `similarity_threshold()`: the `%>` operator
    is what a trigram index (search/migrations/0004) can answer. Ids first, as
    for ranked results: the candidates are sorted on the narrow table alone."""
    title = source.title_field
    ids = list(
        public.filter(**{f"{title}__trigram_word_similar": query})
        .annotate(
            similarity=TrigramWordSimilarity(query, title),
            closeness=TrigramStrictWordSimilarity(query, title),
        )
        .order_by("-closeness", "-similarity", "pk")
        .values_list("pk", flat=True)[:FUZZY_LIMIT]
    )
    objects = fetch_in_order(public, ids)
    return Group(
        source=source,
        count=len(objects),
        hits=[Hit(obj, _snippet(source, obj, query)) for obj in objects],
    )


@contextmanager
def similarity_threshold():
    """Settings for the fallback's statements, for this transaction only:

    - pg_trgm's `%>` matches at `pg_trgm.word_similarity_threshold` (0.6 unless
      set); ours is FUZZY_THRESHOLD.
    - No sequential scans: pg_trgm declares its similarity functions as cheap as
      `=`, so on a few thousand rows the planner reads the whole table and computes
      the similarity of every title rather than ask the trigram index (measured on
      5,000 products: 37 ms against 6 ms). Every statement here filters on an
      indexed title or a primary key.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('pg_trgm.word_similarity_threshold', %s, true), "
            "set_config('enable_seqscan', 'off', true)",
            [str(FUZZY_THRESHOLD)],
        )
        yield


def suggest(query: str, titles: list[str]) -> str:
    """Replace each query word by the closest word of the matched titles, so
    "wagtial pgaes" becomes "wagtail pages"."""
    vocabulary = sorted({w.lower() for t in titles for w in re.findall(r"\w+", t)})
    corrected = []
    for word in query.lower().split():
        close = difflib.get_close_matches(word, vocabulary, n=1, cutoff=0.6)
        corrected.append(close[0] if close else word)
    suggestion = " ".join(corrected)
    return "" if suggestion == query.lower() else suggestion


def site_search(raw_query: str, *, kind: str = "", page_number=None) -> SearchOutcome:
    query = clean_query(raw_query)
    outcome = SearchOutcome(query=query)
    if not query:
        return outcome
    sources = [s for s in SOURCES if s.key == kind] or SOURCES
    single = len(sources) == 1
    outcome.kind = sources[0].key if single else ""
    outcome.promotions = promotions_for(query)
    publics = {source.key: source.queryset() for source in sources}
    # Ids and totals first: whether the page previews each kind or lists one kind
    # paginated is known before any row is fetched.
    firsts = {}
    if not single:
        firsts = {
            s.key: rank_ids(publics[s.key], query, offset=0, limit=PER_PAGE)
            for s in sources
        }
    matched = sources if single else [s for s in sources if firsts[s.key].total]
    if len(matched) == 1:
        # One kind chosen, or only one kind matched: all of it, paginated, rather
        # than a preview.
        source = matched[0]
        public = publics[source.key]
        ranked, page = paginate(
            public, query, page_number, first=firsts.get(source.key)
        )
        if ranked.total:
            outcome.groups = [
                ranked_group(source, public, query, ranked, page_obj=page)
            ]
    else:
        for source in matched:
            first = firsts[source.key]
            preview = Ranked(ids=first.ids[:PER_GROUP_PREVIEW], total=first.total)
            outcome.groups.append(
                ranked_group(source, publics[source.key], query, preview)
            )
    if not outcome.groups:
        outcome.fuzzy = True
        with similarity_threshold():
            fuzzy = [fuzzy_group(s, publics[s.key], query) for s in sources]
        outcome.groups = [group for group in fuzzy if group.count]
        titles = [
            str(getattr(hit.result, g.source.title_field))
            for g in outcome.groups
            for hit in g.hits
        ]
        outcome.suggestion = suggest(query, titles)
    return outcome
