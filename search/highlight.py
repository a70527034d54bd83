"""Snippets with the searched words marked: escape first, then wrap matches in
<mark>, so nothing from the text or the query can inject HTML."""

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

SNIPPET_LENGTH = 240
WORD_RE = re.compile(r"\w+", re.UNICODE)


def query_terms(query: str) -> list[str]:
    return [w for w in WORD_RE.findall(query.lower()) if len(w) > 1][:10]


def _stem(term: str) -> str:
    """A crude prefix so "posts" marks "post" and "publishing" marks "published":
    PostgreSQL matched on stems, so exact words would miss inflected forms."""
    if len(term) <= 4:
        return term
    return term[: max(4, len(term) - 3)]


def term_pattern(terms: list[str]) -> re.Pattern | None:
    stems = sorted({_stem(t) for t in terms}, key=len, reverse=True)
    if not stems:
        return None
    alternatives = "|".join(re.escape(escape(stem)) for stem in stems)
    return re.compile(rf"(?<![&#\w])(?:{alternatives})\w*", re.IGNORECASE | re.UNICODE)


def make_snippet(text: str, query: str, length: int = SNIPPET_LENGTH) -> SafeString:
    """Cut `text` around the first match and mark every match in the cut."""
    text = " ".join((text or "").split())
    pattern = term_pattern(query_terms(query))
    start = 0
    if pattern:
        first = pattern.search(text)
        if first and first.start() > length // 3:
            start = text.rfind(" ", 0, first.start() - length // 3) + 1
    cut = text[start : start + length]
    if start + length < len(text):
        cut = cut.rsplit(" ", 1)[0] + " …"
    if start > 0:
        cut = "… " + cut
    html = escape(cut)
    if pattern:
        html = pattern.sub(lambda m: f"<mark>{m.group(0)}</mark>", html)
    return mark_safe(html)  # noqa: S308 - escaped above; only <mark> added
