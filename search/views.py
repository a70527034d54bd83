from urllib.parse import urlencode

from django.template.response import TemplateResponse

from .selectors import site_search
from .sources import SOURCES


def search(request):
    """Site-wide search over every source in search/sources.py."""
    kind = request.GET.get("kind", "")
    outcome = site_search(
        request.GET.get("q", ""), kind=kind, page_number=request.GET.get("page")
    )
    params = {"q": outcome.query}
    if outcome.kind and len(SOURCES) > 1:
        params["kind"] = outcome.kind
    return TemplateResponse(
        request,
        "search/search.html",
        {
            "search_query": outcome.query,
            "outcome": outcome,
            "query_prefix": urlencode(params) + "&",
            "suggestion_query": urlencode({"q": outcome.suggestion}),
        },
    )
