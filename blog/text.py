"""Markdown to safe HTML: render with `markdown`, then let `nh3` keep only safe
tags and attributes, so a <script> or an onerror= written in Markdown never reaches
a page."""

import markdown as markdown_lib
import nh3
from django.utils.safestring import SafeString, mark_safe

MARKDOWN_EXTENSIONS = ["fenced_code", "tables", "sane_lists"]
ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h2", "h3", "h4",
    "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre", "strong", "sub", "sup",
    "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "code": {"class"},
    "th": {"align"},
    "td": {"align"},
}


def render_markdown(source: str) -> SafeString:
    html = markdown_lib.markdown(
        source or "", extensions=MARKDOWN_EXTENSIONS, output_format="html"
    )
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
        # A long code line scrolls inside its <pre>: keyboard users must be able
        # to focus it to scroll (axe: scrollable-region-focusable).
        set_tag_attribute_values={"pre": {"tabindex": "0"}},
    )
    return mark_safe(cleaned)  # noqa: S308 - nh3 has just sanitised it
