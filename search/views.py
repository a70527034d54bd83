from urllib.parse import urlencode

from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils.safestring import mark_safe

from .cache import cached_results, results_key, store_results
from .selectors import clean_query, site_search
from .sources import SOURCES


def search(request):
    """Site-wide search over every source in search/sources.py. The results
    fragment comes from the cache for anonymous visitors when it can (search/cache.py);
    the page around it is rendered for this visitor."""
    query = clean_query(request.GET.get("q", ""))
    context = {"search_query": query, "several_kinds": len(SOURCES) > 1}
    key = results_key(request)
    results = cached_results(key)
    if results is None:
        outcome = site_search(
            query, kind=request.GET.get("kind", ""), page_number=request.GET.get("page")
        )
        params = {"q": outcome.query}
        if outcome.kind and len(SOURCES) > 1:
            params["kind"] = outcome.kind
        context["outcome"] = outcome
        results = render_to_string(
            "search/search_results.html",
            {
                **context,
                "query_prefix": urlencode(params) + "&",
                "suggestion_query": urlencode({"q": outcome.suggestion}),
            },
            request=request,
        )
        store_results(key, results)
    context["results"] = mark_safe(results)  # noqa: S308 - our own rendered template
    response = TemplateResponse(request, "search/search.html", context)
    if key is not None:
        response["X-Search-Cache"] = "miss" if "outcome" in context else "hit"
    return response
