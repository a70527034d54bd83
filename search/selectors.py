"""The search itself: ranked full-text search per source, editors' promotions,
and a trigram fallback with a "did you mean" suggestion when nothing matches."""

import difflib
import logging
import re
from dataclasses import dataclass, field

from django.contrib.postgres.search import (
    TrigramStrictWordSimilarity,
    TrigramWordSimilarity,
)
from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.db.models import Q
from wagtail.contrib.search_promotions.models import SearchPromotion
from wagtail.search.backends import get_search_backend
from wagtail.search.utils import normalise_query_string

from .highlight import make_snippet
from .sources import SOURCES, SearchSource

logger = logging.getLogger(__name__)

MAX_QUERY_LENGTH = 200
PER_PAGE = 10
PER_GROUP_PREVIEW = 5
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


def ranked_group(
    source: SearchSource, query: str, *, page_number=None, preview: bool
) -> Group:
    # The backend searches any index.Indexed model, whether or not its queryset
    # class has a .search() method.
    results = get_search_backend().search(query, source.queryset(), operator="and")
    if preview:
        count = results.count()
        hits = list(results[:PER_GROUP_PREVIEW]) if count else []
        page_obj = None
    else:
        page_obj = Paginator(results, PER_PAGE).get_page(page_number)
        count = page_obj.paginator.count
        hits = list(page_obj.object_list)
    return Group(
        source=source,
        count=count,
        hits=[Hit(obj, _snippet(source, obj, query)) for obj in hits],
        page_obj=page_obj,
    )


def fuzzy_group(source: SearchSource, query: str) -> Group:
    """Titles that look like the query (pg_trgm word similarity), best first.
    Ordering by strict word similarity (whole words) puts "search" before
    "services" for "serch"."""
    objects = list(
        source.queryset()
        .annotate(
            similarity=TrigramWordSimilarity(query, source.title_field),
            closeness=TrigramStrictWordSimilarity(query, source.title_field),
        )
        .filter(similarity__gte=FUZZY_THRESHOLD)
        .order_by("-closeness", "-similarity", "pk")[:FUZZY_LIMIT]
    )
    return Group(
        source=source,
        count=len(objects),
        hits=[Hit(obj, _snippet(source, obj, query)) for obj in objects],
    )


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
    # One kind chosen (or only one kind exists): a paginated list of it; else a
    # preview of each kind with a link to the full list.
    single = len(sources) == 1
    outcome.kind = sources[0].key if single else ""
    outcome.promotions = promotions_for(query)
    outcome.groups = [
        ranked_group(s, query, page_number=page_number, preview=not single)
        for s in sources
    ]
    outcome.groups = [g for g in outcome.groups if g.count]
    if not single and len(outcome.groups) == 1:
        # Only one kind matched: show all of it, paginated, rather than a preview.
        only = outcome.groups[0].source
        outcome.groups = [
            ranked_group(only, query, page_number=page_number, preview=False)
        ]
    if not outcome.groups:
        outcome.fuzzy = True
        outcome.groups = [
            g for g in (fuzzy_group(s, query) for s in sources) if g.count
        ]
        titles = [
            str(getattr(hit.result, g.source.title_field))
            for g in outcome.groups
            for hit in g.hits
        ]
        outcome.suggestion = suggest(query, titles)
    return outcome
