"""PDF invoices with WeasyPrint. The fetcher reads our static files and nothing else,
so a template (or data in it) can never make the renderer touch the network or disk."""

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from ..models import Order, Refund

# Relative URLs in the template resolve against this made-up origin.
BASE_URL = "https://invoice.invalid/"


class StaticOnlyFetcher(URLFetcher):
    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        prefix = settings.STATIC_URL
        if f"{parts.scheme}://{parts.netloc}/" != BASE_URL or not parts.path.startswith(
            prefix
        ):
            raise ValueError(f"Invoice may only load our static files, not {url}")
        relative = unquote(parts.path[len(prefix) :])
        if ".." in Path(relative).parts:
            raise ValueError(f"Refusing path traversal in {url}")
        found = finders.find(relative) or _collected(relative)
        if not found:
            raise ValueError(f"No static file {relative}")
        content_type = mimetypes.guess_type(found)[0] or "application/octet-stream"
        return URLFetcherResponse(
            url, body=Path(found).read_bytes(), headers={"Content-Type": content_type}
        )


def _collected(relative: str) -> str | None:
    """A file collected into STATIC_ROOT. Under production's manifest storage
    `{% static %}` gives the hashed name (invoice.<hash>.css), which only exists
    there: the finders, which search the apps' sources, do not know it."""
    try:
        if staticfiles_storage.exists(relative):
            return staticfiles_storage.path(relative)
    except (NotImplementedError, SuspiciousFileOperation):
        return None
    return None


def _render_pdf(template: str, context: dict) -> bytes:
    html = render_to_string(
        template, {**context, "site_name": settings.WAGTAIL_SITE_NAME}
    )
    return HTML(
        string=html, base_url=BASE_URL, url_fetcher=StaticOnlyFetcher()
    ).write_pdf()


def invoice_render_pdf(*, order: Order) -> bytes:
    """The order's invoice as PDF bytes; the total shown is the stored `total`."""
    return _render_pdf(
        "orders/invoice.html", {"order": order, "items": order.items.all()}
    )


def credit_note_render_pdf(*, refund: Refund) -> bytes:
    """A refund's credit note as PDF bytes, in the invoice's style (same stylesheet
    and layout): the refunded lines, if any, and the amount given back."""
    return _render_pdf(
        "orders/credit_note.html", {"order": refund.order, "refund": refund}
    )
